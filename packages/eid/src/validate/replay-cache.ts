import type { Clock, Migration, Store } from '@kakehashi/core';
import type { ReplayCache } from './issuer-keys.ts';

/** The validation service's table: nonces and jtis seen (as SHA-256 digests), kept until the token expires. */
export const EID_VALIDATION_MIGRATIONS: readonly Migration[] = [
  {
    id: 'eid/002-jwt-replay',
    up: 'CREATE TABLE jwt_replay (issuer TEXT NOT NULL, key TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (issuer, key));',
  },
  { id: 'eid/003-jwt-replay-expiry', up: 'CREATE INDEX jwt_replay_expires ON jwt_replay (expires_at);' },
];

/** Expired entries are purged at most this often (virtual clock): a purge per lookup would scan on every token. */
export const REPLAY_PURGE_INTERVAL_SECONDS = 60;

/**
 * A replay cache in the component's store (so it survives a restart): entries live until the token's `exp`
 * (plus skew) on the virtual clock and are purged after.
 */
export function createStoreReplayCache(store: Store, clock: Clock): ReplayCache {
  store.migrate(EID_VALIDATION_MIGRATIONS);
  const now = () => Math.floor(clock.nowMs() / 1000);
  let purgedAt = Number.NEGATIVE_INFINITY;
  return {
    seen(issuer, key) {
      const t = now();
      if (Math.abs(t - purgedAt) >= REPLAY_PURGE_INTERVAL_SECONDS) {
        store.run('DELETE FROM jwt_replay WHERE expires_at < ?', t);
        purgedAt = t;
      }
      return (
        store.get('SELECT 1 AS x FROM jwt_replay WHERE issuer = ? AND key = ? AND expires_at >= ?', issuer, key, t) !==
        undefined
      );
    },
    remember(issuer, key, expiresAt) {
      store.run('INSERT OR REPLACE INTO jwt_replay (issuer, key, expires_at) VALUES (?, ?, ?)', issuer, key, expiresAt);
    },
  };
}
