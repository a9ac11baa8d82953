import { flushCompileCache } from 'node:module';
import { parseArgs } from 'node:util';
import { isKakehashiError, LayeredConfig } from '@kakehashi/core';
import { weakNodeFaults } from './check-faults-option.ts';
import { createFederation } from './create-federation.ts';
import { FEDERATION_OPTIONS } from './options.ts';
import { listScenarios, SCENARIOS } from './scenarios.ts';

/**
 * The `kakehashi` command line (start, bench, scenario): what `./kakehashi` runs from the repository
 * (`src/cli.ts`) and what the `kakehashi` bin of `@kakehashi/cli` runs from an installed package.
 */
const HELP = `kakehashi — a TEST-ONLY mock of cross-border eGovernment infrastructure

Usage:
  kakehashi start [--seed S] [--data-dir D] [--port P] [--only hub|node:CC] [--hub URL] [--json] [--config FILE]
                  [--faults F,…] [--weak-node CC,…]
  kakehashi bench [--out FILE] [--quick] [--compare EARLIER.json] [--sections as4,eid,...]
  kakehashi scenario list
  kakehashi scenario run <name> [--hub URL | --data-dir D]
                            (--hub: against the federation running there; the run is undone either way)
  kakehashi attack list [--json]
  kakehashi attack run --target <self|oidc-rp|saml-sp|as4|signature-validator> <url> [--only …] [--report-dir D]
                                  (kakehashi attack --help for every option)
  kakehashi fuzz [--target <entry,…>] [--seconds N] [--inputs N] [--seed S] [--out report.json]
                            (mutated real artefacts against every entry point; kakehashi fuzz --help)
  kakehashi wallet receive --country CC --persona ID [--format dc+sd-jwt] [--json] [--hub URL]
  kakehashi wallet present --verifier CC --persona ID [--json] [--hub URL]
                            (a headless EUDI wallet per persona: PID as SD-JWT VC, OpenID4VP; kakehashi wallet --help)
  kakehashi test            (through ./kakehashi: typecheck, lint and every test)

--port P puts the hub on P and the nodes on the ports after it; --port 0 puts every component on a free port
the OS chooses (the banner and the --json ready lines give the URLs; a node started alone then needs --hub URL).

--faults switches faults on at start (TEST ONLY: deliberate weaknesses; GET /admin/faults lists them): names or
patterns (id-token.*, lenient.*), alone or after hub: or a country code (DE:id-token.alg-none). --weak-node DE
makes node DE a weak node, its validators lenient (the same as --faults DE:lenient.*); both repeatable. An entry
that names no fault stops the start; the banner and the --json ready line list the faults in force.

Every option can also be set in a JSON config file (--config or KAKEHASHI_CONFIG) or the environment;
see the README's configuration reference.`;

/** What the code that loaded the CLI wants to hear about (see `runStartScript` in `cli-bundle.ts`). */
export interface CliHooks {
  /** Called once a start is ready (every component answers) and stops cleanly on SIGTERM or SIGINT. */
  onReady?: () => void;
}

async function main(argv: string[], hooks: CliHooks): Promise<number> {
  // The attack runner has options of its own. Each command loads its modules when it runs (a start loads no
  // attack, fuzz or bench code).
  if (argv[0] === 'attack') return (await import('./attack/index.ts')).runAttackCommand(argv.slice(1));
  if (argv[0] === 'fuzz') return (await import('./fuzz/fuzz-command.ts')).runFuzzCommand(argv.slice(1));
  if (argv[0] === 'wallet') return (await import('./wallet-command.ts')).runWalletCommand(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      seed: { type: 'string' },
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      only: { type: 'string' },
      hub: { type: 'string' },
      json: { type: 'boolean', default: false },
      config: { type: 'string' },
      out: { type: 'string' },
      quick: { type: 'boolean', default: false },
      compare: { type: 'string' },
      sections: { type: 'string' },
      faults: { type: 'string', multiple: true },
      'weak-node': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command || command === 'help') {
    process.stdout.write(`${HELP}\n`);
    return command || values.help ? 0 : 1;
  }
  const layers = {
    file: values.config ?? process.env.KAKEHASHI_CONFIG,
    env: process.env,
    cli: { seed: values.seed, dataDir: values['data-dir'], port: values.port, hubUrl: values.hub },
  };
  let config = new LayeredConfig(FEDERATION_OPTIONS, layers);
  // --faults replaces the faults of the file and environment; --weak-node adds to whichever are in force.
  const weak = weakNodeFaults(values['weak-node'] ?? []);
  if (values.faults || weak.length > 0) {
    const base = values.faults ? values.faults.flatMap((v) => v.split(',')) : config.get('faults');
    const faults = [...base.map((e) => e.trim()).filter(Boolean), ...weak];
    config = new LayeredConfig(FEDERATION_OPTIONS, { ...layers, cli: { ...layers.cli, faults } });
  }

  switch (command) {
    case 'start':
      return start(config, { only: values.only, json: values.json }, hooks);
    case 'bench':
      return (await import('./bench.ts')).runBench({
        out: values.out,
        quick: values.quick,
        compare: values.compare,
        sections: values.sections?.split(',').map((x) => x.trim()),
      });
    case 'scenario': {
      if (rest[0] === 'list') {
        for (const s of listScenarios()) process.stdout.write(`${s}\n`);
        return 0;
      }
      if (rest[0] === 'run' && rest[1]) return (await import('./scenario-command.ts')).runScenario(rest[1], config);
      process.stderr.write('usage: kakehashi scenario list | kakehashi scenario run <name>\n');
      return 2;
    }
    default:
      process.stderr.write(`unknown command "${command}"\n\n${HELP}\n`);
      return 2;
  }
}

