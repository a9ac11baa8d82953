import { type Store, WriteBehindQueue } from '@kakehashi/core';

/** Expired entries are purged at most this often (virtual clock): a purge per lookup would scan on every token. */
export const REPLAY_PURGE_INTERVAL_SECONDS = 60;

/** A replay table of the component's store: `(issuer, <keyColumn>) → expires_at` (seconds). */
export interface ReplayTable {
  table: 'jwt_replay' | 'saml_replay';
  keyColumn: 'key' | 'assertion_id';
}

type Entry = readonly [issuer: string, key: string, expiresAt: number];

/**
 * The replay entries of one table of one store, held in memory and written behind to the store. The memory is the
 * answer to every lookup — a token is refused the moment it was remembered, whichever request asks next, so no
 * lookup needs SQLite — and the store keeps the entries for a restart: they are written behind the request
 * (core's `WriteBehindQueue`: batched, one transaction per batch, before any other transaction on the store, before
 * the store closes, so on SIGTERM too) and read back once when a process first uses the table. A disk that refuses
 * writes fails `remember` once the queue is full (`refuse`), as a refused INSERT did. Every cache opened on the same
 * store and table shares one memory; `forgetReplayMemory` empties it with the table (`POST /admin/reset`).
 */
class ReplayMemory {
  readonly #store: Store;
  readonly #spec: ReplayTable;
  readonly #entries = new Map<string, number>();
  readonly #queue: WriteBehindQueue<Entry>;
  #purgedAt = Number.NEGATIVE_INFINITY;

  constructor(store: Store, spec: ReplayTable) {
    this.#store = store;
    this.#spec = spec;
    const insert = `INSERT INTO ${spec.table} (issuer, ${spec.keyColumn}, expires_at) VALUES (?, ?, ?)`;
    this.#queue = new WriteBehindQueue<Entry>(store, {
      name: spec.table,
      write: (batch) => {
        for (const [issuer, key, expiresAt] of batch) store.run(insert, issuer, key, expiresAt);
      },
      // Never dropped: a lost entry would let its token be replayed after a restart.
      whenFull: 'refuse',
    });
    this.#load();
  }

  /** True when `key` was remembered for `issuer` and has not expired at `now` (seconds). */
  seen(issuer: string, key: string, now: number): boolean {
    if (Math.abs(now - this.#purgedAt) >= REPLAY_PURGE_INTERVAL_SECONDS) this.#purge(now);
    const expiresAt = this.#entries.get(id(issuer, key));
    return expiresAt !== undefined && expiresAt >= now;
  }

  /** Remembers `key` for `issuer` until `expiresAt` (seconds): at once in memory, written behind to the store. */
  remember(issuer: string, key: string, expiresAt: number): void {
    // Queued first: when the store refuses (a full disk, queue full) the request fails and nothing is half-kept.
    this.#queue.push([issuer, key, expiresAt]);
    this.#entries.set(id(issuer, key), expiresAt);
  }

  /** Forgets every entry, in memory and (what is queued) in the store; the caller empties the table. */
  forget(): void {
    this.#queue.flush();
    this.#entries.clear();
  }

  /** Expired entries leave the memory and the table. */
  #purge(now: number): void {
    for (const [k, expiresAt] of this.#entries) if (expiresAt < now) this.#entries.delete(k);
    this.#store.run(`DELETE FROM ${this.#spec.table} WHERE expires_at < ?`, now);
    this.#purgedAt = now;
  }

  /** What an earlier process (or an earlier cache on this store) remembered, read once. */
  #load(): void {
    this.#store.flushPending();
    // An entry appended twice (remembered again after a reset of the memory alone) counts with its latest expiry.
    const rows = this.#store.all<{ issuer: string; k: string; expires_at: number }>(
      `SELECT issuer, ${this.#spec.keyColumn} AS k, MAX(expires_at) AS expires_at FROM ${this.#spec.table} GROUP BY issuer, k`,
    );
    for (const r of rows) this.#entries.set(id(r.issuer, r.k), r.expires_at);
  }
}

const id = (issuer: string, key: string) => `${issuer}\u0000${key}`;

/**
 * The migration that makes a replay table append-only: its rows as they were, no key over (issuer, id), the expiry
 * index kept. Every lookup is answered from memory and the table is read whole once per process, so a key served
 * nothing but every insert: nonces and assertion IDs are random, and each insert rewrote a random page of the key's
 * index — 7 to 14 µs of CPU per token on a file store, growing with the table, against ~1 µs appended.
 */
export function appendOnlyReplayTable(table: ReplayTable['table'], keyColumn: ReplayTable['keyColumn']): string {
  return `CREATE TABLE ${table}_appended (issuer TEXT NOT NULL, ${keyColumn} TEXT NOT NULL, expires_at INTEGER NOT NULL);
          INSERT INTO ${table}_appended (issuer, ${keyColumn}, expires_at) SELECT issuer, ${keyColumn}, expires_at FROM ${table};
          DROP TABLE ${table};
          ALTER TABLE ${table}_appended RENAME TO ${table};
          CREATE INDEX ${table}_expires ON ${table} (expires_at);`;
}

const MEMORIES = new WeakMap<Store, Map<string, ReplayMemory>>();

/** The replay memory of `spec` on `store` (one per store and table; created and loaded on first use). */
export function replayMemory(store: Store, spec: ReplayTable): ReplayMemory {
  let byTable = MEMORIES.get(store);
  if (!byTable) {
    byTable = new Map();
    MEMORIES.set(store, byTable);
  }
  let m = byTable.get(spec.table);
  if (!m) {
    m = new ReplayMemory(store, spec);
    byTable.set(spec.table, m);
  }
  return m;
}

/**
 * Empties the replay memory of `table` on `store`: called where that table is emptied (`POST /admin/reset`), so that
 * a reset forgets in memory what it deletes from the store.
 */
export function forgetReplayMemory(store: Store, table: ReplayTable['table']): void {
  MEMORIES.get(store)?.get(table)?.forget();
}
