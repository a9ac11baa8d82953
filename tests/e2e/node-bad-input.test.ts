import { generateKeyPairSync } from 'node:crypto';
import { issueCertificate } from '@kakehashi/trust';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestFederation, type TestFederation } from '../support/federation.ts';

/** Bad input at a node and at the hub's other endpoints: problem+json with a stable code, process healthy. */
describe('bad input at nodes and hub', () => {
  let f: TestFederation;
  let validate: (
    body: BodyInit,
    type?: string,
  ) => Promise<{ status: number; body: Record<string, unknown>; type: string }>;
  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'JP'] });
    validate = (body, type = 'application/json') =>
      json(
        f.fetch(`${f.urls.nodes.DE}/trust/validate-certificate`, {
          method: 'POST',
          headers: { 'content-type': type },
          body,
        }),
      );
  });
  afterAll(() => f?.dispose());

  it('a certificate that is not one → not valid, with cert-malformed named', async () => {
    const r = await validate(
      JSON.stringify({ certificate: `-----BEGIN CERTIFICATE-----\n${'A'.repeat(80)}\n-----END CERTIFICATE-----\n` }),
    );
    expect(r.status).toBe(200);
    expect(r.body.valid).toBe(false);
    expect((r.body.failure as { code: string }).code).toBe('cert-malformed');
  });

  it('a self-signed stranger → cert-untrusted-root or cert-chain-incomplete, with every check listed', async () => {
    const trust = await json<{ certificates: { name: string }[]; lotlSignerCertificate: string }>(
      f.fetch(`${f.urls.hub}/trust`),
    );
    const root = await f.fetch(`${f.urls.hub}/trust/lotl.xml`);
    expect(root.status).toBe(200);
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const now = f.clock.now();
    const { certPem: pem } = issueCertificate(
      {
        subject: [
          { type: 'C', value: 'DE' },
          { type: 'CN', value: 'stranger' },
        ],
        serialHex: '5e1f5e1f',
        notBefore: new Date(now.getTime() - 86_400_000),
        notAfter: new Date(now.getTime() + 2 * 86_400_000),
      },
      publicKey,
      { selfSigningKey: privateKey },
    );
    const r = await validate(JSON.stringify({ certificate: pem }));
    expect(r.status).toBe(200);
    expect(r.body.valid).toBe(false);
    expect(['cert-untrusted-root', 'cert-chain-incomplete']).toContain((r.body.failure as { code: string }).code);
    expect((r.body.checks as unknown[]).length).toBeGreaterThan(0);
    expect(trust.body.certificates.length).toBeGreaterThan(10);
  });

  it.each([
    ['wrong content type', 'certificate=x', 'text/plain', 415, 'unsupported-media-type'],
    ['broken JSON', '{"certificate":', 'application/json', 400, 'malformed-json'],
    ['wrong shape', JSON.stringify({ cert: 'x' }), 'application/json', 400, 'validation-failed'],
    ['oversized', JSON.stringify({ certificate: 'x'.repeat(3_000_000) }), 'application/json', 413, 'payload-too-large'],
  ])('%s → %i %s', async (_name, body, type, status, code) => {
    const r = await validate(body, type);
    expect(r.status).toBe(status);
    expect(r.type).toContain('application/problem+json');
    expect(r.body.code).toBe(code);
  });

  it('trace events of the wrong shape are refused; unknown routes are 404 problems; everything stays healthy', async () => {
    const bad = await json(
      f.fetch(`${f.urls.hub}/traces/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events: [{ traceId: 'nope' }] }),
      }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation-failed');
    const missing = await json(f.fetch(`${f.urls.nodes.JP}/no/such/route`));
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('not-found');
    const persona = await json(f.fetch(`${f.urls.nodes.JP}/personas/nobody`));
    expect(persona.body.code).toBe('not-found');
    const peer = await json(f.fetch(`${f.urls.nodes.JP}/peers/X1`));
    expect(peer.status).toBe(400);
    for (const url of [f.urls.hub, f.urls.nodes.DE, f.urls.nodes.JP])
      expect((await f.fetch(`${url}/health`)).status).toBe(200);
    expect((await json<{ nodes: unknown[] }>(f.fetch(`${f.urls.hub}/registry/nodes`))).body.nodes).toHaveLength(2);
  });
});
