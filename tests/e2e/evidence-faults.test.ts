import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loginThroughHub,
  openPreview,
  requestEvidence,
  waitForStatus,
} from '../../packages/federation/src/scenario-defs/once-only.ts';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

// biome-ignore lint/suspicious/noExplicitAny: free-form JSON read member by member
type Json = any;

/** The strict requester (JP) and the weak one (DE, `DE:lenient.evidence.*`), both asking Estonia's tax board. */
const REQUESTER = {
  JP: 'urn:kakehashi:participant:jp:national-tax-agency',
  DE: 'urn:kakehashi:participant:de:koeln-buergeramt',
} as const;
type At = keyof typeof REQUESTER;

/** The forged documents, and the check of the requester's verdict each one breaks. */
const DOCUMENT_FAULTS = [
  ['evidence.unsigned-document', 'signature (EN 319 102-1)'],
  ['evidence.tampered-document', 'signature (EN 319 102-1)'],
  ['evidence.wrong-subject', 'person binding'],
  ['evidence.wrong-request', 'request binding'],
  ['evidence.stale-document', 'issue time'],
  ['evidence.wrong-issuer', 'issuer'],
  ['evidence.wrong-evidence-type', 'evidence type'],
] as const;

/**
 * Issue 13, the once-only exchange's faults: Estonia's data service (the provider node) forges the evidence it sends
 * after the citizen approved — asked for by the approval alone (`X-Kakehashi-Fault`) — or sends her to a foreign
 * preview page, or is down. Japan's strict requester refuses each with the named check; Germany, a weak node
 * (`lenient.evidence.*`), accepts the same defect with the check reported skipped, side by side.
 */
