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
];

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
 */
export class TraceStore implements TraceSink {
  readonly #store: Store;
  readonly #max: number;
  /** Events between two trims: a tenth of the cap (see the constructor). */
  readonly #trimEvery: number;
  readonly #queue: WriteBehindQueue<Row>;
  #sinceTrim: number;

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
    for (const row of rows)
      this.#store.run(
        'INSERT INTO trace_events (trace_id, span_id, time, component, country, operation, event) VALUES (?,?,?,?,?,?,?)',
        ...row,
      );
    this.#sinceTrim += rows.length;
    if (this.#sinceTrim >= this.#trimEvery) {
      this.#sinceTrim = 0;
      this.#store.run('DELETE FROM trace_events WHERE id <= (SELECT MAX(id) FROM trace_events) - ?', this.#max);
    }
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
    this.flush();
    return this.#store
      .all<{
        trace_id: string;
        started: string;
        first_op: string;
        first_request: string | null;
        hops: number;
        comps: string;
      }>(
        `SELECT trace_id, MIN(time) AS started, (SELECT operation FROM trace_events t2 WHERE t2.trace_id = t.trace_id ORDER BY id LIMIT 1) AS first_op,
                (SELECT operation FROM trace_events t2 WHERE t2.trace_id = t.trace_id
                   AND json_extract(t2.event, '$.direction') = 'inbound'
                   AND NOT EXISTS (SELECT 1 FROM trace_events t3 WHERE t3.trace_id = t2.trace_id
                                   AND t3.span_id = json_extract(t2.event, '$.parentSpanId'))
                 ORDER BY t2.time, t2.id LIMIT 1) AS first_request,
                COUNT(*) AS hops, GROUP_CONCAT(DISTINCT component || COALESCE(':' || country, '')) AS comps
         FROM trace_events t GROUP BY trace_id ORDER BY MAX(id) DESC LIMIT ?`,
        Math.min(limit, 500),
      )
      .map((r) => ({
        traceId: r.trace_id,
        started: r.started,
        firstOperation: r.first_op,
        firstRequest: r.first_request ?? r.first_op,
        hops: Number(r.hops),
        components: r.comps.split(','),
      }));
  }

  events(traceId: string): TraceEvent[] {
    this.flush();
    return this.#store
      .all<{ event: string }>('SELECT event FROM trace_events WHERE trace_id = ? ORDER BY time, id', traceId)
      .map((r) => JSON.parse(r.event) as TraceEvent);
  }

  clear(): void {
    this.flush();
    this.#store.run('DELETE FROM trace_events');
  }
}
