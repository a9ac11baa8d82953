import { join } from 'node:path';
import { buildAuthnRequest, DEMO_SP_ENTITY_ID, encodePostRequest, parseSamlXml } from '@kakehashi/eid';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';
import {
  DEMO_ACS,
  demoLogin,
  formValue,
  hasTool,
  LOA_HIGH,
  LOA_LOW,
  LOA_SUBSTANTIAL,
  run,
  SCHEMAS,
  schemaErrors,
  tempFiles,
} from '../support/saml.ts';

const COUNTRIES = ['AT', 'DE', 'EE', 'ES', 'FR', 'IT', 'JP'];

describe('eIDAS SAML at every node, checked by independent implementations', () => {
  let f: TestFederation;
  let demoKey: { privateKeyPem: string; certificatePem: string };
  beforeAll(async () => {
    f = await startTestFederation();
    demoKey = (await json<typeof demoKey>(f.fetch(`${f.urls.nodes.DE}/saml/demo-sp/key`))).body;
  }, 180_000);
  afterAll(() => f?.dispose());

  const idpCertOf = async (cc: string) => {
    const md = await (await f.fetch(`${f.urls.nodes[cc]}/saml/idp/metadata`)).text();
    parseSamlXml(md); // the metadata parses safely; the signing certificate is in KeyDescriptor use="signing"
    return (/<md:KeyDescriptor use="signing">[\s\S]*?<ds:X509Certificate>([^<]+)</.exec(md)?.[1] ?? '').replace(
      /\s+/g,
      '',
    );
  };

  it.each(COUNTRIES)(
    '@node-saml/node-saml (signed Redirect request, wantAssertionsSigned) logs in at %s',
    async (cc) => {
      const node = f.urls.nodes[cc] as string;
      const saml = new SAML({
        entryPoint: `${node}/saml/idp/sso`,
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
        additionalAuthorizeParams: { kakehashi_persona: `${cc.toLowerCase()}-002` },
      });
      const url = await saml.getAuthorizeUrlAsync('relay-1', undefined, {});
      expect(new URL(url).searchParams.get('Signature')).toBeTruthy();
      const res = await f.fetch(url);
      const html = await res.text();
      expect(res.status, html.slice(0, 300)).toBe(200);
      expect(formValue(html, 'RelayState')).toBe('relay-1');
      const { profile } = await saml.validatePostResponseAsync({
        SAMLResponse: formValue(html, 'SAMLResponse') as string,
      });
      expect(profile?.issuer).toBe(`${node}/saml/idp/metadata`);
      expect(profile?.nameID).toMatch(new RegExp(`^${cc}/${cc}/[A-Za-z0-9_-]{43}$`));
      expect(profile?.nameIDFormat).toBe('urn:oasis:names:tc:SAML:2.0:nameid-format:persistent');
      const attrs = profile?.attributes as Record<string, unknown>;
      expect(attrs['http://eidas.europa.eu/attributes/naturalperson/PersonIdentifier']).toBe(profile?.nameID);
      expect(attrs['http://eidas.europa.eu/attributes/naturalperson/DateOfBirth']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    },
  );

  it('python3-onelogin-saml2 in strict mode accepts the Response (Destination, audience, InResponseTo, times, both signatures, decryption)', async () => {
    if (!hasTool('python3-onelogin')) return;
    const cc = 'JP';
    const node = f.urls.nodes[cc] as string;
    const login = await demoLogin(f, cc, { loa: LOA_SUBSTANTIAL });
    const settings = {
      strict: true,
      sp: {
        entityId: DEMO_SP_ENTITY_ID,
        assertionConsumerService: { url: DEMO_ACS, binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST' },
        NameIDFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
        x509cert: demoKey.certificatePem,
        privateKey: demoKey.privateKeyPem,
      },
      idp: {
        entityId: `${node}/saml/idp/metadata`,
        singleSignOnService: {
          url: `${node}/saml/idp/sso`,
          binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
        },
        x509cert: await idpCertOf(cc),
      },
      security: {
        wantAssertionsSigned: true,
        wantMessagesSigned: true,
        wantAssertionsEncrypted: true,
        wantNameIdEncrypted: false,
        requestedAuthnContext: false,
        rejectDeprecatedAlgorithm: true,
      },
    };
    // python3-saml validates against its own copy of the SAML schemas, which lack the eIDAS attribute types
    // (xsi:type="eidas-natural:PersonIdentifierType", as eIDAS-Node emits them). Its schema set is extended with
    // the eIDAS natural-person schema; every other strict-mode check is the library's own.
    const script = `
import json, sys, os, tempfile
from lxml import etree
import onelogin.saml2
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from onelogin.saml2.response import OneLogin_Saml2_Response
d = json.load(sys.stdin)
lib = os.path.join(os.path.dirname(onelogin.saml2.__file__), 'schemas')
driver = tempfile.NamedTemporaryFile('w', suffix='.xsd', delete=False)
driver.write('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:driver">'
  + '<xs:import namespace="urn:oasis:names:tc:SAML:2.0:protocol" schemaLocation="file://' + lib + '/saml-schema-protocol-2.0.xsd"/>'
  + '<xs:import namespace="http://eidas.europa.eu/attributes/naturalperson" schemaLocation="file://' + d['eidasSchema'] + '"/></xs:schema>')
driver.close()
eidas_schema = etree.XMLSchema(etree.parse(driver.name))
def validate_xml(xml, schema, debug=False):
    x = OneLogin_Saml2_XML.to_etree(xml)
    return x if eidas_schema.validate(x) else 'invalid_xml: ' + str(eidas_schema.error_log.last_error)
OneLogin_Saml2_XML.validate_xml = staticmethod(validate_xml)
s = OneLogin_Saml2_Settings(d['settings'], sp_validation_only=False)
r = OneLogin_Saml2_Response(s, d['response'])
req = {'https': 'off', 'http_host': '127.0.0.1', 'server_port': '53124', 'script_name': '/saml/acs', 'get_data': {}, 'post_data': {}}
ok = r.is_valid(req, request_id=d['requestId'], raise_exceptions=False)
print(json.dumps({'valid': ok, 'error': r.get_error(), 'nameId': r.get_nameid() if ok else None, 'attributes': r.get_attributes() if ok else None}))
`;
    const eidasSchema = join(SCHEMAS, 'eidas', 'saml_eidas_natural_person.xsd');
    const py = run(
      '/usr/bin/python3',
      ['-c', script],
      JSON.stringify({ settings, response: login.b64, requestId: login.id, eidasSchema }),
    );
    expect(py.status, py.output).toBe(0);
    const out = JSON.parse(py.output.trim().split('\n').at(-1) as string) as {
      valid: boolean;
      error: string | null;
      nameId: string;
      attributes: Record<string, string[]>;
    };
    expect(out.error).toBeNull();
    expect(out.valid).toBe(true);
    expect(out.nameId).toMatch(/^JP\/JP\//);
    expect(out.attributes['http://eidas.europa.eu/attributes/naturalperson/CurrentFamilyName']).toHaveLength(2); // kanji + Latin

    // The same library refuses the Response for another request ID (strict InResponseTo).
    const other = run(
      '/usr/bin/python3',
      ['-c', script],
      JSON.stringify({ settings, response: login.b64, requestId: '_other', eidasSchema }),
    );
    expect(JSON.parse(other.output.trim().split('\n').at(-1) as string).valid).toBe(false);
  });

  it('xmlsec1 verifies the Response and the decrypted assertion with the trust fabric root and issuing CA', async () => {
    if (!hasTool('xmlsec1')) return;
    const node = f.urls.nodes.DE as string;
    const jwks = (await json<{ keys: { x5c?: string[] }[] }>(f.fetch(`${node}/oidc/jwks`))).body;
    const x5c = jwks.keys.find((k) => k.x5c)?.x5c as string[];
    const pem = (b: string) =>
      `-----BEGIN CERTIFICATE-----\n${b.match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----\n`;
    const login = await demoLogin(f, 'DE');
    const files = tempFiles({
      'response.xml': login.xml,
      'root.pem': pem(x5c[2] as string),
      'int.pem': pem(x5c[1] as string),
      'key.pem': demoKey.privateKeyPem,
    });
    const trust = ['--trusted-pem', files['root.pem'] as string, '--untrusted-pem', files['int.pem'] as string];
    const verifyResponse = run('xmlsec1', [
      '--verify',
      ...trust,
      '--id-attr:ID',
      'urn:oasis:names:tc:SAML:2.0:protocol:Response',
      '--enabled-reference-uris',
      'same-doc',
      files['response.xml'] as string,
    ]);
    expect(verifyResponse.status, verifyResponse.output).toBe(0);
    expect(verifyResponse.output).toMatch(/^OK/m);
    const dec = run('xmlsec1', [
      '--decrypt',
      '--privkey-pem',
      files['key.pem'] as string,
      files['response.xml'] as string,
    ]);
    expect(dec.status, dec.output).toBe(0);
    const assertion = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(dec.output)?.[0] as string;
    expect(assertion).toContain('AuthnContextClassRef');
    const a = tempFiles({ 'assertion.xml': assertion });
    const verifyAssertion = run('xmlsec1', [
      '--verify',
      ...trust,
      '--id-attr:ID',
      'urn:oasis:names:tc:SAML:2.0:assertion:Assertion',
      '--enabled-reference-uris',
      'same-doc',
      a['assertion.xml'] as string,
    ]);
    expect(verifyAssertion.status, verifyAssertion.output).toBe(0);
    // A tampered assertion fails xmlsec1 too (the verifier is not a rubber stamp).
    const t = tempFiles({
      'assertion.xml': assertion.replace(/DateOfBirthType">[^<]+/, 'DateOfBirthType">1900-01-01'),
    });
    expect(
      run('xmlsec1', [
        '--verify',
        ...trust,
        '--id-attr:ID',
        'urn:oasis:names:tc:SAML:2.0:assertion:Assertion',
        t['assertion.xml'] as string,
      ]).status,
    ).not.toBe(0);
    if (hasTool('xmllint')) expect(schemaErrors(assertion)).toBe('');
  });

  it('xmllint accepts the AuthnRequest, the Response, both metadata documents and the demo SP metadata', async () => {
    if (!hasTool('xmllint')) return;
    const node = f.urls.nodes.FR as string;
    for (const path of ['/saml/idp/metadata', '/saml/sp/metadata', '/saml/demo-sp/metadata']) {
      const res = await f.fetch(`${node}${path}`);
      expect(res.headers.get('content-type')).toContain('application/samlmetadata+xml');
      expect(schemaErrors(await res.text()), path).toBe('');
    }
    const { xml } = buildAuthnRequest({
      issuer: DEMO_SP_ENTITY_ID,
      destination: `${node}/saml/idp/sso`,
      acsUrl: DEMO_ACS,
      requestedLoa: LOA_SUBSTANTIAL,
      nowMs: f.clock.nowMs(),
    });
    expect(schemaErrors(xml)).toBe('');
    const login = await demoLogin(f, 'FR', {
      attributes: [
        { name: 'PersonIdentifier', required: true },
        { name: 'FamilyName', required: true },
        { name: 'FirstName', required: true },
        { name: 'DateOfBirth', required: true },
        { name: 'BirthName', required: false },
        { name: 'PlaceOfBirth', required: false },
        { name: 'CurrentAddress', required: false },
        { name: 'Gender', required: false },
      ],
    });
    expect(schemaErrors(login.xml)).toBe('');
  });

  it('the validation service at the hub and at a node validates a real Response, then refuses its replay (S12)', async () => {
    const node = f.urls.nodes.IT as string;
    const login = await demoLogin(f, 'IT', {
      loa: LOA_SUBSTANTIAL,
      attributes: [
        { name: 'PersonIdentifier', required: true },
        { name: 'FamilyName', required: true },
        { name: 'FirstName', required: true },
        { name: 'DateOfBirth', required: true },
        { name: 'Gender', required: false },
        { name: 'CurrentAddress', required: false },
      ],
    });
    const body = {
      samlResponse: login.b64,
      expected: {
        issuer: `${node}/saml/idp/metadata`,
        audience: DEMO_SP_ENTITY_ID,
        destination: DEMO_ACS,
        inResponseTo: login.id,
        requestedLoa: LOA_SUBSTANTIAL,
        decryptionKeyPem: demoKey.privateKeyPem,
      },
    };
    const post = (at: string) =>
      json<{ valid: boolean; identity?: Record<string, string>; failure?: { rule: string; code: string } }>(
        f.fetch(`${at}/eid/validate/saml-response`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      );
    const hub = await post(f.urls.hub);
    expect(hub.status).toBe(200);
    expect(hub.body.valid).toBe(true);
    expect(hub.body.identity?.country).toBe('IT');
    expect(hub.body.identity?.gender).toMatch(/^(Male|Female)$/);
    expect(Buffer.from(hub.body.identity?.currentAddress as string, 'base64').toString()).toContain('PostCode');
    expect(hub.body.identity?.personIdentifier).toBe(hub.body.identity?.nameId);
    const again = await post(f.urls.hub);
    expect(again.body.failure).toMatchObject({ rule: 'S12', code: 'saml-replay' });
    // Another component keeps its own replay cache: the DE node validates it once.
    const de = await post(f.urls.nodes.DE as string);
    expect(de.body.valid).toBe(true);
    // Malformed requests are problems, not verdicts.
    const bad = await f.fetch(`${f.urls.hub}/eid/validate/saml-response`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ samlResponse: login.b64, expected: { issuer: 'x' } }),
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
  });

  it('cross-border: node DE (connector) logs a Japanese citizen in at JP (proxy service) and validates the Response', async () => {
    const de = f.urls.nodes.DE as string;
    const start = await f.fetch(`${de}/saml/sp/login?country=JP&loa=high&persona=jp-003&RelayState=back-to-service`, {
      redirect: 'manual',
    });
    expect(start.status).toBe(302);
    // Through the hub's relay, which forwards the same signed query to JP's proxy service.
    const relay = new URL(start.headers.get('location') as string);
    expect(`${relay.origin}${relay.pathname}`).toBe(`${f.urls.hub}/eid/proxy/JP/saml`);
    const relayed = await f.fetch(relay.href, { redirect: 'manual' });
    expect(relayed.status).toBe(302);
    const location = new URL(relayed.headers.get('location') as string);
    expect(location.origin).toBe(new URL(f.urls.nodes.JP as string).origin);
    expect(location.searchParams.get('SigAlg')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    const idp = await f.fetch(location.href);
    const html = await idp.text();
    const samlResponse = formValue(html, 'SAMLResponse') as string;
    expect(html).toContain(`action="${de}/saml/sp/acs"`);
    const acs = await json<{ valid: boolean; identity: Record<string, string>; relayState: string }>(
      f.fetch(`${de}/saml/sp/acs`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ SAMLResponse: samlResponse, RelayState: 'back-to-service' }),
      }),
    );
    expect(acs.status).toBe(200);
    expect(acs.body.valid).toBe(true);
    expect(acs.body.relayState).toBe('back-to-service');
    expect(acs.body.identity.personIdentifier).toMatch(/^JP\/DE\//);
    expect(acs.body.identity.loa).toBe(LOA_HIGH);
    // The outstanding request is single-use: the same Response again is unsolicited.
    const replay = await f.fetch(`${de}/saml/sp/acs`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLResponse: samlResponse }),
    });
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { code: string }).code).toBe('saml-unsolicited-response');
  });

  it('the POST binding with an enveloped signature, the persona picker, admin-registered SPs and error statuses', async () => {
    const node = f.urls.nodes.EE as string;
    const { xml } = buildAuthnRequest({
      issuer: DEMO_SP_ENTITY_ID,
      destination: `${node}/saml/idp/sso`,
      acsUrl: DEMO_ACS,
      requestedLoa: LOA_LOW,
      nowMs: f.clock.nowMs(),
    });
    const { createPrivateKey } = await import('node:crypto');
    const form = encodePostRequest(xml, {
      relayState: 'r',
      signer: { privateKey: createPrivateKey(demoKey.privateKeyPem), certPem: demoKey.certificatePem },
    });
    // No persona: the watermarked picker, posting to /saml/idp/login.
    const picker = await f.fetch(`${node}/saml/idp/sso`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    const page = await picker.text();
    expect(picker.status).toBe(200);
    expect(page).toContain('data-testid="test-only-banner"');
    expect(page).toContain('action="/saml/idp/login"');
    const requestId = /name="request_id" value="([^"]+)"/.exec(page)?.[1] as string;
    const done = await f.fetch(`${node}/saml/idp/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        request_id: requestId,
        family_name: 'Tamm',
        given_name: 'Mari',
        birthdate: '1990-02-03',
      }),
    });
    const doneHtml = await done.text();
    expect(done.status).toBe(200);
    expect(formValue(doneHtml, 'SAMLResponse')).toBeTruthy();
    // The pending login is single-use.
    const again = await f.fetch(`${node}/saml/idp/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ request_id: requestId, persona: 'ee-001' }),
    });
    expect(((await again.json()) as { code: string }).code).toBe('saml-request-expired');

    // A minimum above the node's LoA: a signed Response with Responder/NoAuthnContext to the (known) SP.
    const lowNode = f.urls.nodes.FR as string; // FR: LoA substantial
    const highReq = buildAuthnRequest({
      issuer: DEMO_SP_ENTITY_ID,
      destination: `${lowNode}/saml/idp/sso`,
      acsUrl: DEMO_ACS,
      requestedLoa: LOA_HIGH,
      nowMs: f.clock.nowMs(),
    });
    const { encodeRedirectRequest } = await import('@kakehashi/eid');
    const err = await f.fetch(
      encodeRedirectRequest(`${lowNode}/saml/idp/sso`, highReq.xml, { extraParams: { kakehashi_persona: 'fr-001' } }),
    );
    const errXml = Buffer.from(formValue(await err.text(), 'SAMLResponse') as string, 'base64').toString();
    expect(errXml).toContain('urn:oasis:names:tc:SAML:2.0:status:Responder');
    expect(errXml).toContain('urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext');
    expect(errXml).not.toContain('EncryptedAssertion');
    expect(errXml).toContain('<ds:Signature');

    // Admin registration of an SP from its metadata (here: node DE's connector metadata under its own entity ID).
    const spMd = await (await f.fetch(`${f.urls.nodes.DE}/saml/sp/metadata`)).text();
    const unauth = await f.fetch(`${node}/admin/saml/sps`, {
      method: 'POST',
      headers: { 'content-type': 'application/samlmetadata+xml' },
      body: spMd,
    });
    expect(unauth.status).toBe(401);
    const reg = await f.fetch(`${node}/admin/saml/sps?country=DE`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/samlmetadata+xml' },
      body: spMd,
    });
    expect(reg.status).toBe(201);
    const list = (await json<{ sps: { entityId: string }[] }>(f.fetch(`${node}/admin/saml/sps`, { headers: ADMIN })))
      .body;
    expect(list.sps.map((s) => s.entityId)).toContain(`${f.urls.nodes.DE}/saml/sp/metadata`);
    const bad = await f.fetch(`${node}/admin/saml/sps`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/samlmetadata+xml' },
      body: '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe('saml-metadata-invalid');
    // Admin reset clears the registered SPs.
    expect((await f.fetch(`${node}/admin/reset`, { method: 'POST', headers: ADMIN })).status).toBe(200);
    const after = (await json<{ sps: unknown[] }>(f.fetch(`${node}/admin/saml/sps`, { headers: ADMIN }))).body;
    expect(after.sps).toHaveLength(0);
  });
});
