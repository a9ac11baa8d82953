import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * The security lab's signing faults through the federation: a signing request at node AT asks for one fault
 * (`X-Kakehashi-Fault` / `kakehashi_fault`) and gets a signature that the hub's strict validator refuses with the
 * named ETSI indication, in every format; node DE is a weak node (`DE:lenient.esig.*` at start) and lets the same
 * signatures through, side by side. The faults are offered where the service mounts and fire on the trace hop.
 */
interface Report {
  indication: string;
  subIndicationName?: string;
  explanation: string;
  level?: string;
  levelExplanation?: string;
  signer?: { subject: string; serialHex: string };
  buildingBlocks: {
    id: string;
    indication: string;
    explanation: string;
    checks: { check: string; reason: string }[];
  }[];
}
interface Fault {
  name: string;
  block: string;
  kind: string;
  perRequest?: boolean;
  enabled: boolean;
  rule?: string;
}

const DOC = '<Permit xmlns="urn:kakehashi:test"><Holder>Test Person</Holder></Permit>';
const FORMATS = ['xades', 'jades', 'cades'] as const;
const STRICT: [string, string, string][] = [
  ['esig.revoked-certificate', 'TOTAL-FAILED', 'REVOKED'],
  ['esig.expired-certificate', 'INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE'],
  ['esig.missing-signing-certificate', 'INDETERMINATE', 'NO_SIGNING_CERTIFICATE_FOUND'],
  ['esig.weak-algorithm', 'INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE'],
];

