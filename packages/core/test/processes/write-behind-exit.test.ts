import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'kakehashi-write-behind-exit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

describe('a process that exits without closing its store', () => {
  it('writes what is queued on exit (process.exit after the request, before any close)', () => {
    const name = `wb-exit-${n++}`;
    const core = new URL('../../src/index.ts', import.meta.url).href;
    const script = `
      import { openStore, WriteBehindQueue } from ${JSON.stringify(core)};
      const s = openStore({ name: ${JSON.stringify(name)}, dataDir: ${JSON.stringify(tmp)} });
      s.migrate([{ id: 't/001', up: 'CREATE TABLE things (id INTEGER PRIMARY KEY, v TEXT NOT NULL)' }]);
      const q = new WriteBehindQueue(s, { name: 'things', write: (b) => { for (const v of b) s.run('INSERT INTO things (v) VALUES (?)', v); } });
      for (let i = 0; i < 7; i++) q.push('e' + i);
      process.exit(0);
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    const s = openStore({ name, dataDir: tmp });
    try {
      expect(s.all<{ v: string }>('SELECT v FROM things ORDER BY id').map((x) => x.v)).toEqual([
        'e0',
        'e1',
        'e2',
        'e3',
        'e4',
        'e5',
        'e6',
      ]);
    } finally {
      s.close();
    }
  });
});
