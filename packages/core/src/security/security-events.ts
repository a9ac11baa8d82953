import { randomUUID } from 'node:crypto';
import type { z } from '@hono/zod-openapi';
import type { Clock } from '../clock/index.ts';
import { KakehashiError } from '../errors/index.ts';
import { createLogger, type Logger } from '../log/index.ts';
import { type Store, WriteBehindQueue } from '../store/index.ts';
import { Watchlist } from './watchlist.ts';
import {
  type SecurityEvent,
  type SecurityEventInput,
  SecurityEventInputSchema,
  type SecurityEventQuery,
  type Severity,
  severityRank,
  VALIDATED_INPUTS,
} from './z-security-event.ts';

/** When a burst of refusals from one peer becomes an event of its own (brute force, scanning, a replay storm). */
export interface PatternRule {
  /** Refusals from one peer (or of one rule, when the peer is unknown) within the window that make a pattern. */
  threshold: number;
  /** The window on the virtual clock, in seconds. */
  windowSeconds: number;
}

export interface SecurityEventsOptions {
  store: Store;
  clock: Clock;
  component: 'hub' | 'node';
  country?: string | undefined;
  logger?: Logger;
  /** Default: 10 refusals from one peer within 60 s. */
  pattern?: PatternRule;
  /** Events kept in the store (oldest deleted first; default 20,000). */
  retain?: number;
}

/** The rule of the event a burst of refusals raises. */
export const RATE_PATTERN_RULE = 'rate-pattern (brute force or scanning)';

const MIGRATION = {
  id: 'core/security_events/001',
  up: `CREATE TABLE security_events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, time TEXT NOT NULL,
       time_ms INTEGER NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL, severity_rank INTEGER NOT NULL,
       artefact_hash TEXT, peer TEXT, trace_id TEXT, detail TEXT NOT NULL);
       CREATE INDEX security_events_time ON security_events (time_ms)`,
};

interface Row {
  seq: number;
  id: string;
  time: string;
  rule: string;
  severity: string;
  artefact_hash: string | null;
  peer: string | null;
  trace_id: string | null;
  detail: string;
}

/**
 * A component's security events: every refusal its blocks make, as a structured record — rule, severity, the
 * artefact's SHA-256 (never the artefact), peer, trace id, virtual-clock time — appended to the component's store
 * behind the request (core's {@link WriteBehindQueue}, dropping the oldest when the disk refuses: an observer
 * never fails the request it observes) and listed at `GET /security/events`. Inputs are checked against a closed
 * schema ({@link SecurityEventInputSchema}) that admits identifiers and codes only, so no personal data can be
 * recorded. A burst of refusals from one peer raises a pattern event of its own ({@link RATE_PATTERN_RULE}).
 * Listeners (the national CSIRT's inbox) hear every event as it is recorded.
 * @see https://eur-lex.europa.eu/eli/dir/2022/2555/oj (NIS2 art. 21(2)(b): incident handling starts with detection)
 */
export class SecurityEvents {
  readonly component: 'hub' | 'node';
  readonly country: string | undefined;
  /** The indicators this component refuses on (shared by the CSIRT network). */
  readonly watchlist: Watchlist;
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #queue: WriteBehindQueue<SecurityEvent & { timeMs: number }>;
  readonly #listeners: ((e: SecurityEvent) => void)[] = [];
  readonly #recent = new Map<string, number[]>();
  readonly #retain: number;
  #pattern: PatternRule;
  #seq: number;

