import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  adminTokenMiddleware,
  type HubSchemas,
  kakehashiHub,
  kakehashiJpNode,
  kakehashiNode,
  type NodePaths,
  type NodeSchemas,
  TEST_ADMIN_TOKEN,
} from '../src/index.ts';

/** A fetch that records what it is asked and answers `body` as JSON. */
function recorder(body: unknown = {}, status = 200) {
  const seen: Request[] = [];
  const fetch = async (request: Request) => {
    seen.push(request);
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  return { seen, fetch };
}

describe('the clients', () => {
  it('send requests to the base URL (a trailing slash is dropped) with path and query parameters', async () => {
    const r = recorder({ peers: [] });
    const node = kakehashiNode('http://127.0.0.1:8001/', { fetch: r.fetch });
    await node.GET('/personas/{id}', { params: { path: { id: 'de-001' } } });
    await node.GET('/edelivery/messages', { params: { query: { direction: 'in', limit: 5 } } });
    expect(r.seen.map((q) => q.url)).toEqual([
      'http://127.0.0.1:8001/personas/de-001',
      'http://127.0.0.1:8001/edelivery/messages?direction=in&limit=5',
    ]);
  });

  it('add the admin token to /admin/* requests only, and keep an authorization header the caller sets', async () => {
    const r = recorder();
    const hub = kakehashiHub('http://127.0.0.1:8000', { fetch: r.fetch, adminToken: 'secret-token' });
    await hub.GET('/admin/clock');
    await hub.GET('/registry/nodes');
    await hub.POST('/admin/clock', { body: { action: 'advance', by: '30d' }, headers: { authorization: 'Bearer x' } });
    expect(r.seen.map((q) => q.headers.get('authorization'))).toEqual(['Bearer secret-token', null, 'Bearer x']);
    expect(await r.seen[2]?.json()).toEqual({ action: 'advance', by: '30d' });
  });

  it('use the published test-only token with adminToken: true, and none without adminToken', async () => {
    const r = recorder();
    await kakehashiJpNode('http://127.0.0.1:8007', { fetch: r.fetch, adminToken: true }).GET('/admin/faults');
    await kakehashiJpNode('http://127.0.0.1:8007', { fetch: r.fetch }).GET('/admin/faults');
    expect(r.seen.map((q) => q.headers.get('authorization'))).toEqual([`Bearer ${TEST_ADMIN_TOKEN}`, null]);
  });

  it('give problem documents as `error` and typed bodies as `data`', async () => {
    const problem = { type: 'urn:kakehashi:error:not-found', title: 'Not found', status: 404, code: 'x', detail: 'y' };
    const node = kakehashiNode('http://n', { fetch: recorder(problem, 404).fetch });
    const { data, error, response } = await node.GET('/personas/{id}', { params: { path: { id: 'de-999' } } });
    expect(response.status).toBe(404);
    expect(data).toBeUndefined();
    expect(error).toEqual(problem);
  });

  it('are typed by the generated paths (checked by the type checker)', () => {
    const hub = kakehashiHub('http://h');
    const node = kakehashiNode('http://n');
    const jp = kakehashiJpNode('http://j');
    void (async () => {
      const { data } = await node.GET('/personas');
      expectTypeOf(data).toEqualTypeOf<
        NodePaths['/personas']['get']['responses'][200]['content']['application/json'] | undefined
      >();
      expectTypeOf(data![0]!.id).toEqualTypeOf<string>();
    });
    expectTypeOf<HubSchemas['Problem']['code']>().toEqualTypeOf<string>();
    expectTypeOf<NodeSchemas['ClockAction']['action']>().toEqualTypeOf<
      'freeze' | 'advance' | 'resume' | 'reset' | 'set'
    >();
    // Japan's routes exist on the JP client only; wrong bodies and unknown paths do not compile.
    void (() => jp.GET('/jp/records/verify'));
    // @ts-expect-error — not a route of the other nodes
    void (() => node.GET('/jp/records/verify'));
    // @ts-expect-error — not a route of the hub
    void (() => hub.GET('/personas'));
    // @ts-expect-error — not a clock action
    void (() => hub.POST('/admin/clock', { body: { action: 'rewind' } }));
  });

  it('exposes its middleware for clients built with openapi-fetch directly', async () => {
    const mw = adminTokenMiddleware('t0k3n-t0k3n');
    const request = new Request('http://h/admin/reset', { method: 'POST' });
    const out = await mw.onRequest?.({ request, schemaPath: '/admin/reset' } as never);
    expect((out as Request).headers.get('authorization')).toBe('Bearer t0k3n-t0k3n');
  });
});

describe('the generated files', () => {
  const dir = join(import.meta.dirname, '..', 'src', 'generated');
  it('are the three documents, each marked as generated with the command that regenerates it', () => {
    expect(readdirSync(dir).sort()).toEqual(['hub.d.ts', 'node-jp.d.ts', 'node.d.ts']);
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), 'utf8');
      expect(text).toContain('DO NOT EDIT: run `node packages/client/scripts/generate.ts`');
      expect(text).toMatch(/^export interface paths \{$/m);
    }
  });
});
