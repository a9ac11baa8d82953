import { join } from 'node:path';
import { crlToPem } from '@kakehashi/trust';
import { beforeAll, describe, expect, it } from 'vitest';
import { type SignedDocument, signDocument } from '../../src/sign/sign-document.ts';
import {
  cred,
  frozenClock,
  hasTool,
  jpkiCitizen,
  material,
  run,
  T0,
  tempFiles,
  trustView,
  tsaFor,
} from '../fixtures.ts';

/**
 * Our output checked by tools that share no code with us: xmlsec1 (XAdES, trusted lists), xmllint with the
 * ETSI schemas (XAdES, trusted lists), openssl cms -cades (CAdES, with the CRLs), python3-jwcrypto (JAdES).
 */
const SCHEMAS = join(import.meta.dirname, '..', '..', '..', '..', '..', 'shared', 'schemas');
const XML_DOC = Buffer.from(
  '<Decision xmlns="urn:kakehashi:test"><Case>AT-2026-001</Case><Outcome>granted</Outcome></Decision>',
);
const BIN_DOC = Buffer.from('%PDF-1.7 not really a PDF, just bytes to sign\n');
const XADES_ID = 'http://uri.etsi.org/01903/v1.3.2#:SignedProperties';
const DS_OBJECT = 'http://www.w3.org/2000/09/xmldsig#:Object';

const at = material().countries.AT!;
const agency = () => cred(at.agencies.bmi!);

async function sign(
  format: 'xades' | 'jades' | 'cades',
  packaging: 'enveloped' | 'enveloping' | 'detached',
  level: 'B-B' | 'B-T' = 'B-B',
  content = XML_DOC,
  credential = agency(),
): Promise<SignedDocument> {
  const clock = frozenClock();
  return signDocument({
    format,
    level,
    packaging,
    credential,
    content,
    clock,
    tsa: tsaFor('AT', clock),
    detachedName: 'document.bin',
  });
}

function xmlsec(xml: string, root: string, extra: string[] = [], files: Record<string, string | Buffer> = {}) {
  const t = tempFiles({ 'sig.xml': xml, 'root.pem': root, ...files });
  return run(
    'xmlsec1',
    [
      '--verify',
      '--trusted-pem',
      t.path['root.pem'] as string,
      '--id-attr:Id',
      XADES_ID,
      '--id-attr:Id',
      DS_OBJECT,
      '--verification-time',
      '2026-06-01 00:00:00',
      ...extra,
      t.path['sig.xml'] as string,
    ],
    { cwd: t.dir },
  );
}

describe.runIf(hasTool('xmlsec1'))('xmlsec1 verifies our XAdES', () => {
  it('enveloped B-T by an agency, and the JPKI citizen signature; a one-byte change fails', async () => {
    const s = await sign('xades', 'enveloped', 'B-T');
    const ok = xmlsec(s.signature, at.rootCa.certPem, ['--enabled-reference-uris', 'empty,same-doc']);
    expect(ok.output).toContain('OK');
    expect(ok.status).toBe(0);
    const tampered = s.signature.replace('granted</Outcome>', 'refused</Outcome>');
    expect(xmlsec(tampered, at.rootCa.certPem, ['--enabled-reference-uris', 'empty,same-doc']).status).not.toBe(0);
    const citizen = await sign('xades', 'enveloped', 'B-B', XML_DOC, cred(jpkiCitizen().signature));
    const jp = xmlsec(citizen.signature, material().countries.JP!.jpki!.rootCa.certPem, [
      '--enabled-reference-uris',
      'empty,same-doc',
    ]);
    expect(jp.status, jp.output).toBe(0);
  });

  it('enveloping (XML and binary content) and detached (the file beside it)', async () => {
    for (const content of [XML_DOC, BIN_DOC]) {
      const s = await sign('xades', 'enveloping', 'B-B', content);
      const r = xmlsec(s.signature, at.rootCa.certPem, ['--enabled-reference-uris', 'same-doc']);
      expect(r.status, r.output).toBe(0);
    }
    const d = await sign('xades', 'detached', 'B-B', BIN_DOC);
    const r = xmlsec(d.signature, at.rootCa.certPem, ['--enabled-reference-uris', 'same-doc,local,remote'], {
      'document.bin': BIN_DOC,
    });
    expect(r.status, r.output).toBe(0);
    const bad = xmlsec(d.signature, at.rootCa.certPem, ['--enabled-reference-uris', 'same-doc,local,remote'], {
      'document.bin': Buffer.concat([BIN_DOC, Buffer.from('x')]),
    });
    expect(bad.status).not.toBe(0);
  });

  it('verifies the trusted lists that list the TSA service (LOTL pin → JP list)', () => {
    const clock = frozenClock();
    void trustView({ clock });
    const m = material();
    const issue = { sequenceNumber: 3, issueDate: T0, nextUpdate: new Date(T0.getTime() + 30 * 86_400_000) };
    return import('@kakehashi/trust').then(({ buildTrustedList, buildLotl }) => {
      const jp = buildTrustedList(m, 'JP', issue);
      expect(jp).toContain('http://uri.etsi.org/TrstSvc/Svctype/TSA/QTST');
      const t = tempFiles({
        'tl.xml': jp,
        'ca.pem': m.countries.JP!.issuingCa.certPem,
        'root.pem': m.countries.JP!.rootCa.certPem,
      });
      const r = run('xmlsec1', [
        '--verify',
        '--trusted-pem',
        t.path['root.pem'] as string,
        '--untrusted-pem',
        t.path['ca.pem'] as string,
        '--verification-time',
        '2026-06-01 00:00:00',
        '--enabled-reference-uris',
        'empty',
        t.path['tl.xml'] as string,
      ]);
      expect(r.status, r.output).toBe(0);
      const lotl = buildLotl(m, issue);
      const l = tempFiles({ 'lotl.xml': lotl, 'root.pem': m.hub.rootCa.certPem, 'ca.pem': m.hub.issuingCa.certPem });
      expect(
        run('xmlsec1', [
          '--verify',
          '--trusted-pem',
          l.path['root.pem'] as string,
          '--untrusted-pem',
          l.path['ca.pem'] as string,
          '--verification-time',
          '2026-06-01 00:00:00',
          '--enabled-reference-uris',
          'empty',
          l.path['lotl.xml'] as string,
        ]).status,
      ).toBe(0);
    });
  });
});

