import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CORE_OPTIONS,
  type ComponentDeps,
  type ComponentInfo,
  createComponentApp,
  createMemoryLogger,
  FaultSwitchboard,
  INDICATOR_RULE,
  jwkThumbprint,
  KakehashiError,
  LayeredConfig,
  MemoryTraceSink,
  mountSecurityEvents,
  openStore,
  RATE_PATTERN_RULE,
  recordHop,
  refuseWatched,
  SecurityEvents,
  SeededRandom,
  type Store,
  severityOf,
  VirtualClock,
} from '../src/index.ts';

const TOKEN = 'kakehashi-admin-test-only';
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function events(options: { store?: Store; clock?: VirtualClock; threshold?: number } = {}) {
  const store = options.store ?? openStore({ name: 'sec' });
  if (!options.store) stores.push(store);
  const clock = options.clock ?? new VirtualClock();
  clock.freeze(new Date('2027-03-01T09:00:00Z'));
  return {
    store,
    clock,
    events: new SecurityEvents({
      store,
      clock,
      component: 'node',
      country: 'DE',
      pattern: { threshold: options.threshold ?? 10, windowSeconds: 60 },
    }),
  };
}

describe('SecurityEvents: a structured record of every refusal', () => {
  it('fills in the component, the country and the virtual-clock time, and reads back through the store', () => {
    const { events: sec, clock, store } = events();
    const e = sec.record({
      rule: 'J4',
      severity: 'high',
      peer: 'http://127.0.0.1:7005',
      detail: { code: 'jwt-embedded-key' },
    });
    expect(e).toMatchObject({ component: 'node', country: 'DE', time: '2027-03-01T09:00:00.000Z', seq: 1 });
    expect(e.id).toMatch(/^sev--[0-9a-f-]{36}$/);
    // Written behind the request: nothing in the table until the queue is flushed (a read flushes it).
    expect(store.get<{ n: number }>('SELECT COUNT(*) AS n FROM security_events')?.n).toBe(0);
    clock.advance(3_600_000);
    sec.record({ rule: 'J8', severity: 'low' });
    const all = sec.list();
    expect(all.map((x) => x.rule)).toEqual(['J4', 'J8']);
    expect(all[0]).toEqual(e);
    expect(sec.list({ since: '2027-03-01T09:30:00Z' }).map((x) => x.rule)).toEqual(['J8']);
    expect(sec.list({ rule: 'J4' })).toHaveLength(1);
    expect(sec.list({ severity: 'medium' }).map((x) => x.rule)).toEqual(['J4']);
    expect(sec.list({ afterSeq: 1 }).map((x) => x.seq)).toEqual([2]);
  });

  it('keeps its sequence across a restart of the component (same store)', () => {
    const first = events();
    first.events.record({ rule: 'J1', severity: 'high' });
    first.events.flush();
    const again = new SecurityEvents({ store: first.store, clock: first.clock, component: 'node', country: 'DE' });
    expect(again.record({ rule: 'J2', severity: 'high' }).seq).toBe(2);
    expect(again.list().map((e) => e.rule)).toEqual(['J1', 'J2']);
  });

  it('refuses personal data: names, a My Number, free text, members outside the closed schema', () => {
    const { events: sec } = events();
    const refused = [
      { rule: 'J4', severity: 'high', detail: { name: 'Hanako Yamada' } },
      { rule: 'J4', severity: 'high', detail: { participant: '123456789018' } },
      { rule: 'J4', severity: 'high', peer: 'node:JP/123456789018' },
      { rule: 'J4', severity: 'high', detail: { kid: 'Hanako Yamada' } },
      { rule: 'J4', severity: 'high', detail: { operation: 'login of 123456789018' } },
      { rule: 'J4', severity: 'high', artefactHash: 'eyJhbGciOiJub25lIn0.e30.' },
      { rule: 'J4', severity: 'high', birthdate: '1980-01-01' },
      { rule: 'J4 by 123456789018', severity: 'high' },
    ];
    for (const input of refused)
      expect(() => sec.record(input as never), JSON.stringify(input)).toThrow(
        expect.objectContaining({ code: 'security-event-invalid' }),
      );
    expect(sec.list()).toEqual([]);
    // A 13-digit participant identifier (a GLN) is an organisation's, and allowed.
    expect(sec.record({ rule: 'E6', severity: 'medium', detail: { participant: '0088:4035811991021' } }).rule).toBe(
      'E6',
    );
  });

  it('raises one rate-pattern event when one peer reaches the threshold within the window', () => {
    const { events: sec, clock } = events({ threshold: 3 });
    sec.record({ rule: 'J11', severity: 'medium', peer: 'node:FR' });
    clock.advance(61_000); // the first falls out of the window
    sec.record({ rule: 'J11', severity: 'medium', peer: 'node:FR' });
    sec.record({ rule: 'J6', severity: 'high', peer: 'node:FR' });
    sec.record({ rule: 'J6', severity: 'high', peer: 'node:IT' });
    expect(sec.list({ rule: RATE_PATTERN_RULE })).toEqual([]);
    sec.record({ rule: 'J6', severity: 'high', peer: 'node:FR' });
    const pattern = sec.list({ rule: RATE_PATTERN_RULE });
    expect(pattern).toHaveLength(1);
    expect(pattern[0]).toMatchObject({
      severity: 'high',
      peer: 'node:FR',
      detail: { count: 3, windowSeconds: 60, basedOn: 'J6' },
    });
  });

  it('tells its listeners every event as it is recorded', () => {
    const { events: sec } = events();
    const heard: string[] = [];
    const off = sec.onRecord((e) => heard.push(e.rule));
    sec.record({ rule: 'S12', severity: 'medium' });
    off();
    sec.record({ rule: 'S13', severity: 'medium' });
    expect(heard).toEqual(['S12']);
  });

  it('rates severity from the attack catalogue, then from the code', () => {
    expect(severityOf('J4')).toBe('high');
    expect(severityOf('ebMS 3.0 core §5.2.2.13 (E5)')).toBe('high');
    expect(severityOf('attack-catalogue E6')).toBe('medium');
    expect(severityOf('J8')).toBe('low');
    expect(severityOf('XSW3 wrapping')).toBe('high'); // by the word, not as X3
    expect(severityOf('RFC 5280 §6.1', 'registration-cert-invalid')).toBe('medium');
    expect(severityOf('OIDC Core §3.1.2.7 (state)')).toBe('low');
    expect(severityOf('My Number Act art. 19(8) (authorisation matrix)', 'jp-not-authorised')).toBe('medium');
    expect(severityOf('ETSI EN 319 102-1 HASH_FAILURE', 'HASH_FAILURE')).toBe('high');
  });
});

