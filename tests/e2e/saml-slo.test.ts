import { inflateRawSync } from 'node:zlib';
import { buildAuthnRequest, DEMO_SP_ENTITY_ID, encodeRedirectRequest } from '@kakehashi/eid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

const formValue = (html: string, name: string) =>
  new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1]?.replace(/&#(\d+);/g, (_, d) => String.fromCharCode(d));
const inflate = (url: string, kind: string) =>
  inflateRawSync(Buffer.from(new URL(url).searchParams.get(kind) as string, 'base64')).toString('utf8');

interface LogoutResult {
  loggedOut: boolean;
  status: string;
  issuer: string;
  relayState?: string;
}

/**
 * SP-initiated Single Logout between two nodes: DE's connector (SP) logs a citizen of JP in through the hub,
 * then out of JP's IdP with a LogoutRequest signed on the query; JP ends the session and answers DE's
 * SingleLogoutService (from DE's SP metadata) with a signed LogoutResponse. Bad input at both endpoints.
 */
describe('SAML Single Logout between nodes (HTTP-Redirect)', () => {
  let f: TestFederation;
  let de: string;
  let jp: string;
  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'JP'] });
    de = f.urls.nodes.DE as string;
    jp = f.urls.nodes.JP as string;
  }, 180_000);
  afterAll(() => f?.dispose());

  const login = async (persona: string) => {
    const start = await f.fetch(`${de}/saml/sp/login?country=JP&loa=low&persona=${persona}`, { redirect: 'manual' });
    const relayed = await f.fetch(start.headers.get('location') as string, { redirect: 'manual' });
    const html = await (await f.fetch(relayed.headers.get('location') as string)).text();
    const acs = await json<{ valid: boolean; identity: { nameId: string; sessionIndex: string } }>(
      f.fetch(`${de}/saml/sp/acs`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ SAMLResponse: formValue(html, 'SAMLResponse') ?? '' }),
      }),
    );
    expect(acs.body.valid).toBe(true);
    return acs.body.identity;
  };
  /** DE starts the logout; JP answers; DE consumes the answer. */
  const logout = async (nameId: string, sessionIndex: string, relay = 'back-home') => {
    const start = await f.fetch(
      `${de}/saml/sp/logout?${new URLSearchParams({ country: 'JP', nameId, sessionIndex, RelayState: relay })}`,
      { redirect: 'manual' },
    );
    expect(start.status).toBe(302);
    const toIdp = start.headers.get('location') as string;
    const answered = await f.fetch(toIdp, { redirect: 'manual' });
    expect(answered.status, await answered.clone().text()).toBe(302);
    const back = answered.headers.get('location') as string;
    return { toIdp, back, result: await json<LogoutResult>(f.fetch(back)) };
  };

  it("ends JP's session of DE's connector; the LogoutResponse comes back to DE's SingleLogoutService", async () => {
    const identity = await login('jp-002');
    expect(identity.sessionIndex).toMatch(/^_[0-9a-f]{32}$/);
    const out = await logout(identity.nameId, identity.sessionIndex);
    expect(out.toIdp.startsWith(`${jp}/saml/idp/slo?SAMLRequest=`)).toBe(true);
    const request = inflate(out.toIdp, 'SAMLRequest');
    expect(request).toContain(`<saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"`);
    expect(request).toContain(identity.sessionIndex);
    expect(out.back.startsWith(`${de}/saml/sp/slo?SAMLResponse=`)).toBe(true);
    expect(out.result.status).toBe(200);
    expect(out.result.body).toMatchObject({
      loggedOut: true,
      status: 'urn:oasis:names:tc:SAML:2.0:status:Success',
      issuer: `${jp}/saml/idp/metadata`,
      relayState: 'back-home',
    });
    // The session has ended: logging out again is UnknownPrincipal.
    const again = await logout(identity.nameId, identity.sessionIndex);
    expect(again.result.body.loggedOut).toBe(false);
    expect(again.result.body.status).toBe('urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal');
  });

  it('the LogoutResponse is single use, and a forged or re-signed one is refused', async () => {
    const identity = await login('jp-003');
    const out = await logout(identity.nameId, identity.sessionIndex);
    expect(out.result.body.loggedOut).toBe(true);
    const replay = await json<{ code: string }>(f.fetch(out.back));
    expect(replay.status).toBe(400);
    expect(replay.body.code).toBe('saml-unsolicited-response');
    // A genuine answer to a fresh outstanding request, its signature replaced.
    const other = await login('jp-004');
    const start = await f.fetch(
      `${de}/saml/sp/logout?${new URLSearchParams({ country: 'JP', nameId: other.nameId, sessionIndex: other.sessionIndex })}`,
      { redirect: 'manual' },
    );
    const answered = await f.fetch(start.headers.get('location') as string, { redirect: 'manual' });
    const genuine = new URL(answered.headers.get('location') as string);
    const tampered = new URL(genuine);
    tampered.searchParams.set('Signature', Buffer.alloc(256, 1).toString('base64'));
    const refused = await json<{ code: string }>(f.fetch(tampered.toString()));
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('saml-logout-invalid');
  });

  it('refuses bad input at the IdP SingleLogoutService with problems', async () => {
    const cases: [string, string][] = [
      ['', 'saml-binding-invalid'],
      ['SAMLRequest=%%%', 'saml-binding-invalid'],
      ['SAMLResponse=abc', 'saml-binding-invalid'],
      [`SAMLRequest=${encodeURIComponent(Buffer.from('not deflate').toString('base64'))}`, 'saml-binding-invalid'],
    ];
    for (const [query, code] of cases) {
      const res = await json<{ code: string }>(f.fetch(`${jp}/saml/idp/slo?${query}`, { redirect: 'manual' }));
      expect(res.status, query).toBe(400);
      expect(res.body.code, query).toBe(code);
    }
    // An AuthnRequest is not a LogoutRequest.
    const { xml } = buildAuthnRequest({
      issuer: DEMO_SP_ENTITY_ID,
      destination: `${jp}/saml/idp/slo`,
      acsUrl: 'http://127.0.0.1:9/acs',
      requestedLoa: 'http://eidas.europa.eu/LoA/low',
      nowMs: f.clock.nowMs(),
    });
    const wrong = await json<{ code: string }>(
      f.fetch(encodeRedirectRequest(`${jp}/saml/idp/slo`, xml), { redirect: 'manual' }),
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe('saml-logout-invalid');
  });

  it('POST /admin/reset at the IdP forgets its sessions: the logout finds none (UnknownPrincipal)', async () => {
    const identity = await login('jp-005');
    const start = await f.fetch(
      `${de}/saml/sp/logout?${new URLSearchParams({ country: 'JP', nameId: identity.nameId, sessionIndex: identity.sessionIndex })}`,
      { redirect: 'manual' },
    );
    expect((await f.fetch(`${jp}/admin/reset`, { method: 'POST', headers: ADMIN })).status).toBe(200);
    const answered = await f.fetch(start.headers.get('location') as string, { redirect: 'manual' });
    const back = await json<LogoutResult>(f.fetch(answered.headers.get('location') as string));
    expect(back.body.status).toBe('urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal');
  });
});
