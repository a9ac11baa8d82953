import { attackCases, runAttack } from '@kakehashi/federation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * `kakehashi attack run --target self`, in process: every forge fault of DE's provider, IdP, signing service and
 * access point, handed to JP's validators (ID token, SAML Response, signature) and access point, is refused with
 * its rule named; the genuine artefacts (the baselines) are accepted.
 */
describe('attack runner: self', () => {
  let f: TestFederation;
  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'JP'] });
  });
  afterAll(() => f?.dispose());

  it('every case is refused naming its rule; the baselines are accepted', async () => {
    const report = await runAttack({
      kind: 'self',
      url: f.urls.nodes.JP as string,
      node: f.urls.nodes.DE as string,
      fetch: f.fetch,
    });
    const shown = [...report.baselines, ...report.cases].map((c) => `${c.status} ${c.id}: ${c.detail}`);
    expect(
      report.baselines.map((b) => b.status),
      shown.join('\n'),
    ).toEqual(['passed', 'passed', 'passed', 'passed']);
    expect(report.cases.filter((c) => c.status !== 'passed').map((c) => `${c.id}: ${c.status} ${c.detail}`)).toEqual(
      [],
    );
    expect(report.cases.map((c) => c.id)).toEqual(
      attackCases()
        .filter((c) => c.kinds.includes('self'))
        .map((c) => c.id),
    );
    expect(report.cases.length).toBeGreaterThanOrEqual(36);
    expect(report.verdict).toBe('passed');
  });

  it('against the hub: its validators refuse naming the rule; eDelivery is unavailable there (no access point)', async () => {
    const report = await runAttack({
      kind: 'self',
      url: f.urls.hub,
      node: f.urls.nodes.DE as string,
      only: ['J1', 'S10', 'esig.weak-algorithm', 'edelivery.*'],
      fetch: f.fetch,
    });
    const byStatus = (s: string) =>
      report.cases
        .filter((c) => c.status === s)
        .map((c) => c.id)
        .sort();
    expect(report.baselines.map((b) => [b.id, b.status])).toEqual([
      ['baseline.id-token', 'passed'],
      ['baseline.saml', 'passed'],
      ['baseline.esig', 'passed'],
    ]);
    expect(byStatus('passed')).toEqual(
      expect.arrayContaining(['esig.weak-algorithm', 'id-token.alg-none', 'saml.unsigned-assertion']),
    );
    expect(byStatus('unavailable')).toEqual(
      attackCases()
        .filter((c) => c.artefact === 'edelivery')
        .map((c) => c.id)
        .sort(),
    );
    expect(report.cases.find((c) => c.status === 'unavailable')?.detail).toContain('no AS4 access point');
    expect(report.verdict).toBe('failed');
  });

  it('a fault the node does not offer per request is reported unavailable, never passed', async () => {
    // The node as an older build would be: its GET /admin/faults without id-token.alg-none.
    const older: typeof fetch = async (input, init) => {
      const res = await f.fetch(input, init);
      if (!String(input instanceof Request ? input.url : input).endsWith('/admin/faults')) return res;
      const body = (await res.json()) as { faults: { name: string }[] };
      return Response.json({ faults: body.faults.filter((x) => x.name !== 'id-token.alg-none') });
    };
    const report = await runAttack({
      kind: 'self',
      url: f.urls.nodes.JP as string,
      node: f.urls.nodes.DE as string,
      only: ['id-token.alg-none', 'id-token.expired'],
      fetch: older,
    });
    expect(report.cases.map((c) => [c.id, c.status])).toEqual([
      ['id-token.alg-none', 'unavailable'],
      ['id-token.expired', 'passed'],
    ]);
    expect(report.cases[0]?.detail).toContain('does not offer the fault id-token.alg-none per request');
    expect(report.summary).toMatchObject({ total: 2, passed: 1, unavailable: 1 });
    expect(report.verdict).toBe('failed');
  });

  it('a weak node (lenient.id-token.*) fails exactly the cases of its lenient twins; the strict hub beside it passes', async () => {
    const jp = f.urls.nodes.JP as string;
    const switchTo = (change: Record<string, string[]>) =>
      f.fetch(`${jp}/admin/faults`, {
        method: 'PUT',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify(change),
      });
    const on = await switchTo({ enable: ['lenient.id-token.*'] });
    expect(on.status).toBe(200);
    const twins = ((await on.json()) as { faults: { name: string; enabled: boolean }[] }).faults
      .filter((x) => x.enabled)
      .map((x) => x.name.replace(/^lenient\./, ''))
      .sort();
    try {
      const weak = await runAttack({
        kind: 'self',
        url: jp,
        node: f.urls.nodes.DE as string,
        only: ['id-token.*'],
        fetch: f.fetch,
      });
      const strict = await runAttack({
        kind: 'self',
        url: f.urls.hub,
        node: f.urls.nodes.DE as string,
        only: ['id-token.*'],
        fetch: f.fetch,
      });
      expect(
        weak.cases
          .filter((c) => c.status === 'failed')
          .map((c) => c.id)
          .sort(),
      ).toEqual(twins);
      expect(twins.length).toBeGreaterThanOrEqual(14);
      expect(strict.cases.filter((c) => c.status !== 'passed').map((c) => `${c.id}: ${c.detail}`)).toEqual([]);
    } finally {
      await switchTo({ disable: ['lenient.id-token.*'] });
    }
  });
});
