import type { Store } from '@kakehashi/core';
import { purgeIssuedCodes } from '../authorize/issued-codes.ts';
import { REPLAY_PURGE_INTERVAL_SECONDS } from '../validate/replay-cache.ts';
import { grantWrites } from './grant-writes.ts';

/** Expired grants are purged at most this often (virtual clock), as the validation replay caches are. */
export const GRANT_PURGE_INTERVAL_SECONDS = REPLAY_PURGE_INTERVAL_SECONDS;

/**
 * The provider's purge of expired grants, run on issuance at most once per {@link GRANT_PURGE_INTERVAL_SECONDS}
 * (the clock may also be set back: any jump of that size purges again): access tokens, refresh tokens and login
 * sessions past their expiry, and the issued codes (in memory) expired more than ten minutes ago — a redeemed code
 * is recognised by the tokens issued from it while they live, so that replaying it still revokes them (RFC 6749
 * §4.1.2). Each table is indexed by expiry (migration eid/004). The deletes are queued behind the request with the
 * grants' inserts, in order (see `GrantWrites`).
 */
export function createGrantPurge(store: Store, nowSeconds: () => number): () => void {
  let purgedAt = Number.NEGATIVE_INFINITY;
  return () => {
    const t = nowSeconds();
    if (Math.abs(t - purgedAt) < GRANT_PURGE_INTERVAL_SECONDS) return;
    purgedAt = t;
    const writes = grantWrites(store);
    writes.write('DELETE FROM oidc_tokens WHERE expires_at < ?', t);
    writes.write('DELETE FROM oidc_refresh_tokens WHERE expires_at < ?', t);
    writes.write('DELETE FROM oidc_sessions WHERE expires_at < ?', t);
    purgeIssuedCodes(store, t);
    // Codes are kept in memory (see issuedCodes): rows written before that are purged as they were.
    writes.write(
      `DELETE FROM oidc_codes WHERE expires_at < ?
         AND NOT EXISTS (SELECT 1 FROM oidc_tokens WHERE oidc_tokens.code_hash = oidc_codes.code_hash)
         AND NOT EXISTS (SELECT 1 FROM oidc_refresh_tokens WHERE oidc_refresh_tokens.family = oidc_codes.code_hash)`,
      t,
    );
  };
}