describe('esig faults through the federation (strict hub, weak node DE)', () => {
  let f: TestFederation;
  let at: string;
  let de: string;
  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    f.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const sign = async (format: string, fault?: string, level: 'B-B' | 'B-T' = 'B-B', traceId?: string) => {
    const r = await json<{ signature: string; signer: { subject: string }; code?: string }>(
      post(
        `${at}/esig/sign`,
        { signer: { type: 'agency', id: 'bmf' }, format, level, document: { content: DOC } },
        {
          ...(fault ? { 'x-kakehashi-fault': fault } : {}),
          ...(traceId ? { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` } : {}),
        },
      ),
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };
  const validate = async (where: string, signature: string) => {
    const r = await json<Report>(post(`${where}/esig/validate`, { signature }));
    expect(r.status).toBe(200);
    return r.body;
  };

  beforeAll(async () => {
    f = await startTestFederation({
      countries: ['AT', 'DE'],
      clockStart: '2026-06-01T00:00:00Z',
      faults: ['DE:lenient.esig.*'],
    });
    at = f.urls.nodes.AT as string;
    de = f.urls.nodes.DE as string;
  }, 240_000);
  afterAll(() => f?.dispose());

  it('GET /admin/faults: the signing node offers the esig faults per request, every validator the lenient twins; DE is weak', async () => {
    const atFaults = await json<{ faults: Fault[] }>(f.fetch(`${at}/admin/faults`, { headers: ADMIN }));
    const signing = atFaults.body.faults.filter((x) => x.block === 'esig' && x.kind === 'forge');
    expect(signing.map((x) => x.name).sort()).toEqual([
      'esig.expired-certificate',
      'esig.missing-signing-certificate',
      'esig.revoked-certificate',
      'esig.untrusted-tsa',
      'esig.weak-algorithm',
    ]);
    expect(signing.every((x) => x.perRequest === true && !x.enabled && x.rule)).toBe(true);
    const hubFaults = await json<{ faults: Fault[] }>(f.fetch(`${f.urls.hub}/admin/faults`, { headers: ADMIN }));
    expect(hubFaults.body.faults.filter((x) => x.name.startsWith('lenient.esig.')).every((x) => !x.enabled)).toBe(true);
    expect(hubFaults.body.faults.some((x) => x.name === 'esig.weak-algorithm')).toBe(false);
    const deConfig = await json<{ faults: string[] }>(f.fetch(`${de}/admin/config`, { headers: ADMIN }));
    expect(deConfig.body.faults).toEqual(
      expect.arrayContaining(['lenient.esig.revoked-certificate', 'lenient.esig.weak-algorithm']),
    );
  });

  it('off by default: a normal signature passes at the hub and at the weak node alike', async () => {
    for (const format of FORMATS) {
      const { signature } = await sign(format);
      for (const where of [f.urls.hub, de]) expect((await validate(where, signature)).indication).toBe('TOTAL-PASSED');
    }
  });

  it.each(STRICT)(
    '%s: the strict hub refuses it (%s/%s) in every format; the weak node DE accepts it',
    async (fault, ind, sub) => {
      for (const format of FORMATS) {
        const { signature } = await sign(format, fault);
        const strict = await validate(f.urls.hub, signature);
        expect([strict.indication, strict.subIndicationName], `${format}: ${strict.explanation}`).toEqual([ind, sub]);
        const weak = await validate(de, signature);
        expect([weak.indication, weak.subIndicationName], `${format} at DE: ${weak.explanation}`).toEqual([
          'TOTAL-PASSED',
          undefined,
        ]);
        expect(JSON.stringify(weak.buildingBlocks)).toContain(`lenient.${fault}`);
      }
    },
  );

  it('esig.revoked-certificate: OCSP (the hub responder) and the CRL both list the standing revoked serial', async () => {
    const { signature } = await sign('xades', 'esig.revoked-certificate');
    const r = await validate(f.urls.hub, signature);
    expect(r.explanation).toContain('According to the OCSP response signed by "Kakehashi AT OCSP Responder (TEST)"');
    expect(r.explanation).toContain('(reason: keyCompromise)');
    const crl = Buffer.from(await (await f.fetch(`${f.urls.hub}/trust/crl/AT-issuing-ca.crl`)).arrayBuffer());
    expect(crl.includes(Buffer.from(r.signer?.serialHex ?? 'none', 'hex'))).toBe(true);
  });

  it('esig.untrusted-tsa: the B-T signature attains B-B only at the hub (the look-alike TSA is in no trusted list), B-T at weak DE', async () => {
    for (const format of FORMATS) {
      const { signature } = await sign(format, 'esig.untrusted-tsa', 'B-T');
      const r = await validate(f.urls.hub, signature);
      expect(r.level, format).toBe('B-B');
      expect(r.levelExplanation).toContain('fault: untrusted');
      // The weak node takes the look-alike TSA at its word (lenient.esig.untrusted-tsa).
      expect((await validate(de, signature)).level, format).toBe('B-T');
      const good = await validate(f.urls.hub, (await sign(format, undefined, 'B-T')).signature);
      expect(good.level).toBe('B-T');
    }
  });

  it('esig.expired-certificate at B-T: the time-stamp proves signing after expiry → TOTAL-FAILED/EXPIRED', async () => {
    const r = await validate(f.urls.hub, (await sign('cades', 'esig.expired-certificate', 'B-T')).signature);
    expect([r.indication, r.subIndicationName]).toEqual(['TOTAL-FAILED', 'EXPIRED']);
  });

  it('the fault fires on the signing hop of the trace; asked by query parameter too; a login fault is refused 400', async () => {
    const traceId = randomBytes(16).toString('hex');
    await sign('jades', 'esig.weak-algorithm', 'B-B', traceId);
    const hops = (f.hub?.traces.events(traceId) ?? []).filter((e) => e.faults?.includes('esig.weak-algorithm'));
    expect(hops.length).toBeGreaterThan(0);
    const q = await json<{ signature: string }>(
      post(`${at}/esig/sign?kakehashi_fault=esig.missing-signing-certificate`, {
        signer: { type: 'agency', id: 'bmf' },
        format: 'xades',
        document: { content: DOC },
      }),
    );
    expect(q.status).toBe(200);
    expect((await validate(f.urls.hub, q.body.signature)).subIndicationName).toBe('NO_SIGNING_CERTIFICATE_FOUND');
    const bad = await json<{ code: string }>(
      post(
        `${at}/esig/sign`,
        { signer: { type: 'agency', id: 'bmf' }, format: 'xades', document: { content: DOC } },
        { 'x-kakehashi-fault': 'id-token.alg-none' },
      ),
    );
    expect([bad.status, bad.body.code]).toEqual([400, 'fault-unknown']);
  });

  it('switched on with PUT /admin/faults it applies to every signing until switched off', async () => {
    const put = (body: unknown) =>
      f.fetch(`${at}/admin/faults`, {
        method: 'PUT',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await put({ enable: ['esig.revoked-certificate'] })).status).toBe(200);
    try {
      expect((await validate(f.urls.hub, (await sign('cades')).signature)).subIndicationName).toBe('REVOKED');
    } finally {
      expect((await put({ disable: ['esig.*'] })).status).toBe(200);
    }
    expect((await validate(f.urls.hub, (await sign('cades')).signature)).indication).toBe('TOTAL-PASSED');
  });
});
