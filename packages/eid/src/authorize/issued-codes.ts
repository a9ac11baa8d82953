import type { Store } from '@kakehashi/core';
import type { GrantData } from './z-pending-request.ts';

/** An authorization code issued and not yet redeemed: what it grants, until when, and whether it is used up. */
export interface IssuedCode {
  grant: GrantData;
  /** Seconds on the virtual clock. */
  expiresAt: number;
  /** Set by the one token request that claims it (or fails a check with it): single use. */
  used: boolean;
}

/** How long a code stays known past its expiry, answering "expired" rather than "unknown". */
export const EXPIRED_CODE_GRACE_SECONDS = 600;

const memories = new WeakMap<Store, Map<string, IssuedCode>>();

/**
 * The authorization codes issued by the provider on `store` and not yet redeemed, by the SHA-256 of the code. They
 * are kept in memory, not in the store: a code lives 60 s and is redeemed once, and writing it (three b-trees) at the
 * authorization endpoint and updating it at the token endpoint were half of a login's pages written and
 * checkpointed. A redeemed code leaves the map: the tokens issued from it carry its hash (their family), and that
 * is what a replay of it is recognised by, and revokes (see `exchangeCode`), after a restart too. A code issued
 * before a restart and not yet redeemed is unknown afterwards: refused, as an expired one is.
 */
export function issuedCodes(store: Store): Map<string, IssuedCode> {
  let codes = memories.get(store);
  if (!codes) {
    codes = new Map();
    memories.set(store, codes);
  }
  return codes;
}

/**
 * At most this many codes wait for redemption; beyond it the oldest is forgotten (it is then refused as unknown).
 * Bounds the memory a flood of authorization requests never redeemed can take (~1–2 KB a code).
 */
export const MAX_ISSUED_CODES = 100_000;

/** Keeps an issued code under its hash, forgetting the oldest beyond `max` ({@link MAX_ISSUED_CODES}). */
export function rememberIssuedCode(store: Store, hash: string, code: IssuedCode, max = MAX_ISSUED_CODES): void {
  const codes = issuedCodes(store);
  codes.set(hash, code);
  // A Map iterates in insertion order: the first key is the oldest code.
  while (codes.size > max) codes.delete(codes.keys().next().value as string);
}

/** Drops the codes expired more than {@link EXPIRED_CODE_GRACE_SECONDS} ago (or issued in the virtual future). */
export function purgeIssuedCodes(store: Store, nowSeconds: number): void {
  const codes = memories.get(store);
  if (!codes) return;
  for (const [hash, c] of codes)
    if (c.expiresAt + EXPIRED_CODE_GRACE_SECONDS < nowSeconds || c.expiresAt - nowSeconds > 3600) codes.delete(hash);
}

/** Forgets every issued code (`POST /admin/reset`). */
export function forgetIssuedCodes(store: Store): void {
  memories.get(store)?.clear();
}
