import { randomBytes } from 'node:crypto';
import { Openid4vpClient } from '@openid4vc/openid4vp';
import { JWE_ALGS, JWE_ENCS, libraryReason, oid4vcCallbacks } from '../crypto/oid4vc-callbacks.ts';
import {
  judgeAccessCertificate,
  REQUEST_OBJECT_TYP,
  type TrustVerifierCertificate,
  verifyRequestObject,
} from '../verifier/request-object.ts';

/** An OpenID4VP authorization request as the wallet reads it (by value, from a request URL or an object). */
export interface PresentationRequest {
  client_id: string;
  response_type: string;
  response_mode: string;
  response_uri: string;
  nonce: string;
  state: string;
  dcql_query: unknown;
  /** direct_post.jwt: the verifier's encryption key and the enc values it accepts. */
  client_metadata?: {
    jwks?: { keys?: Record<string, unknown>[] };
    encrypted_response_enc_values_supported?: string[];
  };
}

/** A request as resolved: its parameters and, when it came signed, the `x5c` of its request object. */
export interface ResolvedPresentationRequest {
  request: PresentationRequest;
  x5c?: string[];
}

/** The error codes a wallet answers instead of a presentation (OpenID4VP 1.0 §8.5). */
export type WalletErrorCode = 'access_denied' | 'invalid_request' | 'invalid_client' | 'vp_formats_not_supported';

/** The requests the wallet took from a verified request object (the only ones a key-based client_id may make). */
const SIGNED = new WeakSet<PresentationRequest>();

/**
 * The library's wallet side (@openid4vc/openid4vp `Openid4vpClient`) over Kakehashi's callbacks: request objects
 * ES256 only, signatures checked with the `x5c` leaf, the `x509_san_dns` names read from the certificate.
 */
const client = (fetcher: typeof fetch) =>
  new Openid4vpClient({ callbacks: oid4vcCallbacks({ fetch: fetcher, jwtAlgorithms: ['ES256'] }) as never });

/**
 * Reads an authorization request URL by value (`openid4vp://?client_id=…&dcql_query=…`) with the library's parser:
 * the JSON-valued parameters (`dcql_query`, `client_metadata`) decoded. Throws for a URL that does not parse.
 */
export function parseRequestUrl(url: string): PresentationRequest {
  try {
    const parsed = client(fetch).parseOpenid4vpAuthorizationRequest({ authorizationRequest: url });
    return parsed.params as unknown as PresentationRequest;
  } catch (e) {
    throw new Error(`the authorization request does not parse: ${libraryReason(e)}`);
  }
}

/**
 * Resolves an authorization request (OpenID4VP 1.0 §5) with the library: a request URL's parameters parsed; by
 * reference, the `request_uri` fetched and its request object verified — signature by the `x5c` leaf, `typ`
 * oauth-authz-req+jwt, its `client_id` the URL's, the client identifier prefix (`x509_hash`: the leaf's SHA-256;
 * `x509_san_dns`: a dNSName SAN of the leaf and the response URI's host, §5.9.3). Kakehashi's own check of the
 * request object ({@link verifyRequestObject}) names the reason when it refuses too; with `trust`, the access
 * certificate is then judged by that trust view (RPA_02), which the library does not do. An object is taken as
 * given (checked by {@link checkPresentationRequest}).
 * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html#section-5.10
 */
export async function resolvePresentationRequest(
  input: PresentationRequest | string,
  opts: { fetch: typeof fetch; trust?: TrustVerifierCertificate | undefined },
): Promise<ResolvedPresentationRequest> {
  if (typeof input !== 'string') return { request: input };
  let parsed: ReturnType<Openid4vpClient['parseOpenid4vpAuthorizationRequest']>;
  try {
    parsed = client(opts.fetch).parseOpenid4vpAuthorizationRequest({ authorizationRequest: input });
  } catch (e) {
    throw new Error(`the authorization request does not parse: ${libraryReason(e)}`);
  }
  if (parsed.type === 'openid4vp_dc_api') throw new Error('a Digital Credentials API request is not answered here');
  if (parsed.type !== 'jar') return { request: parsed.params as unknown as PresentationRequest };
  const requestUri = (parsed.params as { request_uri?: unknown }).request_uri;
  if (typeof requestUri !== 'string') throw new Error('a request object is taken by reference only (request_uri)');
  const clientId = String((parsed.params as { client_id?: unknown }).client_id ?? '');
  // the request object as the library fetched it, so that our own check reads the same bytes
  let fetched: string | undefined;
  const capturing = (async (url: string | URL | Request, init?: RequestInit) => {
    const res = await opts.fetch(url, init);
    if (String(url) === requestUri && res.ok) fetched = (await res.clone().text()).trim();
    return res;
  }) as typeof fetch;
  let resolved: Awaited<ReturnType<Openid4vpClient['resolveOpenId4vpAuthorizationRequest']>>;
  try {
    resolved = await client(capturing).resolveOpenId4vpAuthorizationRequest({
      authorizationRequestPayload: parsed.params,
    });
  } catch (e) {
    if (fetched) await verifyRequestObject(fetched, clientId, undefined);
    throw new Error(`the request object is refused: ${libraryReason(e)}`);
  }
  const signer = resolved.jar?.signer as { method?: string; x5c?: string[] } | undefined;
  if (signer?.method !== 'x5c' || !signer.x5c?.length) throw new Error('the request object has no x5c');
  // the library asks for the typ only of requests it dates to draft 24 or later (a client_id_scheme dates it earlier)
  if (resolved.jar?.jwt.header.typ !== REQUEST_OBJECT_TYP)
    throw new Error(`the request object's typ is not ${REQUEST_OBJECT_TYP}`);
  if (opts.trust) await judgeAccessCertificate(signer.x5c, opts.trust);
  const request = resolved.authorizationRequestPayload as unknown as PresentationRequest;
  SIGNED.add(request);
  return { request, x5c: signer.x5c };
}

