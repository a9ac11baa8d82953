import { createHash } from 'node:crypto';
import type { Clock } from '../clock/index.ts';
import type { Logger } from '../log/index.ts';
import { type Store, WriteBehindQueue } from '../store/index.ts';

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
  // Built in one string, without the arrays of entries a functional form makes (every audit append hashes one).
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += `${i === 0 ? '' : ','}${canonicalJson(value[i])}`;
    return `${out}]`;
  }
  const members = value as Record<string, unknown>;
  // Sorted by UTF-16 code units, as `<` compares strings.
  const keys = Object.keys(members).sort();
  let out = '{';
  for (const k of keys) {
    const v = members[k];
    if (v === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

function entryHash(prevHash: string, e: Omit<AuditEntry, 'hash' | 'prevHash'>): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(e)).digest('hex');
}

/** The chain of one audit table on one store, shared by every {@link AuditLog} opened on them. */
interface Chain {
  queue: WriteBehindQueue<Queued>;
  /** The last entry appended (queued or written); undefined: read it from the table. */
  head: { seq: number; hash: string } | undefined;
}

/** An entry waiting to be written, with its details as the JSON text stored (made once, when appended). */
interface Queued {
  entry: AuditEntry;
  detailsJson: string;
}

const chains = new WeakMap<Store, Map<string, Chain>>();

/**
 * An append-only, hash-chained audit log on the component's store: each entry's hash covers the previous
 * entry's hash and its own canonical content, so deleting, reordering or editing any entry is detected by
 * `verify()`.
 *
 * Appends are written behind the request (core's {@link WriteBehindQueue}: batched, one transaction per batch,
 * flushed before any transaction on the store, before reads and at close): `append` links the entry to the chain's
 * head in memory, in call order, and queues it. Inside a transaction it is written at once, in that transaction
 * (so a rollback takes it along, as it takes the action it records). Every log opened on the same store and table
 * shares one chain. Should the table change underneath (a reset that empties it), queued entries are relinked to
 * the head actually stored when they are written, so the chain stays whole and verifiable.
 */
export class AuditLog {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #table: string;
  readonly #chain: Chain;

  constructor(store: Store, clock: Clock, table = 'audit_log', options: { logger?: Logger } = {}) {
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
    const byTable = chains.get(store) ?? new Map<string, Chain>();
    chains.set(store, byTable);
    let chain = byTable.get(table);
    if (!chain) {
      chain = {
        head: undefined,
        queue: new WriteBehindQueue<Queued>(store, {
          name: table,
          write: (batch) => this.#insert(batch),
          // Refuse, never drop: a gap would break the chain. A full disk fails the request (507) as before.
          whenFull: 'refuse',
          ...(options.logger ? { logger: options.logger } : {}),
        }),
      };
      byTable.set(table, chain);
    }
    this.#chain = chain;
  }

  /**
   * Appends an entry, linked to the previous one, and returns it as it will be stored. Written behind the request
   * (or at once inside a transaction); {@link list} and {@link verify} see it.
   */
  append(input: AuditEntryInput): AuditEntry {
    const chain = this.#chain;
    const direct = this.#store.inTransaction && chain.queue.size === 0;
    // Without a head in memory the queue is empty (every queued entry becomes the head): the table has it.
    if (!chain.head || direct) chain.head = this.#storedHead();
    const head = chain.head ?? { seq: 0, hash: GENESIS };
    const detailsJson = JSON.stringify(input.details ?? {});
    const body = {
      seq: head.seq + 1,
      time: this.#clock.now().toISOString(),
      actor: input.actor,
      action: input.action,
      subject: input.subject ?? null,
      outcome: input.outcome,
      // Hash what is stored: the JSON form (a Date becomes its ISO string, undefined members go), else verify fails.
      details: JSON.parse(detailsJson) as Record<string, unknown>,
      traceId: input.traceId ?? null,
    };
    const entry: AuditEntry = { ...body, prevHash: head.hash, hash: entryHash(head.hash, body) };
    if (direct) {
      this.#insert([{ entry, detailsJson }]);
      // The enclosing transaction may still roll back: read the head again next time.
      chain.head = undefined;
    } else {
      chain.queue.push({ entry, detailsJson });
      chain.head = entry;
    }
    // The caller's own copy of the details: parsed again from the text stored (cheaper than a structured clone).
    return { ...entry, details: JSON.parse(detailsJson) as Record<string, unknown> };
  }

  /** Writes the entries appended so far (they are written behind the request otherwise). */
  flush(): void {
    this.#chain.queue.flush();
  }

  #storedHead(): { seq: number; hash: string } | undefined {
    return this.#store.get<{ seq: number; hash: string }>(
      `SELECT seq, hash FROM ${this.#table} ORDER BY seq DESC LIMIT 1`,
    );
  }

  /** Inserts entries in order (in the caller's transaction), relinking them to the stored head when it moved. */
  #insert(batch: readonly Queued[]): void {
    let prev = this.#storedHead() ?? { seq: 0, hash: GENESIS };
    for (const { entry: e, detailsJson } of batch) {
      if (e.seq !== prev.seq + 1 || e.prevHash !== prev.hash) {
        const { hash: _h, prevHash: _p, ...body } = e;
        body.seq = prev.seq + 1;
        e.seq = body.seq;
        e.prevHash = prev.hash;
        e.hash = entryHash(prev.hash, body);
      }
      this.#store.run(
        `INSERT INTO ${this.#table} (seq, time, actor, action, subject, outcome, details, trace_id, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)`,
        e.seq,
        e.time,
        e.actor,
        e.action,
        e.subject,
        e.outcome,
        detailsJson,
        e.traceId,
        e.prevHash,
        e.hash,
      );
      prev = e;
    }
  }

  list(options: { afterSeq?: number; limit?: number } = {}): AuditEntry[] {
    this.flush();
    const rows = this.#store.all<Record<string, unknown>>(
      `SELECT * FROM ${this.#table} WHERE seq > ? ORDER BY seq LIMIT ?`,
      options.afterSeq ?? 0,
      Math.min(options.limit ?? 100, 1000),
    );
    return rows.map(toEntry);
  }

  verify(): AuditVerification {
    this.flush();
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
