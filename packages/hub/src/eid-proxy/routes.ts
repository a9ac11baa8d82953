import { createRoute, z } from '@hono/zod-openapi';
import {
  type Clock,
  type ComponentApp,
  createRouteModule,
  type FaultSwitchboard,
  KakehashiError,
  type Logger,
  problemResponses,
  recordHop,
  type TraceContext,
  type TraceSink,
} from '@kakehashi/core';
import { relayFaults } from '../faults/hub-faults.ts';
import type { RegistryStore } from '../registry/registry-store.ts';
import { decodeAuthnRequest } from './decode-authn-request.ts';

/** The hub's relay between a connector (country B) and a proxy service (country A). */
export interface EidProxyDeps {
  registry: RegistryStore;
  clock: Clock;
  traces: TraceSink;
  logger?: Logger;
  /** The hub's fault switches (`hub.relay-slow`, `hub.relay-failing`). */
  faults: FaultSwitchboard;
  /** How long the relay waits while `hub.relay-slow` is on (the `relaySlowMs` option, read per request). */
  relaySlowMs: () => number;
}

const CONNECTOR = /^urn:kakehashi:connector:([A-Z]{2})$/;
/** How long the relay waits for a proxy service's token endpoint before answering 504. */
export const RELAY_TIMEOUT_MS = 10_000;
/** Largest token request the relay forwards (a form with a client assertion is ~2 KB). */
const MAX_TOKEN_REQUEST_BYTES = 16_384;

const tags = ['eid'];
// Any string: an unknown country is `not-found` (the relay knows no such node), not a schema failure.
const CountryParam = z.object({
  country: z
    .string()
    .openapi({ param: { name: 'country', in: 'path' }, description: 'ISO 3166 code of the citizen’s country (A)' }),
});

const optional = (description: string) => z.string().optional().openapi({ description });
/** The OpenID Connect authentication request, forwarded unchanged (country A's /oidc/authorize checks it). */
const AuthorizeQuery = z.object({
  client_id: optional('urn:kakehashi:connector:<B> (required: only registered connectors use the relay)'),
  redirect_uri: optional("The connector's callback"),
  response_type: optional('code'),
  scope: optional('openid …'),
  state: optional('Opaque to the relay'),
  nonce: optional('Opaque to the relay'),
  code_challenge: optional('PKCE S256'),
  code_challenge_method: optional('S256'),
});
/** The signed SAML AuthnRequest (HTTP-Redirect binding), forwarded unchanged. */
const SamlQuery = z.object({
  SAMLRequest: optional('AuthnRequest, DEFLATE then base64'),
  RelayState: optional('Opaque to the relay'),
  SigAlg: optional('Signature algorithm URI'),
  Signature: optional('Signature over the query, base64'),
});

/** The front channel's 502: only while the fault `hub.relay-failing` is on (the relay itself only redirects). */
const relayFailingProblem = {
  ...problemResponses(502)[502],
  description: 'RFC 9457 problem upstream-unavailable: the relay is failing (fault hub.relay-failing)',
};
/** The front channel's 504: only while `hub.relay-slow` is on, when the caller gave up waiting. */
const relaySlowProblem = {
  ...problemResponses(504)[504],
  description: 'RFC 9457 problem upstream-timeout: the relay was slow (fault hub.relay-slow) and its caller gave up',
};

const authorize = createRoute({
  method: 'get',
  path: '/eid/proxy/{country}/authorize',
  tags,
  summary:
    "Cross-border eID relay, front channel: the connector of country B sends the browser here; the hub records the hop and redirects to country A's proxy service (its /oidc/authorize, same query)",
  description:
    'The query is an OpenID Connect authentication request whose client_id is urn:kakehashi:connector:<B>; it is forwarded unchanged.',
  request: { params: CountryParam, query: AuthorizeQuery },
  responses: {
    302: { description: "Redirect to country A's /oidc/authorize with the same query" },
    ...problemResponses(400, 404),
    502: relayFailingProblem,
    504: relaySlowProblem,
  },
});

