import { join } from 'node:path';
import { buildAuthnRequest, DEMO_SP_ENTITY_ID, encodeRedirectRequest, parseSamlXml } from '@kakehashi/eid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestFederation, type TestFederation } from '../support/federation.ts';
import { DEMO_ACS, formValue, hasTool, LOA_HIGH, LOA_SUBSTANTIAL, run, SCHEMAS, tempFiles } from '../support/saml.ts';

/**
 * What python3-onelogin-saml2 in strict mode (both signatures and encryption wanted, InResponseTo given,
 * failOnAuthnContextMismatch with substantial and high requested) says of each forged Response: the
 * OneLogin_Saml2_ValidationError it raises. It keeps no assertion IDs, so a replayed assertion is its blind spot
 * (S12: ours refuses it, tests/e2e/eid-faults-saml.test.ts).
 */
const PYTHON: Record<string, string | 'accepts'> = {
  'saml.unsigned-assertion': 'NO_SIGNED_ASSERTION',
  // It reads the first decrypted assertion — the evil, unsigned one — and refuses it as unsigned.
  'saml.wrapped-assertion': 'NO_SIGNED_ASSERTION',
  'saml.wrapped-assertion.xsw1': 'WRONG_NUMBER_OF_ASSERTIONS',
  'saml.wrapped-assertion.xsw2': 'WRONG_NUMBER_OF_ASSERTIONS',
  'saml.wrapped-assertion.xsw4': 'WRONG_NUMBER_OF_ASSERTIONS',
  'saml.wrapped-assertion.xsw5': 'INVALID_SIGNED_ELEMENT',
  'saml.wrapped-assertion.xsw6': 'WRONG_NUMBER_OF_ASSERTIONS',
  'saml.wrapped-assertion.xsw7': 'WRONG_NUMBER_OF_ASSERTIONS',
  'saml.wrapped-assertion.xsw8': 'WRONG_NUMBER_OF_ASSERTIONS',
  'saml.attacker-key': 'INVALID_SIGNATURE',
  'saml.replayed-assertion': 'accepts',
  'saml.wrong-in-response-to': 'WRONG_INRESPONSETO',
  'saml.wrong-destination': 'WRONG_DESTINATION',
  'saml.wrong-audience': 'WRONG_AUDIENCE',
  'saml.expired': 'ASSERTION_EXPIRED',
  'saml.wrong-issuer': 'WRONG_ISSUER',
  'saml.loa-too-low': 'AUTHN_CONTEXT_MISMATCH',
  'saml.assertion-in-failed-response': 'STATUS_CODE_IS_NOT_SUCCESS',
  'saml.tampered-assertion': 'INVALID_SIGNATURE',
};

// python3-saml validates against its own copy of the SAML schemas, which lack the eIDAS attribute types; its schema
// set is extended with the eIDAS natural-person schema (as in saml-interop.test.ts). Every other check is its own.
const SCRIPT = `
import json, sys, os, tempfile
from lxml import etree
import onelogin.saml2
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.errors import OneLogin_Saml2_ValidationError
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
names = {v: k for k, v in vars(OneLogin_Saml2_ValidationError).items() if isinstance(v, int)}
s = OneLogin_Saml2_Settings(d['settings'], sp_validation_only=False)
req = {'https': 'off', 'http_host': '127.0.0.1', 'server_port': '53124', 'script_name': '/saml/acs', 'get_data': {}, 'post_data': {}}
try:
    r = OneLogin_Saml2_Response(s, d['response'])
    r.is_valid(req, request_id=d['requestId'], raise_exceptions=True)
    print(json.dumps({'valid': True, 'code': None, 'error': None}))
except OneLogin_Saml2_ValidationError as e:
    print(json.dumps({'valid': False, 'code': names.get(e.code, str(e.code)), 'error': str(e)}))
except Exception as e:
    print(json.dumps({'valid': False, 'code': type(e).__name__, 'error': str(e)}))
`;

/**
 * The forged Responses of the saml.* faults checked by independent implementations: python3-onelogin-saml2 in
 * strict mode refuses each one (Destination, Recipient, Issuer and the LoA included: node-saml's blind spots), and
 * xmlsec1 with the trust fabric's root refuses the signature faults — the unsigned, the attacker-signed and the
 * tampered assertion — while it verifies the genuine Response and assertion.
 */
