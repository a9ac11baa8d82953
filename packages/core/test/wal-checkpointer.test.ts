import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, WAL_CHECKPOINT_BYTES, walCheckpointStats } from '../src/index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'kakehashi-wal-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Waits (turns of the event loop and short sleeps, no deadline tighter than the test's own) until `ok`. */
async function until(ok: () => boolean): Promise<void> {
  while (!ok()) await new Promise((r) => setTimeout(r, 10));
}

describe("a file store's WAL is checkpointed beside the event loop", () => {
  it('past the threshold the checkpointer thread copies the WAL back; the WAL then restarts small, every row kept', async () => {
    const store = openStore({ name: 'wal', dataDir: tmp });
    try {
      store.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
      expect(store.get<{ wal_autocheckpoint: number }>('PRAGMA wal_autocheckpoint')?.wal_autocheckpoint).toBe(10_000);
      const before = walCheckpointStats();
      const wal = `${store.location}-wal`;
      const row = 'x'.repeat(3000);
      let rows = 0;
      // Small transactions until the WAL passes the threshold and a checkpoint has been asked for.
      while (walCheckpointStats().requested === before.requested) {
        store.transaction(() => store.run('INSERT INTO t (v) VALUES (?)', row));
        rows++;
        expect(rows).toBeLessThan(20_000);
      }
      expect(statSync(wal).size).toBeGreaterThanOrEqual(WAL_CHECKPOINT_BYTES);
      await until(() => walCheckpointStats().done + walCheckpointStats().failed > before.done + before.failed);
      expect(walCheckpointStats().failed).toBe(before.failed);
      // The next writer finds the WAL copied back and starts it over from the beginning: it stops growing.
      const grown = statSync(wal).size;
      for (let i = 0; i < 40; i++) store.transaction(() => store.run('INSERT INTO t (v) VALUES (?)', row));
      rows += 40;
      expect(statSync(wal).size).toBeLessThanOrEqual(grown);
      expect(store.get<{ n: number }>('SELECT count(*) AS n FROM t')?.n).toBe(rows);
    } finally {
      store.close();
    }
    const again = openStore({ name: 'wal', dataDir: tmp });
    try {
      expect(again.get<{ n: number }>('SELECT count(*) AS n FROM t')?.n).toBeGreaterThan(0);
      expect(again.get<{ r: string }>('PRAGMA quick_check')).toEqual({ quick_check: 'ok' });
    } finally {
      again.close();
    }
  });

  it('a store in memory has no WAL to watch', () => {
    const store = openStore({ name: 'mem' });
    try {
      const before = walCheckpointStats().requested;
      store.exec('CREATE TABLE t (v TEXT)');
      for (let i = 0; i < 100; i++) store.run('INSERT INTO t (v) VALUES (?)', 'x'.repeat(1000));
      expect(walCheckpointStats().requested).toBe(before);
    } finally {
      store.close();
    }
  });
});
