import {
  type CertificateVerdict,
  CORE_OPTIONS,
  createComponentApp,
  createHubClient,
  createMemoryLogger,
  FaultSwitchboard,
  LayeredConfig,
  MemoryTraceSink,
  openStore,
  SeededRandom,
  type Store,
  VirtualClock,
} from '@kakehashi/core';
import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import { createHubDiscovery } from '../src/discovery/discovery.ts';
import { mountAccessPoint } from '../src/mount-access-point.ts';
import { AT, material } from './fixtures.ts';

const HUB = 'http://hub.test:7000';
const SENDER = 'urn:kakehashi:participant:de:bzst';
const RECIPIENT = 'urn:kakehashi:participant:jp:nta';
const BROKEN = 'urn:kakehashi:participant:jp:broken';
const SERVICE = 'urn:kakehashi:service:evidence';

/**
 * A fake hub in the SML/SMP role, answering as the real one does: a 400 problem for a lookup that does not match
 * its schema (service over 200 characters), the JP access point for RECIPIENT, and for BROKEN an endpoint built
 * from malformed registered metadata (no URL, no certificates). `down` makes it unreachable.
 */
function fakeHub(state: { down: boolean }): typeof fetch {
  const m = material();
  const app = new Hono();
  app.get('/discovery/participants/:id', (c) => {
    const service = c.req.query('service') ?? '';
    if (service.length > 200)
      return c.json(
        {
          type: 'urn:kakehashi:problem:validation-failed',
          title: 'The request does not match its schema',
          status: 400,
          code: 'validation-failed',
          detail: 'query.service: String must contain at most 200 character(s)',
        },
        400,
      );
    const id = c.req.param('id');
    if (id === BROKEN)
      return c.json({ participantId: id, service, country: 'JP', endpoint: 'as4', certificate: 'x' }, 200);
    return c.json({
      participantId: id,
      service,
      country: 'JP',
      endpoint: 'http://jp.test/as4',
      certificate: m.countries.JP!.signing.certPem,
      encryptionCertificate: m.countries.JP!.encryption.certPem,
    });
  });
  return async (input, init) => {
    if (state.down) throw new TypeError('fetch failed: ECONNREFUSED');
    return app.fetch(new Request(input, init));
  };
}

let n = 0;
function sender() {
  const m = material();
  const clock = new VirtualClock();
  clock.freeze(AT);
  const store = openStore({ name: `edelivery-submit-discovery-${++n}` });
  const hubState = { down: false };
  const hubFetch = fakeHub(hubState); // the component's outbound fetch: the hub client's calls go through it
  const deps = {
    store,
    clock,
    random: new SeededRandom('edelivery-submit-discovery'),
    logger: createMemoryLogger('warn'),
    config: new LayeredConfig(CORE_OPTIONS),
    fetch: hubFetch,
    traces: new MemoryTraceSink(),
    faults: new FaultSwitchboard(),
  };
  const app = createComponentApp({ component: 'node', country: 'DE', name: 'test DE', version: '0' }, deps);
  const hub = createHubClient({ hubUrl: HUB, fetch: hubFetch, caller: 'node:DE' });
  const ap = mountAccessPoint(app, {
    ...deps,
    country: 'DE',
    publicUrl: 'http://de.test',
    signing: m.countries.DE!.signing,
    encryption: m.countries.DE!.encryption,
    participants: [{ id: SENDER, name: 'BZSt', services: [SERVICE] }],
    countries: ['DE', 'JP'],
    validateCertificate: (): CertificateVerdict => ({ valid: true, country: 'JP', checks: [] }),
    discovery: createHubDiscovery({ hub, clock }),
    pollIntervalMs: 0,
  });
  return { app, store, messages: ap.store, hubState };
}

const submission = (over: Record<string, unknown> = {}) => ({
  service: SERVICE,
  action: 'ExecuteQueryRequest',
  originalSender: SENDER,
  finalRecipient: RECIPIENT,
  payloads: [{ mimeType: 'text/plain', content: Buffer.from('a payload').toString('base64') }],
  ...over,
});

/**
 * Submitting a message whose discovery cannot succeed because of what is malformed — the submission itself, or
 * the recipient's registered metadata — is a 4xx problem naming what is wrong, never the 502 of a hub outage
 * (which tells the backend to retry); a hub that is really down stays a 502.
 */
describe('backend submit: malformed metadata is not a hub outage', () => {
  const stores: Store[] = [];
  afterAll(() => {
    for (const s of stores) s.close();
  });
  const setup = () => {
    const s = sender();
    stores.push(s.store);
    return s;
  };
  const submit = async (app: ReturnType<typeof sender>['app'], body: unknown) => {
    const res = await app.request('/edelivery/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { code?: string; detail?: string; status?: number } };
  };

  it('a well-formed submission is accepted (the baseline)', async () => {
    const { app } = setup();
    const r = await submit(app, submission());
    expect([r.status, r.body.detail]).toEqual([202, undefined]);
  });

  it('a service the discovery refuses (over 200 characters): 400 naming the field, nothing stored', async () => {
    const { app, messages } = setup();
    const r = await submit(app, submission({ service: `urn:kakehashi:service:${'x'.repeat(250)}` }));
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('validation-failed');
    expect(r.body.detail).toContain('query.service');
    expect(r.body.detail).not.toContain('is it up');
    expect(messages.list({ limit: 10 }).length).toBe(0);
  });

  it("the recipient's registered metadata is malformed: 422 discovery-answer-invalid naming the fields", async () => {
    const { app, messages } = setup();
    const r = await submit(app, submission({ finalRecipient: BROKEN }));
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('discovery-answer-invalid');
    expect(r.body.detail).toContain(BROKEN);
    expect(r.body.detail).toContain('endpoint');
    expect(r.body.detail).toContain('encryptionCertificate');
    expect(messages.list({ limit: 10 }).length).toBe(0);
  });

  it('a hub that is down stays a transient 502 upstream-unavailable', async () => {
    const { app, hubState } = setup();
    hubState.down = true;
    const r = await submit(app, submission());
    expect(r.status).toBe(502);
    expect(r.body.code).toBe('upstream-unavailable');
  });
});
