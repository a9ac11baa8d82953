import { createRoute, z } from '@hono/zod-openapi';
import {
  type ComponentApp,
  createRouteModule,
  FAULT_PARAM,
  langLink,
  pageLang,
  problemResponses,
} from '@kakehashi/core';
import type { Context } from 'hono';
import { cardChallenge } from '../card/card-login.ts';
import { connectorCountry, ensureConnectorClient } from '../connector/connector-client.ts';
import { CROSS_BORDER_COUNTRY_PARAM } from '../connector/cross-border.ts';
import '../error-codes.ts';
import { oauthError } from '../errors/oauth-error.ts';
import { customIdentity, identityFromPersona } from '../id-token/build-identity.ts';
import { type AuthenticatedIdentity, CustomIdentityInputSchema } from '../id-token/z-identity.ts';
import { noStore, readOAuthForm, redirectError } from '../provider/oauth-http.ts';
import type { ProviderContext } from '../provider/provider-context.ts';
import { AUTHORIZE_QUERY_PARAMETERS } from './authorize-parameters.ts';
import { newSecret } from './issue-code.ts';
import { completeLogin, consumePending, crossBorderLogin, HEADLESS_PERSONA_PARAM, storePending } from './login-flow.ts';
import { pickerCsp } from './page-csp.ts';
import { renderPersonaPicker } from './render-persona-picker.ts';
import { requestedIdTokenFault, withRequestedFault } from './requested-fault.ts';
import { answerFromSession } from './resume-session.ts';
import { validateAuthorizationRequest } from './validate-authorization-request.ts';

const tags = ['eid'];

/**
 * The authorization endpoint and the persona picker's form post: headless login with `kakehashi_persona`, the
 * TEST-ONLY picker (with the connector's country selection), or a citizen of another country sent through the hub.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthorizationEndpoint (OIDC Core §3.1.2)
 * @see https://www.rfc-editor.org/rfc/rfc9700 (OAuth 2.0 Security Best Current Practice)
 */
export function authorizeRoutes(ctx: ProviderContext): ComponentApp {
  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'get',
      path: '/oidc/authorize',
      tags,
      summary:
        'Authorization endpoint (code + PKCE S256). Shows the TEST-ONLY persona picker (with the country selection of the eIDAS connector), or with kakehashi_persona=<id> (or header X-Kakehashi-Persona) redirects at once with code, state, iss; kakehashi_country=<CC> sends a citizen of another country through the hub to that country',
      description:
        'Errors before the redirect URI is validated (unknown client, unregistered redirect_uri) are answered here and never redirected; later errors are OAuth error redirects (error, error_description, state, iss). A login session (cookie) answers at once unless prompt, max_age or an explicit kakehashi_persona / kakehashi_country ask for a new authentication.',
      parameters: AUTHORIZE_QUERY_PARAMETERS,
      responses: {
        200: { description: 'The TEST-ONLY persona picker', content: { 'text/html': { schema: z.string() } } },
        302: { description: 'To the relying party (code or OAuth error), or through the hub to another country' },
        ...problemResponses(400),
      },
    }),
    (c) => authorize(ctx, c),
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/oidc/login',
      tags,
      summary:
        'The picker form posts here (request_id and persona, or family_name, given_name, birthdate; TEST ONLY kakehashi_fault: an id-token.* fault for this login); 303 to the RP',
      responses: {
        302: { description: 'Through the hub to the proxy service of the chosen country' },
        303: { description: 'To the relying party with a code (or an OAuth error)' },
        ...problemResponses(400),
      },
    }),
    async (c) => pickerLogin(ctx, c, await readOAuthForm(c)),
  );
  return r;
}

