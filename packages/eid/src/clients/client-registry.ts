import { createHash, timingSafeEqual } from 'node:crypto';
import { KakehashiError, type Store } from '@kakehashi/core';
import {
  type ClientRegistration,
  type ClientRegistrationInput,
  ClientRegistrationSchema,
  type ClientView,
  type TokenEndpointAuthMethod,
} from './z-client.ts';

/** The pre-registered TEST-ONLY relying party of every node (architecture §3a). */
export const DEMO_CLIENT_ID = 'kakehashi-demo-rp';
/** Its published, test-only secret. */
export const DEMO_CLIENT_SECRET = 'kakehashi-demo-secret';

/** A registered client as the provider uses it. */
export interface RegisteredClient {
  registration: Omit<ClientRegistration, 'client_secret'>;
  /** SHA-256 of the client secret (the secret itself is not kept). */
  secretHash: string | undefined;
  anyLoopback: boolean;
  /**
   * The token endpoint authentication methods accepted from it: the registered one (RFC 7591
   * `token_endpoint_auth_method`); the built-in test RP accepts both secret methods, so that openid-client's
   * default (client_secret_post when given a secret) and HTTP Basic both work.
   */
  authMethods: readonly TokenEndpointAuthMethod[];
  /** Grant types it may use (registrations stored before `grant_types` existed: authorization_code). */
  grantTypes: readonly ('authorization_code' | 'refresh_token')[];
  source: ClientView['source'];
}

export interface ClientRegistry {
  get(clientId: string): RegisteredClient | undefined;
  list(): ClientView[];
  /** Adds or replaces a client (not the built-in one). Returns whether it was created. */
  register(
    input: ClientRegistrationInput,
    source: 'file' | 'admin' | 'federation',
  ): { created: boolean; client: ClientView };
  /** Compares a presented secret with the registered one in constant time. */
  checkSecret(client: RegisteredClient, secret: string): boolean;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** Client registrations kept in the node's store (table `oidc_clients`), plus the built-in demo RP. */
export function createClientRegistry(store: Store): ClientRegistry {
  const demo: RegisteredClient = {
    registration: {
      client_id: DEMO_CLIENT_ID,
      client_name: 'Kakehashi demo relying party (TEST ONLY: published secret, any loopback redirect URI)',
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      post_logout_redirect_uris: [],
      id_token_signed_response_alg: 'RS256',
    },
    secretHash: sha256(DEMO_CLIENT_SECRET),
    anyLoopback: true,
    authMethods: ['client_secret_basic', 'client_secret_post'],
    grantTypes: ['authorization_code', 'refresh_token'],
    source: 'built-in',
  };
  const view = (c: RegisteredClient): ClientView => ({
    ...c.registration,
    accepted_auth_methods: [...c.authMethods],
    grant_types: [...c.grantTypes],
    has_secret: c.secretHash !== undefined,
    any_loopback_redirect: c.anyLoopback,
    test_only: true,
    source: c.source,
  });
  const get = (clientId: string): RegisteredClient | undefined => {
    if (clientId === DEMO_CLIENT_ID) return demo;
    const row = store.get<{ registration: string; secret_hash: string | null; source: string }>(
      'SELECT registration, secret_hash, source FROM oidc_clients WHERE client_id = ?',
      clientId,
    );
    if (!row) return undefined;
    const registration = JSON.parse(row.registration) as RegisteredClient['registration'];
    return {
      registration,
      secretHash: row.secret_hash ?? undefined,
      anyLoopback: false,
      authMethods: [registration.token_endpoint_auth_method],
      grantTypes: registration.grant_types ?? ['authorization_code'],
      source: row.source as 'file' | 'admin' | 'federation',
    };
  };
  return {
    get,
    list: () => [
      view(demo),
      ...store
        .all<{ client_id: string }>('SELECT client_id FROM oidc_clients ORDER BY client_id')
        .map((r) => view(get(r.client_id) as RegisteredClient)),
    ],
    register: (input, source) => {
      const parsed = ClientRegistrationSchema.safeParse(input);
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        throw new KakehashiError(
          'oidc-invalid-client-metadata',
          `The client registration is invalid: ${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : ''}`,
          { extra: { error: 'invalid_client_metadata' } },
        );
      }
      const { client_secret, ...registration } = parsed.data;
      if (registration.client_id === DEMO_CLIENT_ID)
        throw new KakehashiError('conflict', `${DEMO_CLIENT_ID} is built in and cannot be replaced.`);
      const existed = store.get('SELECT 1 AS x FROM oidc_clients WHERE client_id = ?', registration.client_id);
      store.run(
        `INSERT INTO oidc_clients (client_id, registration, secret_hash, source) VALUES (?, ?, ?, ?)
         ON CONFLICT(client_id) DO UPDATE SET registration = excluded.registration, secret_hash = excluded.secret_hash, source = excluded.source`,
        registration.client_id,
        JSON.stringify(registration),
        client_secret ? sha256(client_secret) : null,
        source,
      );
      return { created: !existed, client: view(get(registration.client_id) as RegisteredClient) };
    },
    checkSecret: (client, secret) => {
      if (client.secretHash === undefined) return false;
      // Both sides are SHA-256 digests: equal length, so the comparison leaks nothing about the secret.
      return timingSafeEqual(Buffer.from(sha256(secret), 'hex'), Buffer.from(client.secretHash, 'hex'));
    },
  };
}
