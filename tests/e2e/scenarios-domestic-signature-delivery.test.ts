import { runScenarioAgainst, type ScenarioReport } from '@kakehashi/federation';
import type { Persona } from '@kakehashi/personas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * Issue 7, scenarios 3–5, run as the console runs them (`runScenarioAgainst` on a running federation), then
 * checked against the facts behind the report through the public and admin APIs.
 */
// biome-ignore lint/suspicious/noExplicitAny: free-form JSON read member by member
type Json = any;

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

describe('scenarios: domestic mediated query, signature across a revocation, delivery through an outage', () => {
  let f: TestFederation;
  let jp: string;
  let at: string;
  let de: string;
  const call = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
    json<Json>(
      f.fetch(url, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
  const run = async (name: string): Promise<ScenarioReport> => {
    const report = await runScenarioAgainst(f, name);
    const failed = report.steps.filter((s) => !s.ok).map((s) => `${s.title}: ${s.detail}`);
    expect(failed, failed.join('\n')).toEqual([]);
    expect(report.passed).toBe(true);
    return report;
  };

  beforeAll(async () => {
    f = await startTestFederation({ countries: ['AT', 'DE', 'JP'], clockStart: '2026-06-01T00:00:00Z' });
    jp = f.urls.nodes.JP as string;
    at = f.urls.nodes.AT as string;
    de = f.urls.nodes.DE as string;
  }, 180_000);
  afterAll(() => f?.dispose());

  it('jp-child-allowance: provided under two different codes, refused outside the matrix, both on the portal', async () => {
    const report = await run('jp-child-allowance');
    expect(report.steps).toHaveLength(6);
    const [codes, provided, wire, record, refused, portal] = report.steps.map((s) => s.detail);
    const personas = (await call('GET', `${jp}/personas`)).body as Persona[];
    const p = personas.find((x) => codes?.startsWith(`${x.id} `)) as Persona;
    expect(p?.myNumber).toMatch(/^\d{12}$/);
    // The report names the person and both codes, never the My Number or the resident record code.
    const text = JSON.stringify(report);
    expect(text).not.toContain(p.myNumber);
    expect(text).not.toContain(p.residentRecordCode);
    expect(wire).toMatch(/city → network: code v1\.\S+…; network → tax agency: code v1\.\S+…/);
    expect(record).toContain('rule child-allowance/tax');
    expect(refused).toContain('jp-not-authorised');
    // The network's internal hops (city → network → tax agency) joined the run's one trace.
    expect(report.traceIds).toHaveLength(1);
    const events = (await call('GET', `${f.urls.hub}/traces/${report.traceIds[0]}`)).body.events as {
      operation: string;
    }[];
    expect(
      events.some((e) => e.operation.includes('jp-network: setagaya-city → network: POST /jp/network/queries')),
    ).toBe(true);
    expect(events.some((e) => e.operation.includes('/intermediary/provision'))).toBe(true);
    expect(portal).toContain('income-tax-return-filed: refused');

    // The facts behind the report: the two agencies' codes for the person differ.
    const subjects = async (agency: string) =>
      (
        (await call('GET', `${jp}/admin/jp/agencies/${agency}/subjects`, undefined, ADMIN)).body.subjects as Json[]
      ).find((s) => s.name === p.fourFacts?.name && s.date_of_birth === p.fourFacts?.dateOfBirth);
    const city = await subjects('setagaya-city');
    const tax = await subjects('national-tax-agency');
    expect(city.code).toMatch(/^v1\./);
    expect(tax.code).toMatch(/^v1\./);
    expect(city.code).not.toBe(tax.code);
    expect(codes).toContain(city.code.slice(0, 14));
    expect(codes).toContain(tax.code.slice(0, 14));

    // The network's records: one provided with its legal basis, one refused with its reason.
    const providedId = UUID.exec(provided ?? '')?.[0];
    expect(providedId).toBeTruthy();
    const net = (await call('GET', `${jp}/admin/jp/network/records`, undefined, ADMIN)).body;
    expect(net.verification.valid).toBe(true);
    const ok = (net.records as Json[]).find((r) => r.requestId === providedId);
    expect(ok).toMatchObject({ outcome: 'provided', ruleId: 'child-allowance/tax', items: ['income'] });
    expect(ok.legalBasis).toContain('Child Allowance Act');
    const no = (net.records as Json[]).filter(
      (r) => r.outcome === 'refused' && r.items.includes('income-tax-return-filed'),
    );
    expect(no).toHaveLength(1);
    expect(no[0].refusal.code).toBe('jp-not-authorised');
    expect(no[0].refusal.reason).toContain('income-tax-return-filed');
    // The provider holds a copy of the provided exchange only: the refusal never reached it.
    const prov = (await call('GET', `${jp}/admin/jp/agencies/national-tax-agency/records`, undefined, ADMIN)).body;
    expect((prov.records as Json[]).map((r) => r.requestId)).toContain(providedId);
    expect((prov.records as Json[]).map((r) => r.requestId)).not.toContain(no[0].requestId);

    // The citizen, logging in independently of the scenario, sees both.
    const ch = (await call('POST', `${jp}/jp/portal/login/challenge`, { purpose: 'login' })).body;
    const card = (await call('POST', `${jp}/jp/portal/test-card-reader`, { personaId: p.id, challenge: ch.challenge }))
      .body;
    const login = await call('POST', `${jp}/jp/portal/login`, { challengeId: ch.challengeId, ...card });
    expect(login.status).toBe(200);
    const mine = (
      await call('GET', `${jp}/jp/portal/me/records`, undefined, { authorization: `Bearer ${login.body.sessionToken}` })
    ).body.records as Json[];
    expect(mine.find((r) => r.requestId === providedId)?.outcome).toBe('provided');
    expect(mine.find((r) => r.requestId === no[0].requestId)?.outcome).toBe('refused');
    expect((await call('GET', `${jp}/jp/records/verify`)).body.valid).toBe(true);
  }, 120_000);

  it('at-contract-in-japan: TOTAL-PASSED, then after the revocation B-T passes, B-B is INDETERMINATE; twice, with two signers', async () => {
    const clockBefore = Date.parse((await call('GET', `${f.urls.hub}/admin/clock`, undefined, ADMIN)).body.now);
    const first = await run('at-contract-in-japan');
    expect(first.steps).toHaveLength(7);
    expect(first.steps[2]?.detail).toContain('B-T TOTAL-PASSED');
    expect(first.steps[4]?.detail).toMatch(/B-T TOTAL-PASSED.*B-B INDETERMINATE\/REVOKED_NO_POE/);
    expect(first.steps[5]?.detail).toContain('JP TOTAL-FAILED/REVOKED, hub TOTAL-FAILED/REVOKED');
    // Run again on the same federation (as the console would): another, still valid, signer is chosen.
    const second = await run('at-contract-in-japan');
    const signerOf = (r: ScenarioReport) => r.steps[0]?.detail.split(':')[0];
    expect(signerOf(first)).toBeTruthy();
    expect(signerOf(second)).not.toBe(signerOf(first));

    // The facts: both certificates are revoked in the hub's trust fabric, and the clock moved four days.
    const { certificates } = (await call('GET', `${f.urls.hub}/trust`)).body as { certificates: Json[] };
    for (const id of [signerOf(first), signerOf(second)])
      expect(certificates.find((c) => c.name === `AT-agency-${id}`)?.revoked).toBe(true);
    const clockAfter = Date.parse((await call('GET', `${f.urls.hub}/admin/clock`, undefined, ADMIN)).body.now);
    expect(clockAfter - clockBefore).toBeGreaterThanOrEqual(4 * 86_400_000);
    // An independent check at another node: a fresh B-B signature by the first signer is refused at DE.
    const signed = await call('POST', `${at}/esig/sign`, {
      signer: { type: 'agency', id: signerOf(first) },
      format: 'jades',
      level: 'B-B',
      document: { content: 'after the revocation' },
    });
    const report = (await call('POST', `${de}/esig/validate`, { signature: signed.body.signature })).body;
    expect(report.indication).not.toBe('TOTAL-PASSED');
    expect(report.subIndicationName).toMatch(/REVOKED/);
    // The validations joined the scenario's trace.
    const traceId = first.traceIds[0] as string;
    const events = (await call('GET', `${f.urls.hub}/traces/${traceId}`)).body.events as Json[];
    expect(events.filter((e) => e.operation === 'esig: XAdES signature validated').length).toBeGreaterThanOrEqual(6);
  }, 120_000);

  it('delivery-outage: retries through a 503 outage, acknowledged once, one inbox copy, matching receipt digests', async () => {
    const report = await run('delivery-outage');
    expect(report.steps).toHaveLength(7);
    expect(report.steps[3]?.detail).toBe('attempt 2 → HTTP 503, next in 20 s; attempt 3 → HTTP 503, next in 40 s');
    const id = /(\S+@bzst\.de\.kakehashi\.test)/.exec(report.steps[2]?.detail ?? '')?.[1] as string;
    expect(id).toBeTruthy();

    // The sender: acknowledged at the fourth attempt, three failures in its history.
    const out = (await call('GET', `${de}/edelivery/messages/${encodeURIComponent(id)}?direction=out`)).body;
    expect(out).toMatchObject({
      status: 'ACKNOWLEDGED',
      attempts: 4,
      pmodeId: 'kakehashi-scenario-patient-notification',
    });
    expect((out.history as Json[]).filter((h) => h.status === 'WAITING_FOR_RETRY')).toHaveLength(3);
    // The receiver: exactly one inbound copy, downloaded by the backend, same non-repudiation digests.
    const inbound = (await call('GET', `${at}/edelivery/messages?direction=in&limit=1000`)).body.messages as Json[];
    expect(inbound.filter((m) => m.messageId === id)).toHaveLength(1);
    const rin = (await call('GET', `${at}/edelivery/messages/${encodeURIComponent(id)}?direction=in`)).body;
    expect(rin.status).toBe('DOWNLOADED');
    expect(rin.receipt.nonRepudiationInformation).toEqual(out.receipt.nonRepudiationInformation);
    expect(rin.receipt.nonRepudiationInformation.length).toBeGreaterThanOrEqual(4);
    // Every failed attempt met Austria's outage, in the scenario's trace.
    const attempts = (await call('GET', `${f.urls.hub}/traces/${report.traceIds[0]}`)).body.events as Json[];
    expect(attempts.filter((e) => e.operation === 'edelivery: SOAP fault' && e.country === 'AT')).toHaveLength(3);

    // Run again: the P-Mode is already in force, the scenario still passes and delivers one new message.
    const again = await run('delivery-outage');
    expect(again.steps[0]?.detail).toContain('already in force at DE and AT');
  }, 120_000);

  it('the edelivery.receiver-unavailable fault makes /as4 answer a 503 SOAP Fault, and is refused when misnamed', async () => {
    const as4 = () =>
      f.fetch(`${at}/as4`, { method: 'POST', headers: { 'content-type': 'application/soap+xml' }, body: '<x/>' });
    const put = (body: unknown) => call('PUT', `${at}/admin/faults`, body, ADMIN);
    const enabled = (r: { body: Json }) =>
      (r.body.faults as Json[]).filter((x) => x.enabled).map((x) => x.name as string);
    const up = (await as4()).status; // up: the request is processed (and refused as not an ebMS message)
    expect(up).not.toBe(503);
    expect(enabled(await put({ enable: ['edelivery.receiver-unavailable'] }))).toEqual([
      'edelivery.receiver-unavailable',
    ]);
    const config = await call('GET', `${at}/admin/config`, undefined, ADMIN);
    expect(config.body.faults).toEqual(['edelivery.receiver-unavailable']);
    const down = await as4();
    expect(down.status).toBe(503);
    expect(down.headers.get('content-type')).toContain('application/soap+xml');
    expect(await down.text()).toMatch(/Receiver[\s\S]*edelivery\.receiver-unavailable/);
    expect(enabled(await put({ disable: ['edelivery.receiver-unavailable'] }))).toEqual([]);
    expect((await as4()).status).toBe(up);
    const bogus = await put({ enable: ['edelivery.bogus'] });
    expect([bogus.status, bogus.body.code]).toEqual([400, 'fault-unknown']);
    expect(bogus.type).toContain('problem+json');
    // The old per-block switch is gone: one surface.
    expect(
      (await call('PUT', `${at}/admin/edelivery/faults`, { receiver: 'receiver-unavailable' }, ADMIN)).status,
    ).toBe(404);
    // Without admin rights the switch is refused.
    const anon = await call('PUT', `${at}/admin/faults`, { enable: ['edelivery.receiver-unavailable'] });
    expect(anon.status).toBe(401);
  });

  it('at-contract-in-japan says what to do once every Austrian agency certificate is revoked', async () => {
    const agencies = (await call('GET', `${at}/esig/signers`)).body.agencies as Json[];
    const unrevoked = async () =>
      ((await call('GET', `${f.urls.hub}/trust`)).body.certificates as Json[]).filter(
        (c) => /^AT-agency-/.test(c.name) && !c.revoked,
      ).length;
    let left = await unrevoked();
    expect(left).toBe(agencies.length - 2); // two runs above
    while (left > 0) {
      await run('at-contract-in-japan');
      expect(await unrevoked()).toBe(left - 1);
      left--;
    }
    const exhausted = await runScenarioAgainst(f, 'at-contract-in-japan');
    expect(exhausted.passed).toBe(false);
    expect(exhausted.steps[0]).toMatchObject({ ok: false });
    expect(exhausted.steps[0]?.detail).toContain('start the federation on a fresh data directory');
  });
});