describe.runIf(hasTool('xmllint'))(
  'xmllint: our XAdES and trusted lists are schema-valid (ETSI TS 119 612 + XAdES 1.3.2 + xmldsig)',
  () => {
    const lint = (xml: string) => {
      const t = tempFiles({ 'doc.xml': xml });
      return run(
        'xmllint',
        ['--noout', '--nonet', '--schema', join(SCHEMAS, 'trusted-list.xsd'), t.path['doc.xml'] as string],
        {
          env: { XML_CATALOG_FILES: join(SCHEMAS, 'catalog.xml') },
        },
      );
    };
    it('validates an enveloping B-T XAdES (root ds:Signature, QualifyingProperties checked lax) and a detached one', async () => {
      for (const s of [
        await sign('xades', 'enveloping', 'B-T', BIN_DOC),
        await sign('xades', 'detached', 'B-T', BIN_DOC),
      ]) {
        const r = lint(s.signature);
        expect(r.output).toContain('validates');
        expect(r.status).toBe(0);
      }
      // The linter does look inside: a misspelt XAdES element is refused.
      const s = await sign('xades', 'enveloping', 'B-B', BIN_DOC);
      expect(lint(s.signature.replaceAll('xades:SigningTime>', 'xades:SigningTme>')).status).not.toBe(0);
    });
    it('validates the ds:Signature of an enveloped XAdES on its own', async () => {
      const s = await sign('xades', 'enveloped', 'B-T');
      const sig = /<ds:Signature [\s\S]*<\/ds:Signature>/.exec(s.signature)?.[0] as string;
      expect(lint(sig).status).toBe(0);
    });
    it('validates the national trusted list with its TSA/QTST service', async () => {
      const { buildTrustedList } = await import('@kakehashi/trust');
      const xml = buildTrustedList(material(), 'AT', {
        sequenceNumber: 1,
        issueDate: T0,
        nextUpdate: new Date(T0.getTime() + 86_400_000),
      });
      expect(lint(xml).status).toBe(0);
    });
  },
);

