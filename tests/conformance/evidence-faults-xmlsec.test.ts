import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loginThroughHub,
  openPreview,
  requestEvidence,
  waitForStatus,
} from '../../packages/federation/src/scenario-defs/once-only.ts';
import { startTestFederation, type TestFederation } from '../support/federation.ts';
import { certificatesOf, hasTool, rootsOf, run, tempFiles } from '../support/pki-tools.ts';

const XADES_ID = 'http://uri.etsi.org/01903/v1.3.2#:SignedProperties';
const EVIDENCE_ID = 'urn:kakehashi:evidence:v1:Evidence';

/**
 * The once-only exchange's evidence document faults checked by a verifier that shares no code with us: xmlsec1,
 * with the trust root of the trusted list the hub publishes for Estonia (nothing from the signature), verifies the
 * evidence document Japan's requester received from Estonia's data service. It refuses the unsigned and the
 * tampered document; it accepts the validly signed documents about another person, for another request, issued a year
 * ago, from another issuer or of another type — its blind spot: what the document says is the requester's check (tests/e2e/evidence-faults.test.ts),
 * and asserted here so that the split is visible.
 */
describe.runIf(hasTool('xmlsec1'))('evidence faults: xmlsec1 refuses the unsigned and tampered documents', () => {
  let f: TestFederation;
  let jp: string;
  let root: { path: Record<string, string> };
  beforeAll(async () => {
    f = await startTestFederation({ countries: ['EE', 'JP'] });
    jp = f.urls.nodes.JP as string;
    const tl = await (await f.fetch(`${f.urls.hub}/trust/tl/EE.xml`)).text();
    root = tempFiles({ 'root.pem': rootsOf(certificatesOf(tl)).join('') });
  }, 240_000);
  afterAll(() => f?.dispose());

  /** One exchange whose approval asks Estonia for `fault`: the evidence document Japan received (whatever its verdict). */
  const evidenceWith = async (fault?: string) => {
    const c = await loginThroughHub(f, 'JP', 'EE', 'ee-001');
    const r = await requestEvidence(f, 'JP', {
      requester: 'urn:kakehashi:participant:jp:national-tax-agency',
      requirement: 'proof-of-income',
      country: 'EE',
      procedure: 'Final income tax return of a non-resident',
      person: {
        personIdentifier: c.eidas_person_identifier as string,
        familyName: c.family_name as string,
        givenName: c.given_name as string,
        dateOfBirth: c.birthdate as string,
      },
    });
    await waitForStatus(f, 'JP', r.id, ['preview-required']);
    const { browser, previewUrl } = await openPreview(f, 'JP', r.id, 'EE', 'ee-001');
    const res = await browser.go(`${previewUrl}/decision`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(fault ? { 'x-kakehashi-fault': fault } : {}),
      },
      body: JSON.stringify({ decision: 'approve' }),
    });
    expect(res.status).toBe(200);
    const { returnUrl } = (await res.json()) as { returnUrl?: string };
    if (returnUrl) await browser.go(returnUrl);
    const done = await waitForStatus(f, 'JP', r.id, ['received', 'rejected', 'failed']);
    const xml = await (await f.fetch(`${jp}/evidence/requests/${encodeURIComponent(r.id)}/evidence`)).text();
    return { status: done.status as string, xml };
  };

  const xmlsec = (xml: string) => {
    const t = tempFiles({ 'evidence.xml': xml });
    const r = run('xmlsec1', [
      '--verify',
      '--trusted-pem',
      root.path['root.pem'] as string,
      '--id-attr:Id',
      EVIDENCE_ID,
      '--id-attr:Id',
      XADES_ID,
      '--enabled-reference-uris',
      'empty,same-doc',
      '--verification-time',
      new Date(f.clock.nowMs()).toISOString().slice(0, 19).replace('T', ' '),
      t.path['evidence.xml'] as string,
    ]);
    return { ...r, ok: r.status === 0 && /\bOK\b/.test(r.output) };
  };

  it('control: the genuine evidence document (received) verifies', async () => {
    const e = await evidenceWith();
    expect(e.status).toBe('received');
    const r = xmlsec(e.xml);
    expect(r.ok, r.output).toBe(true);
  }, 180_000);

  it('evidence.unsigned-document: xmlsec1 finds no signature to verify', async () => {
    const e = await evidenceWith('evidence.unsigned-document');
    expect(e.status).toBe('rejected');
    expect(e.xml).not.toContain('Signature');
    const r = xmlsec(e.xml);
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/signature node|Signature/i);
  }, 180_000);

  it('evidence.tampered-document: xmlsec1 refuses the digest of the altered document', async () => {
    const e = await evidenceWith('evidence.tampered-document');
    expect(e.status).toBe('rejected');
    expect(e.xml).toContain('(altered after signing)');
    const r = xmlsec(e.xml);
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/digest|FAIL/i);
  }, 180_000);

  it.each([
    'evidence.wrong-subject',
    'evidence.wrong-request',
    'evidence.stale-document',
    'evidence.wrong-issuer',
    'evidence.wrong-evidence-type',
  ])(
    '%s: xmlsec1 accepts the validly signed document (its blind spot: the binding is the requester’s check, which refuses it)',
    async (fault) => {
      const e = await evidenceWith(fault);
      expect(e.status).toBe('rejected');
      const r = xmlsec(e.xml);
      expect(r.ok, r.output).toBe(true);
    },
    180_000,
  );
});
