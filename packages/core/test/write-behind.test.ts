import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  AuditLog,
  createMemoryLogger,
  isKakehashiError,
  openStore,
  type Store,
  VirtualClock,
  type WriteBehindOptions,
  WriteBehindQueue,
} from '../src/index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'kakehashi-write-behind-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const open: Store[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

let n = 0;
/** A file store with a `things` table; `name` picks the file (reopened by the close test). */
function store(name = `wb-${n++}`): Store {
  const s = openStore({ name, dataDir: tmp });
  s.migrate([{ id: 't/001', up: 'CREATE TABLE things (id INTEGER PRIMARY KEY, v TEXT NOT NULL)' }]);
  open.push(s);
  return s;
}

function queue(s: Store, opts: Partial<WriteBehindOptions<string>> = {}) {
  const batches: number[] = [];
  const logger = createMemoryLogger('warn');
  const q = new WriteBehindQueue<string>(s, {
    name: 'things',
    write: (items) => {
      batches.push(items.length);
      for (const v of items) s.run('INSERT INTO things (v) VALUES (?)', v);
    },
    logger,
    ...opts,
  });
  return { q, batches, logger };
}

const stored = (s: Store) => s.all<{ v: string }>('SELECT v FROM things ORDER BY id').map((r) => r.v);
/** One turn of the event loop: the queue's scheduled write runs (setImmediate), no wall-clock wait. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
/** A store capped at the size it has: its next page is refused like a full disk's. */
const fill = (s: Store) => s.setMaxBytes(s.sizeBytes());
const BIG = 'x'.repeat(3000);

describe('WriteBehindQueue', () => {
  it('on a store that gathers (writeBehindMs), writes the entries of several turns in one transaction; a read or close first', async () => {
    const gathering = (ms: number) => {
      const s = openStore({ name: `wb-gather-${n++}`, dataDir: tmp, writeBehindMs: ms });
      s.migrate([{ id: 't/001', up: 'CREATE TABLE things (id INTEGER PRIMARY KEY, v TEXT NOT NULL)' }]);
      open.push(s);
      return s;
    };
    // Gathering far longer than the test: what is written comes from the read (flush) and from close.
    const s = gathering(60_000);
    expect(s.writeBehindMs).toBe(60_000);
    const { q, batches } = queue(s);
    q.push('a');
    await turn();
    q.push('b');
    await turn();
    q.push('c');
    expect(stored(s)).toEqual([]);
    q.flush();
    expect(stored(s)).toEqual(['a', 'b', 'c']);
    expect(batches).toEqual([3]);
    q.push('d');
    const name = s.location.slice(s.location.lastIndexOf('/') + 1, -'.sqlite'.length);
    s.close();
    open.splice(open.indexOf(s), 1);
    const again = openStore({ name, dataDir: tmp });
    open.push(again);
    expect(stored(again)).toEqual(['a', 'b', 'c', 'd']);
    // A short gathering writes by itself once it is over.
    const short = gathering(5);
    const { q: q2 } = queue(short);
    q2.push('x');
    await vi.waitFor(() => expect(stored(short)).toEqual(['x']), { timeout: 10_000, interval: 5 });
  });

  it('writes nothing in the caller, then everything queued in one transaction on the next turn, in order', async () => {
    const s = store();
    const { q, batches } = queue(s);
    for (let i = 0; i < 10; i++) q.push(`e${i}`);
    expect(stored(s)).toEqual([]);
    expect(q.size).toBe(10);
    await turn();
    expect(stored(s)).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}`));
    expect(batches).toEqual([10]);
    expect(q.stats()).toMatchObject({ pending: 0, written: 10, batches: 1, failures: 0, dropped: 0 });
  });

  it('writes at once when maxBatch entries wait, in batches of at most maxBatch', () => {
    const s = store();
    const { q, batches } = queue(s, { maxBatch: 4 });
    for (let i = 0; i < 9; i++) q.push(`e${i}`);
    expect(batches).toEqual([4, 4]);
    expect(stored(s)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7']);
    q.flush();
    expect(stored(s)).toHaveLength(9);
  });

  it('is written before any transaction on the store begins; a rollback does not take queued entries along', () => {
    const s = store();
    const { q } = queue(s);
    q.push('before');
    expect(() =>
      s.transaction(() => {
        expect(stored(s)).toEqual(['before']); // the transaction sees what was queued before it
        q.push('inside'); // queued, not joined to the transaction
        s.run('INSERT INTO things (v) VALUES (?)', 'rolled-back');
        throw new Error('abort');
      }),
    ).toThrow('abort');
    q.flush();
    expect(stored(s)).toEqual(['before', 'inside']);
  });

  it('is written when the store closes (the shutdown path), and found there when the file is opened again', () => {
    const name = `wb-close-${n++}`;
    const s = openStore({ name, dataDir: tmp });
    s.migrate([{ id: 't/001', up: 'CREATE TABLE things (id INTEGER PRIMARY KEY, v TEXT NOT NULL)' }]);
    const { q } = queue(s);
    for (let i = 0; i < 5; i++) q.push(`e${i}`);
    s.close();
    const again = store(name);
    expect(stored(again)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
  });

  it('keeps a batch the full disk refuses (logged, never thrown in the background) and writes it, in order, once there is room', async () => {
    const s = store();
    const { q, logger } = queue(s, { maxBatch: 1000 });
    fill(s);
    for (let i = 0; i < 20; i++) q.push(`${i}:${BIG}`);
    await turn(); // the background write fails: no exception escapes, the entries stay queued
    expect(q.stats()).toMatchObject({ pending: 20, failures: 1, dropped: 0 });
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: 'error', pending: 20, store: s.name, queue: 'things' }),
    );
    expect(String(logger.lines[0]?.reason)).toMatch(/could not save/);
    s.setMaxBytes(0);
    q.flush();
    expect(stored(s).map((v) => v.split(':')[0])).toEqual(Array.from({ length: 20 }, (_, i) => `${i}`));
    expect(q.stats()).toMatchObject({ pending: 0, written: 20, dropped: 0 });
    expect(logger.lines.at(-1)).toMatchObject({ level: 'warn', msg: expect.stringMatching(/takes writes again/) });
  });

  it('backpressure, refuse: a full queue the store does not take refuses the next entry with store-write-failed (507)', () => {
    const s = store();
    const { q } = queue(s, { maxBatch: 2, maxQueue: 5, whenFull: 'refuse' });
    fill(s);
    for (let i = 0; i < 5; i++) q.push(`${i}:${BIG}`);
    let error: unknown;
    try {
      q.push('one too many');
    } catch (e) {
      error = e;
    }
    expect(isKakehashiError(error, 'store-write-failed')).toBe(true);
    expect((error as { status: number }).status).toBe(507);
    expect(q.stats()).toMatchObject({ pending: 5, dropped: 0 });
  });

  it('backpressure, drop-oldest: drops the oldest entries, counted and logged, keeps the newest in order', () => {
    const s = store();
    const { q, logger } = queue(s, { maxBatch: 2, maxQueue: 5, whenFull: 'drop-oldest' });
    fill(s);
    for (let i = 0; i < 8; i++) q.push(`${i}:${BIG}`);
    expect(q.stats()).toMatchObject({ pending: 5, dropped: 3 });
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: 'error', msg: expect.stringMatching(/dropped/), dropped: 1 }),
    );
    s.setMaxBytes(0);
    q.flush();
    expect(stored(s).map((v) => v.split(':')[0])).toEqual(['3', '4', '5', '6', '7']);
  });

  it('logs with their count the entries still refused when the store closes', () => {
    const s = openStore({ name: `wb-lost-${n++}`, dataDir: tmp });
    s.migrate([{ id: 't/001', up: 'CREATE TABLE things (id INTEGER PRIMARY KEY, v TEXT NOT NULL)' }]);
    const { q, logger } = queue(s, { maxBatch: 100 });
    fill(s);
    for (let i = 0; i < 3; i++) q.push(`${i}:${BIG}`);
    s.close();
    expect(logger.lines.at(-1)).toMatchObject({ level: 'error', lost: 3, msg: expect.stringMatching(/lost/) });
    expect(q.stats()).toMatchObject({ pending: 0, dropped: 3 });
  });

  it('an entry the writer itself refuses (not the disk) is dropped alone and logged; the others are written', async () => {
    const s = store();
    s.exec('CREATE TABLE strict (v TEXT NOT NULL CHECK (v <> ?1))'.replace('?1', "'bad'"));
    const logger = createMemoryLogger('warn');
    const q = new WriteBehindQueue<string>(s, {
      name: 'strict',
      write: (items) => {
        for (const v of items) s.run('INSERT INTO strict (v) VALUES (?)', v);
      },
      logger,
    });
    for (const v of ['a', 'bad', 'c']) q.push(v);
    await turn();
    expect(s.all<{ v: string }>('SELECT v FROM strict ORDER BY rowid').map((r) => r.v)).toEqual(['a', 'c']);
    expect(q.stats()).toMatchObject({ pending: 0, written: 2, dropped: 1 });
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'error', dropped: 1 }));
  });
});

describe('AuditLog written behind the request', () => {
  const clock = new VirtualClock();

  it('appends are linked in call order, written in one batch, and seen by list and verify', async () => {
    const s = store();
    const audit = new AuditLog(s, clock);
    const appended = Array.from({ length: 50 }, (_, i) =>
      audit.append({ actor: 'a', action: `act-${i}`, outcome: 'success', details: { i } }),
    );
    expect(s.get<{ c: number }>('SELECT count(*) AS c FROM audit_log')?.c).toBe(0);
    expect(appended.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(appended[1]?.prevHash).toBe(appended[0]?.hash);
    expect(audit.list({ limit: 1000 })).toEqual(appended);
    expect(audit.verify()).toEqual({ valid: true, count: 50, head: appended[49]?.hash });
    await turn();
    expect(audit.verify().count).toBe(50);
  });

  it('inside a transaction an append is written in it: a rollback takes it along and the chain stays whole', () => {
    const s = store();
    const audit = new AuditLog(s, clock);
    audit.append({ actor: 'a', action: 'queued', outcome: 'success' });
    expect(() =>
      s.transaction(() => {
        audit.append({ actor: 'a', action: 'rolled-back', outcome: 'success' });
        throw new Error('abort');
      }),
    ).toThrow('abort');
    s.transaction(() => audit.append({ actor: 'a', action: 'committed', outcome: 'success' }));
    audit.append({ actor: 'a', action: 'queued-again', outcome: 'success' });
    expect(audit.list().map((e) => [e.seq, e.action])).toEqual([
      [1, 'queued'],
      [2, 'committed'],
      [3, 'queued-again'],
    ]);
    expect(audit.verify()).toMatchObject({ valid: true, count: 3 });
  });

  it('logs opened on one table share a chain; entries queued before the table was emptied are relinked', () => {
    const s = store();
    const one = new AuditLog(s, clock);
    const two = new AuditLog(s, clock);
    one.append({ actor: 'a', action: 'one', outcome: 'success' });
    expect(two.append({ actor: 'a', action: 'two', outcome: 'success' }).seq).toBe(2);
    one.flush();
    s.run('DELETE FROM audit_log'); // a reset, underneath the log
    two.append({ actor: 'a', action: 'after-reset', outcome: 'success' });
    expect(one.list().map((e) => [e.seq, e.action])).toEqual([[1, 'after-reset']]);
    expect(one.verify()).toMatchObject({ valid: true, count: 1 });
  });

  it('a full disk keeps the entries (retried), refuses new ones when the queue is full, and the chain verifies after', () => {
    const s = store();
    const audit = new AuditLog(s, clock, 'audit_log', { logger: createMemoryLogger('warn') });
    audit.append({ actor: 'a', action: 'first', outcome: 'success' });
    audit.flush();
    fill(s);
    for (let i = 0; i < 5; i++) audit.append({ actor: 'a', action: `kept-${i}`, outcome: 'success', details: { BIG } });
    audit.flush(); // refused: kept
    expect(audit.verify()).toMatchObject({ valid: true, count: 1 });
    s.setMaxBytes(0);
    expect(audit.verify()).toMatchObject({ valid: true, count: 6 });
  });

  it('is written when the store closes', () => {
    const name = `wb-audit-${n++}`;
    const s = openStore({ name, dataDir: tmp });
    const audit = new AuditLog(s, clock);
    for (let i = 0; i < 3; i++) audit.append({ actor: 'a', action: `a${i}`, outcome: 'success' });
    s.close();
    const again = openStore({ name, dataDir: tmp });
    open.push(again);
    expect(new AuditLog(again, clock).verify()).toMatchObject({ valid: true, count: 3 });
  });
});

describe('entries queued inside a transaction', () => {
  it('are written on the next turn after it, even when maxBatch of them were queued in it', async () => {
    const s = store();
    const { q } = queue(s, { maxBatch: 1 });
    s.transaction(() => {
      for (let i = 0; i < 3; i++) q.push(`e${i}`);
      expect(stored(s)).toEqual([]); // never joined to the transaction
    });
    expect(q.size).toBe(3);
    await turn();
    expect(stored(s)).toEqual(['e0', 'e1', 'e2']);
  });
});
