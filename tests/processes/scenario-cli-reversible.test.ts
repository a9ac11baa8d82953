import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type Started, startCli } from '../support/processes.ts';
import { TRUST_CACHE } from '../support/trust-cache.ts';

/**
 * Issue 16, reversible from the command line: `kakehashi scenario run <name> --hub URL` runs a scenario against a
 * federation running in another process and undoes what it changed, so the same command gives the same outcome
 * again; the federation is left as it was (no revocation, the clock's offset unchanged).
 */
const run = promisify(execFile);
const ADMIN = { authorization: 'Bearer kakehashi-admin-test-only' };

describe('kakehashi scenario run --hub URL, twice against a running federation', () => {
  let cli: Started;
  let hub: string;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kk-scenario-hub-'));
    cli = startCli(['start', '--port', '0', '--json', '--data-dir', dir], { KAKEHASHI_COUNTRIES: 'AT,DE,JP' });
    hub = ((await cli.waitFor((e) => e.event === 'federation-ready')) as { hub: string }).hub;
  }, 240_000);
  afterAll(async () => {
    await cli?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('at-contract-in-japan twice: exit 0, the same steps, undone each time', async () => {
    const clockBefore = (await (await fetch(`${hub}/admin/clock`, { headers: ADMIN })).json()) as { offsetMs: number };
    const outputs: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { stdout } = await run(process.execPath, [CLI, 'scenario', 'run', 'at-contract-in-japan', '--hub', hub], {
        env: { ...process.env, KAKEHASHI_LOG_LEVEL: 'warn', KAKEHASHI_TRUST_CACHE_DIR: TRUST_CACHE },
        timeout: 240_000,
      });
      expect(stdout).toContain(`against ${hub}: AT, DE, JP`);
      expect(stdout).toContain('PASSED: 7 steps');
      expect(stdout).toMatch(/undone: revocation of serial [0-9a-f]+ taken back/);
      expect(stdout).toMatch(/undone: clock set back to /);
      expect(stdout).toContain('Federation restored as it was before the run.');
      outputs.push(
        stdout
          .split('\n')
          .filter((l) => /^\s+\d+\. [✔✘]/.test(l))
          .join('\n'),
      );
    }
    expect(outputs[1]).toBe(outputs[0]);
    const { revocations } = (await (await fetch(`${hub}/admin/trust/revocations`, { headers: ADMIN })).json()) as {
      revocations: unknown[];
    };
    expect(revocations).toEqual([]);
    const clockAfter = (await (await fetch(`${hub}/admin/clock`, { headers: ADMIN })).json()) as { offsetMs: number };
    expect(Math.abs(clockAfter.offsetMs - clockBefore.offsetMs)).toBeLessThan(5_000);
  }, 600_000);
});
