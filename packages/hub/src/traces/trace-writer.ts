import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { Logger, Store } from '@kakehashi/core';

/** One trace event as it is inserted (serialised when recorded: later changes to the object do not count). */
export type TraceRow = [
  traceId: string,
  spanId: string,
  time: string,
  component: string,
  country: string | null,
  operation: string,
  event: string,
];

/** The insert and the trim both writers use (the event loop's queue in memory, the thread's on a file). */
export const INSERT_TRACE_EVENT =
  'INSERT INTO trace_events (trace_id, span_id, time, component, country, operation, event) VALUES (?,?,?,?,?,?,?)';
export const TRIM_TRACE_EVENTS = 'DELETE FROM trace_events WHERE id <= (SELECT MAX(id) FROM trace_events) - ?';

export interface TraceWriterOptions {
  /** The most recent events kept (see TraceStore). */
  max: number;
  /** Events between two trims. */
  trimEvery: number;
  /** Events per transaction, and the count at which a batch is handed over at once (default 256). */
  maxBatch?: number;
  /** The most events held while the store refuses writes; past it the oldest are dropped (default 10,000). */
  maxQueue?: number;
  logger: Logger;
}

/** Slots of the shared state the thread writes and the event loop reads. */
const HANDLED = 0; // the last batch the thread has handled (written, or kept because the store refused it)
const WRITTEN = 1; // the last batch whose events are all on the file
const HELD = 2; // events the thread holds unwritten (the store refuses them)
const CLOSED = 3; // 1 once the thread has closed its connection, 2 when it stopped on an error

/** How long a read waits for the thread at most before it answers from what is on the file (and says so). */
const FLUSH_WAIT_MS = 30_000;

/**
 * The writer thread: its own connection to the store's file (WAL: the event loop's connection reads and writes
 * beside it; `busy_timeout` waits out the other's write transaction), one transaction per batch, the trim in the
 * same transaction, the store's cap (`max_page_count`) as the event loop last set it. A batch the disk refuses
 * (full, read-only, failing, busy) is kept and retried with a growing delay; past `maxQueue` the oldest are dropped,
 * counted and reported; an event the insert itself refuses is written alone so that only it is lost. Source evaluated
 * as the worker, so that a bundle of the CLI carries it along (as core's WAL checkpointer); built-ins through
 * `process.getBuiltinModule`, because an evaluated worker is an ES module when its process was started with
 * `--input-type=module`, where `require` does not exist.
 */
