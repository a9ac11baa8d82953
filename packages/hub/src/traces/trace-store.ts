import type { Migration, Store, TraceEvent, TraceSink } from '@kakehashi/core';

export const TRACE_MIGRATIONS: Migration[] = [
  {
    id: 'hub/traces/001',
    up: `CREATE TABLE trace_events (id INTEGER PRIMARY KEY, trace_id TEXT NOT NULL, span_id TEXT NOT NULL, time TEXT NOT NULL,
         component TEXT NOT NULL, country TEXT, operation TEXT NOT NULL, event TEXT NOT NULL);
         CREATE INDEX trace_events_trace ON trace_events (trace_id, id);`,
  },
];

/** The hub's store of trace events from every component (bounded: the oldest are dropped). */
export class TraceStore implements TraceSink {
  readonly #store: Store;
  readonly #max: number;
  #sinceTrim = 0;

  constructor(store: Store, max = 50_000) {
    this.#store = store;
    this.#max = max;
    store.migrate(TRACE_MIGRATIONS);
  }

  record(e: TraceEvent): void {
    this.#store.run(
      'INSERT INTO trace_events (trace_id, span_id, time, component, country, operation, event) VALUES (?,?,?,?,?,?,?)',
      e.traceId,
      e.spanId,
      e.time,
      e.component,
      e.country ?? null,
      e.operation,
      JSON.stringify(e),
    );
    if (++this.#sinceTrim >= 1000) {
      this.#sinceTrim = 0;
      this.#store.run('DELETE FROM trace_events WHERE id <= (SELECT MAX(id) FROM trace_events) - ?', this.#max);
    }
  }

  /** The most recent traces, newest first, with their first operation and hop count. */
  recent(
    limit = 50,
  ): { traceId: string; started: string; firstOperation: string; hops: number; components: string[] }[] {
    return this.#store
      .all<{ trace_id: string; started: string; first_op: string; hops: number; comps: string }>(
        `SELECT trace_id, MIN(time) AS started, (SELECT operation FROM trace_events t2 WHERE t2.trace_id = t.trace_id ORDER BY id LIMIT 1) AS first_op,
                COUNT(*) AS hops, GROUP_CONCAT(DISTINCT component || COALESCE(':' || country, '')) AS comps
         FROM trace_events t GROUP BY trace_id ORDER BY MAX(id) DESC LIMIT ?`,
        Math.min(limit, 500),
      )
      .map((r) => ({
        traceId: r.trace_id,
        started: r.started,
        firstOperation: r.first_op,
        hops: Number(r.hops),
        components: r.comps.split(','),
      }));
  }

  events(traceId: string): TraceEvent[] {
    return this.#store
      .all<{ event: string }>('SELECT event FROM trace_events WHERE trace_id = ? ORDER BY time, id', traceId)
      .map((r) => JSON.parse(r.event) as TraceEvent);
  }

  clear(): void {
    this.#store.run('DELETE FROM trace_events');
  }
}
