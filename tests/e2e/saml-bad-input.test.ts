import { deflateRawSync } from 'node:zlib';
import { buildAuthnRequest, DEMO_SP_ENTITY_ID, encodeRedirectRequest } from '@kakehashi/eid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestFederation, type TestFederation } from '../support/federation.ts';
import { DEMO_ACS, LOA_LOW } from '../support/saml.ts';

/** Bad input at the SAML entry points: clear problem+json with a stable code, never a crash. */
describe('SAML entry points refuse bad input with problem+json', () => {
  let f: TestFederation;
  let node: string;
  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'JP'] });
    node = f.urls.nodes.JP as string;
  }, 180_000);
  afterAll(() => f?.dispose());

  const problem = async (res: Response | Promise<Response>) => {
    const r = await res;
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    const body = (await r.json()) as { code: string; detail: string; status: number };
    return { status: r.status, code: body.code, detail: body.detail };
  };
  const deflated = (xml: string) => encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString('base64'));
  const sso = (query: string) => f.fetch(`${node}/saml/idp/sso?${query}`);
  const request = (overrides: Partial<Parameters<typeof buildAuthnRequest>[0]> = {}) =>
    buildAuthnRequest({
      issuer: DEMO_SP_ENTITY_ID,
      destination: `${node}/saml/idp/sso`,
      acsUrl: DEMO_ACS,
      requestedLoa: LOA_LOW,
      nowMs: f.clock.nowMs(),
      ...overrides,
    }).xml;

  it('HTTP-Redirect: missing SAMLRequest, bad base64, bad deflate, non-XML, repeated parameters', async () => {
    expect(await problem(sso('RelayState=x'))).toMatchObject({ status: 400, code: 'saml-binding-invalid' });
    expect(await problem(sso('SAMLRequest=%%%not-base64'))).toMatchObject({
      status: 400,
      code: 'saml-binding-invalid',
    });
    expect(await problem(sso('SAMLRequest=bm90IGRlZmxhdGU%3D'))).toMatchObject({
      status: 400,
      code: 'saml-binding-invalid',
    });
    expect(await problem(sso(`SAMLRequest=${deflated('hello, not xml')}`))).toMatchObject({
      status: 400,
      code: 'malformed-xml',
    });
    const x = deflated(request());
    expect(await problem(sso(`SAMLRequest=${x}&SAMLRequest=${x}`))).toMatchObject({ code: 'saml-binding-invalid' });
    expect(await problem(sso(`SAMLRequest=${x}&RelayState=${'r'.repeat(81)}`))).toMatchObject({
      code: 'saml-binding-invalid',
    });
  });

  it('a malformed %-escape in a parameter name or value: 400 saml-binding-invalid at every Redirect endpoint', async () => {
    const good = new URL(encodeRedirectRequest(`${node}/saml/idp/sso`, request())).search.slice(1);
    const queries = [
      good.replace('SAMLRequest', 'SAML%ZZRequest'),
      `${good}&%=x`,
      `%=x&${good}`,
      `${good}&RelayState=%`,
    ];
    const endpoints = [
      `${node}/saml/idp/sso`,
      `${f.urls.hub}/eid/proxy/JP/saml`,
      `${node}/saml/idp/slo`,
      `${f.urls.nodes.DE}/saml/sp/slo`,
    ];
    for (const endpoint of endpoints)
      for (const q of queries) {
        const query = endpoint.endsWith('/sp/slo') ? q.replace('SAMLRequest', 'SAMLResponse') : q;
        const got = await problem(f.fetch(`${endpoint}?${query}`, { redirect: 'manual' }));
        expect(got, `${endpoint}?…${query.slice(-20)}`).toMatchObject({ status: 400, code: 'saml-binding-invalid' });
        expect(got.detail).toContain('URL-encoded');
      }
  });

  it('wrong binding or message: a SAMLResponse at the SSO, a JSON body, a SAMLRequest at the ACS', async () => {
    expect(await problem(sso('SAMLResponse=abcd'))).toMatchObject({ code: 'saml-binding-invalid' });
    expect(
      await problem(
        f.fetch(`${node}/saml/idp/sso`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        }),
      ),
    ).toMatchObject({ status: 415, code: 'unsupported-media-type' });
    expect(
      await problem(
        f.fetch(`${node}/saml/sp/acs`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ SAMLRequest: Buffer.from(request()).toString('base64') }),
        }),
      ),
    ).toMatchObject({ code: 'saml-binding-invalid' });
  });

  it('unknown SP, ACS not in metadata, unsigned request from a connector, no AuthnRequest at all', async () => {
    expect(await problem(sso(`SAMLRequest=${deflated(request({ issuer: 'urn:unknown:sp' }))}`))).toMatchObject({
      code: 'saml-unknown-sp',
    });
    expect(
      await problem(sso(`SAMLRequest=${deflated(request({ acsUrl: 'https://evil.example/acs' }))}`)),
    ).toMatchObject({
      code: 'saml-acs-invalid',
    });
    const de = `${f.urls.nodes.DE}/saml/sp/metadata`;
    expect(
      await problem(sso(`SAMLRequest=${deflated(request({ issuer: de, acsUrl: `${f.urls.nodes.DE}/saml/sp/acs` }))}`)),
    ).toMatchObject({ code: 'saml-request-signature-invalid' });
    expect(
      await problem(
        sso(`SAMLRequest=${deflated('<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>')}`),
      ),
    ).toMatchObject({ code: 'saml-request-invalid' });
  });

  it('X1/X2 DOCTYPE and entities, X5 duplicate IDs, X6 a deflate bomb and deep nesting — at the SSO', async () => {
    const xml = request();
    const withDoctype = xml.replace(
      '<samlp:AuthnRequest',
      '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]><samlp:AuthnRequest',
    );
    expect(await problem(sso(`SAMLRequest=${deflated(withDoctype)}`))).toMatchObject({ code: 'xml-doctype-forbidden' });
    const laughs = `<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>${xml}`;
    expect(await problem(sso(`SAMLRequest=${deflated(laughs)}`))).toMatchObject({ code: 'xml-doctype-forbidden' });
    const id = /ID="([^"]+)"/.exec(xml)?.[1] as string;
    const dup = xml.replace(
      '<samlp:NameIDPolicy',
      `<samlp:Scoping xmlns:x="urn:x"><x:e ID="${id}"/></samlp:Scoping><samlp:NameIDPolicy`,
    );
    expect(await problem(sso(`SAMLRequest=${deflated(dup)}`))).toMatchObject({ code: 'xml-duplicate-id' });
    const bomb = encodeURIComponent(deflateRawSync(Buffer.alloc(20_000_000, 0x20)).toString('base64'));
    expect(await problem(sso(`SAMLRequest=${bomb}`))).toMatchObject({ status: 413, code: 'xml-too-large' });
    const deep = `${'<a>'.repeat(200)}${'</a>'.repeat(200)}`;
    expect(await problem(sso(`SAMLRequest=${deflated(deep)}`))).toMatchObject({ code: 'xml-too-deep' });
  });

  it('the ACS: bad base64, non-XML, DOCTYPE, unsolicited Response, wrong content type', async () => {
    const acs = (fields: Record<string, string>, type = 'application/x-www-form-urlencoded') =>
      f.fetch(`${node}/saml/sp/acs`, {
        method: 'POST',
        headers: { 'content-type': type },
        body: new URLSearchParams(fields),
      });
    expect(await problem(acs({ SAMLResponse: '***' }))).toMatchObject({ code: 'saml-binding-invalid' });
    expect(await problem(acs({}))).toMatchObject({ code: 'saml-binding-invalid' });
    expect(await problem(acs({ SAMLResponse: Buffer.from('not xml').toString('base64') }))).toMatchObject({
      code: 'malformed-xml',
    });
    const doctype =
      '<!DOCTYPE r SYSTEM "http://attacker.invalid/x.dtd"><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>';
    expect(await problem(acs({ SAMLResponse: Buffer.from(doctype).toString('base64') }))).toMatchObject({
      code: 'xml-doctype-forbidden',
    });
    const unsolicited =
      '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_a" InResponseTo="_never-sent"/>';
    expect(await problem(acs({ SAMLResponse: Buffer.from(unsolicited).toString('base64') }))).toMatchObject({
      code: 'saml-unsolicited-response',
    });
    expect(await problem(acs({ SAMLResponse: 'x' }, 'text/plain'))).toMatchObject({ status: 415 });
  });

  it('stays healthy after all of it, and a good login still works', async () => {
    expect((await f.fetch(`${node}/health`)).status).toBe(200);
    const res = await f.fetch(
      encodeRedirectRequest(`${node}/saml/idp/sso`, request(), { extraParams: { kakehashi_persona: 'jp-001' } }),
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('name="SAMLResponse"');
  });
});
