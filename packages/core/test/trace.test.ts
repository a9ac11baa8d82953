import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  childSpan,
  formatTraceparent,
  MemoryTraceSink,
  parseTraceparent,
  type TraceEvent,
  teeSinks,
} from '../src/index.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

const event = (n: number): TraceEvent => ({
  traceId: TRACE,
  spanId: n.toString(16).padStart(16, '0'),
  time: new Date(n).toISOString(),
  component: 'hub',
  operation: `GET /${n}`,
  direction: 'inbound',
});

describe('parseTraceparent', () => {
  it('parses a valid W3C traceparent, sampled or not', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`)).toEqual({ traceId: TRACE, spanId: SPAN, sampled: true });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)).toEqual({ traceId: TRACE, spanId: SPAN, sampled: false });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-03`)?.sampled).toBe(true);
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-02`)?.sampled).toBe(false);
    expect(parseTraceparent(`  00-${TRACE}-${SPAN}-01 `)?.traceId).toBe(TRACE);
  });

  it.each([
    ['absent', undefined],
    ['null', null],
    ['empty', ''],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['all-zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['wrong version', `01-${TRACE}-${SPAN}-01`],
    ['forbidden version ff', `ff-${TRACE}-${SPAN}-01`],
    ['uppercase trace id', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['uppercase span id', `00-${TRACE}-${SPAN.toUpperCase()}-01`],
    ['uppercase flags', `00-${TRACE}-${SPAN}-0A`],
    ['short trace id', `00-${TRACE.slice(1)}-${SPAN}-01`],
    ['long span id', `00-${TRACE}-${SPAN}0-01`],
    ['non-hex', `00-${TRACE.replace('4', 'g')}-${SPAN}-01`],
    ['missing flags', `00-${TRACE}-${SPAN}`],
    ['trailing data', `00-${TRACE}-${SPAN}-01-extra`],
    ['wrong separator', `00_${TRACE}_${SPAN}_01`],
  ])('%s → undefined', (_name, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it('round-trips with formatTraceparent for any valid ids', () => {
    const hex = (n: number) =>
      fc
        .uint8Array({ minLength: n, maxLength: n })
        .map((b) => Buffer.from(b).toString('hex'))
        .filter((h) => !/^0+$/.test(h));
    fc.assert(
      fc.property(hex(16), hex(8), fc.boolean(), (traceId, spanId, sampled) => {
        const header = formatTraceparent({ traceId, spanId, sampled });
        expect(header).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
        expect(parseTraceparent(header)).toEqual({ traceId, spanId, sampled });
      }),
      { numRuns: 300 },
    );
  });
});

describe('childSpan', () => {
  it('continues the parent trace: same traceId and sampling, new spanId, parentSpanId set', () => {
    const parent = { traceId: TRACE, spanId: SPAN, sampled: false };
    const child = childSpan(parent);
    expect(child.traceId).toBe(TRACE);
    expect(child.parentSpanId).toBe(SPAN);
    expect(child.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(child.spanId).not.toBe(SPAN);
    expect(child.sampled).toBe(false);
  });

  it('starts a new sampled trace without a parent', () => {
    const root = childSpan();
    expect(root.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(root.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(root.parentSpanId).toBeUndefined();
    expect(root.sampled).toBe(true);
    expect(parseTraceparent(formatTraceparent(root))).toEqual({
      traceId: root.traceId,
      spanId: root.spanId,
      sampled: true,
    });
  });

  it('draws fresh ids for every new trace, even from the same seed (no merging of unrelated requests)', () => {
    const ids = new Set(Array.from({ length: 200 }, () => childSpan().traceId));
    expect(ids.size).toBe(200);
    const a = childSpan();
    const b = childSpan();
    expect(a.traceId).not.toBe(b.traceId);
    expect(a.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(a.spanId).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('MemoryTraceSink', () => {
  it('records events in order', () => {
    const sink = new MemoryTraceSink();
    sink.record(event(1));
    sink.record(event(2));
    expect(sink.events.map((e) => e.operation)).toEqual(['GET /1', 'GET /2']);
  });

  it('keeps only the most recent max events', () => {
    const sink = new MemoryTraceSink(3);
    for (let i = 1; i <= 10; i++) sink.record(event(i));
    expect(sink.events).toHaveLength(3);
    expect(sink.events.map((e) => e.operation)).toEqual(['GET /8', 'GET /9', 'GET /10']);
  });

  it('defaults to a bound of 10 000', () => {
    const sink = new MemoryTraceSink();
    for (let i = 0; i < 10_005; i++) sink.record(event(i));
    expect(sink.events).toHaveLength(10_000);
    expect(sink.events[0]!.operation).toBe('GET /5');
  });

  it('teeSinks fans events out to every sink', () => {
    const a = new MemoryTraceSink();
    const b = new MemoryTraceSink(1);
    const tee = teeSinks(a, b);
    tee.record(event(1));
    tee.record(event(2));
    expect(a.events).toHaveLength(2);
    expect(b.events.map((e) => e.operation)).toEqual(['GET /2']);
  });
});
