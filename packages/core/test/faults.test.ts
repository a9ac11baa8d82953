import { describe, expect, it } from 'vitest';
import {
  CORE_OPTIONS,
  type ComponentDeps,
  type ComponentInfo,
  createComponentApp,
  createMemoryLogger,
  currentFaultScope,
  currentSecurityEvents,
  currentTrace,
  defineFaults,
  FaultSwitchboard,
  faultDefinition,
  type KakehashiError,
  LayeredConfig,
  MemoryTraceSink,
  mountAdmin,
  openStore,
  renderFaultsTable,
  runInFaultScope,
  runInSecurityScope,
  SecurityEvents,
  SeededRandom,
  VirtualClock,
} from '../src/index.ts';

const TOKEN = 'kakehashi-admin-test-only';
const TEST_FAULTS = defineFaults('core-test', [
  { name: 'test.forged', kind: 'forge', description: 'signs nothing', rule: 'J1', perRequest: true },
  { name: 'test.other', kind: 'forge', description: 'expires at once', rule: 'J8', perRequest: true },
  { name: 'lenient.test.forged', kind: 'lenient', description: 'accepts what it signs not', rule: 'J1' },
]);

function build(config = new LayeredConfig(CORE_OPTIONS)) {
  const info: ComponentInfo = { component: 'node', country: 'DE', name: 'National node DE', version: '0.1.0' };
  const logger = createMemoryLogger();
  const traces = new MemoryTraceSink();
  const faults = new FaultSwitchboard();
  const deps: ComponentDeps = {
    store: openStore({ name: 't' }),
    clock: new VirtualClock(),
    random: new SeededRandom('faults-test'),
    logger,
    config,
    fetch,
    traces,
    faults,
  };
  const app = createComponentApp(info, deps);
  mountAdmin(app, deps);
  faults.offer(TEST_FAULTS);
  app.get('/work', (c) => c.json({ forged: faults.fire('test.forged'), lenient: faults.fire('lenient.test.forged') }));
  return { app, logger, traces, faults };
}

