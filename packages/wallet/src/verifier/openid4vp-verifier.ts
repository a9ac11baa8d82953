import { KakehashiError } from '@kakehashi/core';
import {
  type Openid4vpAuthorizationRequest,
  Openid4vpVerifier,
  parseOpenid4VpAuthorizationResponsePayload,
  verifyJarmAuthorizationResponse,
} from '@openid4vc/openid4vp';
import type { DcqlQuery } from 'dcql';
import '../error-codes.ts';
import { libraryReason, oid4vcCallbacks } from '../crypto/oid4vc-callbacks.ts';
import type { PidIssuerKey } from '../issuer/pid-issuer-key.ts';
import { jweKid, type ResponseKey } from './response-encryption.ts';
import { readErrorResponse } from './response-outcome.ts';
import type { PresentationVerdict } from './rules.ts';

/**
 * The authorization request as the library made it, held as plain JSON: the library's own type stays out of this
 * package's declarations (its .d.mts does not compile with `skipLibCheck: false` under strict, so a user's program
 * importing @kakehashi/wallet would fail to type-check).
 */
export type AuthorizationRequestPayload = Record<string, unknown>;

/** One presentation request of the verifier: what it asked, and what came back. */
export interface Transaction {
  id: string;
  state: string;
  nonce: string;
  dcql: DcqlQuery;
  /** The authorization request as the library made it (it parses the response against it). */
  request?: AuthorizationRequestPayload;
  /** direct_post.jwt: the fresh key the wallet encrypts its answer to. */
  responseKey?: ResponseKey;
  verdict?: PresentationVerdict;
  /** When the request stops being answerable and is forgotten (virtual clock, ms). */
  expiresAt: number;
  /** The full client_id the wallet was given (the KB-JWT's aud): `redirect_uri:…` or, signed, `x509_hash:…`/`x509_san_dns:…`. */
  clientId: string;
  /** Signed: the request object the wallet fetches from request_uri. */
  requestObject?: string;
  /** Same-device: the relying party's page the wallet is sent back to, with a `response_code` (§8.2). */
  redirectUri?: string;
  responseCode?: string;
  /** The wallet's error answer instead of a presentation (`access_denied`: the user declined, §8.5). */
  error?: { error: string; error_description?: string };
}

/** How long a presentation request can be answered and its verdict read (seconds, virtual clock). */
export const TRANSACTION_TTL_SECONDS = 600;
/** The most requests a verifier keeps at once (the oldest go first): a flood of requests cannot exhaust memory. */
const MAX_TRANSACTIONS = 10_000;

/** Forgets expired requests, and the oldest beyond {@link MAX_TRANSACTIONS}. */
export function purge(transactions: Map<string, Transaction>, nowMs: number): void {
  for (const [id, t] of transactions) if (t.expiresAt < nowMs) transactions.delete(id);
  for (const id of transactions.keys()) {
    if (transactions.size < MAX_TRANSACTIONS) break;
    transactions.delete(id);
  }
}

/** The static audience of a request object for a wallet whose metadata the verifier does not know (§5.8). */
const SELF_ISSUED_AUDIENCE = 'https://self-issued.me/v2';

/**
 * The library's verifier side (@openid4vc/openid4vp `Openid4vpVerifier`) over Kakehashi's callbacks: the access key
 * signs request objects (`x5c` signer); a response JWE decrypts only with the key of the request it answers, and
 * only ECDH-ES with A128GCM/A256GCM; a signed (not encrypted) response verifies with no key.
 */
function verifierOf(opts: { accessKey?: PidIssuerKey; responseKey?: ResponseKey | undefined }) {
  const callbacks = {
    ...oid4vcCallbacks({
      fetch: () => Promise.reject(new Error('the verifier fetches nothing for OpenID4VP')),
      ...(opts.accessKey ? { signingKey: opts.accessKey.privateKey } : {}),
      decryptionKey: (kid) =>
        opts.responseKey && kid === opts.responseKey.jwk.kid
          ? { privateKey: opts.responseKey.privateKey, publicJwk: opts.responseKey.jwk }
          : undefined,
    }),
    // direct_post.jwt answers are encrypted, never signed: no JWT of the wallet verifies here
    verifyJwt: async () => ({ verified: false as const }),
  };
  return { verifier: new Openid4vpVerifier({ callbacks: callbacks as never }), callbacks };
}