function component(withSecurity = true) {
  const info: ComponentInfo = { component: 'node', country: 'DE', name: 'National node DE', version: '0.1.0' };
  const store = openStore({ name: 'sec-app' });
  stores.push(store);
  const clock = new VirtualClock();
  const traces = new MemoryTraceSink();
  const security = new SecurityEvents({ store, clock, component: 'node', country: 'DE' });
  const deps: ComponentDeps = {
    store,
    clock,
    random: new SeededRandom('sec'),
    logger: createMemoryLogger(),
    config: new LayeredConfig(CORE_OPTIONS),
    fetch,
    traces,
    faults: new FaultSwitchboard(),
    ...(withSecurity ? { security } : {}),
  };
  const app = createComponentApp(info, deps);
  mountSecurityEvents(app, deps, security);
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  app.post('/validate', (c) => {
    recordHop(traces, clock, c.get('trace'), {
      component: 'node',
      operation: 'eid: ID token validated',
      direction: 'internal',
      peer: 'http://127.0.0.1:7005',
      artefact: {
        type: 'id_token',
        header: { alg: 'ES256', kid: '../../dev/null', jwk },
        claims: { iss: 'http://127.0.0.1:7005', family_name: 'Mustermann', sub: 'x' },
      },
      verdict: {
        valid: false,
        checks: [
          { rule: 'J1', outcome: 'passed', reason: 'ok' },
          { rule: 'J4', outcome: 'failed', reason: 'embedded jwk', code: 'jwt-embedded-key' },
        ],
      },
    });
    // The same rule refused again in the same request (the connector's throw after its hop): one event.
    throw new KakehashiError('forbidden', 'The ID token carries its own key.', { rule: 'J4' });
  });
  app.post('/outage', (c) => {
    recordHop(traces, clock, c.get('trace'), {
      component: 'node',
      operation: 'edelivery: SOAP fault',
      direction: 'internal',
      status: 503,
      verdict: { valid: false, checks: ['Receiver: unavailable'] },
    });
    throw new KakehashiError('upstream-unavailable', 'down', { rule: 'RFC 6749 §4.1.2.1' });
  });
  app.post('/as4', (c) => {
    recordHop(traces, clock, c.get('trace'), {
      component: 'node',
      operation: 'edelivery: rejected (EBMS:0101 FailedAuthentication)',
      direction: 'internal',
      status: 200,
      artefact: { type: 'ebms:Error', errorCode: 'EBMS:0101', rule: 'E4', refToMessageId: 'msg-1@kakehashi.test' },
      verdict: { valid: false, checks: ['EBMS:0101: the signature does not verify'] },
    });
    return c.text('signal');
  });
  app.post('/things/:code', () => {
    throw new KakehashiError('forbidden', 'Not yours.', { rule: 'P1' });
  });
  app.post('/bad-json', () => {
    throw new KakehashiError('validation-failed', 'no rule: a malformed request is no security event');
  });
  return { app, security, jwk };
}

