import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { createLocalJWKSet, decodeJwt, type JSONWebKeySet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestFederation,
  DEMO_CLIENT,
  EDELIVERY_FAULT_NAMES,
  FederationCallError,
  JP_FAULT_NAMES,
  type TestFederation,
} from '../src/index.ts';
import { intercept, TEST_SEED, TEST_TRUST_CACHE, watchListeningSockets } from './support/sockets.ts';

/**
 * The federation answering through msw, driven by the libraries integrators use — openid-client with its default
 * settings, @node-saml/node-saml, plain fetch — while no socket is ever opened for listening in this process.
 */
describe('@kakehashi/msw: a federation in the test process, reached through msw', () => {
  const sockets = watchListeningSockets();
  let fed: TestFederation<'DE' | 'JP'>;
  let server: ReturnType<typeof intercept>;

  beforeAll(async () => {
    fed = await createTestFederation({ countries: ['DE', 'JP'], seed: TEST_SEED, trustCacheDir: TEST_TRUST_CACHE });
    server = intercept(fed.handlers);
  }, 180_000);
  afterAll(async () => {
    server?.close();
    await fed?.close();
    sockets.restore();
  });

  const json = async <T>(res: Response | Promise<Response>) => (await (await res).json()) as T;

  it('gives the real origins, the personas and one handler per component', () => {
    expect(fed.origins).toEqual({
      hub: 'http://127.0.0.1:7000',
      DE: 'http://127.0.0.1:7001',
      JP: 'http://127.0.0.1:7002',
    });
    expect(fed.handlers).toHaveLength(3);
    expect(fed.personas.JP[0]?.id).toBe('jp-001');
    expect(fed.personas.DE.length).toBeGreaterThan(3);
  });

  it('answers plain fetch as the in-process apps do: status, headers, bodies, problems', async () => {
    const health = await json<{ status: string; component: string; country: string }>(
      fetch(`${fed.origins.JP}/health`),
    );
    expect(health).toMatchObject({ status: 'ok', component: 'node', country: 'JP' });
    // A large XML body arrives byte for byte.
    const viaMsw = await fetch(`${fed.origins.hub}/trust/lotl.xml`);
    const direct = await fed.fetch(`${fed.origins.hub}/trust/lotl.xml`);
    expect(viaMsw.headers.get('content-type')).toBe(direct.headers.get('content-type'));
    expect(Buffer.from(await viaMsw.arrayBuffer()).equals(Buffer.from(await direct.arrayBuffer()))).toBe(true);
    // A request body reaches the app; its problem+json comes back with the status.
    const bad = await fetch(`${fed.origins.hub}/eid/validate/id-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"token":',
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(((await bad.json()) as { code: string }).code).toBe('malformed-json');
    // Another origin is not the federation's: msw refuses it (onUnhandledFrame: 'error').
    await expect(fetch('http://127.0.0.1:7999/health')).rejects.toThrow();
  });

  it('keeps redirects: manual gives the 302 with its Location and cookies, follow lands on the target', async () => {
    const authorize = new URL(`${fed.origins.DE}/oidc/authorize`);
    const params = {
      client_id: DEMO_CLIENT.id,
      redirect_uri: 'https://rp.example/callback', // not registered: the error is shown, never redirected
      response_type: 'code',
      scope: 'openid',
      state: 's',
      nonce: 'n',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
    };
    for (const [k, v] of Object.entries(params)) authorize.searchParams.set(k, v);
    const refused = await fetch(authorize, { redirect: 'manual' });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('location')).toBeNull();

    authorize.searchParams.set('redirect_uri', 'http://127.0.0.1:53123/callback');
    authorize.searchParams.set('kakehashi_persona', 'de-001');
    const [viaMsw, direct] = [
      await fetch(authorize, { redirect: 'manual' }),
      await fed.fetch(authorize, { redirect: 'manual' }),
    ];
    expect(viaMsw.status).toBe(302);
    const location = new URL(viaMsw.headers.get('location') as string);
    expect(`${location.origin}${location.pathname}`).toBe('http://127.0.0.1:53123/callback');
    expect(location.searchParams.get('iss')).toBe(fed.origins.DE);
    // The node's login session cookie comes through as the app set it, and goes back: a silent login (prompt=none).
    expect(viaMsw.headers.getSetCookie().map((c) => c.split('=')[0])).toEqual(['kakehashi_op_de']);
    const session = (viaMsw.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
    authorize.searchParams.delete('kakehashi_persona');
    authorize.searchParams.set('prompt', 'none');
    const silent = await fetch(authorize, { redirect: 'manual', headers: { cookie: session } });
    expect(new URL(silent.headers.get('location') as string).searchParams.get('code')).toBeTruthy();
    const without = await fetch(authorize, { redirect: 'manual' });
    expect(new URL(without.headers.get('location') as string).searchParams.get('error')).toBe('login_required');
    expect(viaMsw.headers.getSetCookie().map((c) => c.split('=')[0])).toEqual(
      direct.headers.getSetCookie().map((c) => c.split('=')[0]),
    );
    // Followed by fetch itself: `/console/` answers 301 to `/console`.
    const followed = await fetch(`${fed.origins.hub}/console/`);
    expect(followed.status).toBe(200);
    expect(followed.redirected).toBe(true);
    expect(followed.url).toBe(`${fed.origins.hub}/console`);
    expect(await followed.text()).toContain('<html');
  });

  it('lets openid-client with its default settings log in at each node (discovery, PKCE, client_secret_post, ID token, userinfo)', async () => {
    for (const cc of ['DE', 'JP'] as const) {
      // Default client authentication (a string secret: client_secret_post); only plain HTTP has to be allowed.
      const config = await client.discovery(new URL(fed.origins[cc]), DEMO_CLIENT.id, DEMO_CLIENT.secret, undefined, {
        execute: [client.allowInsecureRequests],
      });
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: 'http://127.0.0.1:53123/callback',
        scope: 'openid profile',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        kakehashi_persona: `${cc.toLowerCase()}-001`,
      });
      const res = await fetch(url, { redirect: 'manual' });
      expect(res.status).toBe(302);
      const tokens = await client.authorizationCodeGrant(config, new URL(res.headers.get('location') as string), {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims() as client.IDToken & Record<string, string>;
      const persona = fed.personas[cc][0];
      expect(claims.iss).toBe(fed.origins[cc]);
      expect(claims.family_name).toBe(persona?.familyName);
      expect(claims.birthdate).toBe(persona?.dateOfBirth);
      expect(claims.eidas_person_identifier).toMatch(new RegExp(`^${cc}/${cc}/`));
      const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      expect(info.given_name).toBe(persona?.givenName);
    }
  });

  it('lets @node-saml/node-saml validate a SAML response obtained through msw', async () => {
    const node = fed.origins.JP;
    const sp = await json<{ entityId: string; privateKeyPem: string }>(fetch(`${node}/saml/demo-sp/key`));
    const metadata = await (await fetch(`${node}/saml/idp/metadata`)).text();
    const idpCert = /<md:KeyDescriptor use="signing">[\s\S]*?<ds:X509Certificate>([^<]+)</.exec(metadata)?.[1];
    const saml = new SAML({
      entryPoint: `${node}/saml/idp/sso`,
      issuer: sp.entityId,
      callbackUrl: 'http://127.0.0.1:53124/saml/acs',
      idpCert: (idpCert ?? '').replace(/\s+/g, ''),
      idpIssuer: `${node}/saml/idp/metadata`,
      audience: sp.entityId,
      privateKey: sp.privateKeyPem,
      decryptionPvk: sp.privateKeyPem,
      signatureAlgorithm: 'sha256',
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: true,
      identifierFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
      racComparison: 'minimum',
      authnContext: ['http://eidas.europa.eu/LoA/low'],
      validateInResponseTo: ValidateInResponseTo.always,
      additionalAuthorizeParams: { kakehashi_persona: 'jp-002' },
    });
    const html = await (await fetch(await saml.getAuthorizeUrlAsync('relay-1', undefined, {}))).text();
    const samlResponse = /name="SAMLResponse" value="([^"]*)"/.exec(html)?.[1];
    expect(samlResponse, html.slice(0, 300)).toBeTruthy();
    const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: samlResponse as string });
    expect(profile?.issuer).toBe(`${node}/saml/idp/metadata`);
    expect(profile?.nameID).toMatch(/^JP\/JP\/[A-Za-z0-9_-]{43}$/);
    const attributes = profile?.attributes as Record<string, unknown>;
    expect(attributes['http://eidas.europa.eu/attributes/naturalperson/DateOfBirth']).toBe(
      fed.personas.JP[1]?.dateOfBirth,
    );
  });

  it('issues ID tokens as the node would: signed by its key, accepted by the validation service; claims override', async () => {
    const jwks = createLocalJWKSet(await json<JSONWebKeySet>(fetch(`${fed.origins.DE}/oidc/jwks`)));
    const token = await fed.issueIdToken({ country: 'DE', persona: 'de-002', nonce: 'n-1' });
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: fed.origins.DE,
      audience: DEMO_CLIENT.id,
      algorithms: ['RS256'],
      currentDate: fed.clock.now(),
    });
    expect(protectedHeader.typ).toBe('JWT');
    expect(payload).toMatchObject({ nonce: 'n-1', azp: DEMO_CLIENT.id, family_name: fed.personas.DE[1]?.familyName });
    expect((payload.exp as number) - (payload.iat as number)).toBe(300);
    const verdict = await validateAtHub(token, 'n-1');
    expect(verdict.failure).toBeUndefined();
    expect(verdict.valid).toBe(true);

    // The same persona logged in through the provider has the same pairwise subject (same sector: 127.0.0.1).
    const other = await fed.issueIdToken({ country: 'DE', persona: 'de-002', claims: { family_name: 'Override' } });
    expect(decodeJwt(other).sub).toBe(payload.sub);
    expect(decodeJwt(other).family_name).toBe('Override');
    // An unknown persona is refused with the list's address.
    await expect(fed.issueIdToken({ country: 'DE', persona: 'de-999' })).rejects.toThrow(/GET \/personas/);
    // A fault: the token has that defect, and the validation service names its rule.
    const expired = await fed.issueIdToken({
      country: 'DE',
      persona: 'de-002',
      nonce: 'n-2',
      fault: 'id-token.expired',
    });
    expect(decodeJwt(expired).exp).toBeLessThan(Math.floor(fed.clock.now().getTime() / 1000));
    expect((await validateAtHub(expired, 'n-2')).failure).toMatchObject({ rule: 'J8', code: 'jwt-time-invalid' });
  });

  it('expires tokens when the clock advances: ID token at the validation service, access token at userinfo', async () => {
    const token = await fed.issueIdToken({ country: 'JP', nonce: 'n-clock' });
    const config = await client.discovery(new URL(fed.origins.JP), DEMO_CLIENT.id, DEMO_CLIENT.secret, undefined, {
      execute: [client.allowInsecureRequests],
    });
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: 'http://127.0.0.1:53123/callback',
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'st',
      nonce: 'nn',
      kakehashi_persona: 'jp-003',
    });
    const callback = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location') as string);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: 'st',
      expectedNonce: 'nn',
    });
    const sub = tokens.claims()?.sub as string;
    expect((await client.fetchUserInfo(config, tokens.access_token, sub)).sub).toBe(sub);

    const before = fed.clock.now().getTime();
    const after = fed.clock.advance('11m');
    try {
      expect(after.getTime() - before).toBeGreaterThanOrEqual(660_000);
      const verdict = await validateAtHub(token, 'n-clock');
      expect(verdict.valid).toBe(false);
      expect(verdict.failure).toMatchObject({ rule: 'J8', code: 'jwt-time-invalid' });
      await expect(client.fetchUserInfo(config, tokens.access_token, sub)).rejects.toThrow();
    } finally {
      fed.clock.advance(-(after.getTime() - before));
    }
  });

  it('signs documents through the node and delivers AS4 messages through eDelivery, with faults switched', async () => {
    const signed = await fed.signDocument({ country: 'DE', document: 'Bescheid 2026/001', format: 'jades' });
    expect(signed).toMatchObject({ format: 'JAdES', level: 'B-B', signer: { type: 'agency', country: 'DE' } });
    const report = await json<{ indication: string }>(
      fetch(`${fed.origins.JP}/esig/validate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ signature: signed.signature }),
      }),
    );
    expect(report.indication).toBe('TOTAL-PASSED');

    const delivered = await fed.deliver({
      from: 'DE',
      to: 'JP',
      payloads: [{ content: '<notice>hello</notice>', mimeType: 'application/xml' }],
    });
    expect(delivered.sent.status).toBe('ACKNOWLEDGED');
    expect(delivered.received?.status).toMatch(/^RECEIVED/);
    expect(delivered.received?.payloads[0]?.mimeType).toBe('application/xml');
    const payload = await fetch(
      `${fed.origins.JP}/edelivery/messages/${encodeURIComponent(delivered.sent.messageId)}/payloads/${encodeURIComponent(delivered.received?.payloads[0]?.cid ?? '')}`,
    );
    expect(await payload.text()).toBe('<notice>hello</notice>');

    // The receiving access point in an outage: the sender does not get its receipt.
    const switched = await fed.faults.edelivery.set('JP', { enable: ['edelivery.receiver-unavailable'] });
    expect(switched.filter((x) => x.enabled).map((x) => x.name)).toEqual(['edelivery.receiver-unavailable']);
    try {
      const refused = await fed.deliver({ from: 'DE', to: 'JP', payloads: [{ content: 'x', mimeType: 'text/plain' }] });
      expect(refused.sent.status).not.toMatch(/^ACKNOWLEDGED/);
      expect(refused.received).toBeUndefined();
    } finally {
      await fed.faults.clear();
    }
    expect((await fed.faults.list('JP')).every((f) => !f.enabled)).toBe(true);

    // Japan's incident switches, typed after the block's own names.
    const names = (await fed.faults.jp.list()).map((f) => f.name);
    expect(names).toContain('jp.agency-table-leak');
    const on = await fed.faults.jp.set('jp.agency-table-leak', true);
    expect(on.find((f) => f.name === 'jp.agency-table-leak')?.enabled).toBe(true);
    // The generic surface: any component, names or patterns; clear() switches every component's off.
    await fed.faults.set('DE', { enable: ['edelivery.receipt-unsigned'] });
    const everywhere = (await fed.faults.list()).filter((f) => f.enabled).map((f) => `${f.component} ${f.name}`);
    expect(everywhere.sort()).toEqual(['DE edelivery.receipt-unsigned', 'JP jp.agency-table-leak']);
    await fed.faults.clear();
    expect((await fed.faults.list()).every((f) => !f.enabled)).toBe(true);
    // A refused admin call says what the component answered.
    const err = await fed.faults.jp.set('jp.no-such-fault' as 'jp.agency-table-leak', true).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FederationCallError);
    expect((err as FederationCallError).status).toBe(400);
    expect((err as FederationCallError).problem?.code).toBe('fault-unknown');
  });

  it('types exactly the fault names the components offer (GET /admin/faults)', async () => {
    expect((await fed.faults.jp.list()).map((f) => f.name).sort()).toEqual([...JP_FAULT_NAMES].sort());
    const de = await fed.faults.list('DE');
    expect(
      de
        .filter((f) => f.block === 'edelivery')
        .map((f) => f.name)
        .sort(),
    ).toEqual([...EDELIVERY_FAULT_NAMES].sort());
    expect(de.every((f) => f.component === 'DE')).toBe(true);
    await expect(fed.faults.list('XX')).rejects.toThrow(/No component XX/);
  });

  it('never opened a listening socket in this process', () => {
    expect(sockets.attempts).toEqual([]);
    expect(sockets.listeningHandles()).toEqual([]);
  });

  /** The hub's ID-token validation service (J1–J17), reached through msw. */
  async function validateAtHub(token: string, nonce: string) {
    return json<{ valid: boolean; failure?: { rule: string; code: string } }>(
      fetch(`${fed.origins.hub}/eid/validate/id-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, expected: { issuer: decodeJwt(token).iss, audience: DEMO_CLIENT.id, nonce } }),
      }),
    );
  }
});
