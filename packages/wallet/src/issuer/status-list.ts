import { randomInt } from 'node:crypto';
import { createHeaderAndPayload, StatusList } from '@sd-jwt/jwt-status-list';
import { CompactSign } from 'jose';
import type { PidIssuerKey } from './pid-issuer-key.ts';

/** How many entries the PID provider's one status list has (1 bit each: 0 valid, 1 invalid). */
export const STATUS_LIST_SIZE = 4096;
/** How long a verifier may cache the list (seconds; the token's `ttl`, TSL §5.1). */
export const STATUS_LIST_TTL = 300;

/** The status values of a Token Status List (TSL §7.1). */
export const STATUS = { valid: 0, invalid: 1, suspended: 2 } as const;

/**
 * The PID provider's Token Status List: each PID gets a random unused index (VCR_17: no correlation by index
 * order), an administrator marks it invalid (revoked) or valid again. Kept in memory: a restart forgets the
 * indices given out, so the PIDs issued before it read as valid (the README says so).
 * @see https://www.ietf.org/archive/id/draft-ietf-oauth-status-list-20.html
 */
export function createStatusRegistry() {
  // 2 bits an entry so that "suspended" (2) can be told; the list is published with bits = 2.
  let list = new StatusList(new Array(STATUS_LIST_SIZE).fill(0), 2);
  const used = new Set<number>();
  return {
    allocate(): number {
      if (used.size >= STATUS_LIST_SIZE) throw new Error('the status list is full');
      for (;;) {
        const idx = randomInt(STATUS_LIST_SIZE);
        if (!used.has(idx)) {
          used.add(idx);
          return idx;
        }
      }
    },
    isAllocated: (idx: number) => used.has(idx),
    set(idx: number, status: number): void {
      list.setStatus(idx, status);
    },
    status: (idx: number) => list.getStatus(idx),
    list: () => list,
    reset(): void {
      list = new StatusList(new Array(STATUS_LIST_SIZE).fill(0), 2);
      used.clear();
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
