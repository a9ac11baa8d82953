import type { Clock, Migration, Store } from '@kakehashi/core';
import type { ReplayCache } from './issuer-keys.ts';

/** The validation service's table: nonces and jtis seen (as SHA-256 digests), kept until the token expires. */
export const EID_VALIDATION_MIGRATIONS: readonly Migration[] = [
  {
    id: 'eid/002-jwt-replay',
    up: 'CREATE TABLE jwt_replay (issuer TEXT NOT NULL, key TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (issuer, key));',
  },
];

/**
 * A replay cache in the component's store (so it survives a restart): entries live until the token's `exp`
 * (plus skew) on the virtual clock and are purged after.
 */
export function createStoreReplayCache(store: Store, clock: Clock): ReplayCache {
  store.migrate(EID_VALIDATION_MIGRATIONS);
  const now = () => Math.floor(clock.nowMs() / 1000);
  return {
    seen(issuer, key) {
      store.run('DELETE FROM jwt_replay WHERE expires_at < ?', now());
      return store.get('SELECT 1 AS x FROM jwt_replay WHERE issuer = ? AND key = ?', issuer, key) !== undefined;
    },
    remember(issuer, key, expiresAt) {
      store.run('INSERT OR REPLACE INTO jwt_replay (issuer, key, expires_at) VALUES (?, ?, ?)', issuer, key, expiresAt);
    },
  };
}
