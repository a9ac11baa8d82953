import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger, openStore, type Store, type TraceEvent } from '@kakehashi/core';
import { afterAll, describe, expect, it } from 'vitest';
import { TraceStore } from '../src/traces/trace-store.ts';

const tmp = mkdtempSync(join(tmpdir(), 'kakehashi-trace-store-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const TRACE = 'cd'.repeat(16);
function hop(i: number, extra: Partial<TraceEvent> = {}): TraceEvent {
  return {
    traceId: TRACE,
    spanId: i.toString(16).padStart(16, '0'),
    time: `2027-01-01T00:00:${String(i % 60).padStart(2, '0')}.000Z`,
    component: i % 2 ? 'node' : 'hub',
    ...(i % 2 ? { country: 'DE' } : {}),
    operation: `op ${i}`,
    direction: 'internal',
    artefact: { padding: 'x'.repeat(2000) },
    ...extra,
  };
}
const rows = (s: Store) => s.get<{ n: number }>('SELECT count(*) AS n FROM trace_events')?.n;
/** One turn of the event loop (the queue's scheduled write), no wall-clock wait. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("the hub's trace store, written behind the request", () => {
  it('records without writing in the caller, and every read sees every hop recorded before it, in order', async () => {
    const store = openStore({ name: 'traces-read', dataDir: tmp });
    try {
      const traces = new TraceStore(store);
      for (let i = 0; i < 6; i++) traces.record(hop(i));
      expect(rows(store)).toBe(0);
      expect(traces.events(TRACE).map((e) => e.operation)).toEqual(['op 0', 'op 1', 'op 2', 'op 3', 'op 4', 'op 5']);
      traces.record(hop(6));
      expect(traces.recent()).toEqual([
        {
          traceId: TRACE,
          started: hop(0).time,
          firstOperation: 'op 0',
          // no inbound event: the first request is the first operation
          firstRequest: 'op 0',
          hops: 7,
          components: ['hub', 'node:DE'],
        },
      ]);
      traces.record(hop(7));
      await turn();
      expect(rows(store)).toBe(8);
    } finally {
      store.close();
    }
  });

  it("carries no index (random trace ids wrote a random index page per event): a trace's events are found by rowid, kept in memory from the first read and after every insert and trim", () => {
    const store = openStore({ name: 'traces-index', dataDir: tmp });
    try {
      const traces = new TraceStore(store, 10);
      const other = 'ab'.repeat(16);
      traces.record(hop(1));
      traces.flush();
      const indexes = store
        .all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'trace_events'")
        .map((r) => r.name);
      expect(indexes).toEqual([]);
      const plan = store
        .all<{ detail: string }>(
          'EXPLAIN QUERY PLAN SELECT event FROM trace_events WHERE id IN (SELECT value FROM json_each(?)) AND trace_id = ? ORDER BY time, id',
          '[1]',
          TRACE,
        )
        .map((r) => r.detail)
        .join('\n');
      expect(plan).toContain('USING INTEGER PRIMARY KEY (rowid=?)');
      // Read once: the memory is built; what is recorded after it is found too, for both traces.
      expect(traces.events(TRACE)).toHaveLength(1);
      for (let i = 2; i <= 5; i++) traces.record(hop(i));
      traces.record(hop(6, { traceId: other }));
      expect(traces.events(TRACE).map((e) => e.operation)).toEqual(['op 1', 'op 2', 'op 3', 'op 4', 'op 5']);
      expect(traces.events(other).map((e) => e.operation)).toEqual(['op 6']);
      expect(traces.recent().map((t) => [t.traceId, t.hops])).toEqual([
        [other, 1],
        [TRACE, 5],
      ]);
      // Past the cap (10, trimmed a tenth at a time): the trimmed events leave the memory with the table.
      for (let i = 7; i <= 16; i++) traces.record(hop(i));
      traces.flush();
      expect(traces.events(TRACE).map((e) => e.operation)).toEqual(
        store
          .all<{ operation: string }>('SELECT operation FROM trace_events WHERE trace_id = ? ORDER BY id', TRACE)
          .map((r) => r.operation),
      );
      expect(traces.events(TRACE)).toHaveLength(10);
      expect(traces.events(other)).toEqual([]);
      expect(traces.recent().map((t) => t.traceId)).toEqual([TRACE]);
      // A new store object reads the memory from the table.
      expect(new TraceStore(store, 10).events(TRACE)).toHaveLength(10);
      traces.clear();
      expect(traces.events(TRACE)).toEqual([]);
      expect(traces.recent()).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('titles a trace by its first request from outside, not the lookup made inside it and recorded first', () => {
    const store = openStore({ name: 'traces-title', dataDir: tmp });
    try {
      const traces = new TraceStore(store);
      const T = 'ef'.repeat(16);
      const at = (s: number) => `2027-01-01T00:00:0${s}.000Z`;
      const e = (spanId: string, parentSpanId: string, operation: string, time: string): TraceEvent => ({
        traceId: T,
        spanId,
        parentSpanId,
        time,
        component: 'hub',
        operation,
        direction: 'inbound',
      });
      // a request is recorded when it ends: the registry lookup made inside GET /oidc/authorize comes first
      traces.record(e('b'.repeat(16), 'a'.repeat(16), 'GET /registry/nodes/EE', at(1)));
      traces.record(e('a'.repeat(16), '0'.repeat(15) + '1', 'GET /oidc/authorize', at(2)));
      traces.record(e('c'.repeat(16), '0'.repeat(15) + '2', 'GET /eid/proxy/EE/authorize', at(3)));
      const [summary] = traces.recent();
      expect([summary?.firstOperation, summary?.firstRequest]).toEqual([
        'GET /registry/nodes/EE',
        'GET /oidc/authorize',
      ]);
    } finally {
      store.close();
    }
  });

  it('a full disk fails no request: the write is logged, the events kept, and read once there is room', async () => {
    const store = openStore({ name: 'traces-full', dataDir: tmp });
    try {
      const logger = createMemoryLogger('warn');
      const traces = new TraceStore(store, 50_000, { logger });
      traces.record(hop(0));
      traces.flush();
      store.setMaxBytes(store.sizeBytes());
      for (let i = 1; i <= 40; i++) expect(() => traces.record(hop(i))).not.toThrow();
      await turn();
      expect(logger.lines).toContainEqual(
        expect.objectContaining({
          level: 'error',
          queue: 'trace_events',
          msg: expect.stringMatching(/refuses writes/),
        }),
      );
      expect(rows(store)).toBe(1);
      store.setMaxBytes(0);
      expect(traces.events(TRACE)).toHaveLength(41);
    } finally {
      store.close();
    }
  });

  it('keeps the most recent events up to its cap, the oldest dropped a tenth of the cap at a time, also after a restart', () => {
    const ids = (s: Store) =>
      s.all<{ operation: string }>('SELECT operation FROM trace_events ORDER BY id').map((r) => r.operation);
    const store = openStore({ name: 'traces-cap', dataDir: tmp });
    const traces = new TraceStore(store, 100);
    const record = (from: number, to: number) => {
      for (let i = from; i < to; i++) traces.record(hop(i));
      traces.flush();
    };
    record(0, 100);
    expect(rows(store)).toBe(100);
    // Past the cap: nothing dropped until a tenth of the cap more is recorded, then the store is back at its cap.
    record(100, 109);
    expect(rows(store)).toBe(109);
    record(109, 110);
    expect(ids(store)).toEqual(Array.from({ length: 100 }, (_, k) => `op ${k + 10}`));
    record(110, 125);
    expect(rows(store)).toBeLessThanOrEqual(110);
    expect(ids(store).at(-1)).toBe('op 124');
    store.close();
    // A new process trims what is over the cap with its first batch.
    const again = openStore({ name: 'traces-cap', dataDir: tmp });
    try {
      const more = new TraceStore(again, 50);
      more.record(hop(125));
      more.flush();
      expect(ids(again)).toEqual(Array.from({ length: 50 }, (_, k) => `op ${k + 76}`));
    } finally {
      again.close();
    }
  });

  it('what is queued when the store closes (the shutdown path) is on the file when it opens again', () => {
    const store = openStore({ name: 'traces-close', dataDir: tmp });
    const traces = new TraceStore(store);
    for (let i = 0; i < 5; i++) traces.record(hop(i));
    store.close();
    const again = openStore({ name: 'traces-close', dataDir: tmp });
    try {
      expect(new TraceStore(again).events(TRACE)).toHaveLength(5);
    } finally {
      again.close();
    }
  });
});