const WORKER_SOURCE = `
const { workerData } = process.getBuiltinModule('node:worker_threads');
const { DatabaseSync } = process.getBuiltinModule('node:sqlite');
const { path, state, port, max, trimEvery, maxBatch, maxQueue, insertSql, trimSql } = workerData;
const DISK = new Set([5, 6, 8, 10, 13]);
let db, insert, trim, pageSize;
let held = [];
let sinceTrim = trimEvery;
let cap = -1;
let refused;
let retry;
let retryMs = 100;
let dropped = 0;
const report = (m) => port.postMessage(m);
const disk = (e) => e && typeof e.errcode === 'number' && DISK.has(e.errcode & 0xff);
function open() {
  db = new DatabaseSync(path);
  db.exec('PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL');
  insert = db.prepare(insertSql);
  trim = db.prepare(trimSql);
  pageSize = db.prepare('PRAGMA page_size').get().page_size;
}
function setCap(bytes) {
  if (bytes === cap) return;
  const pages = bytes > 0 ? Math.max(1, Math.floor(bytes / pageSize)) : 4294967294;
  db.exec('PRAGMA max_page_count = ' + pages);
  cap = bytes;
}
function transaction(rows) {
  db.exec('BEGIN IMMEDIATE');
  try {
    for (const r of rows) insert.run(r[0], r[1], r[2], r[3], r[4], r[5], r[6]);
    if (sinceTrim + rows.length >= trimEvery) trim.run(max);
    db.exec('COMMIT');
  } catch (e) {
    try { db.exec('ROLLBACK'); } catch {}
    throw e;
  }
  sinceTrim = sinceTrim + rows.length >= trimEvery ? 0 : sinceTrim + rows.length;
}
function settled() {
  // Held rows carry the batch they came in: all batches before the first held one are on the file.
  const written = held.length === 0 ? Atomics.load(state, ${HANDLED}) : held[0].seq - 1;
  Atomics.store(state, ${WRITTEN}, Math.max(Atomics.load(state, ${WRITTEN}), written));
  Atomics.store(state, ${HELD}, held.length);
}
function refusedBy(e, n) {
  if (!refused) report({ level: 'error', msg: 'write-behind queue: the store refuses writes; entries kept and retried', pending: held.length, batch: n, reason: String(e.message) });
  refused = e;
  if (retry) return;
  retry = setTimeout(() => { retry = undefined; write(); }, retryMs);
  retryMs = Math.min(retryMs * 2, 5000);
}
function wroteAgain() {
  if (!refused) return;
  refused = undefined;
  retryMs = 100;
  report({ level: 'warn', msg: 'write-behind queue: the store takes writes again', pending: held.length });
}
function write() {
  while (held.length > 0) {
    const batch = held.slice(0, maxBatch);
    try {
      transaction(batch.map((h) => h.row));
    } catch (e) {
      if (disk(e)) return refusedBy(e, batch.length);
      for (const h of batch) {
        try {
          transaction([h.row]);
        } catch (one) {
          if (disk(one)) return refusedBy(one, 1);
          dropped++;
          report({ level: 'error', msg: 'write-behind queue: an entry the store refused was dropped', dropped, reason: String(one && one.message) });
        }
        held.shift();
        wroteAgain();
      }
      settled();
      continue;
    }
    held.splice(0, batch.length);
    wroteAgain();
    settled();
  }
}
port.on('message', (m) => {
  try {
    if (!db) open();
    setCap(m.maxBytes);
  } catch (e) {
    // Not a write the disk refused: the thread cannot go on. The event loop takes over the events (its copies).
    Atomics.store(state, ${CLOSED}, 2);
    Atomics.notify(state, ${HANDLED});
    throw e;
  }
  {
    for (const row of m.rows) held.push({ seq: m.seq, row });
    if (held.length > maxQueue) {
      const n = held.length - maxQueue;
      held.splice(0, n);
      const before = dropped;
      dropped += n;
      if (Math.floor(before / 100) !== Math.floor(dropped / 100) || before === 0)
        report({ level: 'error', msg: 'write-behind queue full: oldest entries dropped', dropped, pending: held.length, reason: refused && String(refused.message) });
    }
    // While the store refuses, only a read (or the retry) tries again: each batch would fail the same way.
    if (!refused || m.flush || m.close) write();
  }
  if (m.close) {
    if (retry) clearTimeout(retry);
    if (held.length > 0) {
      dropped += held.length;
      report({ level: 'error', msg: 'write-behind queue closed with entries the store did not take: they are lost', lost: held.length, dropped, reason: refused && String(refused.message) });
      held = [];
    }
    try { db && db.close(); } catch {}
    Atomics.store(state, ${CLOSED}, 1);
    port.close();
  }
  Atomics.store(state, ${HANDLED}, m.seq);
  settled();
  Atomics.notify(state, ${HANDLED});
});
`;

/** Writers of file stores that have not closed: a process that exits without closing them writes them first. */
const OPEN_WRITERS = new Set<TraceWriterThread>();
let exitHooked = false;

/**
 * Trace events of a file store written from a thread of their own: the event loop only serialises each event and
 * hands batches over (after the store's {@link Store.writeBehindMs}, the next turn, or at once when `maxBatch`
 * wait); the inserts, the index updates, the trim and the commits run beside it. {@link flush} hands over what
 * waits and blocks until the thread has written it (a read sees every event recorded before it), except inside a
 * transaction of the store (whose write lock the thread would wait for), where reads see what is written, as with
 * core's queues. Closing the store (the shutdown path, SIGTERM's too) and process exit write what waits first. Should
 * the thread stop (it cannot open the file, it fails), the events it had not written and all later ones are written
 * on the event loop through core's write-behind queue instead: none is lost.
 */