/**
 * Makes the authorization request with the library (§5): the parameters validated, and with `signed` a request
 * object (JAR, RFC 9101) signed by the verifier's access key — `typ` oauth-authz-req+jwt, `x5c` its certificate,
 * `aud` the static self-issued audience, `iat` on the virtual clock — passed by reference (the URL carries
 * `client_id` and `request_uri` only, §5.10). The request object has no `exp`: the library's wallet checks one
 * against the machine's clock, not the federation's virtual one; the request ends with its transaction instead.
 * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html#section-5
 */
export async function createAuthorizationRequest(
  params: Record<string, unknown>,
  opts: { now: Date; signed?: { requestUri: string; accessKey: PidIssuerKey } | undefined },
): Promise<{ request: AuthorizationRequestPayload; requestUrl: string; requestObject?: string }> {
  const { verifier } = verifierOf(opts.signed ? { accessKey: opts.signed.accessKey } : {});
  try {
    const made = await verifier.createOpenId4vpAuthorizationRequest({
      authorizationRequestPayload: params as never,
      now: opts.now,
      ...(opts.signed
        ? {
            jar: {
              requestUri: opts.signed.requestUri,
              jwtSigner: { method: 'x5c', alg: 'ES256', x5c: opts.signed.accessKey.x5c },
              expiresInSeconds: TRANSACTION_TTL_SECONDS,
              // 0.4.6 does not pass `now` on to the request object: its iat is set here, on the virtual clock
              additionalJwtPayload: {
                aud: SELF_ISSUED_AUDIENCE,
                iat: Math.floor(opts.now.getTime() / 1000),
                exp: undefined,
              } as never,
            },
          }
        : {}),
    });
    return {
      request: made.authorizationRequestPayload as AuthorizationRequestPayload,
      requestUrl: made.authorizationRequest,
      ...(made.jar ? { requestObject: made.jar.authorizationRequestJwt } : {}),
    };
  } catch (e) {
    throw new KakehashiError('bad-request', `The authorization request is invalid: ${libraryReason(e)}`);
  }
}

/** What came to the response URI: the wallet's refusal, or one presentation for the request's credential query. */
export type AuthorizationResponseRead =
  | { kind: 'refused'; t: Transaction; error: string; encrypted: boolean }
  | { kind: 'presentation'; t: Transaction; state: string; presentation: string; encrypted: boolean };

const COMPACT_JWE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * The authorization response at the response URI, parsed and validated by the library against the request it
 * answers: `direct_post` (form `vp_token`, `state`) or `direct_post.jwt` (form `response`: a JWE to the request's
 * key, found by its `kid`, whose payload carries `vp_token` and `state`); an error response (§8.5) plain or
 * encrypted — §8.3.1 lets a wallet that cannot encrypt send its error plain, and it carries no personal data. Our
 * own checks stay around the library's: a request made for an encrypted answer refuses a plain presentation; a
 * `response` must be a JWE (the library would also take a signed JWT); the state is the request's; a request is
 * answered once (W16); the `vp_token` is a JSON object whose keys are the query's credential query ids, with
 * exactly one presentation (a string) for the request's credential query.
 * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html#section-8.3.1
 */
