import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CORE_OPTIONS,
  type ComponentDeps,
  createComponentApp,
  createMemoryLogger,
  FaultSwitchboard,
  isKakehashiError,
  LayeredConfig,
  openStore,
  SeededRandom,
  type Store,
  type TraceEvent,
  VirtualClock,
} from '../src/index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'kakehashi-store-full-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A file store with one table and a few rows, then capped at the size it has: the next page it needs is refused. */
function fullStore(name: string): Store {
  const s = openStore({ name, dataDir: tmp });
  s.migrate([{ id: 't/001', up: 'CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL)' }]);
  s.transaction(() => {
    for (let i = 0; i < 20; i++) s.run('INSERT INTO things (name) VALUES (?)', `thing ${i}`);
  });
  s.setMaxBytes(s.sizeBytes());
  return s;
}

const BIG = 'x'.repeat(3000);

describe('a store whose disk is full', () => {
  it('refuses writes with store-write-failed (507) naming the store and the fix, keeps its data and its reads', () => {
    const s = fullStore('full');
    try {
      let error: unknown;
      try {
        for (let i = 0; i < 50; i++) s.run('INSERT INTO things (name) VALUES (?)', BIG);
      } catch (e) {
        error = e;
      }
      expect(isKakehashiError(error, 'store-write-failed')).toBe(true);
      const k = error as { status: number; message: string };
      expect(k.status).toBe(507);
      expect(k.message).toContain('"full"');
      expect(k.message).toMatch(/free space/);
      expect(k.message).toContain(join(tmp, 'full.sqlite'));
      // Reads go on, and what was stored is intact.
      expect(s.get<{ n: number }>("SELECT count(*) AS n FROM things WHERE name LIKE 'thing %'")?.n).toBe(20);
    } finally {
      s.close();
    }
  });

  it('a transaction that fills the disk is rolled back whole and answers store-write-failed, not a rollback error', () => {
    const s = fullStore('full-tx');
    try {
      let error: unknown;
      try {
        s.transaction(() => {
          for (let i = 0; i < 50; i++) s.run('INSERT INTO things (name) VALUES (?)', BIG);
        });
      } catch (e) {
        error = e;
      }
      expect(isKakehashiError(error, 'store-write-failed')).toBe(true);
      expect(s.get<{ n: number }>('SELECT count(*) AS n FROM things')?.n).toBe(20);
      // Once there is room again, writes work again.
      s.setMaxBytes(0);
      s.transaction(() => s.run('INSERT INTO things (name) VALUES (?)', BIG));
      expect(s.get<{ n: number }>('SELECT count(*) AS n FROM things')?.n).toBe(21);
    } finally {
      s.close();
    }
  });

  it('through a component: a write answers a 507 problem, reads answer 200 even with a trace sink on the full store', async () => {
    const store = fullStore('component');
    const logger = createMemoryLogger();
    // A sink that writes every hop into the same store, as the hub's does.
    store.setMaxBytes(0);
    store.migrate([{ id: 't/002', up: 'CREATE TABLE hops (id INTEGER PRIMARY KEY, event TEXT NOT NULL)' }]);
    store.setMaxBytes(store.sizeBytes());
    const traces = {
      record: (e: TraceEvent) => store.run('INSERT INTO hops (event) VALUES (?)', JSON.stringify(e) + BIG),
    };
    const deps: ComponentDeps = {
      store,
      clock: new VirtualClock(),
      random: new SeededRandom('store-full'),
      logger,
      config: new LayeredConfig(CORE_OPTIONS),
      fetch,
      traces,
      faults: new FaultSwitchboard(),
    };
    const app = createComponentApp({ component: 'hub', name: 'Kakehashi hub', version: '0' }, deps);
    app.get('/things', (c) => c.json({ n: store.get<{ n: number }>('SELECT count(*) AS n FROM things')?.n }));
    app.post('/things', (c) => {
      store.transaction(() => {
        for (let i = 0; i < 50; i++) store.run('INSERT INTO things (name) VALUES (?)', BIG);
      });
      return c.json({ ok: true }, 201);
    });
    try {
      const read = await app.request('/things');
      expect(read.status).toBe(200);
      expect(await read.json()).toEqual({ n: 20 });
      const write = await app.request('/things', { method: 'POST' });
      expect(write.status).toBe(507);
      expect(write.headers.get('content-type')).toBe('application/problem+json');
      const problem = (await write.json()) as { code: string; detail: string };
      expect(problem.code).toBe('store-write-failed');
      expect(problem.detail).toContain('reads go on');
      expect(logger.lines.some((l) => l.msg === 'trace event not recorded')).toBe(true);
      expect((await app.request('/things')).status).toBe(200);
    } finally {
      store.close();
    }
  });
});

describe('a data directory that cannot be used', () => {
  it('fails start-up with data-dir-unusable, naming the directory, the reason and the fix', () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'not a directory');
    let error: unknown;
    try {
      openStore({ name: 'hub', dataDir: join(file, 'data') });
    } catch (e) {
      error = e;
    }
    expect(isKakehashiError(error, 'data-dir-unusable')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(join(file, 'data'));
    expect(message).toContain('ENOTDIR');
    expect(message).toContain('--data-dir');
  });
});
