import { inflateRawSync } from 'node:zlib';
import { DEMO_SP_ENTITY_ID, parseSamlXml } from '@kakehashi/eid';
import { type Profile, SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestFederation, type TestFederation } from '../support/federation.ts';
import { DEMO_ACS, formValue, hasTool, LOA_LOW, schemaErrors } from '../support/saml.ts';

const COUNTRIES = ['AT', 'DE', 'EE', 'ES', 'FR', 'IT', 'JP'];

/** The SAML message of an HTTP-Redirect URL (`SAMLRequest` or `SAMLResponse`), inflated. */
function redirectXml(url: string, kind: 'SAMLRequest' | 'SAMLResponse'): string {
  const value = new URL(url).searchParams.get(kind) as string;
  return inflateRawSync(Buffer.from(value, 'base64')).toString('utf8');
}

/** node-saml's `container` and raw query of an HTTP-Redirect URL, as an SP's route would hand them over. */
function redirectContainer(url: string) {
  const u = new URL(url);
  return { container: Object.fromEntries(u.searchParams), originalQuery: u.search.slice(1) };
}

/**
 * SP-initiated Single Logout on the HTTP-Redirect binding, checked by an independent SP implementation
 * (@node-saml/node-saml: it signs the LogoutRequest on the query and verifies the LogoutResponse's query
 * signature, issuer, status and InResponseTo) and the messages and metadata by xmllint against the SAML schemas.
 */
