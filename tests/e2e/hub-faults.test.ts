import { createPrivateKey } from 'node:crypto';
import type { TraceEvent } from '@kakehashi/core';
import { type NationalNode, signMetadata } from '@kakehashi/node';
import * as client from 'openid-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

const DEMO = { id: 'kakehashi-demo-rp', secret: 'kakehashi-demo-secret' };
const REDIRECT = 'http://127.0.0.1:53124/callback';
const RECIPIENT = 'urn:kakehashi:participant:at:bmf';
const EVIDENCE = 'urn:kakehashi:service:evidence';
const admin = { ...ADMIN, 'content-type': 'application/json' };

/**
 * The hub's faults (a slow or failing eID relay, a stale discovery answer): off by default, switched with
 * PUT /admin/faults or asked for by one request (X-Kakehashi-Fault), marked on the hops they touch — and the
 * callers survive them: a 502/504 after a bounded wait, an OAuth error for the relying party, a message that waits
 * for a retry; never a 500 or a hang.
 */
describe('hub faults: the callers survive a slow or failing relay and a stale discovery', () => {
  let f: TestFederation;
  beforeAll(async () => {
    f = await startTestFederation({ countries: ['AT', 'DE'] });
  }, 180_000);
  afterAll(() => f?.dispose());
  afterEach(async () => {
    await switchFaults({ disable: ['hub.*'] });
    await f.fetch(`${f.urls.hub}/admin/config`, { method: 'PATCH', headers: admin, body: '{"relaySlowMs":20000}' });
  });

  const switchFaults = async (change: { enable?: string[]; disable?: string[] }) => {
    const r = await json<{ faults: { name: string; enabled: boolean }[] }>(
      f.fetch(`${f.urls.hub}/admin/faults`, { method: 'PUT', headers: admin, body: JSON.stringify(change) }),
    );
    expect(r.status).toBe(200);
    return r.body.faults;
  };
  /** The hub's hops (in its trace store) on which `fault` fired. */
  const hopsWith = (fault: string): TraceEvent[] =>
    (f.hub?.traces.recent(500) ?? [])
      .flatMap((t) => f.hub?.traces.events(t.traceId) ?? [])
      .filter((e) => e.faults?.includes(fault));
  const rpFetch: client.CustomFetch = (url, options) => f.fetch(url, options as RequestInit);
  /** A cross-border login (citizen of AT at a relying party of DE), following redirects while `until` is false. */
  const login = async (until: (url: string) => boolean = (u) => u.includes('/eid/connector/callback')) => {
    const config = await client.discovery(
      new URL(f.urls.nodes.DE as string),
      DEMO.id,
      undefined,
      client.ClientSecretBasic(DEMO.secret),
      { execute: [client.allowInsecureRequests], [client.customFetch]: rpFetch },
    );
    const state = client.randomState();
    let url = client
      .buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
        state,
        nonce: client.randomNonce(),
        kakehashi_country: 'AT',
        kakehashi_persona: 'at-001',
      })
      .toString();
    let res: Response | undefined;
    for (let i = 0; i < 8 && !until(url); i++) {
      res = await f.fetch(url, { redirect: 'manual' });
      if (res.status !== 302) return { url, state, res };
      url = res.headers.get('location') as string;
    }
    return { url, state, res };
  };
  /** Where the connector callback sends the relying party back to. */
  const callback = async (url: string) => {
    const res = await f.fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location') as string);
  };

  it('the hub offers its three faults, all off, with kind, description and per-request flag', async () => {
    const r = await json<{
      faults: { name: string; block: string; kind: string; perRequest?: boolean; enabled: boolean }[];
    }>(f.fetch(`${f.urls.hub}/admin/faults`, { headers: ADMIN }));
    const hub = r.body.faults.filter((x) => x.block === 'hub');
    expect(hub.map((x) => x.name).sort()).toEqual(['hub.discovery-stale', 'hub.relay-failing', 'hub.relay-slow']);
    for (const x of hub) expect(x).toMatchObject({ kind: 'outage', perRequest: true, enabled: false });
    // A node does not offer the hub's faults.
    const de = await json<{ faults: { name: string }[] }>(
      f.fetch(`${f.urls.nodes.DE}/admin/faults`, { headers: ADMIN }),
    );
    expect(de.body.faults.some((x) => x.name.startsWith('hub.'))).toBe(false);
  });

  it('hub.relay-failing: the front channel answers a 502 problem, the connector callback sends temporarily_unavailable', async () => {
    // Front channel: the browser reaches the hub's relay, which answers 502 upstream-unavailable (not a redirect).
    await switchFaults({ enable: ['hub.relay-failing'] });
    const front = await login((u) => u.startsWith(`${f.urls.nodes.AT}/`));
    expect(front.url).toContain(`${f.urls.hub}/eid/proxy/AT/authorize`);
    expect(front.res?.status).toBe(502);
    expect(front.res?.headers.get('content-type')).toContain('application/problem+json');
    expect(await front.res?.json()).toMatchObject({ code: 'upstream-unavailable' });

    // Back channel: the login passed the relay before the fault; the token relay fails, the RP learns it.
    await switchFaults({ disable: ['hub.relay-failing'] });
    const { url, state } = await login();
    await switchFaults({ enable: ['hub.relay-failing'] });
    const back = await callback(url);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe(state);
    expect(back.searchParams.get('error')).toBe('temporarily_unavailable');
    expect(back.searchParams.get('error_description')).toMatch(/unavailable.*502|hub.relay-failing/);
    const hops = hopsWith('hub.relay-failing');
    expect(hops.some((h) => h.operation.includes('/eid/proxy/AT/authorize'))).toBe(true);
    expect(hops.some((h) => h.operation.includes('/eid/proxy/AT/token') && h.status === 502)).toBe(true);
  });

  it('one request asks for hub.relay-failing with X-Kakehashi-Fault; the next, without it, is relayed', async () => {
    const token = (headers: Record<string, string> = {}) =>
      f.fetch(`${f.urls.hub}/eid/proxy/AT/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: 'x',
          client_id: 'urn:kakehashi:connector:DE',
        }),
      });
    const failed = await json<{ error: string; code: string }>(token({ 'x-kakehashi-fault': 'hub.relay-failing' }));
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ error: 'temporarily_unavailable', code: 'upstream-unavailable' });
    // The switch stayed off: the next request reaches AT's token endpoint, which refuses the unauthenticated client.
    const relayed = await json<{ error: string }>(token());
    expect(relayed.status).toBe(401);
    expect(relayed.body.error).toBe('invalid_client');
  });

  it('hub.relay-slow with a short relaySlowMs: the login still succeeds, late, and the relay hops are marked', async () => {
    const before = hopsWith('hub.relay-slow').length;
    await f.fetch(`${f.urls.hub}/admin/config`, { method: 'PATCH', headers: admin, body: '{"relaySlowMs":30}' });
    await switchFaults({ enable: ['hub.relay-slow'] });
    const { url, state } = await login();
    const back = await callback(url);
    expect(back.searchParams.get('state')).toBe(state);
    expect(back.searchParams.get('code')).toBeTruthy();
    expect(back.searchParams.get('error')).toBeNull();
    // The front-channel and the token relay both waited.
    expect(hopsWith('hub.relay-slow').length).toBe(before + 2);
  });

  it("hub.relay-slow beyond the connector's timeout: a caller's timeout ends the wait; the RP gets temporarily_unavailable", async () => {
    await switchFaults({ enable: ['hub.relay-slow'] });
    // A caller with its own short timeout gives up; the hub stops waiting for it.
    const gaveUp = await f
      .fetch(`${f.urls.hub}/eid/proxy/AT/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: 'x',
          client_id: 'urn:kakehashi:connector:DE',
        }),
        signal: AbortSignal.timeout(200),
      })
      .then(
        (r) => `answered ${r.status}`,
        (e: unknown) => (e instanceof Error ? e.name : String(e)),
      );
    expect(gaveUp).toBe('TimeoutError');

    // The connector's own timeout (15 s) fires before the relay's 20 s: the relying party learns it, no 500.
    await f.fetch(`${f.urls.hub}/admin/config`, { method: 'PATCH', headers: admin, body: '{"relaySlowMs":60000}' });
    await switchFaults({ disable: ['hub.relay-slow'] });
    const { url, state } = await login();
    await switchFaults({ enable: ['hub.relay-slow'] });
    const back = await callback(url);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe(state);
    expect(back.searchParams.get('error')).toBe('temporarily_unavailable');
    expect(back.searchParams.get('error_description')).toMatch(/did not answer the token request within/);
  }, 90_000);

  describe('hub.discovery-stale', () => {
    const discover = async (headers: Record<string, string> = {}) => {
      const r = await json<{ endpoint: string; certificate: string; encryptionCertificate: string; country: string }>(
        f.fetch(
          `${f.urls.hub}/discovery/participants/${encodeURIComponent(RECIPIENT)}?service=${encodeURIComponent(EVIDENCE)}`,
          { headers },
        ),
      );
      expect(r.status).toBe(200);
      return r.body;
    };

    it('a node registered once: discovery answers its base URL instead of its AS4 endpoint (switched, or per request)', async () => {
      const fresh = await discover();
      expect(fresh.endpoint).toBe(`${f.urls.nodes.AT}/as4`);
      const asked = await discover({ 'x-kakehashi-fault': 'hub.discovery-stale' });
      expect(asked.endpoint).toBe(f.urls.nodes.AT);
      expect(asked.certificate).toBe(fresh.certificate);
      expect((await discover()).endpoint).toBe(fresh.endpoint);
      await switchFaults({ enable: ['hub.discovery-stale'] });
      expect((await discover()).endpoint).toBe(f.urls.nodes.AT);
      const services = await json<{ services: { country: string; endpoint: string }[] }>(
        f.fetch(`${f.urls.hub}/discovery/services?country=AT`),
      );
      expect(services.body.services.length).toBeGreaterThan(0);
      for (const s of services.body.services) expect(s.endpoint).toBe(f.urls.nodes.AT);
      expect(hopsWith('hub.discovery-stale').length).toBeGreaterThanOrEqual(3);
    });

    it('the sender survives the stale endpoint: the message waits for a retry with the reason, no 500', async () => {
      await switchFaults({ enable: ['hub.discovery-stale'] });
      const submitted = await json<{ messageId: string }>(
        f.fetch(`${f.urls.nodes.DE}/edelivery/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            service: EVIDENCE,
            action: 'ExecuteQueryRequest',
            originalSender: 'urn:kakehashi:participant:de:bzst',
            finalRecipient: RECIPIENT,
            payloads: [{ mimeType: 'text/plain', content: Buffer.from('hello').toString('base64') }],
          }),
        }),
      );
      expect(submitted.status).toBe(202);
      const pumped = await f.fetch(`${f.urls.nodes.DE}/admin/edelivery/pump`, { method: 'POST', headers: ADMIN });
      expect(pumped.status).toBeLessThan(500);
      const s = await json<{ status: string; attempts: number; lastError: string | null }>(
        f.fetch(`${f.urls.nodes.DE}/edelivery/messages/${encodeURIComponent(submitted.body.messageId)}?direction=out`),
      );
      expect(s.body.status).toBe('WAITING_FOR_RETRY');
      expect(s.body.attempts).toBe(1);
      expect(s.body.lastError).toBeTruthy();
    });

    it('a node that re-registered with another endpoint: discovery answers its previous registration', async () => {
      const at = f.nodes.get('AT') as NationalNode;
      const { material } = await import('@kakehashi/federation').then((m) =>
        m.loadTrustMaterial({
          seed: 'kakehashi-test',
          countries: ['AT', 'DE'],
          cacheDir: f.config.get('trustCacheDir') as string,
          hubUrl: f.urls.hub,
          logger: f.logger,
        }),
      );
      const s = material.countries.AT?.signing;
      if (!s) throw new Error('no AT signing material');
      const current = at.metadata();
      const moved = { ...current, endpoints: { ...current.endpoints, as4: `${current.url}/as4-moved` } };
      const register = async (m: typeof current) =>
        (
          await f.fetch(`${f.urls.hub}/registry/nodes`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              signedMetadata: await signMetadata(m, createPrivateKey(s.keyPem), [s.certPem, ...s.chainPem]),
            }),
          })
        ).status;
      expect(await register(moved)).toBe(200);
      try {
        expect((await discover()).endpoint).toBe(`${current.url}/as4-moved`);
        await switchFaults({ enable: ['hub.discovery-stale'] });
        expect((await discover()).endpoint).toBe(`${current.url}/as4`);
      } finally {
        expect(await register(current)).toBe(200);
      }
    });
  });
});
