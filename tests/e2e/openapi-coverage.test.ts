import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestFederation, type TestFederation } from '../support/federation.ts';

/** OpenAPI stays true to the code: every route a component serves is described in its /openapi.json. */
describe('OpenAPI documents every route', () => {
  let f: TestFederation;
  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'JP'] });
  });
  afterAll(() => f?.dispose());

  const undocumented = async (app: { routes: { method: string; path: string }[] }, origin: string) => {
    const doc = (await (await f.fetch(`${origin}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const served = app.routes
      .filter(
        (r) => r.method !== 'ALL' && !r.path.includes('*') && !r.path.startsWith('/docs') && r.path !== '/openapi.json',
      )
      .map((r) => ({ method: r.method.toLowerCase(), path: r.path.replace(/:(\w+)/g, '{$1}') }));
    expect(served.length).toBeGreaterThan(10);
    return served.filter((r) => !doc.paths[r.path]?.[r.method]).map((r) => `${r.method.toUpperCase()} ${r.path}`);
  };

  it('hub', async () => {
    expect(await undocumented(f.hub!.app, f.urls.hub)).toEqual([]);
  });
  it('node', async () => {
    expect(await undocumented(f.nodes.get('JP')!.app, f.urls.nodes.JP!)).toEqual([]);
  });
});
