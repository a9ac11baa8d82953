import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { isKakehashiError, type Migration, openStore, type Store } from '../src/index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'kakehashi-store-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const open: Store[] = [];
function mem(name = 't'): Store {
  const s = openStore({ name });
  open.push(s);
  return s;
}
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

const M1: Migration = { id: 't/001-things', up: 'CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL)' };
const M2: Migration = {
  id: 't/002-seed',
  up: (s) => {
    s.run('INSERT INTO things (name) VALUES (?)', 'first');
  },
};

const count = (s: Store, table = 'things') => s.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)?.n;
const tableExists = (s: Store, name: string) =>
  s.get("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", name) !== undefined;

describe('openStore', () => {
  it('opens an in-memory store when dataDir is undefined or ":memory:"', () => {
    const a = mem('a');
    const b = openStore({ name: 'b', dataDir: ':memory:' });
    open.push(b);
    expect(a.location).toBe(':memory:');
    expect(b.location).toBe(':memory:');
    expect(a.name).toBe('a');
    a.exec(M1.up as string);
    expect(tableExists(a, 'things')).toBe(true);
    expect(tableExists(b, 'things')).toBe(false); // separate databases
    expect(a.get<{ journal_mode: string }>('PRAGMA journal_mode')?.journal_mode).toBe('memory');
  });

  it('turns foreign keys on', () => {
    const s = mem();
    expect(s.get<{ foreign_keys: number }>('PRAGMA foreign_keys')?.foreign_keys).toBe(1);
    s.exec('CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p INTEGER REFERENCES p(id))');
    expect(() => s.run('INSERT INTO c (p) VALUES (?)', 42)).toThrow(/FOREIGN KEY/);
  });

  it('a file store in a directory uses WAL and keeps its data across close and reopen', () => {
    const dir = join(tmp, 'nested', 'data');
    const s = openStore({ name: 'hub', dataDir: dir });
    expect(s.location).toBe(join(dir, 'hub.sqlite'));
    expect(existsSync(s.location)).toBe(true);
    expect(s.get<{ journal_mode: string }>('PRAGMA journal_mode')?.journal_mode).toBe('wal');
    s.migrate([M1, M2]);
    s.run('INSERT INTO things (name) VALUES (?)', 'second');
    s.close();
    s.close(); // idempotent

    const again = openStore({ name: 'hub', dataDir: dir });
    try {
      expect(again.all<{ name: string }>('SELECT name FROM things ORDER BY id').map((r) => r.name)).toEqual([
        'first',
        'second',
      ]);
      expect(again.migrate([M1, M2])).toEqual([]);
      expect(again.get<{ journal_mode: string }>('PRAGMA journal_mode')?.journal_mode).toBe('wal');
    } finally {
      again.close();
    }
  });

  it('run/get/all bind parameters and report changes and the last row id', () => {
    const s = mem();
    s.migrate([M1]);
    const r = s.run('INSERT INTO things (name) VALUES (?)', "o'hara; DROP TABLE things");
    expect(r).toEqual({ changes: 1, lastInsertRowid: 1 });
    s.run('INSERT INTO things (name) VALUES (?)', 'b');
    expect(s.get('SELECT name FROM things WHERE id = ?', 1)).toEqual({ name: "o'hara; DROP TABLE things" });
    expect(s.get('SELECT name FROM things WHERE id = ?', 99)).toBeUndefined();
    expect(s.all('SELECT id FROM things ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
    expect(s.run('UPDATE things SET name = ?', 'x').changes).toBe(2);
  });
});

describe('Store.migrate', () => {
  it('applies each migration once, in order, and records it', () => {
    const s = mem();
    expect(s.migrate([M1, M2])).toEqual(['t/001-things', 't/002-seed']);
    expect(s.migrate([M1, M2])).toEqual([]);
    expect(count(s)).toBe(1); // M2 did not run twice
    const rows = s.all<{ id: string; applied_at: string }>('SELECT id, applied_at FROM _migrations ORDER BY id');
    expect(rows.map((r) => r.id)).toEqual(['t/001-things', 't/002-seed']);
    for (const r of rows) expect(Number.isNaN(Date.parse(r.applied_at))).toBe(false);
  });

  it('applies only the new ones when the list grows', () => {
    const s = mem();
    s.migrate([M1]);
    const M3: Migration = { id: 't/003-col', up: 'ALTER TABLE things ADD COLUMN extra TEXT' };
    expect(s.migrate([M1, M2, M3])).toEqual(['t/002-seed', 't/003-col']);
  });

  it('a failing migration rolls back completely and raises store-migration-failed', () => {
    const s = mem('registry');
    s.migrate([M1]);
    const bad: Migration = {
      id: 't/002-bad',
      up: 'CREATE TABLE half (x); INSERT INTO things (name) VALUES (NULL)', // NOT NULL violation
    };
    let caught: unknown;
    try {
      s.migrate([M1, bad, M2]);
    } catch (e) {
      caught = e;
    }
    expect(isKakehashiError(caught, 'store-migration-failed')).toBe(true);
    const err = caught as Error & { status: number };
    expect(err.message).toContain('t/002-bad');
    expect(err.message).toContain('registry'); // the store name
    expect(err.cause).toBeInstanceOf(Error);
    expect(err.status).toBe(500);
    expect(tableExists(s, 'half')).toBe(false);
    expect(s.get('SELECT id FROM _migrations WHERE id = ?', 't/002-bad')).toBeUndefined();
    expect(s.get('SELECT id FROM _migrations WHERE id = ?', 't/002-seed')).toBeUndefined(); // later ones not run
    expect(count(s)).toBe(0);
    // The store is still usable, and a fixed migration can be applied.
    expect(s.migrate([M1, M2])).toEqual(['t/002-seed']);
  });

  it('a throwing function migration rolls back its writes', () => {
    const s = mem();
    s.migrate([M1]);
    const boom: Migration = {
      id: 't/002-boom',
      up: (st) => {
        st.run('INSERT INTO things (name) VALUES (?)', 'partial');
        throw new Error('boom');
      },
    };
    expect(() => s.migrate([boom])).toThrow(/t\/002-boom/);
    expect(count(s)).toBe(0);
  });
});

describe('Store.transaction', () => {
  it('commits and returns the result', () => {
    const s = mem();
    s.migrate([M1]);
    const id = s.transaction(() => s.run('INSERT INTO things (name) VALUES (?)', 'a').lastInsertRowid);
    expect(id).toBe(1);
    expect(count(s)).toBe(1);
  });

  it('rolls back when the function throws, and rethrows the same error', () => {
    const s = mem();
    s.migrate([M1]);
    const err = new Error('nope');
    expect(() =>
      s.transaction(() => {
        s.run('INSERT INTO things (name) VALUES (?)', 'a');
        s.run('INSERT INTO things (name) VALUES (?)', 'b');
        throw err;
      }),
    ).toThrow(err);
    expect(count(s)).toBe(0);
    // Not left inside a transaction: a new one starts and commits.
    s.transaction(() => s.run('INSERT INTO things (name) VALUES (?)', 'c'));
    expect(count(s)).toBe(1);
  });

  it('a nested transaction joins the outer one: an outer failure undoes the inner writes', () => {
    const s = mem();
    s.migrate([M1]);
    expect(() =>
      s.transaction(() => {
        s.transaction(() => s.run('INSERT INTO things (name) VALUES (?)', 'inner'));
        expect(count(s)).toBe(1); // visible inside
        throw new Error('outer fails');
      }),
    ).toThrow('outer fails');
    expect(count(s)).toBe(0);
  });

  it('a failing nested transaction whose error is caught leaves the outer one to commit', () => {
    const s = mem();
    s.migrate([M1]);
    s.transaction(() => {
      s.run('INSERT INTO things (name) VALUES (?)', 'outer');
      try {
        s.transaction(() => {
          throw new Error('inner fails');
        });
      } catch {
        // handled
      }
    });
    expect(count(s)).toBe(1);
  });
});
