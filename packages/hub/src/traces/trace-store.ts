import {
  type Logger,
  type Migration,
  type Store,
  type TraceEvent,
  type TraceSink,
  WriteBehindQueue,
} from '@kakehashi/core';

export const TRACE_MIGRATIONS: Migration[] = [
  {
    id: 'hub/traces/001',
    up: `CREATE TABLE trace_events (id INTEGER PRIMARY KEY, trace_id TEXT NOT NULL, span_id TEXT NOT NULL, time TEXT NOT NULL,
         component TEXT NOT NULL, country TEXT, operation TEXT NOT NULL, event TEXT NOT NULL);
         CREATE INDEX trace_events_trace ON trace_events (trace_id, id);`,
  },
  // A trace's first request from outside (its title) is the first inbound event whose parent span is none of
  // the trace's own: looked up by span.
  { id: 'hub/traces/002', up: 'CREATE INDEX trace_events_span ON trace_events (trace_id, span_id);' },
  // One index per event, not two: (trace_id, span_id) finds a trace's events as well (its entries carry the rowid;
  // a trace's few events are sorted after the lookup). Trace ids are random, so every index puts each event on
  // another page: the second index cost about a third of each batch's writes.
  { id: 'hub/traces/003', up: 'DROP INDEX IF EXISTS trace_events_trace;' },
  // No index at all: a trace's events are found through the store's memory of their rowids (see TraceStore). The
  // (trace_id, span_id) index put every event on a random page of it — a page more written per batch and event,
  // about as much as a 4 KB event's own rows (measured: ~80 → ~54 µs of CPU per pair of events on a file store).
  { id: 'hub/traces/004', up: 'DROP INDEX IF EXISTS trace_events_span;' },
];

const INSERT =
  'INSERT INTO trace_events (trace_id, span_id, time, component, country, operation, event) VALUES (?,?,?,?,?,?,?)';

/** One trace event as it is inserted (serialised when recorded: later changes to the object do not count). */
type Row = [
  traceId: string,
  spanId: string,
  time: string,
  component: string,
  country: string | null,
  operation: string,
  event: string,
];

/**
 * The hub's store of trace events from every component (bounded: it keeps the most recent `max` events, at most a
 * tenth more between two trims; the oldest are dropped). Events are written
 * behind the request (core's {@link WriteBehindQueue}: batched, one transaction per batch); every read writes what
 * was recorded before it first, so GET /traces and the console see every hop. While the disk refuses writes, up to
 * 10,000 events wait; past that the oldest are dropped, counted and logged.
 *
 * The table has no index: trace ids are random, and an index on them wrote a random page per event. A trace's events
 * are found by their rowids, which the store keeps in memory per trace — read from the table on the first read
 * (so a store that is only written, the bench's or a quiet hub's, holds none), kept up to date by every insert and
 * trim after that. Every lookup still names the trace (`trace_id = ?`), so a rowid the memory holds wrongly (one
 * rolled back and taken again) can only cost a row read, never show another trace's event. The hub's process is the
 * only writer of its store's file (core's store lock).
 */
export class TraceStore implements TraceSink {
  readonly #store: Store;
  readonly #max: number;
  /** Events between two trims: a tenth of the cap (see the constructor). */
  readonly #trimEvery: number;
  readonly #queue: WriteBehindQueue<Row>;
  #sinceTrim: number;
  /** Each trace's rowids, ascending; undefined until the first read (see the class). */
  #rowids: Map<string, number[]> | undefined;

  constructor(store: Store, max = 50_000, options: { logger?: Logger } = {}) {
    this.#store = store;
    this.#max = max;
    // The oldest events go in chunks of a tenth of the cap, not a few at a time: a trace's events sit on random
    // pages of the (trace_id, span_id) index, and a chunk of 5,000 deletions touches each index page about once where
    // 1,000 touched most of them each time (at the cap, ~35 → ~29 µs of CPU per 4 KB event recorded).
    this.#trimEvery = Math.max(1, Math.ceil(max / 10));
    // The first batch trims what an earlier process left over the cap (a process restarted more often than a tenth
    // of the cap is recorded would otherwise never trim).
    this.#sinceTrim = this.#trimEvery;
    store.migrate(TRACE_MIGRATIONS);
    this.#queue = new WriteBehindQueue<Row>(store, {
      name: 'trace_events',
      write: (rows) => this.#insert(rows),
      whenFull: 'drop-oldest',
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }

  record(e: TraceEvent): void {
    this.#queue.push([e.traceId, e.spanId, e.time, e.component, e.country ?? null, e.operation, JSON.stringify(e)]);
  }

  /** Writes the events recorded so far (they are written behind the request otherwise). */
  flush(): void {
    this.#queue.flush();
  }

