import type { Clock, Store } from '@kakehashi/core';
import { REPLAY_PURGE_INTERVAL_SECONDS } from '../../validate/replay-cache.ts';
import { SAML_VALIDATION_MIGRATIONS } from '../store/saml-migrations.ts';
import type { SamlReplayCache } from './validation-context.ts';

/** The S12 replay cache in the component's store: assertion IDs per issuer until NotOnOrAfter (+ skew), then purged. */
export function createSamlReplayCache(store: Store, clock: Clock): SamlReplayCache {
  store.migrate(SAML_VALIDATION_MIGRATIONS);
  const now = () => Math.floor(clock.nowMs() / 1000);
  let purgedAt = Number.NEGATIVE_INFINITY;
  return {
    seen(issuer, id) {
      const t = now();
      // Purged at most every REPLAY_PURGE_INTERVAL_SECONDS; the lookup itself ignores expired rows.
      if (Math.abs(t - purgedAt) >= REPLAY_PURGE_INTERVAL_SECONDS) {
        store.run('DELETE FROM saml_replay WHERE expires_at < ?', t);
        purgedAt = t;
      }
      return (
        store.get(
          'SELECT 1 AS x FROM saml_replay WHERE issuer = ? AND assertion_id = ? AND expires_at >= ?',
          issuer,
          id,
          t,
        ) !== undefined
      );
    },
    remember(issuer, id, expiresAt) {
      store.run(
        'INSERT OR REPLACE INTO saml_replay (issuer, assertion_id, expires_at) VALUES (?, ?, ?)',
        issuer,
        id,
        expiresAt,
      );
    },
  };
}
