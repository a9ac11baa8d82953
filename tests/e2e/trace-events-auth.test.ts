import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { TraceEvent } from '@kakehashi/core';
import { signTraceEvents } from '@kakehashi/node';
import { CompactSign } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * `POST /traces/events` takes events only from registered components: a batch signed by a registered node (its
 * registered signing certificate, still valid) whose every event is that node's own, or the operator's admin token.
 * Anything else is refused and nothing is stored.
 */
describe('the hub stores trace events only from registered components', () => {
  let f: TestFederation;
  let deKey: KeyObject;
  let n = 0;
  const ids = () => {
    n += 1;
    return { traceId: `ab${String(n).padStart(30, '0')}`, spanId: `cd${String(n).padStart(14, '0')}` };
  };
  const event = (over: Partial<TraceEvent> = {}): TraceEvent => ({
    ...ids(),
    time: new Date().toISOString(),
    component: 'node',
    country: 'DE',
    operation: 'GET /reported',
    direction: 'inbound',
    ...over,
  });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    json<{ code?: string; rule?: string; accepted?: number }>(
      f.fetch(`${f.urls.hub}/traces/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
    );
  const stored = async (traceId: string) => (await f.fetch(`${f.urls.hub}/traces/${traceId}`)).status === 200;

  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'FR'] });
    const { material } = await import('@kakehashi/federation').then((m) =>
      m.loadTrustMaterial({
        seed: 'kakehashi-test',
        countries: ['DE', 'FR'],
        cacheDir: f.config.get('trustCacheDir') as string,
        hubUrl: f.urls.hub,
        logger: f.logger,
      }),
    );
    deKey = createPrivateKey(material.countries.DE!.signing.keyPem);
  }, 180_000);
  afterAll(() => f?.dispose());

  it('refuses unauthenticated events (401) and stores nothing', async () => {
    const e = event();
    const r = await post({ events: [e] });
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('unauthorized');
    expect((await post({ events: [e] }, { authorization: 'Bearer not-the-admin-token' })).status).toBe(401);
    expect(await stored(e.traceId)).toBe(false);
  });

  it("accepts a batch signed by a registered node, of that node's own events", async () => {
    const e = event();
    const r = await post({ signedEvents: await signTraceEvents('DE', [e], deKey) });
    expect(r.status).toBe(202);
    expect(r.body.accepted).toBe(1);
    expect(await stored(e.traceId)).toBe(true);
  });

  it('refuses forged attribution: an event of another country or of the hub, signed by DE (403)', async () => {
    for (const forged of [event({ country: 'FR' }), event({ component: 'hub', country: undefined })]) {
      const honest = event();
      const r = await post({ signedEvents: await signTraceEvents('DE', [honest, forged], deKey) });
      expect(r.status).toBe(403);
      expect(r.body.code).toBe('forbidden');
      expect(r.body.rule).toBe('trace-attribution');
      expect(await stored(honest.traceId)).toBe(false);
      expect(await stored(forged.traceId)).toBe(false);
    }
  });

  it('refuses a batch that claims a signer whose registered key did not sign it, or no registered signer (401)', async () => {
    const e = event({ country: 'FR' });
    // DE's key, claiming to be FR.
    expect((await post({ signedEvents: await signTraceEvents('FR', [e], deKey) })).status).toBe(401);
    // A key of its own, claiming to be DE.
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect((await post({ signedEvents: await signTraceEvents('DE', [event()], privateKey) })).status).toBe(401);
    // A country that is not registered.
    expect((await post({ signedEvents: await signTraceEvents('XX', [event({ country: 'XX' })], deKey) })).status).toBe(
      401,
    );
    // A tampered payload, and a JWS of another kind (node metadata) from the right key.
    const [h, , s] = (await signTraceEvents('DE', [event()], deKey)).split('.');
    const evil = Buffer.from(JSON.stringify({ iss: 'node:DE', events: [event()] })).toString('base64url');
    expect((await post({ signedEvents: `${h}.${evil}.${s}` })).status).toBe(401);
    const other = await new CompactSign(new TextEncoder().encode(JSON.stringify({ iss: 'node:DE', events: [event()] })))
      .setProtectedHeader({ alg: 'RS256', typ: 'kakehashi-node-metadata+jwt' })
      .sign(deKey);
    expect((await post({ signedEvents: other })).status).toBe(401);
    expect(await stored(e.traceId)).toBe(false);
  });

  it('accepts events from the operator with the admin token', async () => {
    const e = event({ component: 'scenario', country: undefined });
    const r = await post({ events: [e] }, ADMIN);
    expect(r.status).toBe(202);
    expect(await stored(e.traceId)).toBe(true);
  });
});
