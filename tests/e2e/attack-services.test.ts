import { attackCases, runAttack } from '@kakehashi/federation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * `kakehashi attack run --target signature-validator | as4`, in process, against the federation's own services as
 * the user's: JP's `/esig/validate` (strict, then in the weak node mode, where exactly the cases of its lenient
 * twins get through) and JP's AS4 access point receiving DE's forged messages.
 */
describe('attack runner: signature validator and AS4 endpoint', () => {
  let f: TestFederation;
  let de: string;
  let jp: string;
  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'JP'] });
    de = f.urls.nodes.DE as string;
    jp = f.urls.nodes.JP as string;
  });
  afterAll(() => f?.dispose());

  const explain = (r: Awaited<ReturnType<typeof runAttack>>) =>
    [...r.baselines, ...r.cases].map((c) => `${c.status} ${c.id}: ${c.detail} | ${c.target.excerpt ?? ''}`).join('\n');
  const casesOf = (kind: 'signature-validator' | 'as4') =>
    attackCases()
      .filter((c) => c.kinds.includes(kind))
      .map((c) => c.id);

  it('a strict signature validator refuses every forged signature', async () => {
    const r = await runAttack({ kind: 'signature-validator', url: `${jp}/esig/validate`, node: de, fetch: f.fetch });
    expect(r.cases.map((c) => c.id)).toEqual(casesOf('signature-validator'));
    expect(
      r.cases.filter((c) => c.status !== 'passed').map((c) => c.id),
      explain(r),
    ).toEqual([]);
    expect(r.verdict).toBe('passed');
  });

  it('in the weak node mode, the validator lets through exactly the defects of its lenient twins', async () => {
    const on = await f.fetch(`${jp}/admin/faults`, {
      method: 'PUT',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ enable: ['lenient.esig.*'] }),
    });
    expect(on.status).toBe(200);
    const lenient = ((await on.json()) as { faults: { name: string; enabled: boolean }[] }).faults
      .filter((x) => x.enabled && x.name.startsWith('lenient.esig.'))
      .map((x) => x.name.slice('lenient.'.length))
      .sort();
    expect(lenient.length).toBeGreaterThanOrEqual(4);
    try {
      const r = await runAttack({ kind: 'signature-validator', url: `${jp}/esig/validate`, node: de, fetch: f.fetch });
      expect(r.baselines.map((b) => b.status)).toEqual(['passed']);
      const failed = r.cases.filter((c) => c.status === 'failed');
      expect(failed.map((c) => c.id).sort(), explain(r)).toEqual(lenient);
      expect(failed.every((c) => c.target.outcome === 'accepted')).toBe(true);
      expect(r.verdict).toBe('failed');
    } finally {
      await f.fetch(`${jp}/admin/faults`, {
        method: 'PUT',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({ disable: ['lenient.esig.*'] }),
      });
    }
  });

  it("an AS4 access point refuses every forged message (JP's, receiving from DE)", async () => {
    const meta = (await (await f.fetch(`${jp}/metadata`)).json()) as {
      metadata: { endpoints: { as4: string }; participants: { id: string }[] };
    };
    const r = await runAttack({
      kind: 'as4',
      url: meta.metadata.endpoints.as4,
      node: de,
      recipient: meta.metadata.participants[0]?.id as string,
      fetch: f.fetch,
    });
    expect(r.cases.map((c) => c.id)).toEqual(casesOf('as4'));
    expect(
      r.cases.filter((c) => c.status !== 'passed').map((c) => c.id),
      explain(r),
    ).toEqual([]);
    expect(r.verdict).toBe('passed');
  });

  it('as4: a recipient registered at another endpoint than the target stops the run before sending', async () => {
    const meta = (await (await f.fetch(`${jp}/metadata`)).json()) as { metadata: { participants: { id: string }[] } };
    const r = await runAttack({
      kind: 'as4',
      url: `${de}/as4`,
      node: de,
      recipient: meta.metadata.participants[0]?.id as string,
      only: ['E7'],
      fetch: f.fetch,
    });
    expect(r.baselines[0]?.status).toBe('error');
    expect(r.baselines[0]?.detail).toContain(`is registered at ${jp}/as4, not at the target ${de}/as4`);
    expect(r.verdict).toBe('inconclusive');
  });
});
