import {
  type CertificateVerdict,
  CORE_OPTIONS,
  createComponentApp,
  createMemoryLogger,
  FaultSwitchboard,
  LayeredConfig,
  MemoryTraceSink,
  openStore,
  SeededRandom,
  type Store,
  VirtualClock,
} from '@kakehashi/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { Discovery } from '../src/discovery/discovery.ts';
import { mountAccessPoint } from '../src/mount-access-point.ts';
import { PER_DESTINATION } from '../src/sender/sender-loop.ts';
import { AT, material } from './fixtures.ts';

const SENDER = 'urn:kakehashi:participant:de:bzst';
const RECIPIENT = 'urn:kakehashi:participant:jp:nta';
const SERVICE = 'urn:kakehashi:service:evidence';
const HOOKS = 'http://hooks.test/edelivery';

const stores: Store[] = [];
const turn = () => new Promise<void>((r) => setImmediate(r));

/** Waits (turn by turn, no timer) until `fact()` holds; fails after many turns rather than hanging. */
async function until(fact: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200_000; i++) {
    if (fact()) return;
    await turn();
  }
  throw new Error(`never: ${what}`);
}

function component(country: 'DE' | 'JP', fetcher: typeof fetch) {
  const clock = new VirtualClock();
  clock.freeze(AT);
  const store = openStore({ name: `edelivery-sender-pool-${country}` });
  stores.push(store);
  const deps = {
    store,
    clock,
    random: new SeededRandom(`edelivery-sender-pool-${country}`),
    logger: createMemoryLogger('warn'),
    config: new LayeredConfig(CORE_OPTIONS),
    fetch: fetcher,
    traces: new MemoryTraceSink(),
    faults: new FaultSwitchboard(),
  };
  return { deps, app: createComponentApp({ component: 'node', country, name: `test ${country}`, version: '0' }, deps) };
}

/**
 * DE sends to JP through a gate that holds every AS4 post until the test opens it (and counts how many wait at
 * once); DE's webhook subscriber (batched) is recorded.
 */
function pair() {
  const m = material();
  const gate = { open: false, waiting: 0, max: 0, release: [] as (() => void)[] };
  const hookPosts: HookPost[] = [];
  const jpHookPosts: HookPost[] = [];
  const valid = (): CertificateVerdict => ({ valid: true, country: 'DE', checks: [] });
  const jp = component('JP', async (input, init) => {
    const req = new Request(input, init);
    if (req.url !== HOOKS) throw new TypeError(`fetch failed: ${req.url}`);
    jpHookPosts.push((await req.json()) as HookPost);
    return new Response(null, { status: 204 });
  });
  const jpAp = mountAccessPoint(jp.app, {
    ...jp.deps,
    country: 'JP',
    publicUrl: 'http://jp.test',
    signing: m.countries.JP!.signing,
    encryption: m.countries.JP!.encryption,
    participants: [{ id: RECIPIENT, name: 'NTA', services: [SERVICE] }],
    countries: ['DE', 'JP'],
    validateCertificate: valid,
    discovery: {
      resolve: async () => {
        throw new Error('not used by the receiver');
      },
      registeredCertificate: async (country) => m.countries[country]?.signing.certPem,
    },
    pollIntervalMs: 0,
  });
  const deFetch: typeof fetch = async (input, init) => {
    const req = new Request(input, init);
    if (req.url === HOOKS) {
      hookPosts.push((await req.json()) as HookPost);
      return new Response(null, { status: 204 });
    }
    if (new URL(req.url).origin !== 'http://jp.test') throw new TypeError(`fetch failed: ${req.url}`);
    gate.waiting++;
    gate.max = Math.max(gate.max, gate.waiting);
    if (!gate.open) await new Promise<void>((r) => gate.release.push(r));
    gate.waiting--;
    return jp.app.fetch(req);
  };
  const de = component('DE', deFetch);
  const discovery: Discovery = {
    resolve: async (participantId, service) => ({
      participantId,
      service,
      country: 'JP',
      endpoint: 'http://jp.test/as4',
      certificate: m.countries.JP!.signing.certPem,
      encryptionCertificate: m.countries.JP!.encryption.certPem,
    }),
    registeredCertificate: async (country) => m.countries[country]?.signing.certPem,
  };
  const deAp = mountAccessPoint(de.app, {
    ...de.deps,
    country: 'DE',
    publicUrl: 'http://de.test',
    signing: m.countries.DE!.signing,
    encryption: m.countries.DE!.encryption,
    participants: [{ id: SENDER, name: 'BZSt', services: [SERVICE] }],
    countries: ['DE', 'JP'],
    validateCertificate: valid,
    discovery,
    pollIntervalMs: 0,
  });
  const openGate = () => {
    gate.open = true;
    for (const r of gate.release.splice(0)) r();
  };
  return { de, deAp, jp, jpAp, gate, openGate, hookPosts, jpHookPosts };
}

