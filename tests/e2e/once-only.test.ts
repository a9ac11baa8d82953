import { runScenarioAgainst } from '@kakehashi/federation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decide,
  loginThroughHub,
  openPreview,
  portalRecords,
  requestEvidence,
  waitForStatus,
} from '../../packages/federation/src/scenario-defs/once-only.ts';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';
import { poll } from '../support/wait.ts';

// biome-ignore lint/suspicious/noExplicitAny: free-form JSON read member by member
type Json = any;

const KOELN = 'urn:kakehashi:participant:de:koeln-buergeramt';

/**
 * Issue 7: once-only evidence exchange across the hub (OOTS-style RegRep over AS4, preview and consent at the
 * provider), scenarios 1 and 2, and the error paths: refusal, evidence not found, identity not matched, a
 * consent used twice, bad input on the new routes.
 */
describe('once-only evidence exchange', () => {
  let f: TestFederation;
  let de: string;
  let jp: string;
  let ee: string;

  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'EE', 'JP'] });
    de = f.urls.nodes.DE as string;
    jp = f.urls.nodes.JP as string;
    ee = f.urls.nodes.EE as string;
  }, 180_000);
  afterAll(() => f?.dispose());

  const latest = async (node: string, id: string) =>
    (await json<Json>(f.fetch(`${node}/evidence/requests/${encodeURIComponent(id)}`))).body;
  const jpPerson = async (personaId = 'jp-002') => {
    const c = await loginThroughHub(f, 'DE', 'JP', personaId);
    return {
      personIdentifier: c.eidas_person_identifier as string,
      familyName: c.family_name as string,
      givenName: c.given_name as string,
      dateOfBirth: c.birthdate as string,
    };
  };

  it('scenario 1: a Japanese citizen at a German service — JP/DE/… only, TOTAL-PASSED, access record in her portal', async () => {
    const report = await runScenarioAgainst(f, 'jp-citizen-at-german-service');
    const failed = report.steps.filter((s) => !s.ok);
    expect(failed, JSON.stringify(failed)).toEqual([]);

    // What Germany holds: the request names her only by JP/DE/…, and the evidence validated.
    const { body: persona } = await json<Json>(f.fetch(`${jp}/personas/jp-001`));
    const id = /(urn:uuid:[0-9a-f-]{36})/.exec(report.steps[2]?.detail ?? '')?.[1] as string;
    const r = await latest(de, id);
    expect(r.status).toBe('received');
    expect(r.personIdentifier).toMatch(/^JP\/DE\/[A-Za-z0-9_-]{20,}$/);
    expect(JSON.stringify(r)).not.toContain(persona.myNumber);
    expect(r.evidence.verdict.indication).toBe('TOTAL-PASSED');
    expect(r.evidence.verdict.signer.country).toBe('JP');
    expect(r.evidence.verdict.checks.every((c: Json) => c.outcome === 'passed')).toBe(true);
    expect(r.evidence.document.facts['住所 (address)']).toBe(persona.fourFacts.address);
    expect(r.history.map((h: Json) => h.status)).toEqual(['submitted', 'preview-required', 'resubmitted', 'received']);

    // The signed certificate itself validates at the hub's validation service too (an independent copy of the rules).
    const xml = await (await f.fetch(`${de}/evidence/requests/${encodeURIComponent(id)}/evidence`)).text();
    expect(xml).toContain('住民票の写し');
    const hub = await json<Json>(
      f.fetch(`${f.urls.hub}/esig/validate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ signature: xml }),
      }),
    );
    expect(hub.body.indication).toBe('TOTAL-PASSED');

    // Her portal: the access record names the German requester, the municipality, the item, the outcome.
    const records = await portalRecords(f, 'jp-001');
    const rec = records.find((x: Json) => x.requestId === id);
    expect(rec).toMatchObject({ outcome: 'provided', items: ['resident-record-certificate'] });
    expect(rec.who.requester).toContain('Cologne');
    expect(rec.who.provider).toBe('Setagaya City');

    // The trace shows both sides with the decoded RegRep messages.
    const trace = await json<Json>(f.fetch(`${f.urls.hub}/traces/${r.traceId}`));
    const ops = (trace.body.events as Json[]).filter((e) => String(e.operation).startsWith('evidence:'));
    expect(ops.some((e) => e.country === 'DE' && e.operation.includes('QueryRequest sent'))).toBe(true);
    expect(ops.some((e) => e.country === 'JP' && e.operation.includes('QueryRequest received'))).toBe(true);
    const received = ops.find((e) => e.country === 'JP' && e.operation.includes('QueryRequest received'));
    expect(received.artefact.regrep.person.personIdentifier).toBe(r.personIdentifier);
  }, 120_000);

  it('scenario 2: an Estonian citizen at a Japanese service — proof of income from Estonia, TOTAL-PASSED', async () => {
    const report = await runScenarioAgainst(f, 'ee-citizen-at-japanese-service');
    const failed = report.steps.filter((s) => !s.ok);
    expect(failed, JSON.stringify(failed)).toEqual([]);
    const id = /(urn:uuid:[0-9a-f-]{36})/.exec(report.steps[1]?.detail ?? '')?.[1] as string;
    const r = await latest(jp, id);
    expect(r).toMatchObject({
      status: 'received',
      provider: 'urn:kakehashi:participant:ee:emta',
      providerCountry: 'EE',
    });
    expect(r.personIdentifier).toMatch(/^EE\/JP\//);
    expect(r.evidence.verdict).toMatchObject({ valid: true, indication: 'TOTAL-PASSED', signer: { country: 'EE' } });
    expect(Number(r.evidence.document.facts.taxableIncome)).toBeGreaterThan(0);
  }, 120_000);

  it('refusal: the citizen refuses at the preview → EDM:ERR:0002 (Error), nothing sent, the refusal in her portal', async () => {
    const p = await jpPerson('jp-002');
    const r = await requestEvidence(f, 'DE', {
      requester: KOELN,
      requirement: 'proof-of-residence',
      country: 'JP',
      procedure: 'Registration of residence',
      person: p,
    });
    await waitForStatus(f, 'DE', r.id, ['preview-required']);
    const { browser, previewUrl } = await openPreview(f, 'DE', r.id, 'JP', 'jp-002');
    await decide(browser, previewUrl, 'refuse');
    const done = await waitForStatus(f, 'DE', r.id, ['failed', 'received']);
    expect(done.status).toBe('failed');
    expect(done.exception).toMatchObject({
      code: 'EDM:ERR:0002',
      type: 'rs:AuthorizationExceptionType',
      severity: 'urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error',
    });
    expect(done.evidence).toBeNull();
    // Consent is single-use: a second decision is refused.
    const again = await browser.go(`${previewUrl}/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve' }),
    });
    expect(again.status).toBe(409);
    expect(((await again.json()) as Json).code).toBe('evidence-preview-decided');
    const records = await portalRecords(f, 'jp-002');
    expect(records.find((x: Json) => x.requestId === r.id)?.outcome).toBe('refused');
  });

  it('evidence not found: a birth certificate (戸籍) Setagaya does not keep → EDM:ERR:0004 without a preview', async () => {
    const p = await jpPerson('jp-003');
    const r = await requestEvidence(f, 'DE', {
      requester: KOELN,
      requirement: 'proof-of-birth',
      country: 'JP',
      procedure: 'Marriage registration',
      person: p,
    });
    const done = await waitForStatus(f, 'DE', r.id, ['failed', 'preview-required']);
    expect(done.status).toBe('failed');
    expect(done.exception).toMatchObject({ code: 'EDM:ERR:0004', type: 'rs:ObjectNotFoundExceptionType' });
    expect(done.exception.detail).toContain('戸籍');
  });

  it('identity not matched: an unknown identifier, a wrong date of birth, someone else at the preview → EDM:ERR:0001', async () => {
    const p = await jpPerson('jp-004');
    const unknown = await requestEvidence(f, 'DE', {
      requester: KOELN,
      requirement: 'proof-of-residence',
      country: 'JP',
      procedure: 'Registration of residence',
      person: { ...p, personIdentifier: `JP/DE/${'A'.repeat(43)}` },
    });
    const wrongDob = await requestEvidence(f, 'DE', {
      requester: KOELN,
      requirement: 'proof-of-residence',
      country: 'JP',
      procedure: 'Registration of residence',
      person: { ...p, dateOfBirth: '1901-01-01' },
    });
    for (const id of [unknown.id, wrongDob.id]) {
      const done = await waitForStatus(f, 'DE', id, ['failed', 'preview-required']);
      expect(done.status).toBe('failed');
      expect(done.exception).toMatchObject({ code: 'EDM:ERR:0001', type: 'rs:AuthenticationExceptionType' });
    }

    // The right person is asked about, but someone else logs in at the preview.
    const r = await requestEvidence(f, 'DE', {
      requester: KOELN,
      requirement: 'proof-of-residence',
      country: 'JP',
      procedure: 'Registration of residence',
      person: p,
    });
    await waitForStatus(f, 'DE', r.id, ['preview-required']);
    await expect(openPreview(f, 'DE', r.id, 'JP', 'jp-005')).rejects.toThrow(/403/);
    await f.fetch(`${de}/evidence/requests/${encodeURIComponent(r.id)}/return`);
    const done = await waitForStatus(f, 'DE', r.id, ['failed', 'received']);
    expect(done.exception).toMatchObject({ code: 'EDM:ERR:0001' });
  });

  it("the hub's directory: every provider of DE, EE and JP is resolvable by discovery; the broker names Japan's 住民票の写し", async () => {
    const { body } = await json<Json>(f.fetch(`${f.urls.hub}/data-service-directory/services`));
    const here = (body.services as Json[]).filter((s) => ['DE', 'EE', 'JP'].includes(s.country));
    expect(here.length).toBeGreaterThanOrEqual(9);
    expect(here.filter((s) => !s.registered)).toEqual([]);
    expect((body.services as Json[]).filter((s) => s.country === 'AT').every((s) => !s.registered)).toBe(true);
    const eb = await json<Json>(f.fetch(`${f.urls.hub}/evidence-broker/requirements/proof-of-residence?country=JP`));
    expect(eb.body.evidenceTypes.map((t: Json) => t.titleLocal)).toEqual(['住民票の写し']);
    const openapi = await json<Json>(f.fetch(`${f.urls.hub}/openapi.json`));
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining(['/evidence-broker/requirements/{requirementId}', '/data-service-directory/services']),
    );
    const node = await json<Json>(f.fetch(`${jp}/openapi.json`));
    expect(Object.keys(node.body.paths)).toEqual(
      expect.arrayContaining([
        '/evidence/requests',
        '/evidence/preview/{previewId}',
        '/evidence/preview/{previewId}/decision',
      ]),
    );
  });

  it('bad input on the new routes: problem+json with stable codes, and the nodes stay healthy', async () => {
    const post = (url: string, body: string, type = 'application/json') =>
      f.fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
    const broken = await json<Json>(post(`${de}/evidence/requests`, '{"requester":'));
    expect(broken.status).toBe(400);
    expect(broken.type).toContain('application/problem+json');
    expect(broken.body.code).toBe('malformed-json');
    const invalid = await json<Json>(post(`${de}/evidence/requests`, JSON.stringify({ requester: KOELN })));
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('validation-failed');
    const xml = await json<Json>(post(`${de}/evidence/requests`, '<QueryRequest/>', 'application/xml'));
    expect(xml.status).toBe(415);
    const notMine = await json<Json>(
      post(
        `${de}/evidence/requests`,
        JSON.stringify({
          requester: 'urn:kakehashi:participant:jp:setagaya-city',
          requirement: 'proof-of-residence',
          country: 'JP',
          procedure: 'x',
          person: { personIdentifier: 'JP/DE/abc', familyName: 'A', givenName: 'B', dateOfBirth: '2000-01-01' },
        }),
      ),
    );
    expect(notMine.status).toBe(400);
    const unknownReq = await json<Json>(
      post(
        `${de}/evidence/requests`,
        JSON.stringify({
          requester: KOELN,
          requirement: 'proof-of-nothing',
          country: 'JP',
          procedure: 'x',
          person: { personIdentifier: 'JP/DE/abc', familyName: 'A', givenName: 'B', dateOfBirth: '2000-01-01' },
        }),
      ),
    );
    expect(unknownReq.status).toBe(404);
    expect(unknownReq.body.code).toBe('evidence-requirement-unknown');
    expect((await json<Json>(f.fetch(`${de}/evidence/requests/urn:uuid:nope`))).body.code).toBe(
      'evidence-request-not-found',
    );
    expect((await json<Json>(f.fetch(`${jp}/evidence/preview/nope`))).body.code).toBe('evidence-preview-not-found');
    expect((await json<Json>(f.fetch(`${jp}/evidence/preview/callback?state=forged&code=x`))).status).toBe(401);
    expect((await json<Json>(post(`${jp}/evidence/preview/nope/decision`, '{"decision":'))).status).toBe(400);
    expect((await json<Json>(f.fetch(`${f.urls.hub}/evidence-broker/requirements/nope`))).body.code).toBe(
      'evidence-requirement-unknown',
    );
    expect((await json<Json>(f.fetch(`${f.urls.hub}/data-service-directory/services?country=JPN`))).status).toBe(400);
    expect((await json<Json>(f.fetch(`${de}/admin/evidence/process`, { method: 'POST' }))).status).toBe(401);

    // A malformed RegRep payload sent straight over AS4 is answered with EDM:ERR:0003 (InvalidRequest), not a crash.
    const conversationId = `evidence-${'ab'.repeat(16)}`;
    const sent = await json<Json>(
      post(
        `${de}/edelivery/messages`,
        JSON.stringify({
          service: 'urn:kakehashi:service:evidence',
          action: 'ExecuteQueryRequest',
          conversationId,
          originalSender: KOELN,
          finalRecipient: 'urn:kakehashi:participant:jp:setagaya-city',
          payloads: [
            { mimeType: 'application/x-ebrs+xml', content: Buffer.from('<!DOCTYPE x><x/>').toString('base64') },
          ],
        }),
      ),
    );
    expect(sent.status).toBe(202);
    await json(f.fetch(`${de}/admin/edelivery/pump`, { method: 'POST', headers: ADMIN }));
    await json(f.fetch(`${jp}/admin/evidence/process`, { method: 'POST', headers: ADMIN }));
    await json(f.fetch(`${jp}/admin/edelivery/pump`, { method: 'POST', headers: ADMIN }));
    const answer: Json = await poll(
      async () =>
        ((await json<Json>(f.fetch(`${de}/edelivery/messages?direction=in&limit=1000`))).body.messages as Json[]).find(
          (m) => m.conversationId === conversationId,
        ),
      (found) => found !== undefined,
    );
    expect(answer?.action).toBe('ExecuteQueryResponse');
    const regrep = await (
      await f.fetch(
        `${de}/edelivery/messages/${encodeURIComponent(answer.messageId)}/payloads/${encodeURIComponent(answer.payloads[0].cid)}`,
      )
    ).text();
    expect(regrep).toContain('code="EDM:ERR:0003"');
    expect(regrep).toContain('rs:InvalidRequestExceptionType');
    for (const n of [de, jp, ee]) expect((await json<Json>(f.fetch(`${n}/health`))).body.status).toBe('ok');
  });
});
