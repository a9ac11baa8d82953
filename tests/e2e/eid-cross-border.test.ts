import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

const COUNTRIES = ['AT', 'DE', 'EE', 'ES', 'FR', 'IT', 'JP'];
const DEMO = { id: 'kakehashi-demo-rp', secret: 'kakehashi-demo-secret' };
const REDIRECT = 'http://127.0.0.1:53124/callback';
const PAIRS = COUNTRIES.flatMap((a) => COUNTRIES.filter((b) => b !== a).map((b) => [a, b] as const));

interface Hop {
  status: number;
  url: string;
}

/**
 * Cross-border authentication through the hub: a relying party of country B (openid-client, the real library)
 * logs in a citizen of country A. B's connector → hub relay → A's proxy service → headless login → A's code →
 * B's connector redeems it through the hub, validates A's ID token against the trust fabric → B's code → RP.
 */
describe('cross-border eID through the hub (OIDC), every pair of nodes', () => {
  let f: TestFederation;
  beforeAll(async () => {
    f = await startTestFederation();
  }, 180_000);
  afterAll(() => f?.dispose());

  const rpFetch: client.CustomFetch = (url, options) => f.fetch(url, options as RequestInit);
  const configs = new Map<string, client.Configuration>();
  const discover = async (cc: string) => {
    let config = configs.get(cc);
    if (!config) {
      config = await client.discovery(
        new URL(f.urls.nodes[cc] as string),
        DEMO.id,
        undefined,
        client.ClientSecretBasic(DEMO.secret),
        { execute: [client.allowInsecureRequests], [client.customFetch]: rpFetch },
      );
      configs.set(cc, config);
    }
    return config;
  };

  /** Follows the browser's redirects until one leaves the federation (the RP's redirect URI). */
  const browse = async (start: string, traceId?: string) => {
    const hops: Hop[] = [];
    let url = start;
    const headers: Record<string, string> = traceId ? { traceparent: `00-${traceId}-${'1'.repeat(16)}-01` } : {};
    for (let i = 0; i < 10; i++) {
      const res = await f.fetch(url, { redirect: 'manual', headers });
      hops.push({ status: res.status, url });
      const next = res.headers.get('location');
      if (res.status !== 302 || !next) return { hops, final: res };
      url = next;
      if (url.startsWith(REDIRECT)) return { hops, final: new URL(url) };
    }
    throw new Error('too many redirects');
  };

  const crossBorderLogin = async (
    a: string,
    b: string,
    persona: string,
    extra: Record<string, string> = {},
    traceId?: string,
  ) => {
    const config = await discover(b);
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      kakehashi_country: a,
      kakehashi_persona: persona,
      ...extra,
    });
    const { hops, final } = await browse(url.toString(), traceId);
    return { config, verifier, state, nonce, hops, final };
  };

  it.each(PAIRS)('a citizen of %s logs in at a relying party of %s', async (a, b) => {
    const persona = `${a.toLowerCase()}-001`;
    const r = await crossBorderLogin(a, b, persona);
    expect(r.final).toBeInstanceOf(URL);
    // The hops: B's authorize → the hub's relay → A's proxy service → B's connector callback → the RP.
    const hosts = r.hops.map((h) => new URL(h.url).origin + new URL(h.url).pathname);
    expect(hosts).toEqual([
      `${f.urls.nodes[b]}/oidc/authorize`,
      `${f.urls.hub}/eid/proxy/${a}/authorize`,
      `${f.urls.nodes[a]}/oidc/authorize`,
      `${f.urls.nodes[b]}/eid/connector/callback`,
    ]);
    const tokens = await client.authorizationCodeGrant(r.config, r.final as URL, {
      pkceCodeVerifier: r.verifier,
      expectedState: r.state,
      expectedNonce: r.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims() as client.IDToken & Record<string, unknown>;
    // B issued the token; the person is A's citizen, identified by A's PersonIdentifier for destination B.
    expect(claims.iss).toBe(f.urls.nodes[b]);
    expect(claims.eidas_person_identifier).toMatch(new RegExp(`^${a}/${b}/[A-Za-z0-9_-]{43}$`));
    const personaDoc = (await json<Record<string, string>>(f.fetch(`${f.urls.nodes[a]}/personas/${persona}`))).body;
    expect(claims.family_name).toBe(personaDoc.familyName);
    expect(claims.birthdate).toBe(personaDoc.dateOfBirth);
    // The LoA is A's: the persona's level, capped by A's scheme, never by B's.
    const loaA = (await json<{ loa: string }>(f.fetch(`${f.urls.nodes[a]}/profile`))).body.loa;
    const rank = (l: unknown) => ['low', 'substantial', 'high'].indexOf(String(l).split('/').pop() as string);
    expect(rank(claims.acr)).toBe(Math.min(rank(personaDoc.loa), rank(loaA)));
    const natId = (personaDoc as unknown as { nationalId: { value: string } }).nationalId.value;
    expect(JSON.stringify(claims)).not.toContain(natId);
    if (a === 'JP') expect(JSON.stringify(claims)).not.toContain(personaDoc.myNumber as string);
  });

  it('keeps the PersonIdentifier persistent per destination and different across destinations', async () => {
    const claimsOf = async (b: string) => {
      const r = await crossBorderLogin('EE', b, 'ee-002');
      const t = await client.authorizationCodeGrant(r.config, r.final as URL, {
        pkceCodeVerifier: r.verifier,
        expectedState: r.state,
        expectedNonce: r.nonce,
      });
      return t.claims() as Record<string, unknown>;
    };
    const de1 = await claimsOf('DE');
    const de2 = await claimsOf('DE');
    const fr = await claimsOf('FR');
    expect(de2.eidas_person_identifier).toBe(de1.eidas_person_identifier);
    expect(de2.sub).toBe(de1.sub);
    expect(fr.eidas_person_identifier).not.toBe(de1.eidas_person_identifier);
    expect(String(fr.eidas_person_identifier).split('/')[2]).not.toBe(
      String(de1.eidas_person_identifier).split('/')[2],
    );
  });

  it('records every hop as a trace event, with the decoded ID token and the verdict of each check', async () => {
    // The browser carries one traceparent through the redirects, so the whole login is one trace.
    const traceId = 'ab'.repeat(16);
    const r = await crossBorderLogin('AT', 'IT', 'at-003', {}, traceId);
    expect(r.hops).toHaveLength(4);
    const { body } = await json<{ events: unknown[] }>(f.fetch(`${f.urls.hub}/traces/${traceId}`));
    const all = body.events as {
      operation: string;
      component: string;
      country?: string;
      artefact?: { type?: string; claims?: Record<string, unknown> };
      verdict?: { valid: boolean; checks?: { rule: string; outcome: string }[] };
    }[];
    const validated = all.find((e) => e.operation === 'eid connector: ID token from AT validated');
    expect(validated?.verdict?.valid).toBe(true);
    expect(validated?.artefact?.claims?.iss).toBe(f.urls.nodes.AT);
    expect(validated?.verdict?.checks?.map((c) => c.rule)).toEqual(expect.arrayContaining(['J1', 'J9', 'J11', 'J16']));
    expect(all.some((e) => e.component === 'hub' && e.operation.startsWith('eid relay: authentication request'))).toBe(
      true,
    );
    expect(all.some((e) => e.component === 'hub' && e.operation.startsWith('eid relay: ID token'))).toBe(true);
  });

  it("gives a Japanese citizen the PersonIdentifier of Japan's Cooperation Network (from the link id)", async () => {
    const r = await crossBorderLogin('JP', 'DE', 'jp-003');
    const t = await client.authorizationCodeGrant(r.config, r.final as URL, {
      pkceCodeVerifier: r.verifier,
      expectedState: r.state,
      expectedNonce: r.nonce,
    });
    const { body } = await json<{ personIdentifier: string }>(
      f.fetch(`${f.urls.nodes.JP}/admin/jp/xborder/jp-003?destination=DE`, { headers: ADMIN }),
    );
    expect(body.personIdentifier).toMatch(/^JP\/DE\/[A-Za-z0-9_-]{43}$/);
    expect((t.claims() as Record<string, unknown>).eidas_person_identifier).toBe(body.personIdentifier);
  });

  it('keeps a browser login (no traceparent header) in one trace across the three origins', async () => {
    const r = await crossBorderLogin('IT', 'ES', 'it-002');
    expect(r.final).toBeInstanceOf(URL);
    // The connector handed its trace to the hub and A as kakehashi_trace; A handed it back on the redirect.
    const callback = new URL(r.hops[3]?.url as string);
    const traceparent = callback.searchParams.get('kakehashi_trace') as string;
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    const traceId = traceparent.split('-')[1] as string;
    const { body } = await json<{ events: { component: string; country?: string; operation: string }[] }>(
      f.fetch(`${f.urls.hub}/traces/${traceId}`),
    );
    const ops = body.events.map((e) => `${e.component}:${e.operation}`);
    expect(ops).toContain('node:eid connector: cross-border authentication of a citizen of IT started');
    expect(ops).toContain('hub:eid relay: authentication request from the connector of ES to the proxy service of IT');
    expect(ops).toContain('node:oidc: ID token issued');
    expect(ops).toContain('node:eid connector: ID token from IT validated');
    expect(new Set(body.events.map((e) => `${e.component}${e.country ? `:${e.country}` : ''}`))).toEqual(
      new Set(['node:ES', 'hub', 'hub:ES', 'hub:IT', 'node:IT']),
    );
  });

  it('refuses a LoA the foreign identity cannot meet, naming the rule, back at the relying party', async () => {
    // Request "high" from a country whose personas authenticate lower: the proxy service answers
    // unmet_authentication_requirements and the connector passes an access_denied to the RP.
    const personas = (await json<{ id: string; loa: string }[]>(f.fetch(`${f.urls.nodes.FR}/personas`))).body;
    const low = personas.find((p) => !p.loa.endsWith('/high'));
    expect(low).toBeDefined();
    const r = await crossBorderLogin('FR', 'DE', low?.id as string, { acr_values: 'http://eidas.europa.eu/LoA/high' });
    const final = r.final as URL;
    expect(final.searchParams.get('error')).toBe('access_denied');
    expect(final.searchParams.get('error_description')).toContain('unmet_authentication_requirements');
    expect(final.searchParams.get('state')).toBe(r.state);
  });

  it('answers an unknown country with access_denied at the relying party, and a replayed callback with a problem', async () => {
    const r = await crossBorderLogin('XX', 'DE', 'xx-001');
    expect((r.final as URL).searchParams.get('error')).toBe('access_denied');
    const ok = await crossBorderLogin('ES', 'DE', 'es-001');
    const callback = ok.hops[3]?.url as string;
    const again = await f.fetch(callback, { redirect: 'manual' });
    expect(again.status).toBe(400);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect(((await again.json()) as { code: string }).code).toBe('oidc-request-expired');
  });

  it('shows the country selection on the picker and completes a login chosen there', async () => {
    const config = await discover('DE');
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: 's1',
      nonce: 'n1',
    });
    const page = await (await f.fetch(url)).text();
    expect(page).toContain('data-testid="country-selection"');
    expect(page).toContain('data-testid="country-JP"');
    expect(page).not.toContain('data-testid="country-DE"');
    const requestId = /name="request_id" value="([^"]+)"/.exec(page)?.[1] as string;
    const res = await f.fetch(`${f.urls.nodes.DE}/oidc/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ request_id: requestId, country: 'JP' }).toString(),
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toContain(`${f.urls.hub}/eid/proxy/JP/authorize`);
  });

  it('lets only registered connectors use the relay', async () => {
    const res = await f.fetch(`${f.urls.hub}/eid/proxy/AT/authorize?client_id=kakehashi-demo-rp`, {
      redirect: 'manual',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('bad-request');
    const tok = await f.fetch(`${f.urls.hub}/eid/proxy/AT/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(tok.status).toBe(415);
  });
});
