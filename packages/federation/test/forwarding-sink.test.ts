import { generateKeyPairSync } from 'node:crypto';
import { createMemoryLogger, type TraceEvent } from '@kakehashi/core';
import { describe, expect, it } from 'vitest';
import { createForwardingSink } from '../src/compose-components.ts';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

function event(i: number): TraceEvent {
  return {
    traceId: 'ab'.repeat(16),
    spanId: i.toString(16).padStart(16, '0'),
    time: '2027-01-01T00:00:00.000Z',
    component: 'node',
    operation: `op ${i}`,
    direction: 'inbound',
  };
}

/** A hub that records the signed batches it is sent (their payloads' events, in order). */
function hub() {
  const batches: TraceEvent[][] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    expect(url).toBe('http://hub.test/traces/events');
    const jws = (JSON.parse(String(init.body)) as { signedEvents: string }).signedEvents;
    const payload = JSON.parse(Buffer.from(jws.split('.')[1] as string, 'base64url').toString('utf8')) as {
      iss: string;
      events: TraceEvent[];
    };
    expect(payload.iss).toBe('node:DE');
    batches.push(payload.events);
    return new Response(JSON.stringify({ accepted: payload.events.length }), { status: 202 });
  }) as typeof fetch;
  return { batches, fetchImpl };
}

describe('the forwarding trace sink of a node apart from the hub', () => {
  it('flush() sends every waiting event at once (the federation close, SIGTERM), in order, as the node', async () => {
    const h = hub();
    const sink = createForwardingSink(h.fetchImpl, 'http://hub.test', createMemoryLogger(), {
      country: 'DE',
      key: privateKey,
    });
    for (let i = 0; i < 450; i++) sink.record(event(i));
    expect(h.batches).toEqual([]);
    expect(sink.pending()).toBe(450);
    await sink.flush();
    expect(sink.pending()).toBe(0);
    expect(h.batches.map((b) => b.length)).toEqual([200, 200, 50]);
    expect(h.batches.flat().map((e) => e.operation)).toEqual(Array.from({ length: 450 }, (_, i) => `op ${i}`));
    expect(h.batches.flat().every((e) => e.country === 'DE')).toBe(true);
    await sink.flush();
    expect(h.batches).toHaveLength(3);
  });

  it('past 10,000 waiting events drops the oldest, counted and logged, never silently', async () => {
    const h = hub();
    const logger = createMemoryLogger();
    const sink = createForwardingSink(h.fetchImpl, 'http://hub.test', logger, { country: 'DE', key: privateKey });
    for (let i = 0; i < 10_003; i++) sink.record(event(i));
    expect(logger.lines).toEqual([expect.objectContaining({ level: 'warn', dropped: 1 })]);
    await sink.flush();
    const sent = h.batches.flat();
    expect(sent).toHaveLength(10_000);
    expect(sent[0]?.operation).toBe('op 3');
    expect(sent.at(-1)?.operation).toBe('op 10002');
  });
});