export async function readAuthorizationResponse(
  form: URLSearchParams,
  transactions: Map<string, Transaction>,
  nowMs: number,
): Promise<AuthorizationResponseRead> {
  purge(transactions, nowMs);
  const byState = (s: string) => [...transactions.values()].find((x) => x.state === s);
  const jwe = form.get('response');
  if (jwe === null) {
    const refused = readErrorResponse(form, byState);
    if (refused) return { kind: 'refused', t: refused.t as Transaction, error: refused.error, encrypted: false };
  }
  let params: Record<string, unknown> = { vp_token: form.get('vp_token'), state: form.get('state') };
  let t: Transaction | undefined;
  if (jwe !== null) {
    const kid = jweKid(jwe);
    t = [...transactions.values()].find((x) => x.responseKey && x.responseKey.jwk.kid === kid);
    if (!t?.responseKey || !t.request)
      throw new KakehashiError('vp-unknown-transaction', 'The response is encrypted to no key of this verifier.');
    if (!COMPACT_JWE.test(jwe))
      throw new KakehashiError('vp-invalid-response', 'The response is not a compact JWE (direct_post.jwt, §8.3).');
    try {
      const { jarmAuthorizationResponse } = await verifyJarmAuthorizationResponse({
        jarmAuthorizationResponseJwt: jwe,
        callbacks: verifierOf({ responseKey: t.responseKey }).callbacks as never,
        expectedClientId: t.clientId,
        authorizationRequestPayload: t.request as Openid4vpAuthorizationRequest,
      });
      params = jarmAuthorizationResponse;
    } catch {
      throw new KakehashiError('vp-invalid-response', 'The response JWE does not decrypt (ECDH-ES, A128GCM/A256GCM).');
    }
    if (params.error !== undefined) {
      // the error response, encrypted as §8.3.1 asks (the state inside is this request's)
      const fields = new URLSearchParams();
      for (const k of ['error', 'error_description', 'state'])
        if (typeof params[k] === 'string') fields.set(k, params[k] as string);
      if (!fields.has('error')) throw new KakehashiError('vp-invalid-response', 'error must be a string (§8.5).');
      const own = t;
      const refused = readErrorResponse(fields, (s) => (s === own.state ? own : undefined));
      if (refused) return { kind: 'refused', t: own, error: refused.error, encrypted: true };
    }
  }
  const state = typeof params.state === 'string' ? params.state : '';
  t ??= byState(state);
  if (!t || t.state !== state)
    throw new KakehashiError('vp-unknown-transaction', 'No request of this verifier has that state (OpenID4VP §14.3).');
  if (t.responseKey && jwe === null)
    throw new KakehashiError('vp-invalid-response', 'This request asked for an encrypted response (direct_post.jwt).');
  if (t.verdict || t.error)
    throw new KakehashiError('vp-replay', 'This request was already answered: a presentation is accepted once.', {
      rule: 'W16',
    });
  let token: Record<string, unknown>;
  try {
    const raw = params.vp_token;
    token = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Record<string, unknown>;
    if (!token || typeof token !== 'object' || Array.isArray(token)) throw new Error('not an object');
  } catch {
    throw new KakehashiError('vp-invalid-response', 'vp_token is not a JSON object (OpenID4VP §8.1).');
  }
  if (!t.request) throw new KakehashiError('vp-unknown-transaction', 'No request of this verifier has that state.');
  const { verifier, callbacks } = verifierOf({ responseKey: t.responseKey });
  try {
    // the library: the response parameters, the state against the request's, the vp_token's DCQL shape
    if (jwe === null)
      await verifier.parseOpenid4vpAuthorizationResponse({
        authorizationResponse: { vp_token: token, state } as never,
        authorizationRequestPayload: t.request as Openid4vpAuthorizationRequest,
        callbacks: callbacks as never,
      });
    else
      verifier.validateOpenid4vpAuthorizationResponsePayload({
        authorizationRequestPayload: t.request as Openid4vpAuthorizationRequest,
        authorizationResponsePayload: parseOpenid4VpAuthorizationResponsePayload({ ...params, vp_token: token }),
      });
  } catch (e) {
    throw new KakehashiError('vp-invalid-response', `The authorization response is refused: ${libraryReason(e)}`);
  }
  // §8.1: the keys are ids of the query's credential queries
  const ids = new Set(t.dcql.credentials.map((c) => (c as { id: string }).id));
  const foreign = Object.keys(token).find((k) => !ids.has(k));
  if (foreign !== undefined)
    throw new KakehashiError(
      'vp-invalid-response',
      `vp_token names "${foreign.slice(0, 100)}", no credential query of the request (OpenID4VP §8.1).`,
    );
  const cq = t.dcql.credentials[0] as { id: string };
  const list = token[cq.id];
  const presentation = Array.isArray(list) && typeof list[0] === 'string' ? list[0] : undefined;
  if (!presentation || !Array.isArray(list) || list.length !== 1)
    throw new KakehashiError('vp-invalid-response', `vp_token must carry one presentation for "${cq.id}".`);
  return { kind: 'presentation', t, state, presentation, encrypted: jwe !== null };
}
