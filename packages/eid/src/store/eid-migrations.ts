import type { Migration } from '@kakehashi/core';

/** The eID block's tables in the node's store. Secrets are kept only as SHA-256 digests. */
export const EID_MIGRATIONS: readonly Migration[] = [
  {
    id: 'eid/001-oidc',
    up: `CREATE TABLE oidc_clients (client_id TEXT PRIMARY KEY, registration TEXT NOT NULL, secret_hash TEXT, source TEXT NOT NULL);
         CREATE TABLE oidc_pending (id_hash TEXT PRIMARY KEY, request TEXT NOT NULL, expires_at INTEGER NOT NULL);
         CREATE TABLE oidc_codes (code_hash TEXT PRIMARY KEY, grant_data TEXT NOT NULL, expires_at INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0);
         CREATE TABLE oidc_tokens (token_hash TEXT PRIMARY KEY, code_hash TEXT NOT NULL, client_id TEXT NOT NULL, claims TEXT NOT NULL, expires_at INTEGER NOT NULL);
         CREATE TABLE oidc_assertion_jti (client_id TEXT NOT NULL, jti TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (client_id, jti));`,
  },
  {
    id: 'eid/002-connector',
    up: `CREATE TABLE eid_connector_pending (state_hash TEXT PRIMARY KEY, data TEXT NOT NULL, expires_at INTEGER NOT NULL);`,
  },
  {
    // Login sessions (cookie secret as SHA-256; sid is the public id of the ID token's sid claim) and refresh
    // tokens (a family per authorization code: family = the code's hash, so a code replay revokes it too).
    id: 'eid/003-sessions-refresh',
    up: `CREATE TABLE oidc_sessions (sid_hash TEXT PRIMARY KEY, sid TEXT NOT NULL UNIQUE, data TEXT NOT NULL, expires_at INTEGER NOT NULL);
         CREATE TABLE oidc_refresh_tokens (token_hash TEXT PRIMARY KEY, family TEXT NOT NULL, client_id TEXT NOT NULL, grant_data TEXT NOT NULL, expires_at INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0);
         CREATE INDEX oidc_refresh_tokens_family ON oidc_refresh_tokens (family);`,
  },
  {
    // The purge of expired grants (createGrantPurge) and the revocation of a family by its code's hash.
    id: 'eid/004-expiry-indexes',
    up: `CREATE INDEX oidc_codes_expires ON oidc_codes (expires_at);
         CREATE INDEX oidc_tokens_expires ON oidc_tokens (expires_at);
         CREATE INDEX oidc_tokens_code ON oidc_tokens (code_hash);
         CREATE INDEX oidc_refresh_tokens_expires ON oidc_refresh_tokens (expires_at);
         CREATE INDEX oidc_sessions_expires ON oidc_sessions (expires_at);`,
  },
];
