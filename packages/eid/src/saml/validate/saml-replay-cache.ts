import type { Clock, Store } from '@kakehashi/core';
import { replayMemory } from '../../validate/replay-memory.ts';
import { SAML_VALIDATION_MIGRATIONS } from '../store/saml-migrations.ts';
import type { SamlReplayCache } from './validation-context.ts';

/**
 * The S12 replay cache in the component's store: assertion IDs per issuer until NotOnOrAfter (+ skew), then purged.
 * Lookups are answered from memory and entries written behind the request (see `replayMemory`).
 */
export function createSamlReplayCache(store: Store, clock: Clock): SamlReplayCache {
  store.migrate(SAML_VALIDATION_MIGRATIONS);
  const memory = replayMemory(store, { table: 'saml_replay', keyColumn: 'assertion_id' });
  const now = () => Math.floor(clock.nowMs() / 1000);
  return {
    seen: (issuer, id) => memory.seen(issuer, id, now()),
    remember: (issuer, id, expiresAt) => memory.remember(issuer, id, expiresAt),
  };
}
