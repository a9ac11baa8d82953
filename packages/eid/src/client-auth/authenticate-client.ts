import type { Store } from '@kakehashi/core';
import { createLocalJWKSet, decodeJwt, type JSONWebKeySet, errors as joseErrors, jwtVerify } from 'jose';
import type { ClientRegistry, RegisteredClient } from '../clients/client-registry.ts';
import { oauthError } from '../errors/oauth-error.ts';

/** Client assertion type of RFC 7523. */
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Only asymmetric algorithms: no shared-secret JWTs across borders (attack catalogue J17). */
export const ASSERTION_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];

export interface ClientAuthInput {
  authorization: string | undefined;
  params: URLSearchParams;
  registry: ClientRegistry;
  store: Store;
  /** Audiences a client assertion may name: the token endpoint and the issuer. */
  audiences: string[];
  issuer: string;
  now: Date;
  clockToleranceSeconds: number;
}

const decodeFormComponent = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));

/**
 * Authenticates the client at the token endpoint with the method it registered: `client_secret_basic`
 * (secret compared in constant time) or `private_key_jwt` (RFC 7523 assertion: iss = sub = client_id,
 * aud = token endpoint or issuer, exp, single-use jti, signed with a key of the registered JWKS, asymmetric
 * algorithms only). Any failure is `invalid_client`; the message never echoes the secret or the assertion.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ClientAuthentication (OIDC Core §9)
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export async function authenticateClient(input: ClientAuthInput): Promise<RegisteredClient> {
  const { authorization, params } = input;
  const basic = authorization?.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i);
  const assertion = params.get('client_assertion');
  if (params.has('client_secret'))
    throw oauthError(
      'oidc-invalid-client',
      'client_secret_post is not supported: send the secret with HTTP Basic (client_secret_basic).',
      'OIDC Core §9',
    );
  if (basic && assertion)
    throw oauthError('oidc-invalid-request', 'Use one client authentication method, not both.', 'RFC 6749 §2.3');
  if (basic) {
    const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw oauthError('oidc-invalid-client', 'The Basic credentials are not "client_id:secret".');
    let id: string;
    let secret: string;
    try {
      id = decodeFormComponent(decoded.slice(0, colon));
      secret = decodeFormComponent(decoded.slice(colon + 1));
    } catch {
      throw oauthError('oidc-invalid-client', 'The Basic credentials are not form-URL-encoded.', 'RFC 6749 §2.3.1');
    }
    const client = input.registry.get(id);
    if (params.has('client_id') && params.get('client_id') !== id)
      throw oauthError('oidc-invalid-request', 'client_id in the body differs from the authenticated client.');
    if (client?.registration.token_endpoint_auth_method !== 'client_secret_basic')
      throw oauthError(
        'oidc-invalid-client',
        'Unknown client, or the client is not registered for client_secret_basic.',
        'RFC 6749 §2.3.1',
      );
    if (!input.registry.checkSecret(client, secret))
      throw oauthError('oidc-invalid-client', 'The client secret is wrong.', 'RFC 6749 §2.3.1');
    return client;
  }
  if (assertion) return authenticateWithAssertion(input, assertion);
  throw oauthError(
    'oidc-invalid-client',
    'No client authentication: use HTTP Basic (client_secret_basic) or a client assertion (private_key_jwt).',
    'OIDC Core §9',
  );
}

async function authenticateWithAssertion(input: ClientAuthInput, assertion: string): Promise<RegisteredClient> {
  const { params } = input;
  if (params.get('client_assertion_type') !== JWT_BEARER_ASSERTION)
    throw oauthError('oidc-invalid-client', `client_assertion_type must be ${JWT_BEARER_ASSERTION}.`, 'RFC 7523 §2.2');
  let iss: unknown;
  try {
    iss = decodeJwt(assertion).iss;
  } catch {
    throw oauthError('oidc-invalid-client', 'The client assertion is not a JWT.', 'RFC 7523 §3');
  }
  const clientId = params.get('client_id') ?? (typeof iss === 'string' ? iss : '');
  const client = input.registry.get(clientId);
  if (client?.registration.token_endpoint_auth_method !== 'private_key_jwt' || !client.registration.jwks)
    throw oauthError('oidc-invalid-client', 'Unknown client, or the client is not registered for private_key_jwt.');
  let payload: { jti?: unknown; exp?: unknown };
  try {
    ({ payload } = await jwtVerify(assertion, createLocalJWKSet(client.registration.jwks as JSONWebKeySet), {
      algorithms: ASSERTION_ALGORITHMS,
      issuer: clientId,
      subject: clientId,
      audience: input.audiences,
      currentDate: input.now,
      clockTolerance: input.clockToleranceSeconds,
      requiredClaims: ['exp', 'jti'],
    }));
  } catch (e) {
    const why =
      e instanceof joseErrors.JOSEError ? `${e.code}${'claim' in e ? ` (${String(e.claim)})` : ''}` : 'invalid';
    throw oauthError('oidc-invalid-client', `The client assertion does not verify: ${why}.`, 'RFC 7523 §3');
  }
  const jti = String(payload.jti).slice(0, 200);
  const nowS = Math.floor(input.now.getTime() / 1000);
  input.store.run('DELETE FROM oidc_assertion_jti WHERE expires_at < ?', nowS - input.clockToleranceSeconds);
  const inserted = input.store.run(
    'INSERT OR IGNORE INTO oidc_assertion_jti (client_id, jti, expires_at) VALUES (?, ?, ?)',
    clientId,
    jti,
    Number(payload.exp),
  );
  if (inserted.changes !== 1)
    throw oauthError('oidc-invalid-client', 'The client assertion was already used (jti replay).', 'RFC 7523 §3 (7)');
  return client;
}
