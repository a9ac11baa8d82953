import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog, canonicalJson, openStore, type Store, VirtualClock } from '../src/index.ts';

const T0 = new Date('2027-01-01T00:00:00.000Z');
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function setup(n = 0) {
  const store = openStore({ name: 'audit' });
  stores.push(store);
  const clock = new VirtualClock();
  clock.freeze(T0);
  const audit = new AuditLog(store, clock);
  for (let i = 1; i <= n; i++) {
    audit.append({
      actor: `actor-${i}`,
      action: 'thing.done',
      subject: i % 2 ? `subject-${i}` : undefined,
      outcome: 'success',
      details: { i, nested: { b: 2, a: 1 } },
      traceId: i % 2 ? undefined : 'ab'.repeat(16),
    });
    clock.advance(1000);
  }
  // Appends are written behind the request: on the file before the tests below edit it underneath.
  audit.flush();
  return { store, clock, audit };
}

describe('AuditLog.append', () => {
  it('builds a hash chain from 64 zeros, each entry linking to the previous hash', () => {
    const { audit } = setup();
    const a = audit.append({ actor: 'admin', action: 'reset', outcome: 'success' });
    const b = audit.append({ actor: 'node:JP', action: 'node.registered', subject: 'JP', outcome: 'success' });
    expect(a.seq).toBe(1);
    expect(a.prevHash).toBe('0'.repeat(64));
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.seq).toBe(2);
    expect(b.prevHash).toBe(a.hash);
    expect(b.hash).not.toBe(a.hash);
  });

  it('hashes sha256(prevHash + "\\n" + canonicalJson(entry)) with the virtual clock time', () => {
    const { audit } = setup();
    const e = audit.append({ actor: 'x', action: 'y', outcome: 'refused', details: { z: 1, a: [true] } });
    expect(e.time).toBe(T0.toISOString());
    expect(e).toMatchObject({ subject: null, traceId: null, details: { z: 1, a: [true] } });
    const body = {
      seq: 1,
      time: T0.toISOString(),
      actor: 'x',
      action: 'y',
      subject: null,
      outcome: 'refused',
      details: { a: [true], z: 1 },
      traceId: null,
    };
    const expected = createHash('sha256')
      .update(`${'0'.repeat(64)}\n${canonicalJson(body)}`)
      .digest('hex');
    expect(e.hash).toBe(expected);
  });

  it('list returns the stored entries as appended, with paging', () => {
    const { audit } = setup();
    const appended = [1, 2, 3].map((i) =>
      audit.append({ actor: 'a', action: `act-${i}`, outcome: 'success', details: { i }, traceId: `t${i}` }),
    );
    expect(audit.list()).toEqual(appended);
    expect(audit.list({ afterSeq: 1, limit: 1 })).toEqual([appended[1]]);
    expect(audit.list({ afterSeq: 3 })).toEqual([]);
  });

  it('two logs on one store can use separate tables; a bad table name is refused', () => {
    const { store, clock } = setup();
    const other = new AuditLog(store, clock, 'other_log');
    other.append({ actor: 'a', action: 'b', outcome: 'error' });
    expect(new AuditLog(store, clock).verify().count).toBe(0);
    expect(other.verify()).toMatchObject({ valid: true, count: 1 });
    expect(() => new AuditLog(store, clock, 'x; DROP TABLE _migrations')).toThrow(RangeError);
  });
});

