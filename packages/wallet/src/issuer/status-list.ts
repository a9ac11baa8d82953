import { randomInt } from 'node:crypto';
import type { Migration, Store } from '@kakehashi/core';
import { createHeaderAndPayload, StatusList } from '@sd-jwt/jwt-status-list';
import { CompactSign } from 'jose';
import type { PidIssuerKey } from './pid-issuer-key.ts';

/** How many entries the PID provider's one status list has (1 bit each: 0 valid, 1 invalid). */
export const STATUS_LIST_SIZE = 4096;
/** How long a verifier may cache the list (seconds; the token's `ttl`, TSL §5.1). */
export const STATUS_LIST_TTL = 300;

/** The status values of a Token Status List (TSL §7.1). */
export const STATUS = { valid: 0, invalid: 1, suspended: 2 } as const;

/** The status list's table in the node's store: an allocated index and its status survive a restart. */
export const WALLET_STATUS_MIGRATIONS: readonly Migration[] = [
  {
    id: 'wallet-001-status-list',
    up: 'CREATE TABLE wallet_status_list (idx INTEGER PRIMARY KEY, status INTEGER NOT NULL)',
  },
];

/**
 * The PID provider's Token Status List: each PID gets a random unused index (VCR_17: no correlation by index
 * order), an administrator marks it invalid (revoked), suspended, or valid again. With a `store` (the node's) the
 * entries survive a restart — a revoked PID never reads valid again; without one (tests) they live in memory.
 * @see https://www.ietf.org/archive/id/draft-ietf-oauth-status-list-20.html
 */
export function createStatusRegistry(store?: Store) {
  store?.migrate(WALLET_STATUS_MIGRATIONS);
  const memory = new Map<number, number>();
  const has = (idx: number) =>
    store ? store.get('SELECT 1 AS one FROM wallet_status_list WHERE idx = ?', idx) !== undefined : memory.has(idx);
  const entries = (): [number, number][] =>
    store
      ? store
          .all<{ idx: number; status: number }>('SELECT idx, status FROM wallet_status_list')
          .map((r) => [r.idx, r.status])
      : [...memory];
  return {
    allocate(): number {
      if (entries().length >= STATUS_LIST_SIZE) throw new Error('the status list is full');
      for (;;) {
        const idx = randomInt(STATUS_LIST_SIZE);
        if (has(idx)) continue;
        if (store) store.run('INSERT INTO wallet_status_list (idx, status) VALUES (?, 0)', idx);
        else memory.set(idx, 0);
        return idx;
      }
    },
    isAllocated: has,
    set(idx: number, status: number): void {
      if (store) store.run('UPDATE wallet_status_list SET status = ? WHERE idx = ?', status, idx);
      else if (memory.has(idx)) memory.set(idx, status);
    },
    status: (idx: number) => entries().find(([i]) => i === idx)?.[1] ?? 0,
    /** The list as published: 2 bits an entry so that "suspended" (2) can be told. */
    list(): StatusList {
      const list = new StatusList(new Array(STATUS_LIST_SIZE).fill(0), 2);
      for (const [idx, status] of entries()) list.setStatus(idx, status);
      return list;
    },
    reset(): void {
      if (store) store.run('DELETE FROM wallet_status_list');
      memory.clear();
    },
  };
}
export type StatusRegistry = ReturnType<typeof createStatusRegistry>;

/**
 * The status list token (`typ` statuslist+jwt, TSL §5.1): `sub` = its URI, `iat`, `exp`, `ttl`, the ZLIB-compressed
 * list; signed with the PID provider's key and its `x5c`, so a verifier checks it as it checks the PID.
 */
export async function statusListToken(opts: {
  uri: string;
  key: PidIssuerKey;
  list: StatusList;
  now: Date;
}): Promise<string> {
  const iat = Math.floor(opts.now.getTime() / 1000);
  const { header, payload } = createHeaderAndPayload(
    opts.list,
    { sub: opts.uri, iat, exp: iat + 2 * STATUS_LIST_TTL, ttl: STATUS_LIST_TTL } as never,
    { alg: 'ES256', typ: 'statuslist+jwt', x5c: opts.key.x5c },
  );
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader(header as never)
    .sign(opts.key.privateKey);
}