describe('eIDAS SAML Single Logout (HTTP-Redirect), with @node-saml/node-saml as the SP', () => {
  let f: TestFederation;
  let demoKey: { privateKeyPem: string; certificatePem: string };
  beforeAll(async () => {
    f = await startTestFederation();
    demoKey = (await json<typeof demoKey>(f.fetch(`${f.urls.nodes.DE}/saml/demo-sp/key`))).body;
  }, 180_000);
  afterAll(() => f?.dispose());

  const idpCertOf = async (cc: string) => {
    const md = await (await f.fetch(`${f.urls.nodes[cc]}/saml/idp/metadata`)).text();
    parseSamlXml(md);
    return (/<md:KeyDescriptor use="signing">[\s\S]*?<ds:X509Certificate>([^<]+)</.exec(md)?.[1] ?? '').replace(
      /\s+/g,
      '',
    );
  };
  const spFor = async (cc: string, persona: string) => {
    const node = f.urls.nodes[cc] as string;
    return new SAML({
      entryPoint: `${node}/saml/idp/sso`,
      logoutUrl: `${node}/saml/idp/slo`,
      issuer: DEMO_SP_ENTITY_ID,
      callbackUrl: DEMO_ACS,
      idpCert: await idpCertOf(cc),
      idpIssuer: `${node}/saml/idp/metadata`,
      audience: DEMO_SP_ENTITY_ID,
      privateKey: demoKey.privateKeyPem,
      decryptionPvk: demoKey.privateKeyPem,
      signatureAlgorithm: 'sha256',
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: true,
      identifierFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
      racComparison: 'minimum',
      authnContext: [LOA_LOW],
      validateInResponseTo: ValidateInResponseTo.always,
      additionalAuthorizeParams: { kakehashi_persona: persona },
    });
  };
  const login = async (saml: SAML) => {
    const res = await f.fetch(await saml.getAuthorizeUrlAsync('relay-in', undefined, {}));
    const html = await res.text();
    expect(res.status, html.slice(0, 300)).toBe(200);
    const { profile } = await saml.validatePostResponseAsync({
      SAMLResponse: formValue(html, 'SAMLResponse') as string,
    });
    return profile as Profile;
  };
  const logout = async (saml: SAML, profile: Profile, relayState = 'relay-out') => {
    const url = await saml.getLogoutUrlAsync(profile, relayState, {});
    expect(new URL(url).searchParams.get('Signature')).toBeTruthy();
    const res = await f.fetch(url, { redirect: 'manual' });
    return { request: url, res, location: res.headers.get('location') ?? '' };
  };

  it.each(COUNTRIES)(
    '%s: node-saml logs in, then out; the IdP session ends (UnknownPrincipal the second time)',
    async (cc) => {
      const persona = `${cc.toLowerCase()}-003`;
      const saml = await spFor(cc, persona);
      const first = await login(saml);
      const second = await login(saml);
      expect(first.sessionIndex).toMatch(/^_[0-9a-f]{32}$/);
      expect(second.sessionIndex).not.toBe(first.sessionIndex);
      expect(second.nameID).toBe(first.nameID);

      const out = await logout(saml, first);
      expect(out.res.status, await out.res.clone().text()).toBe(302);
      // The demo SP has no fixed endpoints: its LogoutResponse goes to the loopback ACS it logged in with.
      expect(out.location.startsWith(`${DEMO_ACS}?SAMLResponse=`)).toBe(true);
      const { container, originalQuery } = redirectContainer(out.location);
      expect(container.RelayState).toBe('relay-out');
      const validated = await saml.validateRedirectAsync(container, originalQuery);
      expect(validated.loggedOut).toBe(true);

      // The same session again: it has ended; the principal's other session still answers.
      const again = await logout(saml, first);
      expect(again.res.status).toBe(302);
      const status = redirectXml(again.location, 'SAMLResponse');
      expect(status).toContain('urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal');
      await expect(
        saml.validateRedirectAsync(
          redirectContainer(again.location).container,
          redirectContainer(again.location).originalQuery,
        ),
      ).rejects.toThrow(/Bad status code/);
      const other = await logout(saml, second);
      expect(
        (
          await saml.validateRedirectAsync(
            redirectContainer(other.location).container,
            redirectContainer(other.location).originalQuery,
          )
        ).loggedOut,
      ).toBe(true);
    },
  );

  it('refuses an unsigned or tampered LogoutRequest with a problem and no redirect', async () => {
    const saml = await spFor('JP', 'jp-004');
    const profile = await login(saml);
    const url = new URL(await saml.getLogoutUrlAsync(profile, 'r', {}));
    const unsigned = new URL(url);
    unsigned.searchParams.delete('SigAlg');
    unsigned.searchParams.delete('Signature');
    const tampered = new URL(url);
    tampered.searchParams.set('RelayState', 'changed');
    for (const u of [unsigned, tampered]) {
      const res = await f.fetch(u.toString(), { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(((await res.json()) as { code: string }).code).toBe('saml-request-signature-invalid');
    }
    // Still logged in: the genuine request succeeds.
    const ok = await logout(saml, profile);
    expect(
      (
        await saml.validateRedirectAsync(
          redirectContainer(ok.location).container,
          redirectContainer(ok.location).originalQuery,
        )
      ).loggedOut,
    ).toBe(true);
  });

  it("xmllint: node-saml's LogoutRequest, our LogoutResponse and both metadata documents with SingleLogoutService are schema-valid", async () => {
    if (!hasTool('xmllint')) return;
    const saml = await spFor('EE', 'ee-003');
    const profile = await login(saml);
    const out = await logout(saml, profile);
    const request = redirectXml(out.request, 'SAMLRequest');
    const response = redirectXml(out.location, 'SAMLResponse');
    expect(request).toContain('LogoutRequest');
    expect(response).toContain('LogoutResponse');
    expect(schemaErrors(request)).toBe('');
    expect(schemaErrors(response)).toBe('');
    for (const path of ['/saml/idp/metadata', '/saml/sp/metadata', '/saml/demo-sp/metadata']) {
      const md = await (await f.fetch(`${f.urls.nodes.EE}${path}`)).text();
      expect(md).toContain('SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"');
      expect(schemaErrors(md), path).toBe('');
    }
  });

  it("xmllint: the connector's own LogoutRequest (DE's SP logging out of JP's IdP) is schema-valid", async () => {
    if (!hasTool('xmllint')) return;
    const res = await f.fetch(
      `${f.urls.nodes.DE}/saml/sp/logout?country=JP&nameId=${encodeURIComponent('JP/DE/x')}&sessionIndex=_abc`,
      { redirect: 'manual' },
    );
    expect(res.status).toBe(302);
    const location = res.headers.get('location') as string;
    expect(location.startsWith(`${f.urls.nodes.JP}/saml/idp/slo?SAMLRequest=`)).toBe(true);
    expect(schemaErrors(redirectXml(location, 'SAMLRequest'))).toBe('');
  });
});