describe('AuditLog.verify', () => {
  it('an empty log is valid, with the genesis head', () => {
    expect(setup().audit.verify()).toEqual({ valid: true, count: 0, head: '0'.repeat(64) });
  });

  it('a chain of appends verifies, with the last hash as head', () => {
    const { audit } = setup(5);
    const last = audit.list().at(-1)!;
    expect(audit.verify()).toEqual({ valid: true, count: 5, head: last.hash });
  });

  it('survives reopening the log on the same store (migration not repeated)', () => {
    const { store, clock } = setup(3);
    const again = new AuditLog(store, clock);
    again.append({ actor: 'a', action: 'b', outcome: 'success' });
    expect(again.verify()).toMatchObject({ valid: true, count: 4 });
  });

  it('detects changed details', () => {
    const { store, audit } = setup(5);
    store.run('UPDATE audit_log SET details = ? WHERE seq = 3', JSON.stringify({ i: 3, nested: { a: 1, b: 999 } }));
    expect(audit.verify()).toMatchObject({ valid: false, count: 2, brokenAt: 3, reason: 'entry 3 was altered' });
  });

  it('detects a changed actor, outcome or time', () => {
    for (const [col, value] of [
      ['actor', 'someone-else'],
      ['outcome', 'refused'],
      ['time', '2020-01-01T00:00:00.000Z'],
    ]) {
      const { store, audit } = setup(3);
      store.run(`UPDATE audit_log SET ${col} = ? WHERE seq = 2`, value!);
      expect(audit.verify(), col).toMatchObject({ valid: false, brokenAt: 2, reason: 'entry 2 was altered' });
    }
  });

  it('detects a deleted middle entry', () => {
    const { store, audit } = setup(5);
    const head2 = audit.list()[1]!.hash;
    store.run('DELETE FROM audit_log WHERE seq = 3');
    expect(audit.verify()).toEqual({
      valid: false,
      count: 2,
      head: head2,
      brokenAt: 4,
      reason: 'entry 3 is missing',
    });
  });

  it('detects a deleted first entry', () => {
    const { store, audit } = setup(3);
    store.run('DELETE FROM audit_log WHERE seq = 1');
    expect(audit.verify()).toMatchObject({ valid: false, count: 0, brokenAt: 2, reason: 'entry 1 is missing' });
  });

  it('detects an altered hash (at the entry, or as a broken link at the next one)', () => {
    const { store, audit } = setup(5);
    store.run('UPDATE audit_log SET hash = ? WHERE seq = 4', 'f'.repeat(64));
    expect(audit.verify()).toMatchObject({ valid: false, count: 3, brokenAt: 4, reason: 'entry 4 was altered' });

    const other = setup(5);
    other.store.run('UPDATE audit_log SET prev_hash = ? WHERE seq = 2', 'e'.repeat(64));
    expect(other.audit.verify()).toMatchObject({
      valid: false,
      brokenAt: 2,
      reason: 'entry 2 does not link to the previous entry',
    });
  });

  it('detects an entry whose hash was recomputed without relinking its successor', () => {
    const { store, audit } = setup(4);
    store.run('UPDATE audit_log SET actor = ? WHERE seq = 2', 'forger');
    const e2 = audit.list().find((e) => e.seq === 2)!;
    const { hash: _h, prevHash, ...body } = e2;
    const forged = createHash('sha256')
      .update(`${prevHash}\n${canonicalJson(body)}`)
      .digest('hex');
    store.run('UPDATE audit_log SET hash = ? WHERE seq = 2', forged);
    expect(audit.verify()).toMatchObject({ valid: false, count: 2, brokenAt: 3 });
    expect(audit.verify().reason).toMatch(/entry 3 does not link/);
  });

  it('stays valid for details whose JSON form differs from the value (dates, undefined members)', () => {
    const { audit } = setup();
    audit.append({
      actor: 'a',
      action: 'b',
      outcome: 'success',
      details: { at: new Date('2030-01-01T00:00:00Z'), gone: undefined, list: [1, undefined] },
    });
    expect(audit.verify()).toMatchObject({ valid: true, count: 1 });
    expect(audit.list()[0]!.details).toEqual({ at: '2030-01-01T00:00:00.000Z', list: [1, null] });
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level, so property order does not matter', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it('drops undefined members and writes primitives as JSON', () => {
    expect(canonicalJson({ a: undefined, b: 'x"y' })).toBe('{"b":"x\\"y"}');
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson([1, 'a', true])).toBe('[1,"a",true]');
  });

  it('is independent of key order and parses back to the same value (property)', () => {
    const shuffle = (v: unknown, seed: number): unknown => {
      if (Array.isArray(v)) return v.map((x) => shuffle(x, seed));
      if (v === null || typeof v !== 'object') return v;
      const entries = Object.entries(v);
      entries.sort((a, b) => ((a[0].length * 31 + seed) % 7) - ((b[0].length * 31 + seed) % 7) || (seed % 2 ? 1 : -1));
      return Object.fromEntries(entries.map(([k, x]) => [k, shuffle(x, seed)]));
    };
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (v, seed) => {
        const c = canonicalJson(v);
        expect(canonicalJson(shuffle(v, seed))).toBe(c);
        expect(canonicalJson(JSON.parse(c))).toBe(c);
      }),
      { numRuns: 300 },
    );
  });
});