const saml = createRoute({
  method: 'get',
  path: '/eid/proxy/{country}/saml',
  tags,
  summary:
    "Cross-border eID relay for eIDAS SAML (HTTP-Redirect binding): the connector of country B sends its signed AuthnRequest here; the hub checks that the Destination is country A's proxy service and the Issuer a registered connector, records the decoded request, and redirects with the same signed query",
  description:
    'The query is SAMLRequest (DEFLATE, base64), RelayState, SigAlg and Signature; it is forwarded unchanged.',
  request: { params: CountryParam, query: SamlQuery },
  responses: {
    302: { description: "Redirect to country A's SAML SSO service with the same signed query" },
    ...problemResponses(400, 404),
    502: relayFailingProblem,
    504: relaySlowProblem,
  },
});

const upstreamDescription = (what: string) =>
  `Country A's proxy service ${what} (OAuth JSON: error temporarily_unavailable, error_description, code)`;
const oauthJson = {
  'application/json': {
    schema: {
      type: 'object' as const,
      required: ['error', 'error_description', 'code'],
      properties: {
        error: { type: 'string' as const, example: 'temporarily_unavailable' },
        error_description: { type: 'string' as const },
        code: { type: 'string' as const, example: 'upstream-unavailable' },
      },
    },
  },
};

const token = createRoute({
  method: 'post',
  path: '/eid/proxy/{country}/token',
  tags,
  summary:
    "Cross-border eID relay, back channel: forwards the connector's code redemption (private_key_jwt) to country A's token endpoint and returns A's answer unchanged; the decoded ID token is recorded",
  request: {
    params: CountryParam,
    // Documented, not parsed here: the relay forwards the form byte for byte and country A's token endpoint
    // validates it (a plain schema object adds no validator).
    body: {
      required: true,
      content: {
        'application/x-www-form-urlencoded': {
          schema: {
            type: 'object',
            required: ['grant_type', 'code', 'client_id'],
            properties: {
              grant_type: { type: 'string', example: 'authorization_code' },
              code: { type: 'string' },
              redirect_uri: { type: 'string' },
              client_id: { type: 'string', example: 'urn:kakehashi:connector:DE' },
              client_assertion_type: { type: 'string' },
              client_assertion: { type: 'string' },
              code_verifier: { type: 'string' },
            },
          },
        },
      },
    },
  },
  responses: {
    200: {
      // The relay passes A's JSON through byte for byte, it does not re-serialize it: a plain schema object
      // documents A's token response without typing the handler's answer.
      description: "Country A's token response, unchanged",
      content: {
        'application/json': {
          schema: {
            type: 'object',
            required: ['access_token', 'token_type', 'id_token'],
            properties: {
              access_token: { type: 'string' },
              token_type: { type: 'string', example: 'Bearer' },
              expires_in: { type: 'number' },
              id_token: { type: 'string', description: "The ID token signed by country A's proxy service" },
              scope: { type: 'string' },
            },
          },
        },
      },
    },
    ...problemResponses(400, 404, 413, 415),
    502: { description: upstreamDescription('unreachable: upstream-unavailable'), content: oauthJson },
    504: {
      description: upstreamDescription(`no answer within ${RELAY_TIMEOUT_MS} ms: upstream-timeout`),
      content: oauthJson,
    },
    // A's OAuth errors (RFC 6749 §5.2) come back with A's status and body, as the connector must see them.
    default: { description: "Country A's answer with any other status, unchanged" },
  },
});

