import {
  CORE_OPTIONS,
  createMemoryLogger,
  FaultSwitchboard,
  LayeredConfig,
  openStore,
  SeededRandom,
  type TraceEvent,
  VirtualClock,
} from '@kakehashi/core';
import { EID_OPTIONS } from '@kakehashi/eid';
import { afterAll, describe, expect, it } from 'vitest';
import { createHub } from '../src/create-hub.ts';
import { HUB_OPTIONS } from '../src/options.ts';
import type { HubTrust, RevocationRequest } from '../src/trust/hub-trust.ts';

const HUB = 'http://127.0.0.1:7000';
const CRL = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]);

/** A trust double: what the hub publishes and how it revokes, without a PKI. */
function trustDouble(revoked: RevocationRequest[]): HubTrust {
  return {
    countries: () => ['DE', 'JP'],
    lotlXml: () => '<TrustServiceStatusList>lotl</TrustServiceStatusList>',
    trustedListXml: (cc) => (cc === 'JP' ? '<TrustServiceStatusList>JP</TrustServiceStatusList>' : undefined),
    crlDer: (name) => (name === 'JP-issuing-ca' ? CRL : undefined),
    crlNames: () => ['JP-issuing-ca'],
    lotlSignerPem: () => '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----',
    certificates: () => [],
    validateCertificate: () => ({ valid: false, checks: [], failure: { code: 'cert-untrusted-root', reason: 'no' } }),
    revoke: (req) => {
      revoked.push(req);
      return { serialHex: '0A', crl: `${HUB}/trust/crl/JP-issuing-ca.crl` };
    },
    fabric: () => ({
      at: '2026-01-01T00:00:00.000Z',
      lotl: {
        url: `${HUB}/trust/lotl.xml`,
        operator: 'Kakehashi hub (TEST)',
        sequenceNumber: 1,
        issueDate: '2026-01-01T00:00:00.000Z',
        nextUpdate: '2026-01-31T00:00:00.000Z',
        status: 'current',
        signer: {
          subject: 'CN=LOTL signer',
          serialHex: '01',
          notBefore: '2025-01-01T00:00:00.000Z',
          notAfter: '2030-01-01T00:00:00.000Z',
          validity: 'current',
        },
      },
      lists: [],
    }),
    revocations: () =>
      revoked.map(() => ({
        serialHex: '0a',
        caName: 'JP-issuing-ca',
        revokedAt: '2026-01-01T00:00:00.000Z',
        reason: 'unspecified',
      })),
    unrevoke: (serials) => {
      const gone = revoked.splice(0, serials ? serials.length : revoked.length);
      return gone.map(() => ({
        serialHex: '0a',
        caName: 'JP-issuing-ca',
        revokedAt: '2026-01-01T00:00:00.000Z',
        reason: 'unspecified',
      }));
    },
  };
}