  #insert(rows: readonly Row[]): void {
    const byTrace = this.#rowids;
    let last = 0;
    for (const row of rows) {
      last = Number(this.#store.run(INSERT, ...row).lastInsertRowid);
      if (byTrace) {
        const ids = byTrace.get(row[0]);
        if (ids) ids.push(last);
        else byTrace.set(row[0], [last]);
      }
    }
    this.#sinceTrim += rows.length;
    if (this.#sinceTrim >= this.#trimEvery) {
      this.#sinceTrim = 0;
      // The newest row is the one just inserted: everything more than the cap below it goes.
      const below = last - this.#max;
      this.#store.run('DELETE FROM trace_events WHERE id <= ?', below);
      if (byTrace) forgetUpTo(byTrace, below);
    }
  }

  /** Each trace's rowids, read from the table once (after what waits is written), kept up to date from then on. */
  #index(): Map<string, number[]> {
    this.flush();
    if (!this.#rowids) {
      const byTrace = new Map<string, number[]>();
      for (const r of this.#store.all<{ id: number; trace_id: string }>(
        'SELECT id, trace_id FROM trace_events ORDER BY id',
      )) {
        const ids = byTrace.get(r.trace_id);
        if (ids) ids.push(r.id);
        else byTrace.set(r.trace_id, [r.id]);
      }
      this.#rowids = byTrace;
    }
    return this.#rowids;
  }

  /**
   * The most recent traces, newest first, with their first recorded operation, their first request (the first
   * inbound event whose parent span is not in the trace: what the trace is, where the first recorded event is
   * often a lookup made inside that request, recorded first because a request is recorded when it ends) and hop
   * count.
   */
  recent(limit = 50): {
    traceId: string;
    started: string;
    firstOperation: string;
    firstRequest: string;
    hops: number;
    components: string[];
  }[] {
    const byTrace = this.#index();
    // The traces with the newest events: the last rowid of each, highest first.
    const newest = [...byTrace]
      .map(([traceId, ids]) => ({ traceId, last: ids[ids.length - 1] as number }))
      .sort((a, b) => b.last - a.last)
      .slice(0, Math.max(0, Math.min(limit, 500)));
    const ids = newest.flatMap((t) => byTrace.get(t.traceId) ?? []);
    const rows = this.#store.all<{
      id: number;
      trace_id: string;
      span_id: string;
      time: string;
      component: string;
      country: string | null;
      operation: string;
      direction: unknown;
      parent: unknown;
    }>(
      `SELECT id, trace_id, span_id, time, component, country, operation, json_extract(event, '$.direction') AS direction,
              json_extract(event, '$.parentSpanId') AS parent
       FROM trace_events WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`,
      JSON.stringify(ids),
    );
    const byId = new Map<string, typeof rows>();
    for (const r of rows) {
      const list = byId.get(r.trace_id);
      if (list) list.push(r);
      else byId.set(r.trace_id, [r]);
    }
    const out: ReturnType<TraceStore['recent']> = [];
    for (const { traceId } of newest) {
      const events = byId.get(traceId);
      const first = events?.[0];
      if (!events || !first) continue;
      const spans = new Set(events.map((e) => e.span_id));
      const outside = events
        .filter((e) => e.direction === 'inbound' && !(typeof e.parent === 'string' && spans.has(e.parent)))
        .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.id - b.id))[0];
      // The earliest time (ISO strings, compared as text as SQLite's MIN did).
      let started = first.time;
      for (const e of events) if (e.time < started) started = e.time;
      out.push({
        traceId,
        started,
        firstOperation: first.operation,
        firstRequest: outside?.operation ?? first.operation,
        hops: events.length,
        components: [...new Set(events.map((e) => e.component + (e.country === null ? '' : `:${e.country}`)))],
      });
    }
    return out;
  }

  events(traceId: string): TraceEvent[] {
    const ids = this.#index().get(traceId);
    if (!ids) return [];
    return this.#store
      .all<{ event: string }>(
        'SELECT event FROM trace_events WHERE id IN (SELECT value FROM json_each(?)) AND trace_id = ? ORDER BY time, id',
        JSON.stringify(ids),
        traceId,
      )
      .map((r) => JSON.parse(r.event) as TraceEvent);
  }

  clear(): void {
    this.flush();
    this.#store.run('DELETE FROM trace_events');
    this.#rowids?.clear();
  }
}

/** Forgets the rowids up to `below` (trimmed from the table), and the traces left with none. */
function forgetUpTo(byTrace: Map<string, number[]>, below: number): void {
  for (const [traceId, ids] of byTrace) {
    let k = 0;
    while (k < ids.length && (ids[k] as number) <= below) k++;
    if (k === ids.length) byTrace.delete(traceId);
    else if (k > 0) ids.splice(0, k);
  }
}
