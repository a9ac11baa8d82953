import type { Store } from '@kakehashi/core';
import { createLocalJWKSet, decodeJwt, type JSONWebKeySet, errors as joseErrors, jwtVerify } from 'jose';
import type { ClientRegistry, RegisteredClient } from '../clients/client-registry.ts';
import type { TokenEndpointAuthMethod } from '../clients/z-client.ts';
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
 * Authenticates the client at the token endpoint with the one method it registered (RFC 7591
 * `token_endpoint_auth_method`; another method is `invalid_client` even with the right secret):
 * `client_secret_basic` (HTTP Basic), `client_secret_post` (`client_id` and `client_secret` in the form) —
 * secrets compared in constant time — or `private_key_jwt` (RFC 7523 assertion: iss = sub = client_id,
 * aud = token endpoint or issuer, exp, single-use jti, signed with a key of the registered JWKS, asymmetric
 * algorithms only). Two methods in one request are `invalid_request`. Any failure is `invalid_client`; the
 * message never echoes the secret or the assertion.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2 (token_endpoint_auth_method)
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ClientAuthentication (OIDC Core §9)
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export async function authenticateClient(input: ClientAuthInput): Promise<RegisteredClient> {
  const { authorization, params } = input;
  const used: TokenEndpointAuthMethod[] = [];
  if (authorization && /^Basic\s/i.test(authorization)) used.push('client_secret_basic');
  if (params.has('client_secret')) used.push('client_secret_post');
  if (params.has('client_assertion') || params.has('client_assertion_type')) used.push('private_key_jwt');
  if (used.length > 1)
    throw oauthError(
      'oidc-invalid-request',
      `Use one client authentication method, not ${used.join(' and ')}.`,
      'RFC 6749 §2.3',
    );
  const method = used[0];
  if (method === 'client_secret_basic') return authenticateWithBasic(input, authorization as string);
  if (method === 'client_secret_post') return authenticateWithPost(input);
  if (method === 'private_key_jwt') return authenticateWithAssertion(input, params.get('client_assertion') ?? '');
  const none = oauthError(
    'oidc-invalid-client',
    'No client authentication: use HTTP Basic (client_secret_basic), client_id and client_secret in the form (client_secret_post) or a client assertion (private_key_jwt), as the client registered.',
    'OIDC Core §9',
  );
  // Answered 401 with a Basic challenge (RFC 6749 §5.2): it tells the client how to authenticate.
  none.extra.challenge = true;
  throw none;
}

/** The registered client, if it may authenticate with `method` (else invalid_client, naming what it registered). */
function clientFor(input: ClientAuthInput, clientId: string, method: TokenEndpointAuthMethod): RegisteredClient {
  const client = input.registry.get(clientId);
  if (!client) throw oauthError('oidc-invalid-client', 'Unknown client.', 'RFC 6749 §2.3.1');
  if (!client.authMethods.includes(method))
    throw oauthError(
      'oidc-invalid-client',
      `The client is registered for ${client.authMethods.join(' or ')}, not ${method}.`,
      'RFC 7591 §2 (token_endpoint_auth_method)',
    );
  return client;
}

function authenticateWithBasic(input: ClientAuthInput, authorization: string): RegisteredClient {
  const basic = authorization.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i);
  if (!basic) throw oauthError('oidc-invalid-client', 'The Basic credentials are not base64.', 'RFC 7617 §2');
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
  if (input.params.has('client_id') && input.params.get('client_id') !== id)
    throw oauthError('oidc-invalid-request', 'client_id in the body differs from the authenticated client.');
  const client = clientFor(input, id, 'client_secret_basic');
  if (!input.registry.checkSecret(client, secret))
    throw oauthError('oidc-invalid-client', 'The client secret is wrong.', 'RFC 6749 §2.3.1');
  return client;
}

function authenticateWithPost(input: ClientAuthInput): RegisteredClient {
  const id = input.params.get('client_id');
  if (!id)
    throw oauthError('oidc-invalid-client', 'client_secret_post needs client_id in the form too.', 'RFC 6749 §2.3.1');
  const client = clientFor(input, id, 'client_secret_post');
  if (!input.registry.checkSecret(client, input.params.get('client_secret') ?? ''))
    throw oauthError('oidc-invalid-client', 'The client secret is wrong.', 'RFC 6749 §2.3.1');
  return client;
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
  const client = clientFor(input, clientId, 'private_key_jwt');
  if (!client.registration.jwks)
    throw oauthError('oidc-invalid-client', 'The client registered no jwks for private_key_jwt.');
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