interface HookPost {
  type: string;
  changes?: { messageId: string; direction: string; status: string; message?: unknown }[];
}

/** Submits `n` messages at DE (one text payload each); their MessageIds. */
async function submit(de: ReturnType<typeof component>, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await de.app.request('/edelivery/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        service: SERVICE,
        action: 'ExecuteQueryRequest',
        originalSender: SENDER,
        finalRecipient: RECIPIENT,
        payloads: [{ mimeType: 'text/plain', content: Buffer.from(`payload ${i}`).toString('base64') }],
      }),
    });
    expect(r.status).toBe(202);
    ids.push(((await r.json()) as { messageId: string }).messageId);
  }
  return ids;
}

describe('AS4 sender: bounded concurrency per destination, batched status webhooks', () => {
  afterAll(() => {
    for (const s of stores) s.close();
  });

  it(`holds at most ${PER_DESTINATION} messages in flight to one access point, then sends every one exactly once`, async () => {
    const { de, deAp, jpAp, gate, openGate, hookPosts } = pair();
    const sub = await de.app.request('/edelivery/webhooks', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: HOOKS, events: ['ACKNOWLEDGED'], batch: true }),
    });
    expect(sub.status).toBe(201);
    expect(((await sub.json()) as { batch: boolean }).batch).toBe(true);

    const n = PER_DESTINATION * 3;
    const ids = await submit(de, n);
    const pumped = deAp.pump();
    // The pool fills up to the bound for this destination and no further while the receiver holds them.
    await until(() => gate.waiting === PER_DESTINATION, 'the pool is full');
    for (let i = 0; i < 50; i++) await turn();
    expect(gate.waiting).toBe(PER_DESTINATION);
    expect(deAp.store.list({ direction: 'out', status: 'READY_TO_SEND', limit: 1000 }).length).toBe(
      n - PER_DESTINATION,
    );

    openGate();
    const result = await pumped;
    expect(result).toMatchObject({ attempted: n, acknowledged: n, failed: 0, retrying: 0 });
    expect(gate.max).toBe(PER_DESTINATION);
    const out = deAp.store.list({ direction: 'out', limit: 1000 });
    expect(out.map((r) => r.status)).toEqual(Array(n).fill('ACKNOWLEDGED'));
    // Exactly once at the receiver: every message stored once, none a duplicate.
    const received = jpAp.store.list({ direction: 'in', limit: 1000 });
    expect(received.map((r) => r.message_id).sort()).toEqual([...ids].sort());
    expect(received.every((r) => r.duplicates === 0)).toBe(true);

    // Every ACKNOWLEDGED change reached the batched subscriber exactly once, in fewer posts than changes.
    await until(() => hookPosts.flatMap((p) => p.changes ?? []).length >= n, 'every notification posted');
    const changes = hookPosts.flatMap((p) => p.changes ?? []);
    expect(hookPosts.every((p) => p.type === 'edelivery.status-batch')).toBe(true);
    expect(changes.map((c) => c.messageId).sort()).toEqual([...ids].sort());
    expect(changes.every((c) => c.status === 'ACKNOWLEDGED')).toBe(true);
    expect(hookPosts.length).toBeLessThan(n);
  });

  it('a received message’s RECEIVED notification carries its routing metadata (service, parties, payload types)', async () => {
    const { de, deAp, jp, openGate, jpHookPosts } = pair();
    const sub = await jp.app.request('/edelivery/webhooks', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: HOOKS, events: ['RECEIVED'], batch: true }),
    });
    expect(sub.status).toBe(201);
    openGate();
    const ids = await submit(de, 3);
    expect(await deAp.pump()).toMatchObject({ acknowledged: 3 });
    await until(() => jpHookPosts.flatMap((p) => p.changes ?? []).length >= 3, 'every RECEIVED posted');
    const changes = jpHookPosts.flatMap((p) => p.changes ?? []);
    expect(changes.map((c) => c.messageId).sort()).toEqual([...ids].sort());
    for (const c of changes)
      expect(c).toMatchObject({
        direction: 'in',
        status: 'RECEIVED',
        message: {
          service: SERVICE,
          action: 'ExecuteQueryRequest',
          originalSender: SENDER,
          finalRecipient: RECIPIENT,
          payloads: [{ cid: expect.stringMatching(/^payload-1@/), mimeType: 'text/plain' }],
        },
      });
  });
});
