import { createHash } from 'node:crypto';
import type { Clock } from '../clock/index.ts';
import type { Store } from '../store/index.ts';

export interface AuditEntryInput {
  actor: string;
  action: string;
  subject?: string;
  outcome: 'success' | 'refused' | 'error';
  details?: Record<string, unknown>;
  traceId?: string | undefined;
}

export interface AuditEntry extends Required<Omit<AuditEntryInput, 'traceId' | 'subject'>> {
  seq: number;
  time: string;
  subject: string | null;
  traceId: string | null;
  prevHash: string;
  hash: string;
}

export interface AuditVerification {
  valid: boolean;
  count: number;
  head: string;
  /** The first entry whose hash or link does not verify. */
  brokenAt?: number;
  reason?: string;
}

const GENESIS = '0'.repeat(64);

/** Deterministic JSON (sorted keys), so the hash of an entry does not depend on property order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

function entryHash(prevHash: string, e: Omit<AuditEntry, 'hash' | 'prevHash'>): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(e)).digest('hex');
}

/**
 * An append-only, hash-chained audit log on the component's store: each entry's hash covers the previous
 * entry's hash and its own canonical content, so deleting, reordering or editing any entry is detected by
 * `verify()`.
 */
export class AuditLog {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #table: string;

  constructor(store: Store, clock: Clock, table = 'audit_log') {
    if (!/^[a-z_]+$/.test(table)) throw new RangeError('audit table name must be [a-z_]+');
    this.#store = store;
    this.#clock = clock;
    this.#table = table;
    store.migrate([
      {
        id: `core/${table}/001`,
        up: `CREATE TABLE ${table} (seq INTEGER PRIMARY KEY, time TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
             subject TEXT, outcome TEXT NOT NULL, details TEXT NOT NULL, trace_id TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)`,
      },
    ]);
  }

  append(input: AuditEntryInput): AuditEntry {
    return this.#store.transaction(() => {
      const last = this.#store.get<{ seq: number; hash: string }>(
        `SELECT seq, hash FROM ${this.#table} ORDER BY seq DESC LIMIT 1`,
      );
      const body = {
        seq: (last?.seq ?? 0) + 1,
        time: this.#clock.now().toISOString(),
        actor: input.actor,
        action: input.action,
        subject: input.subject ?? null,
        outcome: input.outcome,
        // Hash what is stored: the JSON form (a Date becomes its ISO string, undefined members go), else verify fails.
        details: JSON.parse(JSON.stringify(input.details ?? {})) as Record<string, unknown>,
        traceId: input.traceId ?? null,
      };
      const prevHash = last?.hash ?? GENESIS;
      const hash = entryHash(prevHash, body);
      this.#store.run(
        `INSERT INTO ${this.#table} (seq, time, actor, action, subject, outcome, details, trace_id, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)`,
        body.seq,
        body.time,
        body.actor,
        body.action,
        body.subject,
        body.outcome,
        JSON.stringify(body.details),
        body.traceId,
        prevHash,
        hash,
      );
      return { ...body, prevHash, hash };
    });
  }

  list(options: { afterSeq?: number; limit?: number } = {}): AuditEntry[] {
    const rows = this.#store.all<Record<string, unknown>>(
      `SELECT * FROM ${this.#table} WHERE seq > ? ORDER BY seq LIMIT ?`,
      options.afterSeq ?? 0,
      Math.min(options.limit ?? 100, 1000),
    );
    return rows.map(toEntry);
  }

  verify(): AuditVerification {
    let prev = GENESIS;
    let count = 0;
    let expectedSeq = 1;
    for (const row of this.#store.all<Record<string, unknown>>(`SELECT * FROM ${this.#table} ORDER BY seq`)) {
      const e = toEntry(row);
      const { hash, prevHash, ...body } = e;
      if (e.seq !== expectedSeq)
        return { valid: false, count, head: prev, brokenAt: e.seq, reason: `entry ${expectedSeq} is missing` };
      if (prevHash !== prev)
        return {
          valid: false,
          count,
          head: prev,
          brokenAt: e.seq,
          reason: `entry ${e.seq} does not link to the previous entry`,
        };
      if (entryHash(prev, body) !== hash)
        return { valid: false, count, head: prev, brokenAt: e.seq, reason: `entry ${e.seq} was altered` };
      prev = hash;
      count++;
      expectedSeq++;
    }
    return { valid: true, count, head: prev };
  }
}

function toEntry(r: Record<string, unknown>): AuditEntry {
  return {
    seq: Number(r.seq),
    time: String(r.time),
    actor: String(r.actor),
    action: String(r.action),
    subject: (r.subject as string | null) ?? null,
    outcome: r.outcome as AuditEntry['outcome'],
    details: JSON.parse(String(r.details)) as Record<string, unknown>,
    traceId: (r.trace_id as string | null) ?? null,
    prevHash: String(r.prev_hash),
    hash: String(r.hash),
  };
}
