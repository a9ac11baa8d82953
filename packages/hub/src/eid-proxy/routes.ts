import type { Clock, TraceSink } from '@kakehashi/core';
import { type ComponentApp, documentRoute, KakehashiError, parseXml, recordHop } from '@kakehashi/core';
import { decodeRedirectRequest } from '@kakehashi/eid';
import type { Context } from 'hono';
import type { RegistryStore } from '../registry/registry-store.ts';

/** The hub's relay between a connector (country B) and a proxy service (country A). */
export interface EidProxyDeps {
  registry: RegistryStore;
  clock: Clock;
  traces: TraceSink;
}

const CONNECTOR = /^urn:kakehashi:connector:([A-Z]{2})$/;
/**
 * Decodes an HTTP-Redirect `SAMLRequest` (the eID block's strict binding decoder: base64, raw DEFLATE with a
 * size limit) far enough to route it: ID, Destination and Issuer, with the XML for the trace. Signatures are the
 * proxy service's business, not the relay's.
 * @see SAML 2.0 Bindings §3.4.4.1 (DEFLATE encoding)
 */
function decodeAuthnRequest(rawQuery: string): { id: string; destination: string; issuer: string; xml: string } {
  const { xml } = decodeRedirectRequest(rawQuery);
  const root = parseXml(xml).documentElement;
  if (root?.localName !== 'AuthnRequest' || root.namespaceURI !== SAMLP)
    throw new KakehashiError('bad-request', 'SAMLRequest is not a samlp:AuthnRequest.');
  const issuer = [...Array.from(root.childNodes)].find(
    (n) => n.nodeType === 1 && (n as Element).localName === 'Issuer' && (n as Element).namespaceURI === SAML,
  );
  const destination = root.getAttribute('Destination') ?? '';
  if (!/^https?:\/\//.test(destination))
    throw new KakehashiError('bad-request', 'The AuthnRequest has no http(s) Destination.');
  return { id: root.getAttribute('ID') ?? '', destination, issuer: issuer?.textContent?.trim() ?? '', xml };
}
const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
/** Largest token request the relay forwards (a form with a client assertion is ~2 KB). */
const MAX_TOKEN_REQUEST_BYTES = 16_384;

/**
 * Mounts the hub's cross-border eID relay: `GET /eid/proxy/{country}/authorize` (front channel: records the
 * hop, then redirects the browser to country A's proxy service) and `POST /eid/proxy/{country}/token` (back
 * channel: forwards the connector's code redemption to A's token endpoint and answers with A's response,
 * recording the decoded ID token). Only registered nodes' connectors (`urn:kakehashi:connector:<CC>`) use it;
 * the hub checks routing and records, while A and B check everything cryptographic themselves.
 * @see eIDAS Interoperability Architecture v1.4 §3 (the connector and the proxy service)
 */
export function mountEidProxy(app: ComponentApp, deps: EidProxyDeps): void {
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
  const record = (c: Context, e: { operation: string; peer: string; country: string; artefact: unknown }) =>
    recordHop(deps.traces, deps.clock, c.get('trace'), { component: 'hub', direction: 'internal', ...e });

  app.get('/eid/proxy/:country/authorize', (c) => {
    const node = target(c.req.param('country'));
    const url = new URL(c.req.url);
    const from = connectorOf(url.searchParams.get('client_id'));
    const to = new URL(`${node.metadata.endpoints.oidcIssuer}/oidc/authorize`);
    to.search = url.search;
    record(c, {
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

  app.get('/eid/proxy/:country/saml', (c) => {
    const node = target(c.req.param('country'));
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
    record(c, {
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

  app.post('/eid/proxy/:country/token', async (c) => {
    const node = target(c.req.param('country'));
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
    const res = await (c.get('fetch') as typeof fetch)(`${node.metadata.endpoints.oidcIssuer}/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
    });
    const text = await res.text();
    let artefact: unknown = { type: 'token_response', status: res.status };
    try {
      const json = JSON.parse(text) as { id_token?: string; error?: string };
      const [h, p] = (json.id_token ?? '').split('.');
      artefact = json.id_token
        ? {
            type: 'id_token',
            unverified: true,
            header: JSON.parse(Buffer.from(h ?? '', 'base64url').toString('utf8')),
            claims: JSON.parse(Buffer.from(p ?? '', 'base64url').toString('utf8')),
          }
        : { type: 'token_error', status: res.status, error: json.error };
    } catch {
      /* the relay forwards what it got; the connector judges it */
    }
    record(c, {
      operation: `eid relay: ID token from the proxy service of ${node.country} to the connector of ${from}`,
      peer: node.metadata.url,
      country: node.country,
      artefact,
    });
    return c.body(text, res.status as 200, {
      'content-type': res.headers.get('content-type') ?? 'application/json',
      'cache-control': 'no-store',
    });
  });

  const tags = ['eid'];
  documentRoute(app, {
    method: 'get',
    path: '/eid/proxy/{country}/authorize',
    tags,
    summary:
      "Cross-border eID relay, front channel: the connector of country B sends the browser here; the hub records the hop and redirects to country A's proxy service (its /oidc/authorize, same query)",
    params: { country: 'ISO 3166 code of the citizen’s country (A)' },
    problems: [400, 404],
  });
  documentRoute(app, {
    method: 'get',
    path: '/eid/proxy/{country}/saml',
    tags,
    summary:
      "Cross-border eID relay for eIDAS SAML (HTTP-Redirect binding): the connector of country B sends its signed AuthnRequest here; the hub checks that the Destination is country A's proxy service and the Issuer a registered connector, records the decoded request, and redirects with the same signed query",
    params: { country: 'ISO 3166 code of the citizen’s country (A)' },
    problems: [400, 404],
  });
  documentRoute(app, {
    method: 'post',
    path: '/eid/proxy/{country}/token',
    tags,
    summary:
      "Cross-border eID relay, back channel: forwards the connector's code redemption (private_key_jwt) to country A's token endpoint and returns A's answer unchanged; the decoded ID token is recorded",
    params: { country: 'ISO 3166 code of the citizen’s country (A)' },
    problems: [400, 404, 413, 415],
  });
}
