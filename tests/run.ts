/**
 * `./kakehashi test`: typecheck, lint, then every test lane (tests/lanes.ts); ends with one plain summary line
 * ("N passed, N failed, N skipped") and exits non-zero when anything failed.
 * `--lane <name>` runs one lane (repeatable); `--no-check` skips typecheck and lint; other arguments go to vitest
 * (e.g. `./kakehashi test --no-check --lane unit packages/trust`).
 * The property tests draw a tenth of their full counts; `KAKEHASHI_PROPERTY_RUNS=full ./kakehashi test` draws them
 * all (tests/support/property-runs.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LANES } from './lanes.ts';

const root = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const run = (title: string, cmd: string, cmdArgs: string[]) => {
  process.stderr.write(`\n[test] ${title}\n`);
  return spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' }).status ?? 1;
};
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

let failed = 0;
if (!args.includes('--no-check')) {
  if (run('typecheck (tsc, strict)', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']) !== 0) failed++;
  if (run('lint and format (biome)', bin('biome'), ['check', '.']) !== 0) failed++;
}
mkdirSync(join(root, 'test-results'), { recursive: true });
const report = join(root, 'test-results', 'vitest.json');
const lanes = new Set(LANES.map((l) => l.name as string));
const vitestArgs: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i] as string;
  if (a === '--no-check') continue;
  const lane = a === '--lane' ? args[++i] : a.startsWith('--lane=') ? a.slice('--lane='.length) : undefined;
  if (a === '--lane' || a.startsWith('--lane=')) {
    if (!lane || !lanes.has(lane)) {
      process.stderr.write(`[test] unknown lane "${lane ?? ''}"; lanes: ${[...lanes].join(', ')}\n`);
      process.exit(2);
    }
    vitestArgs.push('--project', lane);
  } else vitestArgs.push(a);
}
const status = run('tests (vitest)', bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...vitestArgs,
]);

let summary = 'tests: 0 passed, 1 failed';
try {
  const r = JSON.parse(readFileSync(report, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
  };
  summary = `tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`;
} catch {
  /* vitest did not write a report: counted as a failure */
}
if (failed > 0) process.stderr.write(`[test] ${failed} check(s) failed (typecheck or lint): see above\n`);
process.stdout.write(`${summary}\n`);
process.exitCode = status !== 0 || failed > 0 ? 1 : 0;
