import type { Clock, Migration, Store } from '@kakehashi/core';
import type { ReplayCache } from './issuer-keys.ts';
import { appendOnlyReplayTable, REPLAY_PURGE_INTERVAL_SECONDS, replayMemory } from './replay-memory.ts';

export { REPLAY_PURGE_INTERVAL_SECONDS };

/** The validation service's table: nonces and jtis seen (as SHA-256 digests), kept until the token expires. */
export const EID_VALIDATION_MIGRATIONS: readonly Migration[] = [
  {
    id: 'eid/002-jwt-replay',
    up: 'CREATE TABLE jwt_replay (issuer TEXT NOT NULL, key TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (issuer, key));',
  },
  { id: 'eid/003-jwt-replay-expiry', up: 'CREATE INDEX jwt_replay_expires ON jwt_replay (expires_at);' },
  // Appended, not keyed: see `replayMemory`.
  { id: 'eid/004-jwt-replay-appended', up: appendOnlyReplayTable('jwt_replay', 'key') },
];

/**
 * A replay cache kept in the component's store (so it survives a restart): entries live until the token's `exp`
 * (plus skew) on the virtual clock and are purged after. Lookups are answered from memory and entries written
 * behind the request (see `replayMemory`): no SQLite statement per token, the same answers.
 */
export function createStoreReplayCache(store: Store, clock: Clock): ReplayCache {
  store.migrate(EID_VALIDATION_MIGRATIONS);
  const memory = replayMemory(store, { table: 'jwt_replay', keyColumn: 'key' });
  const now = () => Math.floor(clock.nowMs() / 1000);
  return {
    seen: (issuer, key) => memory.seen(issuer, key, now()),
    remember: (issuer, key, expiresAt) => memory.remember(issuer, key, expiresAt),
  };
}
