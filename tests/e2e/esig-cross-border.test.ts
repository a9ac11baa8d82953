import { createHash, randomBytes } from 'node:crypto';
import { buildTimestampRequest, readDerExact, verifyTimestampToken } from '@kakehashi/esig';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * The eSignature building block across borders, in one in-process federation (hub + AT, DE, JP):
 * a Japanese citizen's JPKI signature validates at the German node, an Austrian agency's at the Japanese node
 * and at the hub, and after time travel past the agency's revocation the verdicts change as EN 319 102-1 says.
 */
interface Report {
  indication: string;
  subIndicationName?: string;
  subIndication?: string;
  explanation: string;
  format: string;
  level?: string;
  signer?: { subject: string; country?: string; jpki?: Record<string, string> };
  signingTime: { claimed?: string; proven?: string };
  validator: { component: string; country?: string };
}
interface Signed {
  signature: string;
  format: string;
  level: string;
  timestamp?: { genTime: string; tsa: string };
  signer: { subject: string; country: string };
}

const DOC =
  '<Certificate xmlns="urn:kakehashi:test"><Holder>Test Person</Holder><Status>resident</Status></Certificate>';
const post = (f: TestFederation, url: string, body: unknown, headers: Record<string, string> = {}) =>
  f.fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('eSignature across borders', () => {
  let f: TestFederation;
  let at: string;
  let de: string;
  let jp: string;
  let agency: string;
  beforeAll(async () => {
    f = await startTestFederation({ countries: ['AT', 'DE', 'JP'], clockStart: '2026-06-01T00:00:00Z' });
    at = f.urls.nodes.AT as string;
    de = f.urls.nodes.DE as string;
    jp = f.urls.nodes.JP as string;
    const signers = await json<{ agencies: { id: string }[]; citizens: boolean; levels: string[] }>(
      f.fetch(`${at}/esig/signers`),
    );
    expect(signers.body.levels).toEqual(['B-B', 'B-T']);
    agency = signers.body.agencies[0]?.id as string;
  }, 240_000);
  afterAll(() => f?.dispose());

  const sign = async (node: string, body: unknown) => {
    const r = await json<Signed>(post(f, `${node}/esig/sign`, body));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };
  const validate = async (node: string, signature: string, detached?: string) => {
    const r = await json<Report>(
      post(f, `${node}/esig/validate`, { signature, ...(detached ? { detachedContent: { content: detached } } : {}) }),
    );
    expect(r.status).toBe(200);
    return r.body;
  };

  it('a document signed by a Japanese citizen (JPKI signature certificate) validates at the German node', async () => {
    const s = await sign(jp, {
      signer: { type: 'citizen', personaId: 'jp-001' },
      format: 'xades',
      level: 'B-T',
      document: { content: DOC },
    });
    expect(s.signer.country).toBe('JP');
    expect(s.timestamp?.tsa).toContain('JP Time-Stamping Unit');
    const r = await validate(de, s.signature);
    expect(r.indication, r.explanation).toBe('TOTAL-PASSED');
    expect(r.validator).toEqual({ component: 'node', country: 'DE' });
    expect(r.level).toBe('B-T');
    expect(r.signer?.jpki?.name).toBeTruthy();
    expect(r.signingTime.proven).toBe('2026-06-01T00:00:00.000Z');
    // Japan's list is recognised as a third-country list: the chain ends at the JPKI root from TL JP.
    const jades = await sign(jp, {
      signer: { type: 'citizen', personaId: 'jp-001' },
      format: 'jades',
      level: 'B-B',
      document: { content: 'plain text' },
    });
    expect((await validate(de, jades.signature)).indication).toBe('TOTAL-PASSED');
  });

  it('a document signed by an Austrian agency validates in Japan and at the hub (CAdES and JAdES, detached too)', async () => {
    const c = await sign(at, {
      signer: { type: 'agency', id: agency },
      format: 'cades',
      level: 'B-T',
      document: { content: 'Bescheid 2026/001', mimeType: 'text/plain' },
    });
    const r = await validate(jp, c.signature);
    expect(r.indication, r.explanation).toBe('TOTAL-PASSED');
    expect(r.signer?.country).toBe('AT');
    expect((await validate(f.urls.hub, c.signature)).validator).toEqual({ component: 'hub' });
    const d = await sign(at, {
      signer: { type: 'agency', id: agency },
      format: 'jades',
      level: 'B-T',
      packaging: 'detached',
      document: { content: 'Bescheid 2026/002', name: 'bescheid.txt' },
    });
    expect((await validate(jp, d.signature, 'Bescheid 2026/002')).indication).toBe('TOTAL-PASSED');
    const tampered = await validate(jp, d.signature, 'Bescheid 2026/003');
    expect([tampered.indication, tampered.subIndicationName]).toEqual(['TOTAL-FAILED', 'HASH_FAILURE']);
    expect(tampered.subIndication).toBe('urn:etsi:019102:subindication:HASH_FAILURE');
  });

  it('after time travel past the revocation of the signer, the verdicts change as EN 319 102-1 says', async () => {
    const body = (level: string) => ({
      signer: { type: 'agency', id: agency },
      format: 'xades',
      level,
      document: { content: DOC },
    });
    const bt = await sign(at, body('B-T'));
    const bb = await sign(at, body('B-B'));
    expect((await validate(jp, bb.signature)).indication).toBe('TOTAL-PASSED');

    f.clock.advance(10 * 86_400_000);
    const revoked = await f.fetch(`${f.urls.hub}/admin/trust/revoke`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `AT-agency-${agency}`, reason: 'keyCompromise' }),
    });
    expect(revoked.status).toBe(200);
    const revokedAt = f.clock.now().toISOString();
    f.clock.advance(86_400_000);
    const after = await sign(at, body('B-T'));

    // B-T made before the revocation: the time-stamp proves it existed, the signature stays valid.
    const r1 = await validate(jp, bt.signature);
    expect(r1.indication, r1.explanation).toBe('TOTAL-PASSED');
    expect(r1.explanation).toContain('proven by the time-stamp');
    // B-B: no proof of existence before the revocation.
    const r2 = await validate(jp, bb.signature);
    expect([r2.indication, r2.subIndicationName]).toEqual(['INDETERMINATE', 'REVOKED_NO_POE']);
    expect(r2.explanation).toContain(`was revoked at ${revokedAt}`);
    expect(r2.explanation).toContain('Kakehashi AT Issuing CA (TEST)');
    // B-T made after the revocation: the time-stamp proves it was made with a revoked key.
    const r3 = await validate(de, after.signature);
    expect([r3.indication, r3.subIndicationName]).toEqual(['TOTAL-FAILED', 'REVOKED']);
    expect(r3.explanation).toMatch(/keyCompromise.*before the signing time/);
    // The hub agrees.
    expect((await validate(f.urls.hub, after.signature)).subIndicationName).toBe('REVOKED');
  });

  it('serves RFC 3161 at POST /tsa and refuses what is not a time-stamp query', async () => {
    const digest = createHash('sha256').update('hello').digest();
    const res = await f.fetch(`${at}/tsa`, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query' },
      body: new Uint8Array(buildTimestampRequest(digest, { nonce: 42n, certReq: true })),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/timestamp-reply');
    const resp = Buffer.from(await res.arrayBuffer());
    const outer = readDerExact(resp);
    const token = outer.value.subarray(5); // SEQUENCE { PKIStatusInfo (30 03 02 01 00), token }
    expect([...outer.value.subarray(0, 5)]).toEqual([0x30, 0x03, 0x02, 0x01, 0x00]);
    const facts = verifyTimestampToken(Buffer.from(token), Buffer.from('hello'));
    expect(facts.intact, facts.problems.join('; ')).toBe(true);
    expect(facts.tsaLabel).toBe('Kakehashi AT Time-Stamping Unit (TEST)');
    const wrongType = await f.fetch(`${at}/tsa`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(wrongType.status).toBe(415);
    const garbage = await f.fetch(`${at}/tsa`, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query' },
      body: 'not DER',
    });
    expect(garbage.status).toBe(200);
    expect([...Buffer.from(await garbage.arrayBuffer()).subarray(0, 7)]).toContain(0x02); // PKIStatus rejection (2)
  });

  it('bad input gives a report with FORMAT_FAILURE or a clear problem, never a crash; every validation is traced', async () => {
    const doctype = await validate(
      de,
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    );
    expect([doctype.indication, doctype.subIndicationName]).toEqual(['TOTAL-FAILED', 'FORMAT_FAILURE']);
    expect(doctype.explanation).toContain('DOCTYPE');
    const truncated = await validate(de, 'MIIBBgYJKoZIhvcNAQcCoII=');
    expect(truncated.subIndicationName).toBe('FORMAT_FAILURE');
    const malformed = await f.fetch(`${de}/esig/validate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"signature":',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { code: string }).code).toBe('malformed-json');
    const unknown = await json<{ code: string }>(
      post(f, `${at}/esig/sign`, {
        signer: { type: 'agency', id: 'nope' },
        format: 'xades',
        document: { content: DOC },
      }),
    );
    expect([unknown.status, unknown.body.code]).toEqual([404, 'esig-signer-not-found']);
    const huge = await f.fetch(`${de}/esig/validate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ signature: `<x>${'a'.repeat(20 * 1024 * 1024)}</x>` }),
    });
    expect(huge.status).toBe(413);
    expect((await f.fetch(`${de}/health`)).status).toBe(200);
    const html = await f.fetch(`${de}/esig/validate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/html' },
      body: JSON.stringify({ signature: doctype.explanation }),
    });
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(await html.text()).toContain('data-testid="test-only-banner"');
    // The validation is a hop of the request's trace, with the decoded artefact and the verdict.
    const traceId = randomBytes(16).toString('hex');
    await post(
      f,
      `${de}/esig/validate`,
      { signature: '<x/>' },
      { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    );
    const events = f.hub?.traces.events(traceId) ?? [];
    const hop = events.find((e) => e.operation === 'esig: XAdES signature validated');
    expect(hop?.country).toBe('DE');
    expect(hop?.verdict?.valid).toBe(false);
    expect(JSON.stringify(hop?.verdict?.checks)).toContain('FORMAT_FAILURE');
  });
});