/**
 * The hub's cross-border eID relay: `GET /eid/proxy/{country}/authorize` (front channel: records the hop, then
 * redirects the browser to country A's proxy service), `GET /eid/proxy/{country}/saml` (the same for a SAML
 * AuthnRequest) and `POST /eid/proxy/{country}/token` (back channel: forwards the connector's code redemption to
 * A's token endpoint and answers with A's response, recording the decoded ID token). Only registered nodes'
 * connectors (`urn:kakehashi:connector:<CC>`) use it; the hub checks routing and records, while A and B check
 * everything cryptographic themselves.
 * @see eIDAS Interoperability Architecture v1.4 §3 (the connector and the proxy service)
 */
export function eidProxyRoutes(deps: EidProxyDeps): ComponentApp {
  const r = createRouteModule();
  const target = (country: string) => {
    const cc = country.toUpperCase();
    const node = /^[A-Z]{2}$/.test(cc) ? deps.registry.get(cc) : undefined;
    if (!node)
      throw new KakehashiError(
        'not-found',
        `No node ${cc.slice(0, 2)} is registered at the hub: GET /registry/nodes lists the countries.`,
      );
    return node;
  };
  const connectorOf = (clientId: string | null | undefined) => {
    const m = CONNECTOR.exec(clientId ?? '');
    if (!m?.[1] || !deps.registry.get(m[1]))
      throw new KakehashiError(
        'bad-request',
        'Only the eIDAS connector of a registered node (client_id urn:kakehashi:connector:<CC>) uses the relay.',
      );
    return m[1];
  };
  const record = (span: TraceContext, e: { operation: string; peer: string; country: string; artefact: unknown }) =>
    recordHop(deps.traces, deps.clock, span, { component: 'hub', direction: 'internal', ...e });

  /**
   * The relay's faults, after the request was checked: an error when it fails as if A were down (or its caller gave
   * up while it was slow), else undefined: relay (late when slow).
   */
  const faulted = async (c: { req: { raw: Request } }, country: string) => {
    const r = await relayFaults(deps.faults, { country, delayMs: deps.relaySlowMs(), signal: c.req.raw.signal });
    if (r === 'fail')
      return new KakehashiError(
        'upstream-unavailable',
        `The proxy service of ${country} did not answer through the hub's relay (fault hub.relay-failing is on): try again later.`,
      );
    if (r === 'abandoned')
      return new KakehashiError(
        'upstream-timeout',
        `The hub's relay to ${country} was too slow (fault hub.relay-slow is on) and its caller gave up.`,
      );
    return undefined;
  };

  r.openapi(authorize, async (c) => {
    const node = target(c.req.valid('param').country);
    const url = new URL(c.req.url);
    const from = connectorOf(url.searchParams.get('client_id'));
    const fault = await faulted(c, node.country);
    if (fault) throw fault;
    const to = new URL(`${node.metadata.endpoints.oidcIssuer}/oidc/authorize`);
    to.search = url.search;
    record(c.get('trace'), {
      operation: `eid relay: authentication request from the connector of ${from} to the proxy service of ${node.country}`,
      peer: node.metadata.url,
      country: from,
      artefact: {
        type: 'authorization_request',
        from,
        to: node.country,
        params: Object.fromEntries(
          [...url.searchParams.entries()].filter(([k]) => !['state', 'nonce', 'code_challenge'].includes(k)),
        ),
      },
    });
    c.header('cache-control', 'no-store');
    return c.redirect(to.toString(), 302);
  });

  r.openapi(saml, async (c) => {
    const node = target(c.req.valid('param').country);
    const url = new URL(c.req.url);
    const request = decodeAuthnRequest(url.search.slice(1));
    // The hub routes only to the proxy service of the country named, and only for a registered connector.
    const sso = new URL(request.destination);
    if (sso.origin !== new URL(node.metadata.url).origin)
      throw new KakehashiError(
        'bad-request',
        `The AuthnRequest's Destination is not the proxy service of ${node.country}: the hub relays only there.`,
      );
    const from = deps.registry.list().find((n) => n.metadata.endpoints.samlSpMetadata === request.issuer);
    if (!from)
      throw new KakehashiError(
        'bad-request',
        "Only a registered node's connector (Issuer = its SP metadata URL) uses the relay.",
      );
    const fault = await faulted(c, node.country);
    if (fault) throw fault;
    record(c.get('trace'), {
      operation: `eid relay: SAML AuthnRequest from the connector of ${from.country} to the proxy service of ${node.country}`,
      peer: node.metadata.url,
      country: from.country,
      artefact: {
        type: 'saml_authn_request',
        from: from.country,
        to: node.country,
        id: request.id,
        destination: request.destination,
        issuer: request.issuer,
        signedQuery: url.searchParams.has('Signature'),
        xml: request.xml,
      },
    });
    c.header('cache-control', 'no-store');
    return c.redirect(`${sso.origin}${sso.pathname}${url.search}`, 302);
  });

  r.openapi(token, async (c) => {
    const node = target(c.req.valid('param').country);
    const type = c.req.header('content-type') ?? '';
    if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded'))
      throw new KakehashiError(
        'unsupported-media-type',
        'Send the token request as application/x-www-form-urlencoded.',
      );
    const body = await c.req.text();
    if (body.length > MAX_TOKEN_REQUEST_BYTES)
      throw new KakehashiError('payload-too-large', `A token request is at most ${MAX_TOKEN_REQUEST_BYTES} bytes.`);
    const from = connectorOf(new URLSearchParams(body).get('client_id'));
    const gateway = (timedOut: boolean, description: string) =>
      c.body(
        JSON.stringify({
          error: 'temporarily_unavailable',
          error_description: description,
          code: timedOut ? 'upstream-timeout' : 'upstream-unavailable',
        }),
        timedOut ? 504 : 502,
        { 'content-type': 'application/json', 'cache-control': 'no-store' },
      ) as never;
    const fault = await faulted(c, node.country);
    if (fault) return gateway(fault.code === 'upstream-timeout', fault.message);
    let res: Response;
    let text: string;
    try {
      res = await c.get('fetch')(`${node.metadata.endpoints.oidcIssuer}/oidc/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(RELAY_TIMEOUT_MS),
      });
      text = await res.text();
    } catch (cause) {
      // The connector speaks OAuth here: the error in that dialect, with the gateway status (RFC 9110 §15.6.3, §15.6.5).
      const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
      const description = timedOut
        ? `The proxy service of ${node.country} did not answer the token request within ${RELAY_TIMEOUT_MS} ms.`
        : `The proxy service of ${node.country} did not answer the token request (unreachable): try again later.`;
      deps.logger?.warn('eid relay: token request failed', { country: node.country, timedOut });
      return gateway(timedOut, description);
    }
    record(c.get('trace'), {
      operation: `eid relay: ID token from the proxy service of ${node.country} to the connector of ${from}`,
      peer: node.metadata.url,
      country: node.country,
      artefact: tokenArtefact(text, res.status),
    });
    // A's JSON byte for byte (the document describes it as A's token response): a body, not c.json.
    return c.body(text, res.status as 200, {
      'content-type': res.headers.get('content-type') ?? 'application/json',
      'cache-control': 'no-store',
    }) as never;
  });

  return r;
}

/** What the trace shows of A's token response: the decoded (unverified) ID token, or the error. */
function tokenArtefact(text: string, status: number): unknown {
  try {
    const json = JSON.parse(text) as { id_token?: string; error?: string };
    const [h, p] = (json.id_token ?? '').split('.');
    return json.id_token
      ? {
          type: 'id_token',
          unverified: true,
          header: JSON.parse(Buffer.from(h ?? '', 'base64url').toString('utf8')),
          claims: JSON.parse(Buffer.from(p ?? '', 'base64url').toString('utf8')),
        }
      : { type: 'token_error', status, error: json.error };
  } catch {
    // The relay forwards what it got; the connector judges it.
    return { type: 'token_response', status };
  }
}