/** `GET /oidc/authorize`: validate, then headless login, the picker, or the connector. */
async function authorize(ctx: ProviderContext, c: Context): Promise<Response> {
  const { deps, issuer } = ctx;
  const params = new URL(c.req.url).searchParams;
  // A peer's eIDAS connector is registered from the hub's registry, never by hand.
  const clientId = params.get('client_id') ?? '';
  if (connectorCountry(clientId)) await ensureConnectorClient(ctx, clientId, c.get('fetch'));
  const validated = validateAuthorizationRequest(ctx, params);
  if (!validated.ok) return redirectError(c, validated.redirect, issuer);
  // A login may ask for one ID-token fault: it travels with the request, the code, and the token endpoint mints it.
  const v = { ...validated, request: withRequestedFault(validated.request, requestedIdTokenFault(ctx, c, params)) };
  const headless = params.get(HEADLESS_PERSONA_PARAM) ?? c.req.header('x-kakehashi-persona');
  const country = (params.get(CROSS_BORDER_COUNTRY_PARAM) ?? '').toUpperCase();
  const fromSession = answerFromSession(ctx, c, v.request, Boolean(headless || country));
  if (fromSession) return fromSession;
  if (country && country !== deps.country) return crossBorderLogin(ctx, c, v.request, country, headless);
  if (headless) {
    const persona = ctx.personas.get(headless);
    if (!persona)
      return redirectError(
        c,
        {
          redirectUri: v.request.redirectUri,
          state: v.request.state,
          error: oauthError(
            'oidc-invalid-request',
            `${HEADLESS_PERSONA_PARAM} names no persona of node ${deps.country} (GET /personas lists them).`,
          ),
        },
        issuer,
      );
    return completeLogin(ctx, c, v.request, identityFromPersona(persona), 302);
  }
  const requestId = newSecret();
  storePending(ctx, requestId, v.request);
  // The country selection is for this node's own relying parties; a peer's connector already chose this country.
  const connector = connectorCountry(clientId) !== undefined;
  const countries =
    deps.federation && !connector ? await deps.federation.listPeers(c.get('fetch')).catch(() => []) : [];
  noStore(c);
  c.header('x-frame-options', 'DENY');
  // The forms post here; the answer redirects to the relying party, or for a citizen of another country through
  // the hub's relay to the peer: browsers enforce form-action on every redirect, so those origins are allowed.
  // A peer's connector redirects on to its own relying parties, which this node cannot know: any web origin.
  const abroad =
    countries.length > 0 && deps.federation ? [deps.federation.hubUrl, ...countries.map((p) => p.url)] : [];
  c.header('content-security-policy', pickerCsp([v.request.redirectUri, ...abroad], { anyWebOrigin: connector }));
  return c.html(
    renderPersonaPicker({
      country: deps.country,
      nodeName: `node ${deps.country}`,
      clientName: v.client.registration.client_name ?? v.client.registration.client_id,
      requestId,
      personas: deps.personas,
      ...(deps.card
        ? { card: { challenge: cardChallenge(issuer, requestId), reader: deps.card.readCard !== undefined } }
        : {}),
      countries,
      lang: pageLang(c),
      langLinks: { en: langLink(c, 'en'), ja: langLink(c, 'ja') },
    }),
  );
}

/** `POST /oidc/login`: a persona, a custom identity, or a country abroad for the pending request. */
function pickerLogin(ctx: ProviderContext, c: Context, form: URLSearchParams): Promise<Response> | Response {
  const { deps } = ctx;
  const requestId = form.get('request_id') ?? '';
  // The form (or the query, or the header) may ask for an ID-token fault too, replacing the authorization request's.
  const fault = requestedIdTokenFault(ctx, c, form.has(FAULT_PARAM) ? form : new URL(c.req.url).searchParams);
  const pending = () => withRequestedFault(consumePending(ctx, requestId), fault);
  const abroad = form.get('country')?.toUpperCase();
  if (abroad && abroad !== deps.country) return crossBorderLogin(ctx, c, pending(), abroad);
  const personaId = form.get('persona');
  let identity: AuthenticatedIdentity;
  if (personaId) {
    const persona = ctx.personas.get(personaId);
    if (!persona)
      throw oauthError('oidc-invalid-request', `No persona "${personaId.slice(0, 40)}" at node ${deps.country}.`);
    identity = identityFromPersona(persona);
  } else {
    const parsed = CustomIdentityInputSchema.safeParse({
      family_name: form.get('family_name') ?? '',
      given_name: form.get('given_name') ?? '',
      birthdate: form.get('birthdate') ?? '',
    });
    if (!parsed.success)
      throw oauthError(
        'oidc-invalid-request',
        'Pick a persona, or give a custom identity: family_name, given_name and birthdate (YYYY-MM-DD).',
      );
    identity = customIdentity(ctx.keys.customIdentityKey, parsed.data, deps.loa);
  }
  return completeLogin(ctx, c, pending(), identity, 303);
}
