import { randomBytes } from 'node:crypto';
import { createRoute } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule, KakehashiError, problemResponses } from '@kakehashi/core';
import type { Loa } from '@kakehashi/personas';
import type { Context } from 'hono';
import { SignJWT } from 'jose';
import { issueCode, sha256Hex } from '../authorize/issue-code.ts';
import { errorRedirectUrl, type RedirectError } from '../authorize/validate-authorization-request.ts';
import { PendingRequestSchema } from '../authorize/z-pending-request.ts';
import { JWT_BEARER_ASSERTION } from '../client-auth/authenticate-client.ts';
import { startSession } from '../session/login-session.ts';
import '../error-codes.ts';
import { type OidcErrorCode, oauthError, oauthErrorName } from '../errors/oauth-error.ts';
import type { AuthenticatedIdentity } from '../id-token/z-identity.ts';
import { loaRank } from '../loa/loa.ts';
import type { ProviderContext } from '../provider/provider-context.ts';
import { parseCompactJwt } from '../validate/parse-compact-jwt.ts';
import { certificateKeyId, connectorCallback, connectorClientId } from './connector-client.ts';
import { type ConnectorPending, recordHop } from './cross-border.ts';

/**
 * The eIDAS connector's callback: the foreign proxy service's answer to a cross-border login.
 * @see eIDAS Interoperability Architecture v1.4 §3 (connector ↔ proxy service)
 */
export function connectorRoutes(ctx: ProviderContext): ComponentApp {
  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'get',
      path: '/eid/connector/callback',
      tags: ['eid'],
      summary:
        "eIDAS connector: the foreign proxy service's answer (code, state, iss). Redeems the code through the hub with private_key_jwt, validates the ID token (J1–J17), then redirects to the relying party with this node's own code",
      responses: {
        302: { description: "To the relying party with this node's code, or access_denied naming the rule" },
        ...problemResponses(400),
      },
    }),
    (c) => completeCrossBorder(ctx, c),
  );
  return r;
}

/**
 * Checks the state (single use) and `iss` (RFC 9207), redeems the code through the hub with `private_key_jwt`,
 * validates the ID token with the validation service's J-rules against the trust fabric (issuer, audience = this
 * connector, nonce, minimum LoA), and completes the relying party's request with the foreign identity — or sends
 * it an `access_denied` naming the rule that failed. A linear sequence of steps, each refusing with its reason.
 * @see https://www.rfc-editor.org/rfc/rfc9207 (iss)
 * @see https://www.rfc-editor.org/rfc/rfc7523 (private_key_jwt)
 */
