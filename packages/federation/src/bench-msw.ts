/**
 * The `msw` section of `kakehashi bench`: @kakehashi/msw sits above the federation (it imports it), so its figures
 * come from its own bench script (`packages/msw/scripts/bench.ts`), run here as a child process — a fresh process
 * also keeps its in-process federations and msw's interception out of the other sections' measurements. The
 * script prints one JSON line; absent (an installed package, not the repository), the section says so.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'msw', 'scripts', 'bench.ts');

export async function benchMsw(opts: { quick?: boolean }): Promise<Record<string, unknown>> {
  if (!existsSync(SCRIPT)) return { skipped: `no ${SCRIPT} (the msw bench runs from the repository)` };
  const child = spawn(process.execPath, [SCRIPT, ...(opts.quick ? ['--quick'] : [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  let figures: Record<string, unknown> | undefined;
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      const e = JSON.parse(line) as { event?: string };
      if (e.event === 'msw-bench') {
        const { event: _, ...rest } = e;
        figures = rest;
      }
    } catch {
      /* not the result line */
    }
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0 || !figures) throw new Error(`msw bench exited with ${code}: ${stderr.slice(-800)}`);
  return figures;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify({ msw: await benchMsw({ quick: process.argv.includes('--quick') }) })}\n`);
}
