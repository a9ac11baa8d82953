import type { Store } from '@kakehashi/core';
import { forgetIssuedCodes } from '../authorize/issued-codes.ts';
import { forgetReplayMemory } from '../validate/replay-memory.ts';

/** Transient eID state: pending logins, codes, tokens, login sessions, refresh tokens, assertion and token replay caches. */
const TRANSIENT = [
  'oidc_pending',
  'oidc_codes',
  'oidc_tokens',
  'oidc_sessions',
  'oidc_refresh_tokens',
  'oidc_assertion_jti',
  'eid_connector_pending',
  'jwt_replay',
] as const;

/**
 * What `POST /admin/reset` does to the eID block of a component: forgets every pending login, code, access
 * token and replay-cache entry, and the relying parties registered by the admin API or learnt from the
 * federation (peer connectors are learnt again on their next request). Clients from the clients file and the
 * built-in demo RP stay. Tables the component does not have are skipped (the hub has only the replay cache).
 */
export function resetEidState(store: Store): { cleared: string[] } {
  const existing = new Set(
    store.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").map((r) => r.name),
  );
  const cleared: string[] = [];
  store.transaction(() => {
    for (const t of TRANSIENT)
      if (existing.has(t)) {
        store.run(`DELETE FROM ${t}`);
        cleared.push(t);
      }
    if (existing.has('oidc_clients')) {
      store.run("DELETE FROM oidc_clients WHERE source IN ('admin', 'federation')");
      cleared.push('oidc_clients (admin, federation)');
    }
  });
  // The replay caches answer from memory: it forgets what the table no longer holds. Issued codes live in memory.
  forgetReplayMemory(store, 'jwt_replay');
  forgetIssuedCodes(store);
  return { cleared };
}
