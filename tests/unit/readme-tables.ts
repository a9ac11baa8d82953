/**
 * The README's generated tables: the configuration reference (the union of every package's options), the
 * error codes (the union of every package's registered codes, by owner) and the faults (every block's). `tests/unit/readme.test.ts` keeps them
 * equal to the code; `node tests/unit/readme-tables.ts --write` regenerates them after a change. The benchmark table
 * comes from a bench run, not the code: `node tests/unit/readme-tables.ts --bench bench-results/federation.json`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  registeredErrorCodes,
  registeredFaults,
  renderErrorCodesTable,
  renderFaultsTable,
  renderOptionsTable,
} from '@kakehashi/core';
import { FEDERATION_OPTIONS, parseBenchReport, renderBenchTable } from '@kakehashi/federation';
// Every package that declares faults (defineFaults at the import of the block), imported for that alone: the
// federation imports them all too, but the faults table must not depend on what it happens to import.
import '@kakehashi/edelivery';
import '@kakehashi/eid';
import '@kakehashi/esig';
import '@kakehashi/hub';
import '@kakehashi/jp-network';
import '@kakehashi/trust';

export const README = join(import.meta.dirname, '..', '..', 'README.md');

/** The faults of every block, grouped by block (alphabetically), each block's in the order it declares them. */
export function readmeFaults() {
  return registeredFaults().sort((a, b) => a.block.localeCompare(b.block));
}

/** The generated sections, by marker name. Importing @kakehashi/federation registers every package's codes. */
export function generatedTables(): Record<'options' | 'errors' | 'faults', string> {
  return {
    options: renderOptionsTable(FEDERATION_OPTIONS),
    errors: renderErrorCodesTable(registeredErrorCodes()),
    faults: renderFaultsTable(readmeFaults()),
  };
}

/** The text between `<!-- name:begin … -->` and `<!-- name:end -->`, or undefined. */
export function section(readme: string, name: string): string | undefined {
  return new RegExp(`<!-- ${name}:begin[^>]*-->\\n([\\s\\S]*?)\\n<!-- ${name}:end -->`).exec(readme)?.[1];
}

if (process.argv.includes('--write')) {
  let text = readFileSync(README, 'utf8');
  for (const [name, table] of Object.entries(generatedTables()))
    text = text.replace(
      new RegExp(`(<!-- ${name}:begin[^>]*-->\\n)[\\s\\S]*?(\\n<!-- ${name}:end -->)`),
      (_m, a: string, b: string) => `${a}${table}${b}`,
    );
  writeFileSync(README, text);
}

/** `--bench FILE`: the benchmark section from a `kakehashi bench` report (ratios, targets, hardware). */
const benchAt = process.argv.indexOf('--bench');
if (benchAt > 0) {
  const file = process.argv[benchAt + 1];
  if (!file) throw new Error('--bench needs the report file (bench-results/federation.json)');
  const table = renderBenchTable(parseBenchReport(JSON.parse(readFileSync(file, 'utf8'))));
  const text = readFileSync(README, 'utf8').replace(
    /(<!-- bench:begin[^>]*-->\n)[\s\S]*?<!-- bench:end -->/,
    (_m, a: string) => `${a}${table}\n<!-- bench:end -->`,
  );
  writeFileSync(README, text);
}