  constructor(options: SecurityEventsOptions) {
    this.component = options.component;
    this.country = options.country;
    this.#store = options.store;
    this.#clock = options.clock;
    this.#logger = options.logger ?? createLogger({ level: 'warn' });
    this.#pattern = options.pattern ?? { threshold: 10, windowSeconds: 60 };
    this.#retain = options.retain ?? 20_000;
    this.#store.migrate([MIGRATION]);
    this.watchlist = new Watchlist(this.#store, this.#clock);
    this.#seq = this.#store.get<{ m: number | null }>('SELECT MAX(seq) AS m FROM security_events')?.m ?? 0;
    this.#queue = new WriteBehindQueue(this.#store, {
      name: 'security_events',
      write: (batch) => this.#insert(batch),
      whenFull: 'drop-oldest',
      logger: this.#logger,
    });
  }

  /** Changes the pattern rule (the CSIRT's configuration). */
  setPattern(rule: PatternRule): void {
    this.#pattern = rule;
  }

  /**
   * Records one event: checked against the closed schema (an input that carries anything but identifiers and
   * codes throws `security-event-invalid`), stamped with the component and the virtual clock, queued for the
   * store, told to the listeners. Returns the event as stored.
   */
  record(input: SecurityEventInput): SecurityEvent {
    const parsed = VALIDATED_INPUTS.has(input)
      ? { success: true as const, data: input as z.output<typeof SecurityEventInputSchema> }
      : SecurityEventInputSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new KakehashiError(
        'security-event-invalid',
        `A security event must carry identifiers and codes only: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'schema'}.`,
      );
    }
    const now = this.#clock.now();
    const event: SecurityEvent = {
      id: `sev--${randomUUID()}`,
      seq: ++this.#seq,
      time: now.toISOString(),
      component: this.component,
      ...(this.country ? { country: this.country } : {}),
      ...parsed.data,
    };
    this.#queue.push({ ...event, timeMs: now.getTime() });
    for (const l of this.#listeners) {
      try {
        l(event);
      } catch (e) {
        this.#logger.error('security event listener failed', { reason: e instanceof Error ? e.message : String(e) });
      }
    }
    if (event.rule !== RATE_PATTERN_RULE) this.#watchPattern(event, now.getTime());
    return event;
  }

  /** Called with every event recorded from now on (the national CSIRT's inbox). Returns what unsubscribes. */
  onRecord(listener: (e: SecurityEvent) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  /** Events matching the query, oldest first (what is queued is written first, so a read sees every event). */
  list(query: Partial<SecurityEventQuery> = {}): SecurityEvent[] {
    this.#queue.flush();
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.since) {
      where.push('time_ms >= ?');
      params.push(new Date(query.since).getTime());
    }
    if (query.rule) {
      where.push('rule = ?');
      params.push(query.rule);
    }
    if (query.severity) {
      where.push('severity_rank >= ?');
      params.push(severityRank(query.severity));
    }
    if (query.afterSeq !== undefined) {
      where.push('seq > ?');
      params.push(query.afterSeq);
    }
    const rows = this.#store.all<Row>(
      `SELECT seq, id, time, rule, severity, artefact_hash, peer, trace_id, detail FROM security_events
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq LIMIT ?`,
      ...params,
      query.limit ?? 200,
    );
    return rows.map((r) => ({
      id: r.id,
      seq: r.seq,
      time: r.time,
      component: this.component,
      ...(this.country ? { country: this.country } : {}),
      rule: r.rule,
      severity: r.severity as Severity,
      ...(r.artefact_hash ? { artefactHash: r.artefact_hash } : {}),
      ...(r.peer ? { peer: r.peer } : {}),
      ...(r.trace_id ? { traceId: r.trace_id } : {}),
      detail: JSON.parse(r.detail) as SecurityEvent['detail'],
    }));
  }

  /** Forgets every event and every indicator acted on (the component's reset). */
  clear(): void {
    this.#queue.flush();
    this.#store.run('DELETE FROM security_events');
    this.#recent.clear();
    this.watchlist.clear();
  }

  /** Writes what is queued (the component's close). */
  flush(): void {
    this.#queue.flush();
  }

  #insert(batch: readonly (SecurityEvent & { timeMs: number })[]): void {
    for (const e of batch)
      this.#store.run(
        `INSERT INTO security_events (seq, id, time, time_ms, rule, severity, severity_rank, artefact_hash, peer,
         trace_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        e.seq,
        e.id,
        e.time,
        e.timeMs,
        e.rule,
        e.severity,
        severityRank(e.severity),
        e.artefactHash ?? null,
        e.peer ?? null,
        e.traceId ?? null,
        JSON.stringify(e.detail),
      );
    const last = batch[batch.length - 1];
    if (last && last.seq > this.#retain)
      this.#store.run('DELETE FROM security_events WHERE seq <= ?', last.seq - this.#retain);
  }

  /**
   * Counts refusals per peer (or per rule when the peer is unknown) in a sliding window on the virtual clock; the
   * refusal that reaches the threshold raises one pattern event, and the count starts again.
   */
  #watchPattern(e: SecurityEvent, nowMs: number): void {
    const key = e.peer ? `peer:${e.peer}` : `rule:${e.rule}`;
    const windowMs = this.#pattern.windowSeconds * 1000;
    let times = this.#recent.get(key);
    if (!times) {
      times = [];
      this.#recent.set(key, times);
    }
    // Instants in order: a clock set back starts the count again; those out of the window leave from the front.
    if (times.length > 0 && nowMs < (times[times.length - 1] as number)) times.length = 0;
    while (times.length > 0 && (times[0] as number) <= nowMs - windowMs) times.shift();
    times.push(nowMs);
    if (times.length < this.#pattern.threshold) {
      if (this.#recent.size > 10_000) this.#recent.delete(this.#recent.keys().next().value as string);
      return;
    }
    this.#recent.delete(key);
    this.record({
      rule: RATE_PATTERN_RULE,
      severity: 'high',
      ...(e.peer ? { peer: e.peer } : {}),
      ...(e.traceId ? { traceId: e.traceId } : {}),
      detail: { count: times.length, windowSeconds: this.#pattern.windowSeconds, basedOn: e.rule },
    });
  }
}
