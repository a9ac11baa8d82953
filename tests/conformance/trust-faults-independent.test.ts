import { crlToPem } from '@kakehashi/trust';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';
import { certificatesOf, epoch, hasTool, rootsOf, run, tempFiles } from '../support/pki-tools.ts';

/**
 * The trust faults the hub publishes, read by tools that share no code with us. openssl refuses what it can judge:
 * a stale CRL (`openssl verify -crl_check_all`: "CRL has expired"), a forged OCSP answer (`openssl ocsp`: "Response
 * Verify Failure"), and reports unknown / tryLater answers as such; a relying party that builds its anchors with
 * xmllint from the granted services of the withdrawn-CA list gets no path for the agency certificate in openssl.
 * Expired and rolled-back lists are correctly signed — xmlsec1 verifies them, which is the point: only a relying
 * party that reads NextUpdate and TSLSequenceNumber (xmllint shows them below) refuses them, as our nodes do
 * (tests/e2e/trust-faults.test.ts).
 */
const DOC = '<Permit xmlns="urn:kakehashi:test"><Holder>Test Person</Holder></Permit>';
const GRANTED = 'http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted';
const ln = (name: string) => `*[local-name()='${name}']`;

describe.runIf(hasTool('openssl'))('trust faults: openssl, xmlsec1 and xmllint', () => {
  let f: TestFederation;
  let files: { dir: string; path: Record<string, string> };
  let genuineTl: string;
  beforeAll(async () => {
    f = await startTestFederation({ countries: ['AT'], clockStart: '2026-06-01T00:00:00Z' });
    const signed = await json<{ signature: string }>(
      f.fetch(`${f.urls.nodes.AT}/esig/sign`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ signer: { type: 'agency', id: 'bmf' }, format: 'xades', document: { content: DOC } }),
      }),
    );
    const [leaf, issuing] = certificatesOf(signed.body.signature) as [string, string];
    // The anchors as a relying party had them before any fault: from the genuine trusted list.
    genuineTl = await (await f.fetch(`${f.urls.hub}/trust/tl/AT.xml`)).text();
    files = tempFiles({
      'leaf.pem': leaf,
      'issuing.pem': issuing,
      'root.pem': rootsOf(certificatesOf(genuineTl)).join(''),
    });
  }, 240_000);
  afterAll(() => f?.dispose());

  const hubFault = async (name: string, fn: () => Promise<void>) => {
    const put = (body: unknown) =>
      f.fetch(`${f.urls.hub}/admin/faults`, {
        method: 'PUT',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await put({ enable: [name] })).status).toBe(200);
    try {
      await fn();
    } finally {
      expect((await put({ disable: [name] })).status).toBe(200);
    }
  };
  const crlPem = async (name: string) =>
    crlToPem(new Uint8Array(await (await f.fetch(`${f.urls.hub}/trust/crl/${name}.crl`)).arrayBuffer()));
  /** openssl verify of the agency certificate: anchors (none: no CA file, store or path at all), optional CRLs. */
  const verifyLeaf = (anchors: string, crls?: string) => {
    const t = tempFiles({ 'ca.pem': anchors, ...(crls ? { 'crls.pem': crls } : {}) });
    return run('openssl', [
      'verify',
      '-x509_strict',
      '-auth_level',
      '2',
      '-attime',
      epoch(f.clock.nowMs()),
      ...(anchors ? ['-CAfile', t.path['ca.pem'] as string] : ['-no-CAfile', '-no-CApath', '-no-CAstore']),
      ...(crls ? ['-CRLfile', t.path['crls.pem'] as string, '-crl_check_all'] : []),
      '-untrusted',
      files.path['issuing.pem'] as string,
      files.path['leaf.pem'] as string,
    ]);
  };

  it('trust.crl-stale: openssl verify -crl_check_all refuses the stale CRLs ("CRL has expired"); the genuine ones pass', async () => {
    const rootPem = rootsOf(certificatesOf(genuineTl)).join('');
    const genuine = verifyLeaf(rootPem, (await crlPem('AT-root-ca')) + (await crlPem('AT-issuing-ca')));
    expect(genuine.status, genuine.output).toBe(0);
    await hubFault('trust.crl-stale', async () => {
      const stale = verifyLeaf(rootPem, (await crlPem('AT-root-ca')) + (await crlPem('AT-issuing-ca')));
      expect(stale.status).not.toBe(0);
      expect(stale.output).toContain('CRL has expired');
    });
  });

  it.runIf(hasTool('xmllint'))(
    'trust.ca-withdrawn: anchors taken (xmllint) from the granted services give openssl no path; the genuine list does',
    async () => {
      const grantedAnchors = (tl: string) => {
        const t = tempFiles({ 'tl.xml': tl });
        const xpath = `//${ln('TSPService')}/${ln('ServiceInformation')}[${ln('ServiceStatus')}='${GRANTED}']/${ln('ServiceDigitalIdentity')}//${ln('X509Certificate')}/text()`;
        const r = run('xmllint', ['--nonet', '--xpath', xpath, t.path['tl.xml'] as string]);
        return rootsOf(certificatesOf(r.output.replace(/(\S+)/g, '<X509Certificate>$1</X509Certificate>')));
      };
      const genuine = grantedAnchors(genuineTl);
      expect(genuine.length).toBeGreaterThan(0);
      expect(verifyLeaf(genuine.join('')).status).toBe(0);
      await hubFault('trust.ca-withdrawn', async () => {
        const withdrawn = await (await f.fetch(`${f.urls.hub}/trust/tl/AT.xml`)).text();
        expect(grantedAnchors(withdrawn)).toEqual([]);
        // With no granted anchor there is nothing to trust: openssl finds no path.
        const r = verifyLeaf(grantedAnchors(withdrawn).join(''));
        expect(r.status).not.toBe(0);
        expect(r.output).toMatch(/unable to get (local )?issuer certificate/);
      });
    },
  );

  it.runIf(hasTool('xmlsec1') && hasTool('xmllint'))(
    'trust.tl-expired / trust.tl-rollback: xmlsec1 verifies the forged lists (correctly signed); xmllint shows the NextUpdate passed and the lower sequence number',
    async () => {
      const read = (xml: string, what: string) => {
        const t = tempFiles({ 'tl.xml': xml });
        return run('xmllint', [
          '--nonet',
          '--xpath',
          `string(//${ln('SchemeInformation')}/${what})`,
          t.path['tl.xml'] as string,
        ]).output.trim();
      };
      const signatureOk = (xml: string) => {
        const t = tempFiles({ 'tl.xml': xml });
        const r = run('xmlsec1', [
          '--verify',
          '--trusted-pem',
          files.path['root.pem'] as string,
          '--untrusted-pem',
          files.path['issuing.pem'] as string,
          '--verification-time',
          new Date(f.clock.nowMs()).toISOString().slice(0, 19).replace('T', ' '),
          '--enabled-reference-uris',
          'empty',
          t.path['tl.xml'] as string,
        ]);
        return r.status === 0 && r.output.includes('OK');
      };
      expect(signatureOk(genuineTl)).toBe(true);
      const seq = Number(read(genuineTl, ln('TSLSequenceNumber')));
      await hubFault('trust.tl-expired', async () => {
        const tl = await (await f.fetch(`${f.urls.hub}/trust/tl/AT.xml`)).text();
        expect(signatureOk(tl)).toBe(true);
        const next = read(tl, `${ln('NextUpdate')}/${ln('dateTime')}`);
        expect(new Date(next).getTime()).toBeLessThan(f.clock.nowMs());
      });
      await hubFault('trust.tl-rollback', async () => {
        const tl = await (await f.fetch(`${f.urls.hub}/trust/tl/AT.xml`)).text();
        expect(signatureOk(tl)).toBe(true);
        expect(Number(read(tl, ln('TSLSequenceNumber')))).toBe(Math.max(1, seq - 1));
      });
    },
  );

  describe('OCSP: openssl ocsp builds the request and reads the hub’s answer', () => {
    const ask = async () => {
      const t = tempFiles({});
      const req = `${t.dir}/req.der`;
      const mk = run('openssl', [
        'ocsp',
        '-issuer',
        files.path['issuing.pem'] as string,
        '-cert',
        files.path['leaf.pem'] as string,
        '-reqout',
        req,
      ]);
      expect(mk.status, mk.output).toBe(0);
      const fs = await import('node:fs');
      const res = await f.fetch(`${f.urls.hub}/trust/ocsp/AT-issuing-ca`, {
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request' },
        body: new Uint8Array(fs.readFileSync(req)),
      });
      fs.writeFileSync(`${t.dir}/resp.der`, Buffer.from(await res.arrayBuffer()));
      // Signature, responder authorisation and the status of the certificate (the nonce is our request's, not checked).
      return run('openssl', [
        'ocsp',
        '-respin',
        `${t.dir}/resp.der`,
        '-CAfile',
        files.path['root.pem'] as string,
        '-verify_other',
        files.path['issuing.pem'] as string,
        '-issuer',
        files.path['issuing.pem'] as string,
        '-cert',
        files.path['leaf.pem'] as string,
        '-no_nonce',
        '-attime',
        epoch(f.clock.nowMs()),
        // thisUpdate/nextUpdate come from the virtual clock; OpenSSL compares them with the real time.
        '-validity_period',
        String(20 * 365 * 86_400),
      ]);
    };
    it('control: the genuine answer verifies and says good', async () => {
      const r = await ask();
      expect(r.output).toContain('Response verify OK');
      expect(r.output).toMatch(/leaf\.pem: good/);
    });
    it('ocsp.forged: "Response Verify Failure" (signed by a key the CA never authorised)', async () => {
      await hubFault('ocsp.forged', async () => {
        const r = await ask();
        expect(r.output).toContain('Response Verify Failure');
        expect(r.output).not.toContain('Response verify OK');
      });
    });
    it('ocsp.unknown and ocsp.try-later: openssl reports unknown and the trylater error, never good', async () => {
      await hubFault('ocsp.unknown', async () => {
        const r = await ask();
        expect(r.output).toMatch(/leaf\.pem: unknown/);
      });
      await hubFault('ocsp.try-later', async () => {
        const r = await ask();
        expect(r.output).toMatch(/Responder Error: trylater \(3\)/);
        expect(r.output).not.toMatch(/: good/);
      });
    });
  });
});
