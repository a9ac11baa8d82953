import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'kakehashi-store-lock-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('openStore waits for a lock another connection holds a moment', () => {
  it('opens a file another process holds locked for 300 ms (was: "database is locked" at start)', async () => {
    const { spawn } = await import('node:child_process');
    const file = join(tmp, 'held.sqlite');
    // Another process creates the file (rollback journal) and holds it exclusively for 300 ms: the switch to WAL
    // and the integrity check need its locks.
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const { DatabaseSync } = require('node:sqlite');
         const db = new DatabaseSync(${JSON.stringify(file)});
         db.exec('CREATE TABLE t (x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1)');
         process.stdout.write('locked\\n');
         Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
         db.exec('COMMIT'); db.close();`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((r) => child.on('exit', r));
    await new Promise<void>((r) => child.stdout.once('data', () => r()));
    const s = openStore({ name: 'held', dataDir: tmp });
    try {
      expect(s.get<{ x: number }>('SELECT x FROM t')).toEqual({ x: 1 });
    } finally {
      s.close();
      await exited;
    }
  });
});