async function completeCrossBorder(ctx: ProviderContext, c: Context): Promise<Response> {
  const federation = ctx.deps.federation;
  if (!federation) throw new KakehashiError('not-found', `Node ${ctx.deps.country} has no eIDAS connector.`);
  const params = new URL(c.req.url).searchParams;
  const state = params.get('state') ?? '';
  const hash = sha256Hex(state);
  const row = ctx.deps.store.get<{ data: string; expires_at: number }>(
    'SELECT data, expires_at FROM eid_connector_pending WHERE state_hash = ?',
    hash,
  );
  ctx.deps.store.run('DELETE FROM eid_connector_pending WHERE state_hash = ?', hash);
  if (!row || row.expires_at < ctx.nowSeconds())
    throw oauthError(
      'oidc-request-expired',
      'This cross-border login is unknown, already completed or expired: start again from the relying party.',
      'OIDC Core §3.1.2.7 (state)',
    );
  const raw = JSON.parse(row.data) as ConnectorPending;
  const pending: ConnectorPending = { ...raw, request: PendingRequestSchema.parse(raw.request) };
  const { request } = pending;
  const deny = (description: string, rule?: string, code: OidcErrorCode = 'oidc-access-denied'): Response => {
    recordHop(ctx, c, {
      operation: `eid connector: cross-border authentication via ${pending.country} refused`,
      peer: pending.issuer,
      artefact: { type: 'connector_result', reason: description },
      verdict: { valid: false },
    });
    return redirectTo(c, ctx, {
      redirectUri: request.redirectUri,
      state: request.state,
      error: oauthError(code, description, rule),
    });
  };
  const error = params.get('error');
  if (error)
    return deny(
      `The proxy service of ${pending.country} answered ${error.slice(0, 60)}: ${(params.get('error_description') ?? '').slice(0, 300)}`,
    );
  if (params.get('iss') !== pending.issuer)
    return deny(`The answer does not come from ${pending.issuer} (iss mismatch).`, 'RFC 9207 §2.4');
  const code = params.get('code');
  if (!code) return deny('The proxy service answered without a code.', 'OIDC Core §3.1.2.5');

  const fetcher = c.get('fetch') as typeof fetch;
  const clientId = connectorClientId(ctx.deps.country);
  const now = ctx.nowSeconds();
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: certificateKeyId(federation.signing.certPem), typ: 'JWT' })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(`${pending.issuer}/oidc/token`)
    .setJti(randomBytes(16).toString('base64url'))
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .sign(federation.signing.privateKey);
  const res = await fetcher(`${federation.hubUrl}/eid/proxy/${pending.country}/token`, {
    signal: AbortSignal.timeout(CONNECTOR_TOKEN_TIMEOUT_MS),
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: connectorCallback(ctx.issuer),
      code_verifier: pending.verifier,
      client_id: clientId,
      client_assertion_type: JWT_BEARER_ASSERTION,
      client_assertion: assertion,
    }).toString(),
  }).catch((cause: unknown) => upstreamFailure(cause, federation.hubUrl));
  if (upstreamFailed(res))
    // The state is spent: the relying party learns that the login ended, and that retrying later may work.
    return deny(res.description, 'RFC 6749 §4.1.2.1', res.code);
  const body = (await res.json().catch(() => ({}))) as {
    id_token?: unknown;
    error?: string;
    error_description?: string;
  };
  if ([502, 503, 504].includes(res.status))
    return deny(
      `The token endpoint of ${pending.country} is unavailable (the hub answered ${res.status}): ${(body.error_description ?? '').slice(0, 300)}`,
      'RFC 6749 §4.1.2.1',
      res.status === 504 ? 'upstream-timeout' : 'upstream-unavailable',
    );
  if (!res.ok || typeof body.id_token !== 'string')
    return deny(
      `The token endpoint of ${pending.country} answered ${res.status} ${body.error ?? ''}: ${(body.error_description ?? '').slice(0, 300)}`,
    );
  const verdict = await federation.validateIdToken(
    body.id_token,
    {
      issuer: pending.issuer,
      audience: clientId,
      nonce: pending.nonce,
      ...(request.acr ? { requestedLoa: request.acr } : {}),
    },
    fetcher,
  );
  const decoded = parseCompactJwt(body.id_token);
  recordHop(ctx, c, {
    operation: `eid connector: ID token from ${pending.country} validated`,
    peer: pending.issuer,
    artefact: {
      type: 'id_token',
      unverified: !verdict.valid,
      ...(decoded.ok ? { header: decoded.jwt.header, claims: decoded.jwt.payload } : {}),
    },
    verdict: { valid: verdict.valid, checks: verdict.checks },
  });
  if (verdict.failure?.code === 'jwt-issuer-keys-unavailable')
    return deny(
      `The keys of ${pending.country}'s proxy service are unavailable: ${verdict.failure.reason.slice(0, 300)}`,
      verdict.failure.rule,
      'upstream-unavailable',
    );
  if (!verdict.valid || !verdict.identity)
    return deny(
      `The ID token from ${pending.country} failed ${verdict.failure?.rule ?? 'validation'}: ${verdict.failure?.reason ?? ''}`,
      verdict.failure?.rule,
    );
  const id = verdict.identity;
  const personIdentifier = id.eidas_person_identifier ?? '';
  if (!personIdentifier.startsWith(`${pending.country}/${ctx.deps.country}/`))
    return deny(
      `The PersonIdentifier must read ${pending.country}/${ctx.deps.country}/… for this connector.`,
      'eIDAS SAML Attribute Profile §2.2.3',
    );
  const identity: AuthenticatedIdentity = {
    subjectId: `xborder:${personIdentifier}`,
    familyName: id.family_name ?? '',
    givenName: id.given_name ?? '',
    ...(id.eidas_family_name_latin ? { familyNameLatin: id.eidas_family_name_latin } : {}),
    ...(id.eidas_given_name_latin ? { givenNameLatin: id.eidas_given_name_latin } : {}),
    birthdate: id.birthdate ?? '',
    loa: (id.acr ?? '') as Loa,
    custom: false,
    foreign: { country: pending.country, issuer: pending.issuer, personIdentifier },
  };
  if (loaRank(identity.loa) === 0) return deny('The foreign ID token carries no eIDAS LoA in acr.', 'J16');
  // No transaction: the code is kept in memory and the session written behind the request (see `GrantWrites`).
  const r = issueCode(ctx, request, identity, startSession(ctx, c, identity));
  if (!r.ok) return redirectTo(c, ctx, r.redirect);
  recordHop(ctx, c, {
    operation: `eid connector: citizen of ${pending.country} authenticated for ${request.clientId}`,
    peer: request.redirectUri,
    artefact: { type: 'connector_result', personIdentifier, acr: identity.loa, relyingParty: request.clientId },
    verdict: { valid: true },
  });
  c.header('cache-control', 'no-store');
  return c.redirect(r.location, 302);
}

/** How long the connector waits for the hub's token relay (which itself waits for country A). */
export const CONNECTOR_TOKEN_TIMEOUT_MS = 15_000;

interface UpstreamFailure {
  failed: true;
  code: 'upstream-unavailable' | 'upstream-timeout';
  description: string;
}

const upstreamFailed = (r: Response | UpstreamFailure): r is UpstreamFailure => 'failed' in r;

/** A fetch that threw: a timeout (our AbortSignal) or an unreachable hub. */
function upstreamFailure(cause: unknown, hubUrl: string): UpstreamFailure {
  const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
  return timedOut
    ? {
        failed: true,
        code: 'upstream-timeout',
        description: `The hub at ${hubUrl} did not answer the token request within ${CONNECTOR_TOKEN_TIMEOUT_MS} ms: try again later.`,
      }
    : {
        failed: true,
        code: 'upstream-unavailable',
        description: `The hub at ${hubUrl} did not answer the token request (unreachable): try again later.`,
      };
}

function redirectTo(c: Context, ctx: ProviderContext, e: RedirectError): Response {
  c.header('cache-control', 'no-store');
  return c.redirect(errorRedirectUrl(e, ctx.issuer, oauthErrorName(e.error)), 302);
}
