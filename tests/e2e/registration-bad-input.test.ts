import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { type NationalNode, signMetadata } from '@kakehashi/node';
import { type DnAttribute, issueCertificate, parseCrl } from '@kakehashi/trust';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * Bad input at the registry: every refusal is a problem+json with its stable code, nothing is registered or
 * changed, the audit chain stays valid and the hub stays healthy.
 */
describe('hub registry refuses bad registrations', () => {
  let f: TestFederation;
  let de: NationalNode;
  let deCreds: { certPem: string; chainPem: string[]; keyPem: string };
  let deIssuingKey: string;
  let snapshot: string;
  const post = (body: BodyInit, type = 'application/json') =>
    f.fetch(`${f.urls.hub}/registry/nodes`, { method: 'POST', headers: { 'content-type': type }, body });
  const postSigned = (jws: string) => post(JSON.stringify({ signedMetadata: jws }));
  const registry = async () =>
    JSON.stringify((await json<{ nodes: unknown[] }>(f.fetch(`${f.urls.hub}/registry/nodes`))).body.nodes);

  beforeAll(async () => {
    f = await startTestFederation();
    de = f.nodes.get('DE') as NationalNode;
    const trust = await json<{ certificates: { name: string; serialHex: string }[] }>(f.fetch(`${f.urls.hub}/trust`));
    expect(trust.body.certificates.some((c) => c.name === 'DE-signing')).toBe(true);
    const { material } = await import('@kakehashi/federation').then((m) =>
      m.loadTrustMaterial({
        seed: 'kakehashi-test',
        countries: ['AT', 'DE', 'EE', 'ES', 'FR', 'IT', 'JP'],
        cacheDir: f.config.get('trustCacheDir') as string,
        hubUrl: f.urls.hub,
        logger: f.logger,
      }),
    );
    const s = material.countries.DE!.signing;
    deCreds = { certPem: s.certPem, chainPem: s.chainPem, keyPem: s.keyPem };
    deIssuingKey = material.countries.DE!.issuingCa.keyPem;
  }, 180_000);
  afterAll(() => f?.dispose());
  beforeEach(async () => {
    snapshot = await registry();
  });

  const expectRefused = async (res: Promise<Response>, status: number, code: string) => {
    const r = await json<{ code: string; type: string; detail: string }>(res);
    expect(r.type).toContain('application/problem+json');
    expect(r.body.code).toBe(code);
    expect(r.body.type).toBe(`urn:kakehashi:error:${code}`);
    expect(r.status).toBe(status);
    expect(r.body.detail.length).toBeGreaterThan(10);
    expect(await registry()).toBe(snapshot);
    expect((await json<{ valid: boolean }>(f.fetch(`${f.urls.hub}/audit/verify`))).body.valid).toBe(true);
    expect((await f.fetch(`${f.urls.hub}/health`)).status).toBe(200);
    return r.body;
  };
  const sign = (m: Record<string, unknown>, keyPem = deCreds.keyPem, chain = [deCreds.certPem, ...deCreds.chainPem]) =>
    signMetadata(m as never, createPrivateKey(keyPem), chain);

  it('accepts a correct re-registration (control)', async () => {
    const r = await json<{ created: boolean }>(postSigned(await sign(de.metadata())));
    expect(r.status).toBe(200);
    expect(r.body.created).toBe(false);
  });

  it('wrong content type → 415', () =>
    expectRefused(post('signedMetadata=x', 'application/x-www-form-urlencoded'), 415, 'unsupported-media-type'));
  it('non-JSON body → 400 malformed-json', () => expectRefused(post('{"signedMetadata": '), 400, 'malformed-json'));
  it('JSON of the wrong shape → 400 validation-failed', () =>
    expectRefused(post(JSON.stringify({ metadata: 'x' })), 400, 'validation-failed'));
  it('oversized body → 413', () =>
    expectRefused(post(JSON.stringify({ signedMetadata: 'a'.repeat(2 * 1024 * 1024) })), 413, 'payload-too-large'));
  it('not a JWS → registration-unsigned', () =>
    expectRefused(postSigned('just-some-text-not-a-jws'), 400, 'registration-unsigned'));

  it('unsigned metadata (alg none, signature stripped) → refused', async () => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    await expectRefused(postSigned(`${b64({ alg: 'none' })}.${b64(de.metadata())}.`), 400, 'registration-unsigned');
    const good = (await sign(de.metadata())).split('.');
    await expectRefused(
      postSigned(`${b64({ alg: 'none', x5c: [] })}.${good[1]}.${good[2]}`),
      422,
      'registration-signature-invalid',
    );
  });

  it('tampered payload → registration-signature-invalid', async () => {
    const [h, , s] = (await sign(de.metadata())).split('.');
    const evil = Buffer.from(JSON.stringify({ ...de.metadata(), url: 'http://127.0.0.1:9999' })).toString('base64url');
    await expectRefused(postSigned(`${h}.${evil}.${s}`), 422, 'registration-signature-invalid');
  });

  it('a look-alike self-signed certificate with the same subject → registration-cert-invalid', async () => {
    // The same subject, attribute by attribute, on a certificate signed by its own new key.
    const subject = new X509Certificate(deCreds.certPem).subject.split('\n').map((line) => {
      const eq = line.indexOf('=');
      return { type: line.slice(0, eq), value: line.slice(eq + 1) } as DnAttribute;
    });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const now = f.clock.now();
    const { certPem: evilCert } = issueCertificate(
      {
        subject,
        serialHex: '7e5e1f',
        notBefore: new Date(now.getTime() - 86_400_000),
        notAfter: new Date(now.getTime() + 30 * 86_400_000),
      },
      publicKey,
      { selfSigningKey: privateKey },
    );
    const body = await expectRefused(
      postSigned(await sign(de.metadata(), privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, [evilCert])),
      422,
      'registration-cert-invalid',
    );
    expect(body).toHaveProperty('certificateFailure');
  });

  it('a country the certificate was not issued for → registration-country-mismatch', () =>
    sign({ ...de.metadata(), country: 'FR' }).then((jws) =>
      expectRefused(postSigned(jws), 422, 'registration-country-mismatch'),
    ));

  it("an endpoint off the node's origin (file:, link-local) → registration-endpoint-invalid", async () => {
    const m = de.metadata();
    for (const health of ['file:///etc/passwd', 'http://169.254.169.254/latest/meta-data/']) {
      const body = await expectRefused(
        postSigned(await sign({ ...m, endpoints: { ...m.endpoints, health } })),
        422,
        'registration-endpoint-invalid',
      );
      expect((body as unknown as { rule: string }).rule).toBe('endpoint-origin');
    }
    const url = 'http://169.254.169.254';
    const endpoints = Object.fromEntries(Object.entries(m.endpoints).map(([k, v]) => [k, v.replace(m.url, url)]));
    await expectRefused(postSigned(await sign({ ...m, url, endpoints })), 422, 'registration-endpoint-invalid');
  });

  it('an unknown country → unknown-country', () =>
    sign({ ...de.metadata(), country: 'XX' }).then((jws) => expectRefused(postSigned(jws), 404, 'unknown-country')));

  it('stale metadata (signed long ago) → registration-stale', () =>
    sign({ ...de.metadata(), iat: Math.floor(f.clock.nowMs() / 1000) - 3600 }).then((jws) =>
      expectRefused(postSigned(jws), 422, 'registration-stale'),
    ));

  it('an expired node certificate (virtual clock past its notAfter) → registration-cert-invalid / cert-expired', async () => {
    // A DE signing certificate with a short life, issued by the DE issuing CA of the fabric.
    const { generateRsaKeyPair } = await import('@kakehashi/trust');
    const { SeededRandom } = await import('@kakehashi/core');
    const keys = generateRsaKeyPair(new SeededRandom('expired-test'));
    const issuing = {
      certificate: new X509Certificate(deCreds.chainPem[0]!),
      privateKey: createPrivateKey(deIssuingKey),
    };
    const now = f.clock.now();
    const { certPem } = issueCertificate(
      {
        subject: [
          { type: 'C', value: 'DE' },
          { type: 'O', value: 'Short-lived (TEST ONLY)' },
          { type: 'CN', value: 'DE short-lived signing' },
        ],
        serialHex: '7e57ab1e',
        notBefore: new Date(now.getTime() - 86_400_000),
        notAfter: new Date(now.getTime() + 2 * 86_400_000),
        keyUsage: ['digitalSignature'],
      },
      keys.publicKey,
      issuing,
    );
    const shortLived = (m: Record<string, unknown>) => sign(m, keys.privateKeyPem, [certPem, ...deCreds.chainPem]);
    const ok = await json<{ created: boolean }>(postSigned(await shortLived(de.metadata())));
    expect(ok.status).toBe(200);
    snapshot = await registry();
    f.clock.advance(3 * 86_400_000);
    try {
      const body = await expectRefused(postSigned(await shortLived(de.metadata())), 422, 'registration-cert-invalid');
      expect((body as unknown as { certificateFailure: string }).certificateFailure).toBe('cert-expired');
      expect(body.detail).toContain('expired');
    } finally {
      f.clock.reset();
    }
    // Back to today the original certificate still registers.
    expect((await postSigned(await sign(de.metadata()))).status).toBe(200);
  });

  it('a revoked node certificate → registration-cert-invalid / cert-revoked, and the CRL lists it', async () => {
    const r = await json<{ serialHex: string; crl: string }>(
      f.fetch(`${f.urls.hub}/admin/trust/revoke`, {
        method: 'POST',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'DE-signing', reason: 'keyCompromise' }),
      }),
    );
    expect(r.status).toBe(200);
    snapshot = await registry();
    const body = await expectRefused(postSigned(await sign(de.metadata())), 422, 'registration-cert-invalid');
    expect((body as unknown as { certificateFailure: string }).certificateFailure).toBe('cert-revoked');
    const crl = Buffer.from(await (await f.fetch(r.body.crl)).arrayBuffer());
    // openssl reads the hub's CRL too: tests/conformance/hub-crl-openssl.test.ts.
    expect(parseCrl(crl).find(r.body.serialHex)).toBeDefined();
    // The hub told every node to reload: JP now refuses DE's metadata, naming the revocation.
    const peer = await json<{ trusted: boolean; certificate: { failure?: { code: string } } }>(
      f.fetch(`${f.urls.nodes.JP}/peers/DE`),
    );
    expect(peer.body.trusted).toBe(false);
    expect(peer.body.certificate.failure?.code).toBe('cert-revoked');
    const audit = await json<{ entries: { action: string }[] }>(f.fetch(`${f.urls.hub}/audit?limit=1000`));
    expect(audit.body.entries.some((e) => e.action === 'certificate.revoked')).toBe(true);
    expect(audit.body.entries.filter((e) => e.action === 'node.registration-refused').length).toBeGreaterThanOrEqual(8);
  });
});