const admin = (body?: unknown, method = 'PUT') => ({
  method,
  headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

describe('fault switches', () => {
  it('registers faults with their block and refuses a second owner or a bad name', () => {
    expect(faultDefinition('test.forged')).toMatchObject({ block: 'core-test', rule: 'J1' });
    expect(() => defineFaults('another', [{ name: 'test.forged', kind: 'forge', description: 'x' }])).toThrow(
      /declared by both core-test and another/,
    );
    expect(() => defineFaults('core-test', [{ name: 'Bad Name', kind: 'forge', description: 'x' }])).toThrow(
      /dotted kebab-case/,
    );
    expect(renderFaultsTable(TEST_FAULTS)).toContain(
      '| `test.forged` | core-test | forge | J1 | yes | signs nothing |',
    );
  });

  it('lists every offered fault off by default and switches them with names and patterns, all or nothing', async () => {
    const { app, logger } = build();
    const listed = (await (await app.request('/admin/faults', admin(undefined, 'GET'))).json()) as {
      faults: { name: string; enabled: boolean; block: string }[];
    };
    expect(listed.faults.map((f) => [f.name, f.enabled])).toEqual([
      ['test.forged', false],
      ['test.other', false],
      ['lenient.test.forged', false],
    ]);
    const on = await app.request('/admin/faults', admin({ enable: ['test.*'] }));
    expect(on.status).toBe(200);
    const after = (await on.json()) as { faults: { name: string; enabled: boolean }[] };
    expect(after.faults.filter((f) => f.enabled).map((f) => f.name)).toEqual(['test.forged', 'test.other']);
    expect(logger.lines.some((l) => l.msg === 'faults switched')).toBe(true);

    const bad = await app.request('/admin/faults', admin({ disable: ['test.other'], enable: ['nope'] }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe('fault-unknown');
    const config = (await (await app.request('/admin/config', admin(undefined, 'GET'))).json()) as { faults: string[] };
    expect(config.faults).toEqual(['test.forged', 'test.other']);

    const reset = await app.request('/admin/reset', admin(undefined, 'POST'));
    expect(reset.status).toBe(200);
    const cleared = (await (await app.request('/admin/config', admin(undefined, 'GET'))).json()) as {
      faults: string[];
    };
    expect(cleared.faults).toEqual([]);
  });

  it('needs the admin token', async () => {
    const { app } = build();
    expect((await app.request('/admin/faults')).status).toBe(401);
    expect((await app.request('/admin/faults', { method: 'PUT', body: '{}' })).status).toBe(401);
  });

  it('lets one request ask for a per-request fault, never for a lenient one, and records what fired on its hop', async () => {
    const { app, traces, logger } = build();
    const plain = (await (await app.request('/work')).json()) as { forged: boolean };
    expect(plain.forged).toBe(false);
    const asked = (await (await app.request('/work?kakehashi_fault=test.forged')).json()) as { forged: boolean };
    expect(asked.forged).toBe(true);
    const header = (await (
      await app.request('/work', { headers: { 'x-kakehashi-fault': 'lenient.test.forged' } })
    ).json()) as { lenient: boolean };
    expect(header.lenient).toBe(false);
    const hops = traces.events.filter((e) => e.operation === 'GET /work');
    expect(hops.map((h) => h.faults)).toEqual([undefined, ['test.forged'], undefined]);
    expect(logger.lines.filter((l) => l.msg === 'fault fired')).toHaveLength(1);
  });

  it('checks what a request asks for', () => {
    const { faults } = build();
    expect(faults.requireRequestable('test.forged')).toBe('test.forged');
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as KakehashiError).code;
      }
    };
    expect(code(() => faults.requireRequestable('lenient.test.forged'))).toBe('fault-not-per-request');
    expect(code(() => faults.requireRequestable('nothing'))).toBe('fault-unknown');
    expect(faults.isOn('test.other', ['test.other'])).toBe(true);
    expect(faults.isOn('lenient.test.forged', ['lenient.test.forged'])).toBe(false);
  });

  it('switches on at start what the faults option names for this component, and again after a reset', () => {
    const { faults } = build();
    expect(faults.applyStart(['hub:test.forged', 'DE:lenient.*', 'test.other', 'not-offered-here'], 'DE')).toEqual([
      'lenient.test.forged',
      'test.other',
    ]);
    faults.set({ disable: ['*'], enable: ['test.forged'] });
    faults.reset();
    expect(faults.enabled()).toEqual(['test.other', 'lenient.test.forged']);
    expect(() => faults.applyStart(['de:nope.*'], 'DE')).toThrow(/names no fault DE offers/);
  });
});

describe('the request scope', () => {
  it('opens the span, the fault scope and the security events together for a request, and a runner of one keeps the others', async () => {
    const info: ComponentInfo = { component: 'node', country: 'DE', name: 'National node DE', version: '0.1.0' };
    const store = openStore({ name: 'scope' });
    const clock = new VirtualClock();
    const security = new SecurityEvents({ store, clock, component: 'node', country: 'DE' });
    const deps: ComponentDeps = {
      store,
      clock,
      random: new SeededRandom('scope-test'),
      logger: createMemoryLogger(),
      config: new LayeredConfig(CORE_OPTIONS),
      fetch,
      traces: new MemoryTraceSink(),
      faults: new FaultSwitchboard(),
      security,
    };
    const app = createComponentApp(info, deps);
    app.get('/scope', async (c) => {
      const before = { trace: currentTrace(), faults: currentFaultScope(), events: currentSecurityEvents() };
      await Promise.resolve();
      // A fault scope of its own (as the sender loop opens one) keeps the request's span and security events.
      const inner = { requested: new Set<string>(), fired: [] };
      const nested = runInFaultScope(inner, () => ({
        trace: currentTrace(),
        faults: currentFaultScope(),
        events: currentSecurityEvents(),
      }));
      return c.json({
        span: before.trace?.spanId === c.get('trace').spanId,
        requested: [...(before.faults?.requested ?? [])],
        events: before.events === security,
        nestedSpan: nested.trace === before.trace,
        nestedFaults: nested.faults === inner,
        nestedEvents: nested.events === security,
        after: currentFaultScope() === before.faults,
      });
    });
    const res = await app.request('/scope', { headers: { 'x-kakehashi-fault': 'test.forged' } });
    expect(await res.json()).toEqual({
      span: true,
      requested: ['test.forged'],
      events: true,
      nestedSpan: true,
      nestedFaults: true,
      nestedEvents: true,
      after: true,
    });
    // Outside a request: nothing, and a security scope opened alone carries no span.
    expect([currentTrace(), currentFaultScope(), currentSecurityEvents()]).toEqual([undefined, undefined, undefined]);
    expect(runInSecurityScope(security, {}, () => [currentSecurityEvents() === security, currentTrace()])).toEqual([
      true,
      undefined,
    ]);
  });
});
