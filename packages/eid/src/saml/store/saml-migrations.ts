import type { Migration, Store } from '@kakehashi/core';
import { appendOnlyReplayTable, forgetReplayMemory } from '../../validate/replay-memory.ts';

/** The IdP and SP (connector) tables in a node's store. */
export const SAML_NODE_MIGRATIONS: readonly Migration[] = [
  {
    id: 'eid/saml_sps/001',
    up: 'CREATE TABLE saml_sps (entity_id TEXT PRIMARY KEY, metadata TEXT NOT NULL, country TEXT NOT NULL, registered_at TEXT NOT NULL);',
  },
  {
    id: 'eid/saml_pending/001',
    up: 'CREATE TABLE saml_pending (id_hash TEXT PRIMARY KEY, request TEXT NOT NULL, expires_at INTEGER NOT NULL);',
  },
  {
    id: 'eid/saml_request_ids/001',
    up: 'CREATE TABLE saml_request_ids (sp TEXT NOT NULL, request_id TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (sp, request_id));',
  },
  {
    id: 'eid/saml_outstanding/001',
    up: 'CREATE TABLE saml_outstanding (request_id TEXT PRIMARY KEY, context TEXT NOT NULL, expires_at INTEGER NOT NULL);',
  },
  {
    // Single Logout: the IdP's login sessions (one per assertion: SP, NameID, SessionIndex, the ACS it went to)
    // and the connector's outstanding LogoutRequests.
    id: 'eid/saml_slo/001',
    up: `CREATE TABLE saml_sessions (session_index TEXT PRIMARY KEY, sp TEXT NOT NULL, name_id TEXT NOT NULL, acs_url TEXT NOT NULL, expires_at INTEGER NOT NULL);
         CREATE INDEX saml_sessions_principal ON saml_sessions (sp, name_id);
         CREATE TABLE saml_logout_outstanding (request_id TEXT PRIMARY KEY, context TEXT NOT NULL, expires_at INTEGER NOT NULL);`,
  },
];

/** The validation service's replay cache (hub and nodes): assertion IDs kept until NotOnOrAfter (S12). */
export const SAML_VALIDATION_MIGRATIONS: readonly Migration[] = [
  {
    id: 'eid/saml_replay/001',
    up: 'CREATE TABLE saml_replay (issuer TEXT NOT NULL, assertion_id TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (issuer, assertion_id));',
  },
  { id: 'eid/saml_replay/002', up: 'CREATE INDEX saml_replay_expires ON saml_replay (expires_at);' },
  // Appended, not keyed: see `replayMemory`.
  { id: 'eid/saml_replay/003', up: appendOnlyReplayTable('saml_replay', 'assertion_id') },
];

/**
 * Clears every SAML table of a store (admin reset): registered SPs, pending logins, outstanding requests, IdP
 * sessions and outstanding logouts, replay cache.
 */
export function clearSamlTables(store: Store): void {
  // What the replay cache queued is written first, so that the DELETE below takes it too.
  store.flushPending();
  for (const t of [
    'saml_sps',
    'saml_pending',
    'saml_request_ids',
    'saml_outstanding',
    'saml_sessions',
    'saml_logout_outstanding',
    'saml_replay',
  ])
    if (store.get("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", t)) store.run(`DELETE FROM ${t}`);
  // The replay cache answers from memory: it forgets what the table no longer holds.
  forgetReplayMemory(store, 'saml_replay');
}
