import { randomBytes, timingSafeEqual } from 'node:crypto';
import { KakehashiError } from '@kakehashi/core';

/** The OpenID4VP error codes a wallet may post to the response URI instead of a `vp_token` (§8.5, RFC 6749 §4.1.2.1). */
export const WALLET_ERRORS = [
  'access_denied',
  'invalid_request',
  'invalid_client',
  'vp_formats_not_supported',
  'invalid_request_uri_method',
  'invalid_transaction_data',
  'wallet_unavailable',
] as const;

/** What the response URI keeps of a request's outcome beside the verdict: the same-device redirect and a refusal. */
export interface ResponseOutcome {
  /** Same-device: where the wallet sends the user agent after posting (the relying party's page). */
  redirectUri?: string;
  /** Same-device: the fresh code in that redirect; the verdict is read only with it (§13.3, session fixation). */
  responseCode?: string;
  /** The wallet's error answer (`access_denied` when the user declined). */
  error?: { error: string; error_description?: string };
  verdict?: unknown;
  state: string;
}

/**
 * The wallet's error response posted to the response URI (`error`, `error_description`, `state`, OpenID4VP §8.5):
 * the request is then answered — refused by the wallet — and cannot be answered again. Undefined when the form
 * carries no `error`.
 * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html#section-8.5
 */
export function readErrorResponse(
  form: URLSearchParams,
  find: (state: string) => ResponseOutcome | undefined,
): { t: ResponseOutcome; error: string } | undefined {
  const error = form.get('error');
  if (error === null) return undefined;
  if (!(WALLET_ERRORS as readonly string[]).includes(error))
    throw new KakehashiError(
      'vp-invalid-response',
      `error must be one of ${WALLET_ERRORS.join(', ')} (OpenID4VP §8.5).`,
    );
  const state = form.get('state') ?? '';
  const t = find(state);
  if (!t || t.state !== state)
    throw new KakehashiError('vp-unknown-transaction', 'No request of this verifier has that state (OpenID4VP §14.3).');
  if (t.verdict || t.error)
    throw new KakehashiError('vp-replay', 'This request was already answered: a presentation is accepted once.', {
      rule: 'W16',
    });
  const description = form.get('error_description');
  t.error = { error, ...(description ? { error_description: description.slice(0, 500) } : {}) };
  return { t, error };
}

/**
 * The response URI's answer once a request is answered (§8.2): for a same-device request, the relying party's
 * `redirect_uri` with a fresh `response_code` (as a query parameter, so that the relying party's page reads it
 * server-side); for a cross-device one, no redirect.
 * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html#section-8.2
 */
export function answerOf(t: ResponseOutcome): { received: true; redirect_uri?: string } {
  if (!t.redirectUri) return { received: true };
  t.responseCode = randomBytes(24).toString('base64url');
  const url = new URL(t.redirectUri);
  url.searchParams.set('response_code', t.responseCode);
  return { received: true, redirect_uri: url.toString() };
}

/**
 * Whether the relying party may read a request's outcome: a same-device request once answered only with its
 * `response_code` (whoever merely knows the transaction — an attacker who planted the request in a victim's
 * wallet — learns nothing; §13.3, §14.2). Throws 403 `vp-response-code-invalid` otherwise.
 * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html#section-14.2
 */
export function requireResponseCode(t: ResponseOutcome, given: string | undefined): void {
  if (!t.responseCode) return;
  const a = Buffer.from(t.responseCode);
  const b = Buffer.from(given ?? '');
  if (a.length !== b.length || !timingSafeEqual(a, b))
    throw new KakehashiError(
      'vp-response-code-invalid',
      'A same-device request is read with the response_code its redirect carried (OpenID4VP §13.3).',
    );
}
