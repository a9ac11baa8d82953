import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ENTRY_POINTS, type EntryPoint } from './capture.ts';
import { type FuzzReport, runFuzz } from './run-fuzz.ts';

export interface FuzzCommandOptions {
  target?: string | undefined;
  seconds?: string | undefined;
  inputs?: string | undefined;
  seed?: string | undefined;
  out?: string | undefined;
}

const positive = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} takes a positive integer (got "${v}")`);
  return n;
};

/** The entry points named by `--target a,b` (all when absent); an unknown name is an error listing the known. */
export function parseTargets(target: string | undefined): EntryPoint[] {
  if (!target) return [...ENTRY_POINTS];
  const names = target
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(ENTRY_POINTS as readonly string[]).includes(n));
  if (unknown.length)
    throw new Error(`unknown fuzz target ${unknown.join(', ')}: the targets are ${ENTRY_POINTS.join(', ')}`);
  return names as EntryPoint[];
}

/** The readable summary printed on stdout. */
export function summarise(report: FuzzReport, outPath: string, saved: string[]): string {
  const lines = [
    `kakehashi fuzz — seed ${report.seed}, ${report.wallSeconds} s wall, load ${report.load.before.join(' ')} → ${report.load.after.join(' ')} (${report.load.cpus} CPUs)`,
    '',
    `  ${'entry point'.padEnd(13)}${'inputs'.padStart(8)}${'inputs/s'.padStart(10)}${'2xx/3xx'.padStart(9)}${'4xx'.padStart(8)}${'soap500'.padStart(9)}${'5xx'.padStart(6)}${'non-problem'.padStart(13)}${'hang'.padStart(6)}${'crash'.padStart(7)}${'slow'.padStart(6)}${'max ms'.padStart(8)}`,
    ...report.entries.map(
      (e) =>
        `  ${e.entry.padEnd(13)}${String(e.inputs).padStart(8)}${String(e.inputsPerSecond).padStart(10)}${String(e.outcomes['ok-2xx-3xx']).padStart(9)}${String(e.outcomes['ok-4xx']).padStart(8)}${String(e.outcomes['soap-fault-5xx']).padStart(9)}${String(e.outcomes['5xx']).padStart(6)}${String(e.outcomes['non-problem']).padStart(13)}${String(e.outcomes.hang).padStart(6)}${String(e.outcomes.crash).padStart(7)}${String(e.slow).padStart(6)}${String(e.maxLatencyMs).padStart(8)}`,
    ),
    '',
    '  slow: answered after the 10 s timeout but within the grace period (a starved machine; a hang never answers)',
    "  soap500: SOAP 1.2 Faults MustUnderstand/VersionMismatch, which SOAP's HTTP binding answers with 500 (not failures)",
    `  total ${report.totals.inputs} inputs: ${report.totals.fiveXx} 5xx, ${report.totals.nonProblem} non-problem, ${report.totals.hangs} hangs, ${report.totals.crashes} crashes`,
    `  after the run: ${report.after.healthy ? 'healthy' : `UNHEALTHY (${report.after.health})`}; login ${
      report.after.login.error
        ? `FAILED (${report.after.login.error})`
        : Object.entries(report.after.login)
            .map(([k, v]) => `${k} ${v ? 'ok' : 'FAILED'}`)
            .join(', ')
    }`,
    `  stores: ${report.after.stores.length} checked (quick_check${report.after.stores.some((s) => s.auditChains.length) ? ', audit chains' : ''}), ${
      report.after.storesIntact
        ? 'intact'
        : `DAMAGED: ${report.after.stores
            .filter((s) => !s.ok)
            .map((s) => s.file)
            .join(', ')}`
    }; ${report.after.auditRoutes.map((a) => `${a.component} ${a.valid ? 'valid' : 'INVALID'}`).join(', ')}`,
    `  report: ${outPath}`,
    ...(saved.length
      ? [
          `  failing inputs (base64 bodies; re-send them, or run again with --seed ${report.seed}):`,
          ...saved.map((s) => `    ${s}`),
        ]
      : []),
    '',
    report.ok ? 'PASS' : 'FAIL',
  ];
  return lines.join('\n');
}

export const FUZZ_HELP = `kakehashi fuzz [--target <entry,…>] [--seconds N] [--inputs N] [--seed S] [--out report.json]

Starts an in-process federation (hub, DE, JP; file stores in a temporary directory), captures real artefacts by
running the real flows, and sends structure-aware mutations of them to each entry point: ${ENTRY_POINTS.join(', ')}.
--inputs N per entry point (default 1000), --seconds N per entry point at most. Every answer is classified (2xx/3xx,
4xx as problem+json or the protocol's error, 5xx, non-problem 4xx, hang over 10 s, crash); afterwards the components'
health, a normal login, the audit chains and every store's PRAGMA quick_check are checked. Writes the JSON report
(default fuzz-report.json) and the first failing inputs beside it (fuzz-failures/); exits 1 on any failure.`;

/** `kakehashi fuzz`: runs, writes the JSON report and the first failing inputs, prints the summary; 0 when clean. */
export async function runFuzzCommand(argv: string[]): Promise<number> {
  let targets: EntryPoint[];
  let inputs: number | undefined;
  let seconds: number | undefined;
  let o: FuzzCommandOptions;
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        target: { type: 'string' },
        seconds: { type: 'string' },
        inputs: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      process.stdout.write(`${FUZZ_HELP}\n`);
      return 0;
    }
    o = values;
    targets = parseTargets(o.target);
    inputs = positive('inputs', o.inputs);
    seconds = positive('seconds', o.seconds);
  } catch (e) {
    process.stderr.write(`kakehashi fuzz: ${(e as Error).message}\n`);
    return 2;
  }
  const report = await runFuzz({
    targets,
    ...(inputs ? { inputs } : {}),
    ...(seconds ? { seconds } : {}),
    ...(o.seed ? { seed: o.seed } : {}),
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  const outPath = resolve(o.out ?? 'fuzz-report.json');
  mkdirSync(dirname(outPath), { recursive: true });
  const saved: string[] = [];
  const failures = report.entries.flatMap((e) => e.failures);
  if (failures.length) {
    const dir = join(dirname(outPath), 'fuzz-failures');
    mkdirSync(dir, { recursive: true });
    for (const fr of failures) {
      const file = join(dir, `${fr.entry}-${fr.index}.json`);
      writeFileSync(file, `${JSON.stringify(fr, null, 2)}\n`);
      saved.push(`${file} (${fr.outcome}${fr.status ? ` ${fr.status}` : ''}: ${fr.ops.join(' ')})`);
    }
  }
  writeFileSync(outPath, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${summarise(report, outPath, saved)}\n`);
  return report.ok ? 0 : 1;
}
