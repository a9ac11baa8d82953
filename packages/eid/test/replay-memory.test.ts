import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store, VirtualClock } from '@kakehashi/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearSamlTables } from '../src/saml/store/saml-migrations.ts';
import { createSamlReplayCache } from '../src/saml/validate/saml-replay-cache.ts';
import { resetEidState } from '../src/store/reset-eid-state.ts';
import { createStoreReplayCache, EID_VALIDATION_MIGRATIONS } from '../src/validate/replay-cache.ts';

/** The replay caches answer from memory and write behind to the store: the same answers as a table lookup. */
describe('replay caches in memory, written behind to the store', () => {
  let dir: string;
  let clock: VirtualClock;
  let stores: Store[];
  const open = () => {
    const s = openStore({ name: 'replay', dataDir: dir });
    stores.push(s);
    return s;
  };
  const now = () => Math.floor(clock.nowMs() / 1000);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kakehashi-replay-'));
    clock = new VirtualClock();
    clock.freeze(new Date('2030-01-01T00:00:00Z'));
    stores = [];
  });
  afterEach(() => {
    for (const s of stores) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an entry is refused at once, before it reaches the store, and is in the store after the next turn', async () => {
    const store = open();
    const cache = createStoreReplayCache(store, clock);
    cache.remember('iss', 'nonce:a', now() + 300);
    expect(cache.seen('iss', 'nonce:a')).toBe(true);
    expect(cache.seen('iss', 'nonce:b')).toBe(false);
    expect(cache.seen('other-iss', 'nonce:a')).toBe(false);
    expect(store.get<{ n: number }>('SELECT COUNT(*) AS n FROM jwt_replay')?.n).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.all('SELECT issuer, key FROM jwt_replay')).toEqual([{ issuer: 'iss', key: 'nonce:a' }]);
  });

  it('a restart (the store closed, the file opened again) still refuses what was remembered, until it expires', () => {
    const first = open();
    const a = createStoreReplayCache(first, clock);
    a.remember('iss', 'nonce:a', now() + 300);
    const saml = createSamlReplayCache(first, clock);
    saml.remember('idp', '_assertion-1', now() + 300);
    // No flush by hand: closing the store (the shutdown path, SIGTERM too) writes what is queued.
    first.close();

    const second = open();
    const b = createStoreReplayCache(second, clock);
    expect(b.seen('iss', 'nonce:a')).toBe(true);
    expect(b.seen('iss', 'nonce:other')).toBe(false);
    expect(createSamlReplayCache(second, clock).seen('idp', '_assertion-1')).toBe(true);
    clock.advance(301_000);
    expect(b.seen('iss', 'nonce:a')).toBe(false);
  });

  it('every cache on one store shares the entries (a replay is caught whichever validator sees it)', () => {
    const store = open();
    const a = createStoreReplayCache(store, clock);
    const b = createStoreReplayCache(store, clock);
    a.remember('iss', 'jti:x', now() + 60);
    expect(b.seen('iss', 'jti:x')).toBe(true);
  });

  it('POST /admin/reset forgets them in memory as in the store (resetEidState, clearSamlTables)', () => {
    const store = open();
    const jwt = createStoreReplayCache(store, clock);
    const saml = createSamlReplayCache(store, clock);
    jwt.remember('iss', 'nonce:a', now() + 300);
    saml.remember('idp', '_a', now() + 300);
    resetEidState(store);
    expect(jwt.seen('iss', 'nonce:a')).toBe(false);
    expect(saml.seen('idp', '_a')).toBe(true);
    expect(store.get<{ n: number }>('SELECT COUNT(*) AS n FROM jwt_replay')?.n).toBe(0);
    clearSamlTables(store);
    expect(saml.seen('idp', '_a')).toBe(false);
    expect(store.get<{ n: number }>('SELECT COUNT(*) AS n FROM saml_replay')?.n).toBe(0);
    // Remembered again after the reset: refused again.
    jwt.remember('iss', 'nonce:a', now() + 300);
    expect(jwt.seen('iss', 'nonce:a')).toBe(true);
  });

  it('the tables are appended to (no key over issuer and id, only the expiry index); a keyed table is migrated with its rows', () => {
    const store = open();
    // A store as an earlier version left it: the keyed table, one entry.
    store.migrate(EID_VALIDATION_MIGRATIONS.slice(0, 2));
    store.run('INSERT INTO jwt_replay (issuer, key, expires_at) VALUES (?, ?, ?)', 'iss', 'nonce:old', now() + 300);
    const cache = createStoreReplayCache(store, clock);
    expect(cache.seen('iss', 'nonce:old')).toBe(true);
    const schema = (table: string) =>
      store
        .all<{ type: string; name: string; sql: string }>(
          'SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? ORDER BY name',
          table,
        )
        .map((r) => [r.type, r.name, /PRIMARY KEY/i.test(r.sql ?? '')]);
    expect(schema('jwt_replay')).toEqual([
      ['table', 'jwt_replay', false],
      ['index', 'jwt_replay_expires', false],
    ]);
    createSamlReplayCache(store, clock);
    expect(schema('saml_replay')).toEqual([
      ['table', 'saml_replay', false],
      ['index', 'saml_replay_expires', false],
    ]);
    // The same entry appended twice (the table kept while the memory was emptied) counts with its latest expiry.
    cache.remember('iss', 'nonce:a', now() + 60);
    store.flushPending();
    store.run('INSERT INTO jwt_replay (issuer, key, expires_at) VALUES (?, ?, ?)', 'iss', 'nonce:a', now() + 600);
    store.close();
    const again = open();
    const b = createStoreReplayCache(again, clock);
    clock.advance(300_000);
    expect(b.seen('iss', 'nonce:a')).toBe(true);
    expect(b.seen('iss', 'nonce:old')).toBe(true);
    clock.advance(301_000);
    expect(b.seen('iss', 'nonce:a')).toBe(false);
    // Purged from the table too once expired (at most once a minute of virtual time).
    expect(again.get<{ n: number }>('SELECT COUNT(*) AS n FROM jwt_replay')?.n).toBe(0);
  });
});