describe('the hub, assembled from its route modules', () => {
  const revoked: RevocationRequest[] = [];
  const config = new LayeredConfig([...CORE_OPTIONS, ...EID_OPTIONS, ...HUB_OPTIONS], {
    env: {},
    cli: { seed: 'kakehashi-test', healthIntervalMs: 0 },
  });
  const hub = createHub({
    store: openStore({ name: 'hub-test' }),
    clock: new VirtualClock(),
    random: new SeededRandom('kakehashi-test'),
    logger: createMemoryLogger('error'),
    config,
    fetch: () => Promise.reject(new Error('no network in this test')),
    traces: { record: () => {} },
    faults: new FaultSwitchboard(),
    trust: trustDouble(revoked),
    publicUrl: HUB,
  });
  afterAll(() => hub.close());
  const call = (path: string, init?: RequestInit) => hub.app.request(`${HUB}${path}`, init);
  const admin = { authorization: `Bearer ${config.get('adminToken')}`, 'content-type': 'application/json' };

  it('describes every route it serves in /openapi.json', async () => {
    const doc = (await (await call('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const undocumented = hub.app.routes
      .filter((r) => r.method !== 'ALL' && !r.path.includes('*') && !r.path.startsWith('/docs'))
      .filter((r) => r.path !== '/openapi.json')
      .map((r) => ({ method: r.method.toLowerCase(), path: r.path.replace(/:(\w+)/g, '{$1}') }))
      .filter((r) => !doc.paths[r.path]?.[r.method]);
    expect(undocumented).toEqual([]);
    for (const p of ['/trust', '/trust/lotl.xml', '/trust/tl/{file}', '/trust/crl/{file}', '/admin/trust/revoke'])
      expect(Object.keys(doc.paths), p).toContain(p);
    expect(doc.paths['/admin/trust/revoke']?.post).toMatchObject({ security: [{ adminToken: [] }] });
  });

  it('publishes the trust fabric: XML lists, a DER CRL, and an index of them', async () => {
    const index = (await (await call('/trust')).json()) as { lotl: string; trustedLists: Record<string, string> };
    expect(index.lotl).toBe(`${HUB}/trust/lotl.xml`);
    expect(index.trustedLists.JP).toBe(`${HUB}/trust/tl/JP.xml`);
    const lotl = await call('/trust/lotl.xml');
    expect(lotl.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    expect(await lotl.text()).toContain('lotl');
    expect(await (await call('/trust/tl/jp.xml')).text()).toContain('JP');
    const unknown = await call('/trust/tl/DE.xml');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { code: string }).code).toBe('unknown-country');
    const crl = await call('/trust/crl/JP-issuing-ca.crl');
    expect(crl.headers.get('content-type')).toBe('application/pkix-crl');
    expect(new Uint8Array(await crl.arrayBuffer())).toEqual(CRL);
    expect((await call('/trust/crl/nope.crl')).status).toBe(404);
  });

  it('revokes only for the admin, validates the request and audits it', async () => {
    const body = JSON.stringify({ name: 'JP-signing', reason: 'keyCompromise' });
    const ok = await call('/admin/trust/revoke', { method: 'POST', headers: admin, body });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ serialHex: '0A', crl: `${HUB}/trust/crl/JP-issuing-ca.crl` });
    expect(revoked).toHaveLength(1);
    expect(revoked[0]).toMatchObject({ name: 'JP-signing', reason: 'keyCompromise' });
    const noToken = await call('/admin/trust/revoke', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(noToken.status).toBe(401);
    const neither = await call('/admin/trust/revoke', {
      method: 'POST',
      headers: admin,
      body: '{"reason":"superseded"}',
    });
    expect(neither.status).toBe(400);
    expect(((await neither.json()) as { code: string }).code).toBe('validation-failed');
    expect(revoked).toHaveLength(1);
    const audit = (await (await call('/audit?limit=10')).json()) as { entries: { action: string }[] };
    expect(audit.entries.map((e) => e.action)).toEqual(['certificate.revoked']);
    expect(((await (await call('/audit/verify')).json()) as { valid: boolean }).valid).toBe(true);
    expect((await call('/audit?after=-1')).status).toBe(400);
  });

  it('stores trace events the operator reports (admin token) and serves the trace back', async () => {
    const event: TraceEvent = {
      traceId: 'ab'.repeat(16),
      spanId: 'cd'.repeat(8),
      time: new Date().toISOString(),
      component: 'node',
      country: 'JP',
      operation: 'GET /health',
      direction: 'inbound',
    };
    const post = (headers: Record<string, string>) =>
      call('/traces/events', { method: 'POST', headers, body: JSON.stringify({ events: [event] }) });
    // Nodes sign theirs (tests/e2e/trace-events-auth.test.ts); without a signature or the token: refused.
    expect((await post({ 'content-type': 'application/json' })).status).toBe(401);
    expect((await call(`/traces/${event.traceId}`)).status).toBe(404);
    expect((await post(admin)).status).toBe(202);
    const trace = (await (await call(`/traces/${event.traceId}`)).json()) as { events: TraceEvent[] };
    expect(trace.events).toEqual([event]);
    expect((await call(`/traces/${'00'.repeat(16)}`)).status).toBe(404);
    const recent = (await (await call('/traces?limit=nonsense')).json()) as { traces: { traceId: string }[] };
    expect(recent.traces.map((t) => t.traceId)).toContain(event.traceId);
  });

  it('reports an empty federation degraded (no node registered), and refuses an unknown participant', async () => {
    expect(await (await call('/federation/health')).json()).toEqual({
      status: 'degraded',
      hub: 'ok',
      nodes: [],
      problems: [expect.stringContaining('No node is registered')],
    });
    const missing = await call('/discovery/participants/urn:x:y?service=urn:kakehashi:service:evidence');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: string }).code).toBe('participant-not-found');
    expect((await call('/registry/nodes/JP')).status).toBe(404);
  });
});