describe('security events from the component: a mechanism, not call sites', () => {
  it('records a refused verdict on a trace hop once per rule per request, with the key identifiers and no claims', async () => {
    const { app, security, jwk } = component();
    const res = await app.request('/validate', {
      method: 'POST',
      headers: {
        'x-kakehashi-caller': 'node:JP',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      },
    });
    expect(res.status).toBe(403);
    const list = security.list();
    expect(list).toHaveLength(1);
    const [e] = list;
    expect(e).toMatchObject({
      rule: 'J4',
      severity: 'high',
      peer: 'http://127.0.0.1:7005',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      detail: {
        code: 'jwt-embedded-key',
        catalogueId: 'J4',
        issuer: 'http://127.0.0.1:7005',
        keyThumbprint: jwkThumbprint(jwk),
        operation: 'eid: ID token validated',
      },
    });
    expect(e?.artefactHash).toMatch(/^[0-9a-f]{64}$/);
    // The injected kid is not an identifier: its hash stands in for it.
    expect(e?.detail.kid).toBeUndefined();
    expect(e?.detail.kidHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(list)).not.toContain('Mustermann');
  });

  it('records an AS4 error signal by its rule and message id; never an outage or a malformed request', async () => {
    const { app, security } = component();
    await app.request('/outage', { method: 'POST' });
    await app.request('/bad-json', { method: 'POST' });
    expect(security.list()).toEqual([]);
    await app.request('/as4', { method: 'POST', headers: { 'x-kakehashi-caller': 'node:FR' } });
    expect(security.list()).toEqual([
      expect.objectContaining({
        rule: 'E4',
        severity: 'high',
        peer: 'node:FR',
        detail: expect.objectContaining({ code: 'EBMS:0101', messageId: 'msg-1@kakehashi.test' }),
      }),
    ]);
  });

  it('names the route pattern of a refused request, never its path (which may carry a pseudonym)', async () => {
    const { app, security } = component();
    await app.request('/things/link-v1-SECRETCODE', { method: 'POST' });
    const [e] = security.list({ rule: 'P1' });
    expect(e?.detail.operation).toBe('POST /things/:code');
    expect(JSON.stringify(security.list())).not.toContain('SECRETCODE');
  });

  it('records a refusal thrown as a problem with its rule; records nothing without a security facility', async () => {
    const bare = component(false);
    expect((await bare.app.request('/validate', { method: 'POST' })).status).toBe(403);
    expect(bare.security.list()).toEqual([]);
  });

  it('serves GET /security/events behind the admin token, filtered', async () => {
    const { app } = component();
    await app.request('/validate', { method: 'POST' });
    await app.request('/as4', { method: 'POST' });
    expect((await app.request('/security/events')).status).toBe(401);
    const auth = { authorization: `Bearer ${TOKEN}` };
    const all = (await (await app.request('/security/events', { headers: auth })).json()) as {
      country: string;
      events: { rule: string }[];
    };
    expect(all.country).toBe('DE');
    // The unauthenticated read is a refusal of its own (an admin-token probe is a security event too).
    expect(all.events.map((e) => e.rule)).toEqual(['J4', 'E4', 'unauthorized']);
    const one = (await (await app.request('/security/events?rule=E4', { headers: auth })).json()) as {
      events: { rule: string }[];
    };
    expect(one.events.map((e) => e.rule)).toEqual(['E4']);
    expect((await app.request('/security/events?severity=extreme', { headers: auth })).status).toBe(400);
  });
});