/**
 * What the wallet asks of any request before it answers: `response_type` vp_token with `direct_post` or
 * `direct_post.jwt`; a `redirect_uri:` client_id that is the response URI (§5.9.3: never post elsewhere); any
 * other prefix names a key, so only a request object it signed may use it. Then the library validates a request
 * taken by value (parameters, client identifier prefix).
 */
export async function checkPresentationRequest(req: PresentationRequest, fetcher: typeof fetch): Promise<void> {
  if (
    req.response_type !== 'vp_token' ||
    (req.response_mode !== 'direct_post' && req.response_mode !== 'direct_post.jwt')
  )
    throw new Error('only response_type vp_token with response_mode direct_post or direct_post.jwt is supported');
  if (req.client_id.startsWith('redirect_uri:') && req.client_id.slice('redirect_uri:'.length) !== req.response_uri)
    throw new Error('the response_uri is not the client_id of a redirect_uri: verifier');
  if (SIGNED.has(req)) return;
  if (!req.client_id.startsWith('redirect_uri:'))
    throw new Error(`a ${req.client_id.split(':')[0]}: client_id needs a signed request object (request_uri)`);
  try {
    await client(fetcher).resolveOpenId4vpAuthorizationRequest({ authorizationRequestPayload: req as never });
  } catch (e) {
    throw new Error(`the authorization request is refused: ${libraryReason(e)}`);
  }
}

/** The request's key for an encrypted response (direct_post.jwt §8.3): its ECDH-ES key not meant for signing. */
export function encryptionKeyOf(req: PresentationRequest): Record<string, unknown> | undefined {
  return req.client_metadata?.jwks?.keys?.find((k) => k.alg === 'ECDH-ES' && k.use !== 'sig');
}

/**
 * Sends the authorization response — a `vp_token`, or an error (§8.5) — to the request's response URI with its
 * `state`, through the library: for `direct_post.jwt` one JWE to the request's ECDH-ES key (its `kid` copied, `enc`
 * one the verifier offers, §8.3), also for an error: §8.3.1 lets a wallet answer an error unencrypted only when it
 * cannot encrypt. The `vp_token` is posted as given (the security lab's forged ones too). Returns the verifier's
 * status and body.
 * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html#section-8.3.1
 */
export async function submitAuthorizationResponse(
  req: PresentationRequest,
  payload: { vp_token: Record<string, string[]> } | { error: WalletErrorCode; error_description?: string },
  fetcher: typeof fetch,
): Promise<{ status: number; body: unknown }> {
  const c = client(fetcher);
  let jarm: Parameters<Openid4vpClient['createOpenid4vpAuthorizationResponse']>[0]['jarm'];
  if (req.response_mode === 'direct_post.jwt') {
    const jwk = encryptionKeyOf(req);
    if (!jwk) throw new Error('the request offers no ECDH-ES key for an encrypted response');
    const offered = req.client_metadata?.encrypted_response_enc_values_supported ?? ['A128GCM'];
    if (!offered.some((e) => (JWE_ENCS as readonly string[]).includes(e)))
      throw new Error(`none of the enc values ${offered.join(', ')} is supported (${JWE_ENCS.join(', ')})`);
    jarm = {
      encryption: { nonce: randomBytes(16).toString('base64url'), jwk: jwk as never },
      serverMetadata: {
        authorization_signing_alg_values_supported: ['ES256'],
        authorization_encryption_alg_values_supported: [...JWE_ALGS],
        authorization_encryption_enc_values_supported: [...JWE_ENCS],
      },
    };
  }
  const created = await c.createOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: req as never,
    authorizationResponsePayload: payload as never,
    ...(jarm ? { jarm } : {}),
  });
  const { response } = await c.submitOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: req as never,
    authorizationResponsePayload: created.authorizationResponsePayload,
    ...(created.jarm ? { jarm: { responseJwt: created.jarm.responseJwt } } : {}),
  });
  const text = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = text ? text.slice(0, 10_000) : null;
  }
  return { status: response.status, body };
}
