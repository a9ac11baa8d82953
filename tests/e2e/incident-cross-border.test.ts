import { runScenarioAgainst } from '@kakehashi/federation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';
import { personalValues } from '../support/personal-data.ts';

// biome-ignore lint/suspicious/noExplicitAny: the CSIRT's JSON is read member by member
type Json = any;

/**
 * Issue 14, scenario 5, end to end in an in-process federation: the incident chain DE → CSIRT network → JP, and the
 * variant whose early warning misses its 24 hours on the virtual clock; then a personal-data scan over every
 * security event, CSIRT report and the network feed.
 */
describe('scenario incident-cross-border', () => {
  let f: TestFederation;
  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'FR', 'JP'] });
  }, 180_000);
  afterAll(() => f?.dispose());

  it('runs: forged token at DE → event → early warning and notification on time → indicator → JP refuses the key', async () => {
    const report = await runScenarioAgainst(f, 'incident-cross-border');
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.steps).toHaveLength(8);
    expect(report.steps[0]?.detail).toMatch(/J4/);
    expect(report.steps.at(-1)?.detail).toMatch(/indicator--/);
    // DE's process: two reports sent on time, the final report due one month after the notification.
    const de = (await json<Json>(f.fetch(`${f.urls.nodes.DE}/csirt`, { headers: ADMIN }))).body;
    const view = de.incidents.find((v: Json) => v.reports.length === 2);
    expect(view.process.map((s: Json) => s.status)).toEqual(['sent', 'sent', 'due', 'on-request', 'if-ongoing']);
    // FR received the AMBER indicator too (every member that needs it), and refuses the key as JP does.
    const fr = (await json<Json>(f.fetch(`${f.urls.nodes.FR}/csirt`, { headers: ADMIN }))).body;
    expect(fr.received.some((r: Json) => r.from === 'DE' && r.acted)).toBe(true);
    // DE, the sharer, did not get its own indicator back.
    expect(de.received).toEqual([]);
    // The network's anonymised summary for ENISA: counts per country, type and TLP, no identifier.
    const summary = (await json<Json>(f.fetch(`${f.urls.hub}/csirt/summary`, { headers: ADMIN }))).body;
    expect(summary.countries.DE.byType.indicator).toBeGreaterThan(0);
    expect(summary.countries.DE.byTlp.amber).toBeGreaterThan(0);
    expect(JSON.stringify(summary)).not.toMatch(/indicator--|sharer-|[A-Za-z0-9_-]{43}/);
  });

  it('the variant: 25 hours pass, the early warning reads missed and goes out late; the clock is set back', async () => {
    const before = (await json<{ now: string }>(f.fetch(`${f.urls.hub}/admin/clock`, { headers: ADMIN }))).body.now;
    const report = await runScenarioAgainst(f, 'incident-cross-border-missed-deadline');
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    expect(report.steps.find((s) => s.title.includes('missed'))?.detail).toMatch(/missed/);
    const after = (await json<{ now: string }>(f.fetch(`${f.urls.hub}/admin/clock`, { headers: ADMIN }))).body.now;
    expect(Date.parse(after) - Date.parse(before)).toBeLessThan(3_600_000);
    const de = (await json<Json>(f.fetch(`${f.urls.nodes.DE}/csirt`, { headers: ADMIN }))).body;
    const late = de.incidents.flatMap((v: Json) => v.reports).filter((r: Json) => r.late);
    expect(late).toHaveLength(1);
    expect(late[0].kind).toBe('early-warning');
  });

  it('serves the feed as TAXII 2.1: discovery, collection, objects with paging, manifest', async () => {
    const taxii = { ...ADMIN, accept: 'application/taxii+json;version=2.1' };
    const discovery = await f.fetch(`${f.urls.hub}/taxii2/`, { headers: taxii });
    expect(discovery.headers.get('content-type')).toBe('application/taxii+json;version=2.1');
    const root = ((await discovery.json()) as { default: string }).default;
    const cols = (await (await f.fetch(`${root}collections/`, { headers: taxii })).json()) as Json;
    const id = cols.collections[0].id;
    const page = async (q: string) =>
      (await (await f.fetch(`${root}collections/${id}/objects/${q}`, { headers: taxii })).json()) as Json;
    const first = await page('?limit=2');
    expect(first.objects).toHaveLength(2);
    expect(first.more).toBe(true);
    const second = await page(`?limit=2&next=${first.next}`);
    expect(second.objects[0].id).not.toBe(first.objects[1].id);
    const indicators = await page('?match[type]=indicator');
    expect(indicators.objects.length).toBeGreaterThan(0);
    expect(indicators.objects.every((o: Json) => o.type === 'indicator')).toBe(true);
    const manifest = (await (await f.fetch(`${root}collections/${id}/manifest/`, { headers: taxii })).json()) as Json;
    expect(manifest.objects[0]).toMatchObject({ media_type: 'application/stix+json;version=2.1' });
    expect(
      (await f.fetch(`${root}collections/${id}/objects/`, { headers: { ...ADMIN, accept: 'text/html' } })).status,
    ).toBe(406);
    expect((await f.fetch(`${root}collections/`)).status).toBe(401);
  });

  it('guards and checks the CSIRT API: admin token, unknown incident, policy schema, no My Number in a report', async () => {
    const de = f.urls.nodes.DE as string;
    expect((await f.fetch(`${de}/csirt`)).status).toBe(401);
    expect((await f.fetch(`${de}/csirt/policy`)).status).toBe(401);
    const unknown = await json<{ code: string }>(f.fetch(`${de}/csirt/incidents/inc-de-9999`, { headers: ADMIN }));
    expect([unknown.status, unknown.body.code]).toEqual([404, 'csirt-incident-not-found']);
    const put = (body: unknown) =>
      json<{ code?: string; significant?: unknown[] }>(
        f.fetch(`${de}/csirt/policy`, {
          method: 'PUT',
          headers: { ...ADMIN, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      );
    const policy = (await json<Record<string, unknown>>(f.fetch(`${de}/csirt/policy`, { headers: ADMIN }))).body;
    expect(policy.regime).toBe('nis2');
    expect((await put({ ...policy, minSeverity: 'extreme' })).status).toBe(400);
    const criteria = [{ id: 'any-high', because: 'test', minSeverity: 'high' }];
    expect((await put({ ...policy, significant: criteria })).body.significant).toEqual(criteria);
    expect((await put(policy)).status).toBe(200);
    const view = (await json<Json>(f.fetch(`${de}/csirt`, { headers: ADMIN }))).body.incidents[0];
    const leak = await json<{ code: string }>(
      f.fetch(`${de}/csirt/incidents/${view.incident.id}/reports`, {
        method: 'POST',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'final', rootCause: 'the attacker used My Number 123456789018' }),
      }),
    );
    expect([leak.status, leak.body.code]).toEqual([400, 'validation-failed']);
    // The hub refuses a bundle that is not STIX 2.1 at its boundary.
    const bad = await json<{ code: string }>(
      f.fetch(`${f.urls.hub}/csirt/share`, {
        method: 'POST',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({ from: 'DE', bundle: { type: 'bundle', id: 'bundle--1', objects: [] } }),
      }),
    );
    expect([bad.status, bad.body.code]).toEqual([400, 'validation-failed']);
  });

  it('no security event, CSIRT report or feed object carries a persona’s personal data', async () => {
    const texts: string[] = [];
    const personas: Json[] = [];
    for (const cc of ['DE', 'FR', 'JP']) {
      const origin = f.urls.nodes[cc] as string;
      texts.push(
        JSON.stringify((await json(f.fetch(`${origin}/security/events?limit=1000`, { headers: ADMIN }))).body),
      );
      texts.push(JSON.stringify((await json(f.fetch(`${origin}/csirt`, { headers: ADMIN }))).body));
      personas.push(...(await json<Json[]>(f.fetch(`${origin}/personas`))).body);
    }
    texts.push(
      JSON.stringify((await json(f.fetch(`${f.urls.hub}/security/events?limit=1000`, { headers: ADMIN }))).body),
    );
    texts.push(await (await f.fetch(`${f.urls.hub}/csirt/feed`, { headers: ADMIN })).text());
    const all = texts.join('\n');
    expect(all).toContain('indicator--');
    const values = personalValues(personas);
    expect(values.length).toBeGreaterThan(20);
    expect(values.filter((v) => all.includes(v))).toEqual([]);
  });
});