export class TraceWriterThread {
  readonly #store: Store;
  readonly #opts: Required<TraceWriterOptions>;
  readonly #logger: Logger;
  readonly #state = new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));
  readonly #fallback: (rows: readonly TraceRow[]) => void;
  #pending: TraceRow[] = [];
  /** Batches handed over and not yet known to be on the file (copies for the event loop, should the thread stop). */
  #unwritten: { seq: number; rows: TraceRow[] }[] = [];
  #unwrittenRows = 0;
  #seq = 0;
  #worker: Worker | undefined;
  #port: MessagePort | undefined;
  #scheduled: NodeJS.Immediate | NodeJS.Timeout | undefined;
  #failed = false;
  #closed = false;
  readonly #unregister: () => void;

  /**
   * @param fallback Writes rows on the event loop (core's write-behind queue) once the thread has stopped.
   */
  constructor(store: Store, options: TraceWriterOptions, fallback: (rows: readonly TraceRow[]) => void) {
    this.#store = store;
    this.#opts = { maxBatch: 256, maxQueue: 10_000, ...options };
    this.#logger = options.logger;
    this.#fallback = fallback;
    // The store's close writes what waits and stops the thread; its drain only hands the events over (a drain comes
    // before every transaction of the store, which must not wait for this thread).
    this.#unregister = store.registerPending({ drain: () => this.#handOver(false), close: () => this.close() });
    if (!exitHooked) {
      exitHooked = true;
      process.once('exit', () => {
        for (const w of OPEN_WRITERS) w.flush();
      });
    }
    OPEN_WRITERS.add(this);
  }

