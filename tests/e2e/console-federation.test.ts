import { runScenarioAgainst } from '@kakehashi/federation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * The console wired into the federation (in-process, no browser): served on the hub's origin, documented in the
 * hub's OpenAPI, running a scenario against the federation that serves it, and not tracing itself.
 */
describe('the teaching console in the federation', () => {
  let f: TestFederation;
  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'EE', 'JP'] });
  });
  afterAll(() => f?.dispose());

  it("is served on the hub's origin and described in the hub's /openapi.json", async () => {
    const page = await f.fetch(`${f.urls.hub}/console`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('TEST ONLY');
    const { body } = await json<{ paths: Record<string, Record<string, unknown>> }>(
      f.fetch(`${f.urls.hub}/openapi.json`),
    );
    expect(body.paths['/console/api/scenarios/{name}/run']?.post).toBeDefined();
    expect(body.paths['/console/api/topology']?.get).toBeDefined();
    // the hub's own routes are untouched
    expect((await f.fetch(`${f.urls.hub}/health`)).status).toBe(200);
  });

  it('runs eid-cross-border against the running federation: one trace with every hop', async () => {
    const { status, body: report } = await json<{
      name: string;
      passed: boolean;
      steps: { title: string; ok: boolean; detail: string }[];
      traceIds: string[];
    }>(
      f.fetch(`${f.urls.hub}/console/api/scenarios/eid-cross-border/run`, {
        method: 'POST',
        headers: ADMIN,
      }),
    );
    expect(status).toBe(200);
    // it changes the federation's state: without the admin token it is refused
    const refused = await f.fetch(`${f.urls.hub}/console/api/scenarios/eid-cross-border/run`, { method: 'POST' });
    expect([refused.status, ((await refused.json()) as { code: string }).code]).toEqual([401, 'unauthorized']);
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.steps).toHaveLength(6);
    expect(report.steps[4]?.detail).toMatch(/EE\/DE\/[A-Za-z0-9_-]{43}/);
    expect(report.traceIds).toHaveLength(1);
    const { body } = await json<{ events: { traceId: string; component: string; country?: string }[] }>(
      f.fetch(`${f.urls.hub}/traces/${report.traceIds[0]}`),
    );
    expect(body.events.every((e) => e.traceId === report.traceIds[0])).toBe(true);
    const lifelines = new Set(
      body.events.map((e) => (e.country && e.component === 'node' ? `node:${e.country}` : e.component)),
    );
    expect([...lifelines].sort()).toEqual(['hub', 'node:DE', 'node:EE']);
  });

  it('joins every request of a run to one trace, even for steps that set none (federation scenario)', async () => {
    const report = await runScenarioAgainst(f, 'federation');
    expect(report.passed).toBe(true);
    expect(report.traceIds).toHaveLength(1);
    const { body } = await json<{ events: { operation: string }[] }>(
      f.fetch(`${f.urls.hub}/traces/${report.traceIds[0]}`),
    );
    const ops = body.events.map((e) => e.operation);
    expect(ops).toEqual(expect.arrayContaining(['GET /trust/lotl.xml', 'GET /registry/nodes', 'GET /audit/verify']));
  });

  it('reports every step as failed, without throwing, against a federation that does not answer', async () => {
    const report = await runScenarioAgainst(
      {
        urls: { hub: 'http://127.0.0.1:9', nodes: { DE: 'http://127.0.0.1:9', EE: 'http://127.0.0.1:9' } },
        fetch: globalThis.fetch,
      },
      'federation',
    );
    expect(report.passed).toBe(false);
    expect(report.steps.length).toBeGreaterThan(3);
    expect(report.steps.every((s) => !s.ok && s.detail.length > 0)).toBe(true);
    await expect(runScenarioAgainst(f, 'nope')).rejects.toThrow(/unknown scenario "nope"; known: federation/);
  });

  it('does not trace itself: polling the topology adds no trace', async () => {
    const before = await json<{ traces: { traceId: string; hops: number }[] }>(
      f.fetch(`${f.urls.hub}/traces?limit=500`),
    );
    const { body } = await json<{ hub: { status: string }; nodes: { country: string; status: string }[] }>(
      f.fetch(`${f.urls.hub}/console/api/topology`),
    );
    expect(body.hub.status).toBe('ok');
    expect(body.nodes.map((n) => `${n.country}:${n.status}`)).toEqual(['DE:ok', 'EE:ok', 'JP:ok']);
    const after = await json<{ traces: { traceId: string; hops: number }[] }>(
      f.fetch(`${f.urls.hub}/traces?limit=500`),
    );
    expect(after.body.traces).toEqual(before.body.traces);
  });
});
