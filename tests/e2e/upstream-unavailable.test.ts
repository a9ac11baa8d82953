import * as client from 'openid-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestFederation, type TestFederation } from '../support/federation.ts';

const DEMO = { id: 'kakehashi-demo-rp', secret: 'kakehashi-demo-secret' };
const REDIRECT = 'http://127.0.0.1:53124/callback';

/**
 * How an origin misbehaves: `refused` (the connection fails, as for a node nobody serves) or `timeout` (the
 * caller's own timeout fired: the call must carry an AbortSignal, which is what makes it time out at all).
 */
type Outage = 'refused' | 'timeout';

/**
 * An unreachable peer is the peer's fault, never a 500: the hub's token relay answers 502/504 in the OAuth JSON
 * dialect, the authorize endpoint a 502/504 problem, and the connector callback sends its relying party an
 * OAuth error (the state is single use: the relying party must learn that the login ended).
 */
describe('an unreachable node or hub: 502/504, never a 500', () => {
  /** Outages by origin, or by origin and path. */
  const outages = new Map<string, Outage>();
  /** Calls made without a timeout while their peer hung. */
  const unbounded: string[] = [];
  let f: TestFederation;
  beforeAll(async () => {
    f = await startTestFederation({
      countries: ['AT', 'DE'],
      wrapFetch: (inner) => async (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        const outage = outages.get(url.origin) ?? outages.get(`${url.origin}${url.pathname}`);
        if (outage === 'refused') throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') });
        if (outage === 'timeout') {
          if (!init?.signal) {
            unbounded.push(url.href);
            throw new Error(`no timeout on the call to ${url.href}`);
          }
          throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
        }
        return inner(input, init);
      },
    });
  }, 180_000);
  afterAll(() => f?.dispose());
  afterEach(() => {
    outages.clear();
    expect(unbounded.splice(0)).toEqual([]);
  });

  const rpFetch: client.CustomFetch = (url, options) => f.fetch(url, options as RequestInit);
  /** A cross-border login (citizen of AT at a relying party of DE) up to DE's connector callback. */
  const toCallback = async () => {
    const config = await client.discovery(
      new URL(f.urls.nodes.DE as string),
      DEMO.id,
      undefined,
      client.ClientSecretBasic(DEMO.secret),
      { execute: [client.allowInsecureRequests], [client.customFetch]: rpFetch },
    );
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    let url = client
      .buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce: client.randomNonce(),
        kakehashi_country: 'AT',
        kakehashi_persona: 'at-001',
      })
      .toString();
    for (let i = 0; i < 5 && !url.includes('/eid/connector/callback'); i++) {
      const res = await f.fetch(url, { redirect: 'manual' });
      expect(res.status, url).toBe(302);
      url = res.headers.get('location') as string;
    }
    expect(url).toContain(`${f.urls.nodes.DE}/eid/connector/callback`);
    return { url, state };
  };
  const problem = async (res: Response) => {
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    return { status: res.status, ...((await res.json()) as { code: string; detail: string }) };
  };

  it("the hub's token relay: 502 or 504 as OAuth JSON (temporarily_unavailable) when the proxy service is down", async () => {
    const { url } = await toCallback();
    const code = new URL(url).searchParams.get('code') as string;
    for (const [outage, status] of [
      ['refused', 502],
      ['timeout', 504],
    ] as const) {
      outages.set(f.urls.nodes.AT as string, outage);
      const res = await f.fetch(`${f.urls.hub}/eid/proxy/AT/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, client_id: 'urn:kakehashi:connector:DE' }),
      });
      expect(res.status, outage).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/json');
      const body = (await res.json()) as { error: string; error_description: string; code: string };
      expect(body).toMatchObject({
        error: 'temporarily_unavailable',
        code: status === 502 ? 'upstream-unavailable' : 'upstream-timeout',
      });
      expect(body.error_description).toContain('AT');
    }
  });

  it("the connector callback: the relying party gets temporarily_unavailable when the hub or A's token endpoint is down", async () => {
    for (const down of [f.urls.hub, f.urls.nodes.AT as string]) {
      const { url, state } = await toCallback();
      outages.set(down, 'refused');
      const res = await f.fetch(url, { redirect: 'manual' });
      outages.clear();
      expect(res.status, down).toBe(302);
      const back = new URL(res.headers.get('location') as string);
      expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
      expect(back.searchParams.get('state')).toBe(state);
      expect(back.searchParams.get('error'), down).toBe('temporarily_unavailable');
      expect(back.searchParams.get('error_description')).toMatch(/did not answer|unavailable/);
    }
  });

  it('/oidc/authorize abroad: a 502 problem when the hub is down, 504 when it answers too late', async () => {
    const authorize = `${f.urls.nodes.DE}/oidc/authorize?${new URLSearchParams({
      client_id: DEMO.id,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      nonce: 'n-0123456789',
      state: 's-0123456789',
      kakehashi_country: 'AT',
      kakehashi_persona: 'at-001',
    })}`;
    for (const [outage, status] of [
      ['refused', 502],
      ['timeout', 504],
    ] as const) {
      outages.set(f.urls.hub, outage);
      const got = await problem(await f.fetch(authorize, { redirect: 'manual' }));
      expect(got, outage).toMatchObject({
        status,
        code: status === 502 ? 'upstream-unavailable' : 'upstream-timeout',
      });
    }
    // A's proxy service called by B's connector while the hub is down: the same.
    outages.set(f.urls.hub, 'refused');
    const asConnector = `${f.urls.nodes.AT}/oidc/authorize?${new URLSearchParams({
      client_id: 'urn:kakehashi:connector:ES',
      redirect_uri: 'http://127.0.0.1:1/eid/connector/callback',
      response_type: 'code',
      scope: 'openid',
      nonce: 'n-0123456789',
      state: 's-0123456789',
    })}`;
    expect(await problem(await f.fetch(asConnector, { redirect: 'manual' }))).toMatchObject({
      status: 502,
      code: 'upstream-unavailable',
    });
  });

  it("the connector callback: A's keys unreachable or too slow is temporarily_unavailable for the relying party", async () => {
    // Past the JWKS cache (300 s on the virtual clock), so that the connector fetches A's keys again.
    f.clock.advance(301_000);
    for (const outage of ['refused', 'timeout'] as const) {
      const { url, state } = await toCallback();
      outages.set(`${f.urls.nodes.AT}/oidc/jwks`, outage);
      const res = await f.fetch(url, { redirect: 'manual' });
      outages.clear();
      expect(res.status, outage).toBe(302);
      const back = new URL(res.headers.get('location') as string);
      expect(back.searchParams.get('state')).toBe(state);
      expect(back.searchParams.get('error'), outage).toBe('temporarily_unavailable');
      expect(back.searchParams.get('error_description')).toContain('/oidc/jwks');
    }
  });

  it("the SAML connector's login: A's IdP metadata unreachable or too slow is a 502 problem", async () => {
    f.clock.advance(301_000); // past the metadata cache
    for (const outage of ['timeout', 'refused'] as const) {
      outages.set(`${f.urls.nodes.AT}/saml/idp/metadata`, outage);
      const got = await problem(await f.fetch(`${f.urls.nodes.DE}/saml/sp/login?country=AT`, { redirect: 'manual' }));
      expect(got, outage).toMatchObject({ status: 502, code: 'saml-issuer-metadata-unavailable' });
      expect(got.detail).toContain(outage === 'timeout' ? 'did not answer within' : 'failed');
    }
  });

  it('works again once the node is back', async () => {
    const { url } = await toCallback();
    const res = await f.fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get('location') as string).searchParams.get('code')).toBeTruthy();
  });
});