describe('the watchlist: a component acts on a shared indicator', () => {
  it('refuses a verdict whose artefact names a watched key, names the indicator, and forgets it after valid_until', async () => {
    const { app, security, jwk } = component();
    const thumbprint = jwkThumbprint(jwk) as string;
    const verdict = { valid: true, checks: [{ rule: 'J1', outcome: 'passed', reason: 'ok' }] };
    const seen: unknown[] = [];
    app.post('/check', (c) => {
      seen.push(refuseWatched(verdict, () => ({ header: { alg: 'ES256', jwk } })));
      return c.text('ok');
    });
    // Nothing watched: the verdict is returned as it is, and the artefact is not even decoded.
    let decoded = 0;
    app.post('/lazy', (c) => {
      seen.push(
        refuseWatched(verdict, () => {
          decoded++;
          return {};
        }),
      );
      return c.text('ok');
    });
    await app.request('/lazy', { method: 'POST' });
    expect(decoded).toBe(0);
    expect(seen.pop()).toBe(verdict);
    security.watchlist.add({
      indicator: 'indicator--6c9e8b0a-1f2e-4a3b-9c4d-5e6f7a8b9c0d',
      kind: 'keyThumbprint',
      value: thumbprint,
      source: 'DE',
      validUntil: '2999-01-01T00:00:00Z',
    });
    await app.request('/check', { method: 'POST' });
    expect(seen.pop()).toMatchObject({
      valid: false,
      failure: { rule: INDICATOR_RULE, code: 'security-indicator-match' },
      checks: [expect.objectContaining({ rule: INDICATOR_RULE, outcome: 'failed' }), verdict.checks[0]],
    });
    expect(security.list({ rule: INDICATOR_RULE })).toEqual([
      expect.objectContaining({
        severity: 'high',
        detail: expect.objectContaining({
          keyThumbprint: thumbprint,
          indicator: 'indicator--6c9e8b0a-1f2e-4a3b-9c4d-5e6f7a8b9c0d',
        }),
      }),
    ]);
    // Outside a request there is no component to act: the verdict passes unchanged.
    expect(refuseWatched(verdict, () => ({ header: { jwk } }))).toBe(verdict);
    // An indicator past its valid_until is no longer acted on; the reset forgets them all.
    security.watchlist.add({
      indicator: 'indicator--x',
      kind: 'issuer',
      value: 'http://old',
      source: 'FR',
      validUntil: '2000-01-01T00:00:00Z',
    });
    expect(security.watchlist.match({ issuer: 'http://old' })).toBeUndefined();
    security.clear();
    expect(security.watchlist.list()).toEqual([]);
  });
});