async function start(
  config: LayeredConfig<typeof FEDERATION_OPTIONS>,
  opts: { only?: string | undefined; json: boolean },
  hooks: CliHooks,
): Promise<number> {
  const emit = (o: Record<string, unknown>) => opts.json && process.stdout.write(`${JSON.stringify(o)}\n`);
  const federation = await createFederation({
    config,
    only: opts.only,
    mode: 'listen',
    scenarios: SCENARIOS,
    onReady: (e) => emit({ event: 'ready', ...e }),
  });
  const lines = [
    '',
    '  ┌─ KAKEHASHI 架け橋 — TEST ONLY ──────────────────────────────────────────',
    '  │ Synthetic personas and test keys. Not a real government service.',
    `  │ seed: ${config.get('seed')}   data: ${config.get('dataDir')}   started in ${federation.startupMs} ms`,
    ...(federation.hub
      ? [
          `  │ hub   ${federation.urls.hub}   (docs ${federation.urls.hub}/docs, trust ${federation.urls.hub}/trust/lotl.xml)`,
          `  │ console  ${federation.urls.hub}/console   (topology, live traces as sequence diagrams, scenarios)`,
        ]
      : []),
    ...[...federation.nodes.keys()].map(
      (cc) =>
        `  │ ${cc}    ${federation.urls.nodes[cc]}   (personas ${federation.urls.nodes[cc]}/personas, docs /docs)`,
    ),
    ...faultLines(federation.faultsInForce()),
    `  │ admin token: ${config.effective().find((o) => o.key === 'adminToken')?.source === 'default' ? 'kakehashi-admin-test-only (test-only default)' : '(set by you)'}`,
    '  └──────────────────────────────────────────────────────────────────────────',
    '',
  ];
  (opts.json ? process.stderr : process.stdout).write(`${lines.join('\n')}\n`);
  emit({
    event: 'federation-ready',
    seed: config.get('seed'),
    hub: federation.urls.hub,
    nodes: Object.fromEntries([...federation.nodes.keys()].map((cc) => [cc, federation.urls.nodes[cc]])),
    startupMs: federation.startupMs,
    faults: federation.faultsInForce(),
  });
  // What was compiled for this start goes to the compile cache now, not only at a clean exit (a process that is
  // killed would leave the next start to compile again).
  flushCompileCache();
  // SIGUSR2 asks a --json start for its memory: a `memory` line, after a full collection when Node runs with
  // --expose-gc (`gc: true`; what `kakehashi bench` reads after its logins).
  const memory = () => emit({ event: 'memory', ...memoryNow() });
  if (opts.json) process.on('SIGUSR2', memory);

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      federation.logger.info('shutting down', { signal });
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    // After the handlers: a stop asked for meanwhile is a clean shutdown.
    hooks.onReady?.();
  });
  process.off('SIGUSR2', memory);
  await federation.close();
  emit({ event: 'stopped' });
  return 0;
}

/**
 * The process's memory in MB, after a full garbage collection when `gc` is exposed (--expose-gc): V8's last-resort
 * collection (every generation, repeated until nothing more is freed, compiled code that can be flushed too), so two
 * readings differ by what is still referenced, not by when a collection last ran.
 * @see https://github.com/v8/v8/blob/main/src/extensions/gc-extension.cc
 */
export function memoryNow(): {
  gc: boolean;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  arrayBuffersMb: number;
} {
  const gc = (globalThis as { gc?: (o?: { type: string; execution: string; flavor: string }) => void }).gc;
  gc?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  const m = process.memoryUsage();
  const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
  return {
    gc: gc !== undefined,
    rssMb: mb(m.rss),
    heapUsedMb: mb(m.heapUsed),
    heapTotalMb: mb(m.heapTotal),
    externalMb: mb(m.external),
    arrayBuffersMb: mb(m.arrayBuffers),
  };
}

/** The banner's lines for the faults in force: each a deliberate weakness, so never silent. */
function faultLines(inForce: Record<string, string[]>): string[] {
  const entries = Object.entries(inForce);
  if (entries.length === 0) return [];
  return [
    "  │ FAULTS IN FORCE (deliberate weaknesses, TEST ONLY; GET /admin/faults, the console's Faults tab):",
    ...entries.map(([component, names]) => `  │   ${component}: ${names.join(', ')}`),
  ];
}

/** Runs the CLI with `argv` (without node and the script): sets the exit code, or exits 1 on a failed start. */
export function runCli(argv: string[], hooks: CliHooks = {}): void {
  // `kakehashi attack list | head`: the reader left, so nothing more can be said; end quietly as Unix tools do.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      process.exit(process.exitCode ?? 0);
    });
  }
  main(argv, hooks).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      const msg = isKakehashiError(e) ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
      process.stderr.write(`kakehashi: ${msg}\n`);
      // A start that failed half-way may hold bound sockets that would keep the process alive: end it.
      process.exit(1);
    },
  );
}
