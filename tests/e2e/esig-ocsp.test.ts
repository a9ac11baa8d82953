import { randomBytes } from 'node:crypto';
import { buildOcspRequest, checkOcspResponse, OCSP_REQUEST_TYPE, OCSP_RESPONSE_TYPE } from '@kakehashi/esig';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * OCSP (RFC 6960) through the federation: the hub runs one responder per CA from the revocation records its CRLs
 * are built from; a node validating a signature asks the hub's responder named in the certificate's AIA, so a
 * revocation decided at the hub (`POST /admin/trust/revoke`) shows at once in the OCSP answer and in the verdict.
 */
interface Report {
  indication: string;
  subIndicationName?: string;
  explanation: string;
  buildingBlocks: { id: string; explanation: string; checks: { check: string; outcome: string; reason: string }[] }[];
}
interface Signed {
  signature: string;
}

const DOC = '<Permit xmlns="urn:kakehashi:test"><Holder>Test Person</Holder></Permit>';
const post = (f: TestFederation, url: string, body: unknown) =>
  f.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const pemOf = (b64: string) => `-----BEGIN CERTIFICATE-----\n${b64.replace(/\s+/g, '')}\n-----END CERTIFICATE-----\n`;

describe('OCSP through the federation', () => {
  let f: TestFederation;
  let at: string;
  let de: string;
  let agency: string;
  beforeAll(async () => {
    f = await startTestFederation({ countries: ['AT', 'DE'], clockStart: '2026-06-01T00:00:00Z' });
    at = f.urls.nodes.AT as string;
    de = f.urls.nodes.DE as string;
    const signers = await json<{ agencies: { id: string }[] }>(f.fetch(`${at}/esig/signers`));
    agency = signers.body.agencies[0]?.id as string;
  }, 240_000);
  afterAll(() => f?.dispose());

  const sign = async (level: 'B-B' | 'B-T') => {
    const r = await json<Signed>(
      post(f, `${at}/esig/sign`, {
        signer: { type: 'agency', id: agency },
        format: 'xades',
        level,
        document: { content: DOC },
      }),
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.signature;
  };
  const validate = async (node: string, signature: string) => {
    const r = await json<Report>(post(f, `${node}/esig/validate`, { signature }));
    expect(r.status).toBe(200);
    return r.body;
  };
  /** Asks the hub's responder (POST, or GET with the base64 request in the path) about the agency's certificate. */
  const ask = async (signature: string, method: 'POST' | 'GET' = 'POST') => {
    const certs = [...signature.matchAll(/<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/g)].map((m) =>
      pemOf(m[1] as string),
    );
    const [leaf, issuer] = certs as [string, string];
    const req = buildOcspRequest(leaf, issuer);
    const url = `${f.urls.hub}/trust/ocsp/AT-issuing-ca`;
    const res =
      method === 'POST'
        ? await f.fetch(url, {
            method: 'POST',
            headers: { 'content-type': OCSP_REQUEST_TYPE },
            body: new Uint8Array(req.der),
          })
        : await f.fetch(`${url}/${encodeURIComponent(req.der.toString('base64'))}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(OCSP_RESPONSE_TYPE);
    return checkOcspResponse(new Uint8Array(await res.arrayBuffer()), {
      certificate: leaf,
      issuer,
      nonce: req.nonce,
      at: f.clock.now(),
    });
  };

  it('the hub lists its OCSP responders; a node validates with OCSP (delegated signer for the leaf, the root for the CA)', async () => {
    const index = await json<{ ocspResponders: string[] }>(f.fetch(`${f.urls.hub}/trust`));
    expect(index.body.ocspResponders).toContain(`${f.urls.hub}/trust/ocsp/AT-issuing-ca`);
    expect(index.body.ocspResponders).toContain(`${f.urls.hub}/trust/ocsp/AT-root-ca`);
    const signature = await sign('B-B');
    const r = await validate(de, signature);
    expect([r.indication, r.subIndicationName]).toEqual(['TOTAL-PASSED', undefined]);
    const xcv = r.buildingBlocks.find((b) => b.id === 'XCV')!;
    expect(xcv.explanation).toContain('Revocation checked by OCSP');
    const ocsp = xcv.checks.filter((c) => c.check === 'revocation (OCSP)');
    expect(ocsp.map((c) => c.outcome)).toEqual(['passed', 'passed']);
    expect(ocsp[0]?.reason).toContain('signed by "Kakehashi AT OCSP Responder (TEST)" (delegated OCSP responder)');
    expect(ocsp[1]?.reason).toContain('signed by "Kakehashi AT Root CA (TEST)"');
    // Both HTTP forms answer "good", signed and fresh on the virtual clock, nonce echoed.
    for (const method of ['POST', 'GET'] as const) {
      const a = await ask(signature, method);
      expect(a).toMatchObject({ ok: true, status: 'good', delegated: true });
      if (a.ok) expect(a.thisUpdate.toISOString()).toBe(f.clock.now().toISOString());
    }
    // The responder's answers are hops of the trace.
    const traceId = randomBytes(16).toString('hex');
    await f.fetch(`${de}/esig/validate`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      },
      body: JSON.stringify({ signature }),
    });
    const events = f.hub?.traces.events(traceId) ?? [];
    const answered = events.filter((e) => e.operation.startsWith('ocsp:'));
    expect(answered.length).toBe(2);
    expect(answered.map((e) => (e.artefact as { ca: string }).ca).sort()).toEqual(['AT-issuing-ca', 'AT-root-ca']);
  });

  it('after POST /admin/trust/revoke the OCSP answer says revoked, and the verdicts cite OCSP with its date', async () => {
    const before = await sign('B-T');
    f.clock.advance(3_600_000);
    const revoked = await f.fetch(`${f.urls.hub}/admin/trust/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...ADMIN },
      body: JSON.stringify({ name: `AT-agency-${agency}`, reason: 'keyCompromise' }),
    });
    expect(revoked.status).toBe(200);
    const revokedAt = f.clock.now().toISOString();
    f.clock.advance(60_000);

    const a = await ask(before);
    expect(a).toMatchObject({ ok: true, status: 'revoked', reason: 'keyCompromise' });
    if (a.ok) expect(a.revokedAt?.toISOString()).toBe(revokedAt);

    // Signed with a time-stamp before the revocation: still valid, the revocation (from OCSP) is explained.
    const ok = await validate(de, before);
    expect([ok.indication, ok.subIndicationName]).toEqual(['TOTAL-PASSED', undefined]);
    expect(ok.buildingBlocks.find((b) => b.id === 'XCV')?.explanation).toContain(
      `According to the OCSP response signed by "Kakehashi AT OCSP Responder (TEST)", the signer's certificate was revoked at ${revokedAt}`,
    );
    // Signed after the revocation: TOTAL-FAILED / REVOKED, with the date from OCSP, at the node and at the hub.
    const after = await sign('B-T');
    for (const node of [de, f.urls.hub]) {
      const r = await validate(node, after);
      expect([r.indication, r.subIndicationName]).toEqual(['TOTAL-FAILED', 'REVOKED']);
      expect(r.explanation).toContain('According to the OCSP response signed by "Kakehashi AT OCSP Responder (TEST)"');
      expect(r.explanation).toContain(`was revoked at ${revokedAt}`);
      expect(r.explanation).toContain('(reason: keyCompromise)');
    }
  });

  it('bad requests: wrong content type 415, unknown CA 404, garbage or empty → an OCSP malformedRequest, oversized 413, bad GET path 400', async () => {
    const url = `${f.urls.hub}/trust/ocsp/AT-issuing-ca`;
    const wrongType = await f.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(wrongType.status).toBe(415);
    expect(((await wrongType.json()) as { code: string }).code).toBe('unsupported-media-type');
    const unknownCa = await f.fetch(`${f.urls.hub}/trust/ocsp/XX-issuing-ca`, {
      method: 'POST',
      headers: { 'content-type': OCSP_REQUEST_TYPE },
      body: new Uint8Array([0x30, 0x00]),
    });
    expect(unknownCa.status).toBe(404);
    const garbage = await f.fetch(url, {
      method: 'POST',
      headers: { 'content-type': OCSP_REQUEST_TYPE },
      body: 'definitely not DER',
    });
    expect(garbage.status).toBe(200);
    // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED malformedRequest (1) }
    expect([...Buffer.from(await garbage.arrayBuffer())]).toEqual([0x30, 0x03, 0x0a, 0x01, 0x01]);
    const empty = await f.fetch(url, { method: 'POST', headers: { 'content-type': OCSP_REQUEST_TYPE }, body: '' });
    expect([...Buffer.from(await empty.arrayBuffer())]).toEqual([0x30, 0x03, 0x0a, 0x01, 0x01]);
    const huge = await f.fetch(url, {
      method: 'POST',
      headers: { 'content-type': OCSP_REQUEST_TYPE },
      body: new Uint8Array(70 * 1024),
    });
    expect(huge.status).toBe(413);
    const badGet = await f.fetch(`${url}/${encodeURIComponent('***not base64***')}`);
    expect(badGet.status).toBe(400);
    expect((await f.fetch(`${f.urls.hub}/health`)).status).toBe(200);
  });
});
