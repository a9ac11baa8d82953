import { crlToPem } from '@kakehashi/trust';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestFederation, type TestFederation } from '../support/federation.ts';
import { certificatesOf, epoch, hasTool, rootsOf, run, tempFiles } from '../support/pki-tools.ts';

/**
 * The signing faults checked by verifiers that share no code with us. `openssl cms -verify -cades` with the trust
 * root from the hub's trusted list and the CRLs the hub publishes (`-crl_check_all`, `-x509_strict`, `-auth_level 2`)
 * refuses the revoked, expired, weak-key and missing-signing-certificate CAdES signatures; `openssl cms -verify`
 * refuses the look-alike TSA's time-stamp token; xmlsec1 refuses the expired XAdES. xmlsec1's blind spots are
 * asserted too, so a change in them is noticed: its command line takes no CRLs and it has no key-size floor or
 * signing-certificate check, so it accepts the revoked, RSA-1024 and SigningCertificateV2-less XAdES —
 * `openssl verify` on the signer certificate (and our validator, tests/e2e/esig-faults.test.ts) refuse them.
 */
const DOC = '<Permit xmlns="urn:kakehashi:test"><Holder>Test Person</Holder></Permit>';
const XADES_ID = 'http://uri.etsi.org/01903/v1.3.2#:SignedProperties';

