import { type KakehashiError, parseTraceparent, TRACE_QUERY_PARAM } from '@kakehashi/core';
import type { RegisteredClient } from '../clients/client-registry.ts';
import { matchRedirectUri } from '../clients/match-redirect-uri.ts';
import { type OidcErrorCode, oauthError } from '../errors/oauth-error.ts';
import { chooseAcr } from '../loa/loa.ts';
import { PKCE_VALUE } from '../pkce/verify-pkce.ts';
import type { ProviderContext } from '../provider/provider-context.ts';
import type { PendingRequest } from './z-pending-request.ts';

/** An error to send back to the (validated) redirect URI. */
export interface RedirectError {
  redirectUri: string;
  state: string | undefined;
  error: KakehashiError;
}

export type AuthorizationValidation =
  | { ok: true; client: RegisteredClient; request: PendingRequest }
  | { ok: false; redirect: RedirectError };

const SINGLE = [
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'prompt',
  'max_age',
];
const PROMPTS = ['none', 'login', 'consent', 'select_account'] as const;
type Prompt = (typeof PROMPTS)[number];

/**
 * The pairwise sector of a client: its registered sector identifier (a host, or a URL whose host is used), else
 * the host of the redirect URI.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#PairwiseAlg
 */
export function sectorOf(client: RegisteredClient, redirectUri: string): string {
  const s = client.registration.sector_identifier;
  if (s) return (/^https?:\/\//i.test(s) ? new URL(s).hostname : s).toLowerCase();
  return new URL(redirectUri).hostname.toLowerCase();
}

/**
 * Validates an authorization request in the order that keeps redirects safe: client_id and redirect_uri first —
 * an error there is shown to the user and NEVER redirected (RFC 6749 §4.1.2.1) — then everything else, answered
 * with an error redirect to the now validated URI.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequestValidation (OIDC Core §3.1.2.2)
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.4.1 (PKCE)
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1 (exact redirect URI matching, PKCE S256)
 */
export function validateAuthorizationRequest(ctx: ProviderContext, params: URLSearchParams): AuthorizationValidation {
  const clientId = params.get('client_id');
  if (!clientId) throw pageError('oidc-invalid-request', 'client_id is missing.', 'RFC 6749 §4.1.1');
  if (params.getAll('client_id').length > 1)
    throw pageError('oidc-invalid-request', 'client_id is repeated.', 'RFC 6749 §3.1');
  const client = ctx.clients.get(clientId);
  if (!client)
    throw pageError(
      'oidc-unknown-client',
      `No relying party "${clientId.slice(0, 100)}" is registered at node ${ctx.deps.country} (the test RP is kakehashi-demo-rp; GET /admin/oidc/clients lists them).`,
      'OIDC Core §3.1.2.2',
    );
  const redirectUri = params.get('redirect_uri');
  if (!redirectUri || params.getAll('redirect_uri').length > 1)
    throw pageError(
      'oidc-invalid-redirect-uri',
      'redirect_uri is missing or repeated (OIDC requires it).',
      'OIDC Core §3.1.2.1',
    );
  if (
    !matchRedirectUri(redirectUri, {
      redirect_uris: client.registration.redirect_uris,
      anyLoopback: client.anyLoopback,
    })
  )
    throw pageError(
      'oidc-invalid-redirect-uri',
      `The redirect_uri is not registered for ${clientId} (exact match required${client.anyLoopback ? '; or any http loopback URI, RFC 8252' : ''}); no redirect was made.`,
      'RFC 9700 §4.1.3',
    );

  const state = params.get('state') ?? undefined;
  const fail = (code: OidcErrorCode, description: string, rule?: string): AuthorizationValidation => ({
    ok: false,
    redirect: { redirectUri, state, error: oauthError(code, description, rule) },
  });
  for (const name of SINGLE)
    if (params.getAll(name).length > 1) return fail('oidc-invalid-request', `${name} is repeated.`, 'RFC 6749 §3.1');
  if (params.has('request') || params.has('request_uri'))
    return fail('oidc-invalid-request', 'Request objects (request, request_uri) are not supported.', 'OIDC Core §6');
  if (params.get('response_type') !== 'code')
    return fail('oidc-unsupported-response-type', 'Only response_type=code is supported.', 'OIDC Core §3.1.2.1');
  const responseMode = params.get('response_mode');
  if (responseMode && responseMode !== 'query')
    return fail(
      'oidc-invalid-request',
      'Only response_mode=query is supported.',
      'OAuth 2.0 Multiple Response Types §2.1',
    );
  const scope = params.get('scope') ?? '';
  if (!scope.split(' ').includes('openid'))
    return fail('oidc-invalid-scope', 'The scope must contain openid.', 'OIDC Core §3.1.2.1');
  if (!state) return fail('oidc-invalid-request', 'state is required (CSRF protection).', 'RFC 9700 §4.7');
  const nonce = params.get('nonce');
  if (!nonce) return fail('oidc-invalid-request', 'nonce is required.', 'OIDC Core §3.1.2.1');
  if (nonce.length > 200 || state.length > 500)
    return fail('oidc-invalid-request', 'state (500) or nonce (200) is too long.');
  const challenge = params.get('code_challenge');
  const method = params.get('code_challenge_method');
  if (!challenge)
    return fail(
      'oidc-invalid-request',
      'PKCE is required: send code_challenge with code_challenge_method=S256.',
      'RFC 9700 §2.1.1',
    );
  if (method !== 'S256')
    return fail(
      'oidc-invalid-request',
      `code_challenge_method must be S256 (got ${method ? `"${method.slice(0, 20)}"` : 'none, which means plain'}): transform algorithm not supported.`,
      'RFC 7636 §4.4.1',
    );
  if (!PKCE_VALUE.test(challenge) || challenge.length !== 43)
    return fail(
      'oidc-invalid-request',
      'code_challenge is not a base64url SHA-256 value (43 characters).',
      'RFC 7636 §4.2',
    );
  let prompt: Prompt[] | undefined;
  const promptParam = params.get('prompt');
  if (promptParam !== null) {
    const values = promptParam.split(' ').filter(Boolean);
    const unknown = values.find((p) => !(PROMPTS as readonly string[]).includes(p));
    if (unknown !== undefined)
      return fail(
        'oidc-invalid-request',
        `prompt=${unknown.slice(0, 20)} is not supported (none, login, consent, select_account).`,
        'OIDC Core §3.1.2.1',
      );
    if (values.includes('none') && values.length > 1)
      return fail('oidc-invalid-request', 'prompt=none cannot be combined with other values.', 'OIDC Core §3.1.2.1');
    prompt = values as Prompt[];
  }
  const maxAgeParam = params.get('max_age');
  if (maxAgeParam !== null && !/^\d{1,9}$/.test(maxAgeParam))
    return fail('oidc-invalid-request', 'max_age must be a number of seconds (0 or more).', 'OIDC Core §3.1.2.1');
  const requestedAcr = (params.get('acr_values') ?? '').split(' ').filter(Boolean);
  let acr: PendingRequest['acr'];
  if (requestedAcr.length > 0) {
    acr = chooseAcr(requestedAcr, ctx.deps.loa);
    if (!acr)
      return fail(
        'oidc-unmet-authentication-requirements',
        `None of the requested acr_values can be met: node ${ctx.deps.country} offers up to ${ctx.deps.loa}.`,
        'eIDAS LoA (minimum comparison)',
      );
  }
  return {
    ok: true,
    client,
    request: {
      clientId,
      redirectUri,
      state,
      nonce,
      codeChallenge: challenge,
      scope: grantedScope(client, scope, prompt),
      ...(prompt ? { prompt } : {}),
      ...(maxAgeParam !== null ? { maxAge: Number(maxAgeParam) } : {}),
      ...(acr ? { acr } : {}),
      sector: sectorOf(client, redirectUri),
      ...(traceOf(params) ? { traceparent: traceOf(params) } : {}),
    },
  };
}

/**
 * The scope granted: `offline_access` (a refresh token) only for a client registered for the refresh_token grant
 * that asked with `prompt=consent` — this TEST-ONLY provider shows no consent screen, so the prompt stands for the
 * consent; otherwise it is dropped, as the spec says, and the rest of the scope is granted.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#OfflineAccess (OIDC Core §11)
 */
function grantedScope(client: RegisteredClient, scope: string, prompt: readonly Prompt[] | undefined): string {
  const values = scope.split(' ').filter(Boolean);
  if (!values.includes('offline_access')) return scope;
  if (client.grantTypes.includes('refresh_token') && prompt?.includes('consent')) return values.join(' ');
  return values.filter((v) => v !== 'offline_access').join(' ');
}

/** A well-formed `kakehashi_trace` (W3C traceparent) of the request, to hand back on the redirect. */
function traceOf(params: URLSearchParams): string | undefined {
  const t = params.get(TRACE_QUERY_PARAM);
  return t && parseTraceparent(t) ? t : undefined;
}

function pageError(code: OidcErrorCode, description: string, rule: string): KakehashiError {
  return oauthError(code, description, rule);
}

/**
 * The error redirect: `error`, `error_description`, `state` and `iss` added to the redirect URI's query.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 * @see https://www.rfc-editor.org/rfc/rfc9207 (iss in the authorization response)
 */
export function errorRedirectUrl(e: RedirectError, issuer: string, error: string): string {
  const u = new URL(e.redirectUri);
  u.searchParams.set('error', error);
  u.searchParams.set('error_description', e.error.message);
  if (e.state !== undefined) u.searchParams.set('state', e.state);
  u.searchParams.set('iss', issuer);
  return u.toString();
}
