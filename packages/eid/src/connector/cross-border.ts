import { randomBytes } from 'node:crypto';
import { formatTraceparent, recordHop as record, TRACE_QUERY_PARAM } from '@kakehashi/core';
import type { Context } from 'hono';
import { newSecret, sha256Hex } from '../authorize/issue-code.ts';
import type { RedirectError } from '../authorize/validate-authorization-request.ts';
import type { PendingRequest } from '../authorize/z-pending-request.ts';
import { oauthError } from '../errors/oauth-error.ts';
import { s256Challenge } from '../pkce/verify-pkce.ts';
import type { ProviderContext } from '../provider/provider-context.ts';
import { connectorCallback, connectorClientId } from './connector-client.ts';

/** How long the connector waits for the foreign proxy service's answer (virtual clock). */
export const CONNECTOR_PENDING_TTL_SECONDS = 600;
/** The query parameter (or picker choice) that sends a login to another country's proxy service. */
export const CROSS_BORDER_COUNTRY_PARAM = 'kakehashi_country';

/** What the connector keeps while the foreign proxy service answers (table `eid_connector_pending`). */
export interface ConnectorPending {
  request: PendingRequest;
  country: string;
  issuer: string;
  nonce: string;
  verifier: string;
}

/**
 * The eIDAS connector of this node (country B) starts the authentication of a citizen of country A for one
 * of B's relying parties: it keeps the relying party's request, and sends the browser through the hub
 * (`GET <hub>/eid/proxy/A/authorize`) to A's proxy service as the OIDC client `urn:kakehashi:connector:B`,
 * with its own state, nonce, PKCE S256 and the relying party's minimum LoA. A headless persona is passed on.
 * Returns the redirect, or the error redirect to the relying party.
 * @see eIDAS Interoperability Architecture v1.4 §3 (connector ↔ proxy service)
 */
export async function startCrossBorder(
  ctx: ProviderContext,
  c: Context,
  request: PendingRequest,
  country: string,
  headlessPersona: string | undefined,
): Promise<{ location: string } | { redirect: RedirectError }> {
  const federation = ctx.deps.federation;
  const fail = (description: string) => ({
    redirect: {
      redirectUri: request.redirectUri,
      state: request.state,
      error: oauthError('oidc-access-denied', description, 'eIDAS connector'),
    },
  });
  if (!federation) return fail(`Node ${ctx.deps.country} has no eIDAS connector configured.`);
  const fetcher = c.get('fetch') as typeof fetch;
  const peer = await federation.lookupPeer(country, fetcher);
  if (!peer)
    return fail(
      `No trusted node ${country} is registered at the hub: pick a country from the list (GET /peers shows them).`,
    );
  const state = newSecret();
  const pending: ConnectorPending = {
    request,
    country,
    issuer: peer.url,
    nonce: newSecret(),
    verifier: randomBytes(32).toString('base64url'),
  };
  ctx.deps.store.run('DELETE FROM eid_connector_pending WHERE expires_at < ?', ctx.nowSeconds());
  ctx.deps.store.run(
    'INSERT INTO eid_connector_pending (state_hash, data, expires_at) VALUES (?, ?, ?)',
    sha256Hex(state),
    JSON.stringify(pending),
    ctx.nowSeconds() + CONNECTOR_PENDING_TTL_SECONDS,
  );
  const u = new URL(`${federation.hubUrl}/eid/proxy/${country}/authorize`);
  const q = u.searchParams;
  q.set('response_type', 'code');
  q.set('client_id', connectorClientId(ctx.deps.country));
  q.set('redirect_uri', connectorCallback(ctx.issuer));
  q.set('scope', 'openid');
  q.set('state', state);
  q.set('nonce', pending.nonce);
  q.set('code_challenge', s256Challenge(pending.verifier));
  q.set('code_challenge_method', 'S256');
  if (request.acr) q.set('acr_values', request.acr);
  if (headlessPersona) q.set('kakehashi_persona', headlessPersona);
  q.set(TRACE_QUERY_PARAM, formatTraceparent(c.get('trace')));
  recordHop(ctx, c, {
    operation: `eid connector: cross-border authentication of a citizen of ${country} started`,
    peer: `${federation.hubUrl}/eid/proxy/${country}`,
    artefact: {
      type: 'authorization_request',
      relyingParty: request.clientId,
      proxyService: peer.url,
      params: Object.fromEntries([...q.entries()].filter(([k]) => k !== 'state' && k !== 'nonce')),
    },
  });
  return { location: u.toString() };
}

/** Records an `internal` trace event of the connector in the request's trace. */
export function recordHop(
  ctx: ProviderContext,
  c: Context,
  e: { operation: string; peer?: string; artefact?: unknown; verdict?: { valid: boolean; checks?: unknown[] } },
): void {
  record(ctx.deps.traces, ctx.deps.clock, c.get('trace'), {
    component: 'node',
    country: ctx.deps.country,
    direction: 'internal',
    ...e,
  });
}
