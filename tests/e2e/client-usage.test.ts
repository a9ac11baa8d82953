import { kakehashiHub, kakehashiJpNode, kakehashiNode } from '@kakehashi/client';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * @kakehashi/client against the federation, in process (openapi-fetch with the federation's fetch: no sockets):
 * calls typed by each component's generated paths — the hub, a national node, Japan's node — with their bodies,
 * parameters and answers checked by the type checker here and by the components at run time.
 */
describe('@kakehashi/client against every component', () => {
  let f: TestFederation;
  let hub: ReturnType<typeof kakehashiHub>;
  let de: ReturnType<typeof kakehashiNode>;
  let jp: ReturnType<typeof kakehashiJpNode>;
  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'JP'] });
    hub = kakehashiHub(f.urls.hub, { fetch: f.fetch, adminToken: true });
    de = kakehashiNode(f.urls.nodes.DE!, { fetch: f.fetch, adminToken: true });
    jp = kakehashiJpNode(f.urls.nodes.JP!, { fetch: f.fetch, adminToken: true });
  });
  afterAll(() => f?.dispose());

  it('hub: health, registry, discovery, audit and the trust list', async () => {
    const health = await hub.GET('/health');
    expect(health.data?.component).toBe('hub');
    const { data: registry } = await hub.GET('/registry/nodes');
    expectTypeOf(registry!.nodes[0]!.health.status).toEqualTypeOf<'ok' | 'unreachable' | 'unknown'>();
    expect(registry?.nodes.map((n) => n.country).sort()).toEqual(['DE', 'JP']);
    const { data: services } = await hub.GET('/discovery/services', {
      params: { query: { block: 'eid', country: 'JP' } },
    });
    expect(services?.services.length).toBeGreaterThan(0);
    expect(services?.services.every((s) => s.country === 'JP' && s.block === 'eid')).toBe(true);
    expect((await hub.GET('/audit/verify')).data?.valid).toBe(true);
    const lotl = await hub.GET('/trust/lotl.xml', { parseAs: 'text' });
    expect(lotl.data).toContain('TrustServiceStatusList');
  });

  it('hub: a refused registration is a typed problem document', async () => {
    const { data, error, response } = await hub.POST('/registry/nodes', {
      body: { signedMetadata: 'not-a-jws-at-all' },
    });
    expect(data).toBeUndefined();
    expect(response.status).toBeGreaterThanOrEqual(400);
    expectTypeOf(error!.code).toEqualTypeOf<string>();
    expect(error?.type).toBe(`urn:kakehashi:error:${error?.code}`);
  });

  it('admin: the clock moves on the hub and follows on the nodes; the token is required', async () => {
    const frozen = await hub.POST('/admin/clock', {
      body: { action: 'set', at: '2031-05-01T00:00:00Z', frozen: true },
    });
    expect(frozen.data).toMatchObject({ now: '2031-05-01T00:00:00.000Z', frozen: true });
    const advanced = await hub.POST('/admin/clock', { body: { action: 'advance', by: '30d' } });
    expect(advanced.data?.now).toBe('2031-05-31T00:00:00.000Z');
    expect((await jp.GET('/admin/clock')).data?.now).toBe('2031-05-31T00:00:00.000Z');
    expect((await hub.POST('/admin/clock', { body: { action: 'reset' } })).data?.frozen).toBe(false);
    const anonymous = kakehashiHub(f.urls.hub, { fetch: f.fetch });
    const refused = await anonymous.GET('/admin/clock');
    expect(refused.response.status).toBe(401);
    expect(refused.error?.code).toBe('unauthorized');
  });

  it('admin: runtime options change through PATCH /admin/config and go back on reset', async () => {
    const { data } = await de.PATCH('/admin/config', { body: { clockSkewSeconds: 120 } });
    expect(data?.options.find((o) => o.key === 'clockSkewSeconds')).toMatchObject({ value: 120, source: 'runtime' });
    const notRuntime = await de.PATCH('/admin/config', { body: { seed: 'x' } as never });
    expect(notRuntime.error?.code).toBe('config-not-runtime');
    expect((await de.POST('/admin/reset')).data?.reset).toBe(true);
    const after = await de.GET('/admin/config');
    expect(after.data?.options.find((o) => o.key === 'clockSkewSeconds')?.source).not.toBe('runtime');
  });

  it('node: personas, the OpenID provider, peers, eDelivery admin switches', async () => {
    const { data: personas } = await de.GET('/personas');
    expect(personas?.length).toBeGreaterThan(3);
    const first = personas![0]!;
    expect(first.country).toBe('DE');
    const one = await de.GET('/personas/{id}', { params: { path: { id: first.id } } });
    expect(one.data?.id).toBe(first.id);
    const missing = await de.GET('/personas/{id}', { params: { path: { id: 'de-99999' } } });
    expect(missing.response.status).toBe(404);
    const oidc = await de.GET('/.well-known/openid-configuration');
    expect(oidc.data?.issuer).toBe(f.urls.nodes.DE);
    expect((await de.GET('/peers')).data?.peers.map((p) => p.country)).toContain('JP');
    const faults = await de.PUT('/admin/faults', { body: { enable: ['edelivery.receipt-unsigned'] } });
    expect(faults.data?.faults.filter((x) => x.enabled).map((x) => x.name)).toEqual(['edelivery.receipt-unsigned']);
    await de.PUT('/admin/faults', { body: { disable: ['edelivery.*'] } });
    const { data: pmodes } = await de.GET('/admin/edelivery/pmodes');
    expect(pmodes?.pmodes[0]?.security.sign).toBe(true);
  });

  it("Japan's node: fault switches, the custodian's audit, a citizen's portal session", async () => {
    const { data: faults } = await jp.GET('/admin/faults');
    const incidents = faults!.faults.filter((x) => x.block === 'jp-network');
    expect(incidents.length).toBeGreaterThan(0);
    expect(incidents.every((x) => !x.enabled && x.kind === 'incident')).toBe(true);
    const name = incidents[0]!.name;
    const on = await jp.PUT('/admin/faults', { body: { enable: [name] } });
    expect(on.data?.faults.find((x) => x.name === name)?.enabled).toBe(true);
    await jp.PUT('/admin/faults', { body: { disable: [name] } });
    const audit = await jp.GET('/admin/jp/custodian/audit', { params: { query: { limit: 5 } } });
    expect(audit.data?.verification.valid).toBe(true);
    expect((await jp.GET('/jp/records/verify')).data?.valid).toBe(true);

    const persona = (await jp.GET('/personas')).data!.find((p) => p.fourFacts)!;
    const challenge = (await jp.POST('/jp/portal/login/challenge', { body: { purpose: 'login' } })).data!;
    const card = (
      await jp.POST('/jp/portal/test-card-reader', {
        body: { personaId: persona.id, challenge: challenge.challenge },
      })
    ).data!;
    const login = await jp.POST('/jp/portal/login', { body: { challengeId: challenge.challengeId, ...card } });
    const session = { authorization: `Bearer ${login.data?.sessionToken}` };
    const mine = await jp.GET('/jp/portal/me/data', { headers: session });
    expect(mine.data?.providers.length).toBeGreaterThan(0);
    expect(mine.data?.providers.every((p) => p.outcome === 'provided')).toBe(true);
    const records = await jp.GET('/jp/portal/me/records', { headers: session });
    expect(records.data?.records.some((r) => r.outcome === 'provided')).toBe(true);
    expect((await jp.GET('/jp/portal/me/records')).response.status).toBe(401);
  });
});