describe('SAML faults checked by python3-onelogin-saml2 (strict) and xmlsec1', () => {
  let f: TestFederation;
  let node: string;
  let demoKey: { privateKeyPem: string; certificatePem: string };
  let idpCert: string;
  let persona: string;
  let trust: string[];

  beforeAll(async () => {
    f = await startTestFederation({ countries: ['AT', 'DE'] });
    node = f.urls.nodes.AT as string;
    demoKey = (await json<typeof demoKey>(f.fetch(`${node}/saml/demo-sp/key`))).body;
    const md = await (await f.fetch(`${node}/saml/idp/metadata`)).text();
    parseSamlXml(md);
    idpCert = (/<md:KeyDescriptor use="signing">[\s\S]*?<ds:X509Certificate>([^<]+)</.exec(md)?.[1] ?? '').replace(
      /\s+/g,
      '',
    );
    const list = (await json<{ id: string; loa: string }[]>(f.fetch(`${node}/personas`))).body;
    persona = (list.find((p) => !p.loa.endsWith('/low')) as { id: string }).id;
    // The trust fabric's root and the issuing CA of AT's signing certificate (as saml-interop.test.ts finds them).
    const jwks = (await json<{ keys: { x5c?: string[] }[] }>(f.fetch(`${node}/oidc/jwks`))).body;
    const x5c = jwks.keys.find((k) => k.x5c)?.x5c as string[];
    const pem = (b: string) =>
      `-----BEGIN CERTIFICATE-----\n${b.match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----\n`;
    const files = tempFiles({ 'root.pem': pem(x5c[2] as string), 'int.pem': pem(x5c[1] as string) });
    trust = ['--trusted-pem', files['root.pem'] as string, '--untrusted-pem', files['int.pem'] as string];
  }, 180_000);
  afterAll(() => f?.dispose());

  /** A demo-SP login at AT asking for `fault`: the Response XML and the request it answers. */
  const login = async (fault?: string) => {
    const { id, xml } = buildAuthnRequest({
      issuer: DEMO_SP_ENTITY_ID,
      destination: `${node}/saml/idp/sso`,
      acsUrl: DEMO_ACS,
      requestedLoa: LOA_SUBSTANTIAL,
      nowMs: f.clock.nowMs(),
    });
    const res = await f.fetch(
      encodeRedirectRequest(`${node}/saml/idp/sso`, xml, {
        extraParams: { kakehashi_persona: persona, ...(fault ? { kakehashi_fault: fault } : {}) },
      }),
    );
    const html = await res.text();
    expect(res.status, html.slice(0, 300)).toBe(200);
    const b64 = formValue(html, 'SAMLResponse') as string;
    return { id, b64, xml: Buffer.from(b64, 'base64').toString('utf8') };
  };

  const python = (response: string, requestId: string) => {
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
        x509cert: idpCert,
      },
      security: {
        wantAssertionsSigned: true,
        wantMessagesSigned: true,
        wantAssertionsEncrypted: true,
        wantNameIdEncrypted: false,
        requestedAuthnContext: [LOA_SUBSTANTIAL, LOA_HIGH],
        failOnAuthnContextMismatch: true,
        rejectDeprecatedAlgorithm: true,
      },
    };
    const eidasSchema = join(SCHEMAS, 'eidas', 'saml_eidas_natural_person.xsd');
    const py = run('/usr/bin/python3', ['-c', SCRIPT], JSON.stringify({ settings, response, requestId, eidasSchema }));
    expect(py.status, py.output).toBe(0);
    return JSON.parse(py.output.trim().split('\n').at(-1) as string) as {
      valid: boolean;
      code: string | null;
      error: string | null;
    };
  };

  it('python3-onelogin-saml2 accepts the genuine Response (the control)', async () => {
    if (!hasTool('python3-onelogin')) return;
    const r = await login();
    expect(python(r.b64, r.id)).toEqual({ valid: true, code: null, error: null });
  });

  it.each(Object.keys(PYTHON))('python3-onelogin-saml2 (strict) on %s', async (fault) => {
    if (!hasTool('python3-onelogin')) return;
    if (fault === 'saml.replayed-assertion') await login(); // an assertion to replay
    const r = await login(fault);
    const out = python(r.b64, r.id);
    const expected = PYTHON[fault];
    if (expected === 'accepts') expect(out.valid).toBe(true);
    else expect(out, out.error ?? '').toMatchObject({ valid: false, code: expected });
  });

  /** xmlsec1 --verify of the Response and of the assertion xmlsec1 itself decrypted. */
  const xmlsec = (xml: string) => {
    const files = tempFiles({ 'response.xml': xml, 'key.pem': demoKey.privateKeyPem });
    const verify = (file: string, element: string) =>
      run('xmlsec1', ['--verify', ...trust, '--id-attr:ID', element, '--enabled-reference-uris', 'same-doc', file]);
    const response = verify(files['response.xml'] as string, 'urn:oasis:names:tc:SAML:2.0:protocol:Response');
    const dec = run('xmlsec1', [
      '--decrypt',
      '--privkey-pem',
      files['key.pem'] as string,
      files['response.xml'] as string,
    ]);
    expect(dec.status, dec.output).toBe(0);
    const assertionXml = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(dec.output)?.[0] as string;
    const a = tempFiles({ 'assertion.xml': assertionXml });
    const assertion = verify(a['assertion.xml'] as string, 'urn:oasis:names:tc:SAML:2.0:assertion:Assertion');
    return { response, assertion };
  };

  it('xmlsec1 verifies the genuine Response and assertion (the control)', async () => {
    if (!hasTool('xmlsec1')) return;
    const v = xmlsec((await login()).xml);
    expect(v.response.status, v.response.output).toBe(0);
    expect(v.assertion.status, v.assertion.output).toBe(0);
  });

  it('xmlsec1 refuses the unsigned assertion (the Response around it verifies)', async () => {
    if (!hasTool('xmlsec1')) return;
    const v = xmlsec((await login('saml.unsigned-assertion')).xml);
    expect(v.response.status, v.response.output).toBe(0);
    expect(v.assertion.status).not.toBe(0);
    expect(v.assertion.output).toMatch(/Signature/);
  });

  it("xmlsec1 refuses the attacker's signatures: the KeyInfo certificate does not chain to the trusted root", async () => {
    if (!hasTool('xmlsec1')) return;
    const v = xmlsec((await login('saml.attacker-key')).xml);
    expect(v.response.status).not.toBe(0);
    expect(v.assertion.status).not.toBe(0);
    expect(`${v.response.output}${v.assertion.output}`).toMatch(/certificate|verify/i);
  });

  it('xmlsec1 refuses the tampered assertion (digest mismatch); the Response signed over it verifies', async () => {
    if (!hasTool('xmlsec1')) return;
    const v = xmlsec((await login('saml.tampered-assertion')).xml);
    expect(v.response.status, v.response.output).toBe(0);
    expect(v.assertion.status).not.toBe(0);
    expect(v.assertion.output).toMatch(/digest|FAIL/i);
  });
});