describe.runIf(hasTool('openssl'))('esig faults: openssl and xmlsec1 refuse them', () => {
  let f: TestFederation;
  let at: string;
  let trust: { dir: string; path: Record<string, string> };
  const crls = { root: '', issuing: '' };
  beforeAll(async () => {
    f = await startTestFederation({ countries: ['AT'], clockStart: '2026-06-01T00:00:00Z' });
    at = f.urls.nodes.AT as string;
    // The trust anchor comes from the trusted list the hub publishes, the CRLs from the hub: nothing from the signature.
    const tl = await (await f.fetch(`${f.urls.hub}/trust/tl/AT.xml`)).text();
    const root = rootsOf(certificatesOf(tl)).join('');
    const crl = async (name: string) =>
      crlToPem(new Uint8Array(await (await f.fetch(`${f.urls.hub}/trust/crl/${name}.crl`)).arrayBuffer()));
    crls.root = await crl('AT-root-ca');
    crls.issuing = await crl('AT-issuing-ca');
    trust = tempFiles({ 'root.pem': root, 'ca.pem': root + crls.root + crls.issuing });
  }, 240_000);
  afterAll(() => f?.dispose());

  const sign = async (format: 'xades' | 'cades', fault?: string, level: 'B-B' | 'B-T' = 'B-B') => {
    const r = await json<{ signature: string }>(
      f.fetch(`${at}/esig/sign`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(fault ? { 'x-kakehashi-fault': fault } : {}) },
        body: JSON.stringify({ signer: { type: 'agency', id: 'bmf' }, format, level, document: { content: DOC } }),
      }),
    );
    expect(r.status).toBe(200);
    return r.body.signature;
  };
  const cms = (der: Buffer, extra: string[] = []) => {
    const t = tempFiles({ 'sig.p7s': der });
    return run('openssl', [
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      t.path['sig.p7s'] as string,
      '-CAfile',
      trust.path['ca.pem'] as string,
      '-crl_check_all',
      '-x509_strict',
      '-auth_level',
      '2',
      '-attime',
      epoch(f.clock.nowMs()),
      '-out',
      '/dev/null',
      ...extra,
    ]);
  };
  const cades = async (fault?: string, level: 'B-B' | 'B-T' = 'B-B') =>
    cms(Buffer.from(await sign('cades', fault, level), 'base64'), ['-cades', '-purpose', 'smimesign']);

  it('control: the genuine CAdES verifies', async () => {
    const r = await cades();
    expect(r.output).toContain('Verification successful');
    expect(r.status).toBe(0);
  });

  it.each([
    ['esig.revoked-certificate', /certificate revoked/],
    ['esig.expired-certificate', /certificate has expired/],
    ['esig.weak-algorithm', /EE certificate key too weak/],
    ['esig.missing-signing-certificate', /missing signing certificate attribute/],
  ])('%s: openssl cms -verify -cades refuses it (%s)', async (fault, why) => {
    const r = await cades(fault);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(why);
    expect(r.output).not.toContain('Verification successful');
  });

  const tokenOf = (xades: string) =>
    Buffer.from(/<xades:EncapsulatedTimeStamp>([^<]+)</.exec(xades)?.[1] ?? '', 'base64');

  it('esig.untrusted-tsa: openssl cms -verify refuses the look-alike TSA token; the genuine token verifies', async () => {
    const purpose = ['-purpose', 'timestampsign'];
    const genuine = cms(tokenOf(await sign('xades', undefined, 'B-T')), purpose);
    expect(genuine.output).toContain('Verification successful');
    const rogue = cms(tokenOf(await sign('xades', 'esig.untrusted-tsa', 'B-T')), purpose);
    expect(rogue.status).not.toBe(0);
    expect(rogue.output).toMatch(/self-signed certificate|unable to get local issuer certificate/);
  });

  describe.runIf(hasTool('xmlsec1'))(
    'xmlsec1 with the trust root; openssl verify on the XAdES signer certificate',
    () => {
      const xmlsec = async (fault?: string) => {
        const xml = await sign('xades', fault);
        const t = tempFiles({ 'sig.xml': xml });
        const r = run('xmlsec1', [
          '--verify',
          '--trusted-pem',
          trust.path['root.pem'] as string,
          '--id-attr:Id',
          XADES_ID,
          '--enabled-reference-uris',
          'empty,same-doc',
          '--verification-time',
          new Date(f.clock.nowMs()).toISOString().slice(0, 19).replace('T', ' '),
          t.path['sig.xml'] as string,
        ]);
        return { ...r, ok: r.status === 0 && /\bOK\b/.test(r.output), xml };
      };
      /** openssl verify of the signer certificate the XAdES carries, with the hub's CRLs and the key-size floor. */
      const verifySigner = (xml: string) => {
        const [leaf, ...chain] = certificatesOf(xml);
        const t = tempFiles({ 'leaf.pem': leaf as string, 'chain.pem': chain.join('') });
        return run('openssl', [
          'verify',
          '-x509_strict',
          '-auth_level',
          '2',
          '-crl_check_all',
          '-attime',
          epoch(f.clock.nowMs()),
          '-CAfile',
          trust.path['ca.pem'] as string,
          '-untrusted',
          t.path['chain.pem'] as string,
          t.path['leaf.pem'] as string,
        ]);
      };
      it('control: the genuine XAdES verifies, and so does its signer certificate', async () => {
        const r = await xmlsec();
        expect(r.ok, r.output).toBe(true);
        expect(verifySigner(r.xml).status).toBe(0);
      });
      it('esig.expired-certificate: xmlsec1 refuses it', async () => {
        const r = await xmlsec('esig.expired-certificate');
        expect(r.ok).toBe(false);
        expect(r.output).toMatch(/expired/);
      });
      it.each([
        ['esig.revoked-certificate', 'certificate revoked'],
        ['esig.weak-algorithm', 'EE certificate key too weak'],
      ])(
        '%s: xmlsec1 accepts it (its blind spots: no CRLs on its command line, no key-size floor, SHA-1 still accepted); openssl verify refuses the certificate',
        async (fault, why) => {
          const r = await xmlsec(fault);
          expect(r.ok, r.output).toBe(true);
          const v = verifySigner(r.xml);
          expect(v.status).not.toBe(0);
          expect(v.output).toContain(why);
        },
      );
      it('esig.missing-signing-certificate: xmlsec1 accepts it (it checks the cryptography only); ours says NO_SIGNING_CERTIFICATE_FOUND', async () => {
        const r = await xmlsec('esig.missing-signing-certificate');
        expect(r.ok, r.output).toBe(true);
        expect(r.xml).not.toContain('SigningCertificateV2');
      });
    },
  );
});