  /** Queues one serialised event; handed over to the thread shortly, or at once when `maxBatch` wait. */
  push(row: TraceRow): void {
    if (this.#failed) {
      this.#fallback([row]);
      return;
    }
    this.#pending.push(row);
    if (this.#pending.length >= this.#opts.maxBatch) this.#handOver(false);
    else this.#schedule();
  }

  /** Hands over what waits and, outside a transaction of the store, waits until the thread has written it. */
  flush(): void {
    if (this.#failed || this.#closed) return;
    const nothingNew = this.#pending.length === 0 && Atomics.load(this.#state, HELD) === 0;
    if (nothingNew && Atomics.load(this.#state, HANDLED) === this.#seq) return;
    const seq = this.#handOver(true);
    if (this.#store.inTransaction) return;
    this.#wait(seq);
  }

  /** Writes what waits, stops the thread and lets go of its connection (the store's close calls it). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    OPEN_WRITERS.delete(this);
    this.#unregister();
    this.#cancelSchedule();
    if (this.#worker && !this.#failed) {
      const seq = this.#post({ rows: this.#takePending(), flush: true, close: true });
      this.#wait(seq);
      this.#reports();
      this.#worker.unref();
    } else if (this.#pending.length > 0) this.#fallback(this.#takePending());
  }

  #schedule(): void {
    if (this.#scheduled !== undefined) return;
    const handOver = () => {
      this.#scheduled = undefined;
      this.#handOver(false);
    };
    const gather = this.#store.writeBehindMs ?? 0;
    this.#scheduled = gather > 0 ? setTimeout(handOver, gather) : setImmediate(handOver);
    // Events waiting must not keep the process alive: close and exit hand them over.
    this.#scheduled.unref();
  }

  #cancelSchedule(): void {
    if (this.#scheduled === undefined) return;
    clearImmediate(this.#scheduled as NodeJS.Immediate);
    clearTimeout(this.#scheduled as NodeJS.Timeout);
    this.#scheduled = undefined;
  }

  #takePending(): TraceRow[] {
    const rows = this.#pending;
    this.#pending = [];
    return rows;
  }

  /** Posts what waits (a flush posts even nothing new: the thread then retries what it holds). Returns the batch. */
  #handOver(flush: boolean): number {
    this.#cancelSchedule();
    if (this.#failed || this.#closed) return this.#seq;
    if (this.#pending.length === 0 && !flush) return this.#seq;
    return this.#post({ rows: this.#takePending(), flush });
  }

  #post(m: { rows: TraceRow[]; flush: boolean; close?: boolean }): number {
    const port = this.#port ?? this.#start();
    if (!port) {
      this.#fallback(m.rows);
      return this.#seq;
    }
    const seq = ++this.#seq;
    port.postMessage({ seq, maxBytes: this.#store.maxBytes(), ...m });
    if (m.rows.length > 0) {
      this.#unwritten.push({ seq, rows: m.rows });
      this.#unwrittenRows += m.rows.length;
    }
    this.#forgetWritten();
    return seq;
  }

  /** Drops the copies of batches on the file (and, past maxQueue, the oldest copies: the thread still holds them). */
  #forgetWritten(): void {
    const written = Atomics.load(this.#state, WRITTEN);
    while (this.#unwritten.length > 0) {
      const first = this.#unwritten[0] as { seq: number; rows: TraceRow[] };
      if (first.seq > written && this.#unwrittenRows <= this.#opts.maxQueue) break;
      this.#unwritten.shift();
      this.#unwrittenRows -= first.rows.length;
    }
  }

  #start(): MessagePort | undefined {
    try {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          path: this.#store.location,
          state: this.#state,
          port: port2,
          max: this.#opts.max,
          trimEvery: this.#opts.trimEvery,
          maxBatch: this.#opts.maxBatch,
          maxQueue: this.#opts.maxQueue,
          insertSql: INSERT_TRACE_EVENT,
          trimSql: TRIM_TRACE_EVENTS,
        },
        transferList: [port2],
      });
      worker.on('error', (e) => this.#stopped(e));
      worker.on('exit', (code) => {
        if (Atomics.load(this.#state, CLOSED) !== 1) this.#stopped(new Error(`the thread exited (code ${code})`));
      });
      worker.unref();
      port1.on('message', (r: Report) => this.#log(r));
      port1.unref();
      this.#worker = worker;
      this.#port = port1;
      return port1;
    } catch (e) {
      this.#stopped(e);
      return undefined;
    }
  }

  /** Blocks until the thread has handled batch `seq` (or the wait is given up: then reads see what is written). */
  #wait(seq: number): void {
    const deadline = performance.now() + FLUSH_WAIT_MS;
    for (;;) {
      const handled = Atomics.load(this.#state, HANDLED);
      if (handled >= seq || this.#failed) break;
      if (Atomics.load(this.#state, CLOSED) === 2) {
        this.#stopped(new Error('the thread could not open or set up its connection to the store'));
        return;
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        this.#logger.error('trace writer thread: no answer; reads see what it has written so far', {
          waitedMs: FLUSH_WAIT_MS,
        });
        break;
      }
      Atomics.wait(this.#state, HANDLED, handled, Math.min(left, 1_000));
    }
    this.#forgetWritten();
    this.#reports();
  }

  /** What the thread reported since, logged now (a read after a failed write logs it before it answers). */
  #reports(): void {
    if (!this.#port) return;
    for (let r = receiveMessageOnPort(this.#port); r; r = receiveMessageOnPort(this.#port)) this.#log(r.message);
  }

  #log({ level, msg, ...fields }: Report): void {
    this.#logger[level](msg, fields);
  }

  /** The thread stopped unexpectedly: what it had not written, and everything after, is written on the event loop. */
  #stopped(e: unknown): void {
    if (this.#failed || this.#closed) return;
    this.#failed = true;
    this.#reports();
    this.#forgetWritten();
    const rows = [...this.#unwritten.flatMap((b) => b.rows), ...this.#takePending()];
    this.#unwritten = [];
    this.#unwrittenRows = 0;
    this.#logger.error('trace writer thread stopped: trace events are written on the event loop from now on', {
      reason: e instanceof Error ? e.message : String(e),
      handedBack: rows.length,
    });
    if (rows.length > 0) this.#fallback(rows);
  }
}

interface Report {
  level: 'error' | 'warn';
  msg: string;
  [field: string]: unknown;
}
