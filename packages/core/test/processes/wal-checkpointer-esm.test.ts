import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const tmp = mkdtempSync(join(tmpdir(), 'kakehashi-wal-esm-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the WAL checkpointer thread in a process started with --input-type=module', () => {
  it('checkpoints (its worker source runs as an ES module there: no require)', () => {
    const core = new URL('../../src/index.ts', import.meta.url).href;
    const script = `
      import { openStore, walCheckpointStats } from ${JSON.stringify(core)};
      const s = openStore({ name: 'esm', dataDir: ${JSON.stringify(tmp)} });
      s.exec('CREATE TABLE t (v TEXT NOT NULL)');
      const before = walCheckpointStats();
      const row = 'x'.repeat(3000);
      while (walCheckpointStats().requested === before.requested) s.transaction(() => s.run('INSERT INTO t (v) VALUES (?)', row));
      // A thread that could not start answers nothing: look for 30 s at most.
      for (let i = 0; i < 3000 && walCheckpointStats().done + walCheckpointStats().failed === before.done + before.failed; i++)
        await new Promise((r) => setTimeout(r, 10));
      const after = walCheckpointStats();
      s.close();
      process.stdout.write(JSON.stringify({ done: after.done - before.done, failed: after.failed - before.failed }));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ done: 1, failed: 0 });
  });
});