describe('once-only evidence exchange: provider faults against a strict and a weak requester', () => {
  let f: TestFederation;
  let ee: string;

  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'EE', 'JP'], faults: ['DE:lenient.evidence.*'] });
    ee = f.urls.nodes.EE as string;
  }, 180_000);
  afterAll(() => f?.dispose());

  const switchAtEe = async (change: { enable?: string[]; disable?: string[] }) => {
    const r = await f.fetch(`${ee}/admin/faults`, {
      method: 'PUT',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify(change),
    });
    expect(r.status).toBe(200);
  };

  /** An Estonian citizen at `at` asks for her proof of income from Estonia; the request once at preview-required. */
  const ask = async (at: At) => {
    const c = await loginThroughHub(f, at, 'EE', 'ee-001');
    const r = await requestEvidence(f, at, {
      requester: REQUESTER[at],
      requirement: 'proof-of-income',
      country: 'EE',
      procedure: 'Proof of income for a residence permit',
      person: {
        personIdentifier: c.eidas_person_identifier as string,
        familyName: c.family_name as string,
        givenName: c.given_name as string,
        dateOfBirth: c.birthdate as string,
      },
    });
    return { id: r.id as string, ...(await waitForStatus(f, at, r.id, ['preview-required', 'failed'])) };
  };

  /** The whole exchange, the approval asking the provider for `fault`; the request once it has ended. */
  const exchange = async (at: At, fault?: string) => {
    const r = await ask(at);
    expect(r.status).toBe('preview-required');
    const { browser, previewUrl } = await openPreview(f, at, r.id, 'EE', 'ee-001');
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
    const decided = (await res.json()) as Json;
    if (decided.returnUrl) await browser.go(decided.returnUrl as string);
    return waitForStatus(f, at, r.id, ['received', 'rejected', 'failed']);
  };

  const traceOps = async (traceId: string) =>
    ((await json<Json>(f.fetch(`${f.urls.hub}/traces/${traceId}`))).body.events as Json[]).filter((e) =>
      String(e.operation).startsWith('evidence:'),
    );

  it('the faults are offered at every node, off by default except the weak node’s lenient twins', async () => {
    const list = async (cc: string) =>
      (await json<Json>(f.fetch(`${f.urls.nodes[cc]}/admin/faults`, { headers: ADMIN }))).body.faults as Json[];
    const eeFaults = (await list('EE')).filter((x) => x.block === 'evidence');
    expect(eeFaults.map((x) => x.name)).toEqual(
      expect.arrayContaining([...DOCUMENT_FAULTS.map(([n]) => n), 'evidence.provider-unavailable']),
    );
    expect(eeFaults.every((x) => !x.enabled)).toBe(true);
    const de = (await list('DE')).filter((x) => x.block === 'evidence' && x.enabled).map((x) => x.name);
    expect(de.sort()).toEqual(
      DOCUMENT_FAULTS.map(([n]) => `lenient.${n}`)
        .concat('lenient.evidence.foreign-preview-location')
        .sort(),
    );
  });

  it('off: both requesters receive the evidence with every check passed', async () => {
    for (const at of ['JP', 'DE'] as const) {
      const done = await exchange(at);
      expect(done.status, JSON.stringify(done.evidence?.verdict)).toBe('received');
      expect(done.evidence.verdict.checks.every((c: Json) => c.outcome === 'passed')).toBe(true);
    }
  }, 180_000);

  it.each(DOCUMENT_FAULTS)(
    '%s: the strict requester refuses it (%s), the weak node accepts it, side by side',
    async (fault, rule) => {
      const strict = await exchange('JP', fault);
      expect(strict.status).toBe('rejected');
      const failed = (strict.evidence.verdict.checks as Json[]).filter((c) => c.outcome === 'failed');
      expect(failed.map((c) => c.rule)).toContain(rule);
      if (fault === 'evidence.tampered-document') expect(strict.evidence.verdict.subIndication).toBe('HASH_FAILURE');
      if (fault === 'evidence.unsigned-document') expect(strict.evidence.verdict.indication).not.toBe('TOTAL-PASSED');
      // The provider's hop records the fault it fired (the approval asked for it); the requester's none.
      const ops = await traceOps(strict.traceId);
      expect(ops.some((e) => e.country === 'EE' && (e.faults ?? []).includes(fault))).toBe(true);
      expect(ops.some((e) => e.country === 'JP' && (e.faults ?? []).length > 0)).toBe(false);

      const weak = await exchange('DE', fault);
      expect(weak.status, JSON.stringify(weak.evidence?.verdict)).toBe('received');
      const skipped = (weak.evidence.verdict.checks as Json[]).filter((c) => c.outcome === 'skipped');
      expect(skipped.map((c) => c.rule)).toContain(rule);
      expect(skipped.every((c) => c.fault === `lenient.${fault}`)).toBe(true);
      // The weak node shows what it accepted.
      expect(weak.evidence.document).not.toBeNull();
      const weakOps = await traceOps(weak.traceId);
      expect(weakOps.some((e) => e.country === 'DE' && (e.faults ?? []).includes(`lenient.${fault}`))).toBe(true);
    },
    240_000,
  );

  it('evidence.foreign-preview-location: the strict requester fails the request, the weak one sends the citizen off-node', async () => {
    await switchAtEe({ enable: ['evidence.foreign-preview-location'] });
    try {
      const strict = await ask('JP');
      expect(strict.status).toBe('failed');
      expect(strict.history.at(-1).detail).toContain('PreviewLocation is not on the provider node');
      const weak = await ask('DE');
      expect(weak.status).toBe('preview-required');
      expect(weak.previewLocation ?? JSON.stringify(weak)).toContain('https://evidence-preview.invalid/');
    } finally {
      await switchAtEe({ disable: ['evidence.foreign-preview-location'] });
    }
  }, 180_000);

  it('evidence.provider-unavailable: every request fails with EDM:ERR:0005; switched off, the next one is answered', async () => {
    await switchAtEe({ enable: ['evidence.provider-unavailable'] });
    try {
      const r = await ask('JP');
      expect(r.status).toBe('failed');
      expect(r.exception).toMatchObject({ code: 'EDM:ERR:0005', type: 'rs:TimeoutExceptionType' });
    } finally {
      await switchAtEe({ disable: ['evidence.provider-unavailable'] });
    }
    expect((await ask('JP')).status).toBe('preview-required');
  }, 180_000);

  it('the approval may ask only for an evidence document fault this node offers per request', async () => {
    const r = await ask('JP');
    const { browser, previewUrl } = await openPreview(f, 'JP', r.id, 'EE', 'ee-001');
    const decideAsking = (fault: string) =>
      json<Json>(
        browser.go(`${previewUrl}/decision?kakehashi_fault=${encodeURIComponent(fault)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ decision: 'approve' }),
        }),
      );
    expect((await decideAsking('evidence.no-such-fault')).body.code).toBe('fault-unknown');
    expect((await decideAsking('evidence.provider-unavailable')).body.code).toBe('fault-not-per-request');
    expect((await decideAsking('lenient.evidence.wrong-subject')).body.code).toBe('fault-not-per-request');
    // Nothing was decided: the preview still takes the (clean) approval.
    const ok = await decideAsking('evidence.wrong-request');
    expect(ok.status).toBe(200);
    if (ok.body.returnUrl) await browser.go(ok.body.returnUrl as string);
    const done = await waitForStatus(f, 'JP', r.id, ['received', 'rejected', 'failed']);
    expect(done.status).toBe('rejected');
  }, 180_000);
});