describe.runIf(hasTool('openssl'))('openssl cms -verify -cades verifies our CAdES (with CRLs)', () => {
  let files: ReturnType<typeof tempFiles>;
  beforeAll(() => {
    const { crlDer } = trustView({ clock: frozenClock() });
    files = tempFiles({
      'ca.pem': [at.rootCa.certPem, crlToPem(crlDer['AT-root-ca']!), crlToPem(crlDer['AT-issuing-ca']!)].join('\n'),
      'data.bin': BIN_DOC,
    });
  });
  const verify = (der: Buffer, detached: boolean, data = BIN_DOC) => {
    const t = tempFiles({ 'sig.p7s': der, 'data.bin': data });
    return run('openssl', [
      'cms',
      '-verify',
      '-binary',
      '-cades',
      '-inform',
      'DER',
      '-in',
      t.path['sig.p7s'] as string,
      ...(detached ? ['-content', t.path['data.bin'] as string] : []),
      '-CAfile',
      files.path['ca.pem'] as string,
      '-crl_check_all',
      '-purpose',
      'smimesign',
      '-x509_strict',
      '-auth_level',
      '2',
      '-attime',
      String(Math.floor(T0.getTime() / 1000) + 3600),
      '-out',
      '/dev/null',
    ]);
  };
  it('attached and detached, B-B and B-T; tampered content fails', async () => {
    for (const packaging of ['enveloping', 'detached'] as const) {
      for (const level of ['B-B', 'B-T'] as const) {
        const s = await sign('cades', packaging, level, BIN_DOC);
        const r = verify(Buffer.from(s.signature, 'base64'), packaging === 'detached');
        expect(r.output).toContain('Verification successful');
        expect(r.status).toBe(0);
      }
    }
    const s = await sign('cades', 'detached', 'B-B', BIN_DOC);
    expect(verify(Buffer.from(s.signature, 'base64'), true, Buffer.from('tampered')).status).not.toBe(0);
  });
  it('the JPKI citizen signature chains to the JPKI root', async () => {
    const s = await sign('cades', 'enveloping', 'B-B', BIN_DOC, cred(jpkiCitizen().signature));
    const { crlDer } = trustView({ clock: frozenClock() });
    const jp = material().countries.JP!.jpki!;
    const t = tempFiles({
      'sig.p7s': Buffer.from(s.signature, 'base64'),
      'ca.pem': [jp.rootCa.certPem, crlToPem(crlDer['JP-jpki-root-ca']!), crlToPem(crlDer['JP-jpki-ca']!)].join('\n'),
    });
    const r = run('openssl', [
      'cms',
      '-verify',
      '-binary',
      '-cades',
      '-inform',
      'DER',
      '-in',
      t.path['sig.p7s'] as string,
      '-CAfile',
      t.path['ca.pem'] as string,
      '-crl_check_all',
      '-purpose',
      'smimesign',
      '-x509_strict',
      '-auth_level',
      '2',
      '-attime',
      String(Math.floor(T0.getTime() / 1000) + 3600),
      '-out',
      '/dev/null',
    ]);
    expect(r.status, r.output).toBe(0);
  });
  it('openssl ts -verify accepts our RFC 3161 tokens (critical timeStamping EKU, ESS cert id v2)', async () => {
    const clock = frozenClock();
    const tsa = tsaFor('AT', clock);
    const { createHash } = await import('node:crypto');
    const issued = await tsa.stamp({ hash: 'sha256', digest: createHash('sha256').update(BIN_DOC).digest() });
    const t = tempFiles({
      'tok.der': issued.token,
      'data.bin': BIN_DOC,
      'ca.pem': [at.rootCa.certPem, at.issuingCa.certPem].join('\n'),
    });
    const r = run('openssl', [
      'ts',
      '-verify',
      '-token_in',
      '-in',
      t.path['tok.der'] as string,
      '-data',
      t.path['data.bin'] as string,
      '-CAfile',
      t.path['ca.pem'] as string,
      '-attime',
      String(Math.floor(T0.getTime() / 1000) + 3600),
    ]);
    expect(r.output).toContain('Verification: OK');
  });
});

const JWCRYPTO = `
import json, sys
from jwcrypto import jwk, jws
from jwcrypto.jws import JWSEHeaderParameter
reg = {'sigT': JWSEHeaderParameter('JAdES claimed signing time', True, True, None),
       'sigD': JWSEHeaderParameter('JAdES signed data objects', True, True, None)}
token, key_pem = open(sys.argv[1]).read(), open(sys.argv[2], 'rb').read()
key = jwk.JWK.from_pem(key_pem)
o = jws.JWS(header_registry=reg)
o.deserialize(token)
o.verify(key, alg='RS256')
print('VERIFIED', json.dumps(o.jose_header.get('sigT') if isinstance(o.jose_header, dict) else None))
`;

describe.runIf(hasTool('python3-jwcrypto'))('python3-jwcrypto verifies our JAdES signature values', () => {
  const spki = () => at.agencies.bmi!.certificate.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  it('compact B-B (attached and sigD detached) and JSON B-T, with the algorithm pinned; a changed payload fails', async () => {
    for (const [packaging, level] of [
      ['enveloping', 'B-B'],
      ['detached', 'B-B'],
      ['enveloping', 'B-T'],
    ] as const) {
      const s = await sign('jades', packaging, level, BIN_DOC);
      const t = tempFiles({ 'jws.txt': s.signature, 'key.pem': spki(), 'v.py': JWCRYPTO });
      const r = run('/usr/bin/python3', [
        t.path['v.py'] as string,
        t.path['jws.txt'] as string,
        t.path['key.pem'] as string,
      ]);
      expect(r.output).toContain('VERIFIED');
      expect(r.status).toBe(0);
    }
    const s = await sign('jades', 'enveloping', 'B-B', BIN_DOC);
    const [h, , sig] = s.signature.split('.');
    const forged = `${h}.${Buffer.from('another document').toString('base64url')}.${sig}`;
    const t = tempFiles({ 'jws.txt': forged, 'key.pem': spki(), 'v.py': JWCRYPTO });
    expect(
      run('/usr/bin/python3', [t.path['v.py'] as string, t.path['jws.txt'] as string, t.path['key.pem'] as string])
        .status,
    ).not.toBe(0);
  });
});
