import { isKakehashiError, KakehashiError } from '../errors/index.ts';
import { createLogger, type Logger } from '../log/index.ts';
import type { PendingWriter, Store } from './store.ts';

/** What a write-behind queue does when it holds `maxQueue` entries the store refuses to take. */
export type WhenFull =
  /** Refuse the new entry: `push` throws the store's `store-write-failed` (507), so the request fails as before. */
  | 'refuse'
  /** Drop the oldest entry, counted (`stats().dropped`) and logged as an error with the count: never silently. */
  | 'drop-oldest';

export interface WriteBehindOptions<T> {
  /** Names the queue in logs, e.g. `traces` or `audit_log`. */
  name: string;
  /** Writes one batch, in order. Called inside one store transaction; throwing rolls the whole batch back. */
  write: (batch: readonly T[]) => void;
  /** Entries per transaction, and the queue length at which `push` writes at once (default 256). */
  maxBatch?: number;
  /** The most entries held while the store refuses writes (default 10,000). */
  maxQueue?: number;
  /** See {@link WhenFull} (default `refuse`). */
  whenFull?: WhenFull;
  /** Where failures are reported (default: warnings and errors on stderr). */
  logger?: Logger;
}

export interface WriteBehindStats {
  /** Entries waiting to be written. */
  pending: number;
  written: number;
  batches: number;
  /** Batches the store refused (kept and retried). */
  failures: number;
  /** Entries given up: dropped when full (`drop-oldest`), refused by the writer itself, or unwritable at close. */
  dropped: number;
}

/** First retry after a refused batch; doubled per refusal up to the maximum. */
const RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/**
 * Writes entries behind the request: `push` only queues (the caller pays no SQLite write), and the queue is
 * written in batches, one transaction per batch, on the next turn of the event loop (`setImmediate`; after the
 * store's {@link Store.writeBehindMs} when it gathers entries a few milliseconds), as soon as
 * `maxBatch` entries wait, before any other transaction on the store begins (so a transaction never sees the
 * store without what was appended before it, and a rolled-back transaction never takes queued entries with it),
 * when the store is read through {@link flush}, and before the store closes (the federation's shutdown path, so
 * SIGTERM too). A batch the store refuses (`store-write-failed`, a full disk) is kept, logged and retried with a
 * growing delay; a full queue refuses new entries or drops the oldest, counted and logged ({@link WhenFull}).
 * An entry the writer itself refuses (any other error) is written alone so that only it is lost, and logged.
 * Order is kept: entries reach the store in the order they were pushed.
 */
export class WriteBehindQueue<T> {
  readonly #store: Store;
  readonly #opts: Required<Omit<WriteBehindOptions<T>, 'logger'>>;
  readonly #logger: Logger;
  readonly #queue: T[] = [];
  readonly #unregister: () => void;
  #scheduled: NodeJS.Immediate | NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;
  #retryMs = RETRY_MS;
  #refusedBy: KakehashiError | undefined;
  #draining = false;
  #closed = false;
  readonly #stats = { written: 0, batches: 0, failures: 0, dropped: 0 };

  constructor(store: Store, options: WriteBehindOptions<T>) {
    this.#store = store;
    this.#opts = { maxBatch: 256, maxQueue: 10_000, whenFull: 'refuse', ...options };
    if (this.#opts.maxBatch < 1 || this.#opts.maxQueue < this.#opts.maxBatch)
      throw new RangeError('write-behind: 1 <= maxBatch <= maxQueue');
    this.#logger = (options.logger ?? createLogger({ level: 'warn' })).child({
      store: store.name,
      queue: options.name,
    });
    const writer: PendingWriter = { drain: () => this.#drain(), close: () => this.#close() };
    this.#unregister = store.registerPending(writer);
  }

  /** Entries waiting to be written. */
  get size(): number {
    return this.#queue.length;
  }

  stats(): WriteBehindStats {
    return { pending: this.#queue.length, ...this.#stats };
  }

  /**
   * Queues `entry`. Writes the queue at once when `maxBatch` entries wait. When the queue is full because the
   * store refuses writes: throws `store-write-failed` (`refuse`) or drops the oldest entry (`drop-oldest`).
   */
  push(entry: T): void {
    if (this.#closed) throw new KakehashiError('store-write-failed', `The store "${this.#store.name}" is closed.`);
    if (this.#queue.length >= this.#opts.maxQueue) {
      if (this.#retry === undefined) this.#store.flushPending();
      if (this.#queue.length >= this.#opts.maxQueue) {
        if (this.#opts.whenFull === 'refuse')
          throw (
            this.#refusedBy ??
            new KakehashiError('store-write-failed', `The store "${this.#store.name}" is not taking writes.`)
          );
        this.#queue.shift();
        this.#stats.dropped++;
        // Every 100th drop, and the first: a line per dropped entry would flood the log of a full disk.
        if (this.#stats.dropped % 100 === 1)
          this.#logger.error('write-behind queue full: oldest entries dropped', {
            dropped: this.#stats.dropped,
            pending: this.#queue.length,
            reason: this.#refusedBy?.message,
          });
      }
    }
    this.#queue.push(entry);
    if (this.#queue.length >= this.#opts.maxBatch && this.#retry === undefined) this.#store.flushPending();
    // Not written yet (fewer than maxBatch, or pushed inside a transaction, which defers the write): next turn.
    if (this.#queue.length > 0) this.#schedule();
  }

  /** Writes everything queued on the store now (this queue's and the other queues'); never throws. */
  flush(): void {
    this.#store.flushPending();
  }

  /** Stops the queue: writes what it holds (logging what could not be written) and leaves the store. */
  close(): void {
    this.#store.flushPending();
    this.#close();
  }

  #schedule(): void {
    if (this.#scheduled !== undefined || this.#retry !== undefined) return;
    const write = () => {
      this.#scheduled = undefined;
      this.#store.flushPending();
    };
    // The store may gather its entries a few milliseconds: the entries of many requests in one transaction.
    const gather = this.#store.writeBehindMs ?? 0;
    this.#scheduled = gather > 0 ? setTimeout(write, gather) : setImmediate(write);
    // A queue alone must not keep the process alive: close() and the store's close write what is left.
    this.#scheduled.unref();
  }

  /** Called by the store (flushPending): writes the queue in batches. Never throws. */
  #drain(): void {
    if (this.#draining || this.#queue.length === 0) return;
    this.#draining = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.slice(0, this.#opts.maxBatch);
        try {
          this.#store.transaction(() => this.#opts.write(batch));
        } catch (e) {
          if (isKakehashiError(e) && e.code === 'store-write-failed') {
            this.#refused(e, batch.length);
            return;
          }
          if (!this.#writeOneByOne(batch)) return;
          continue;
        }
        this.#queue.splice(0, batch.length);
        this.#written(batch.length);
      }
    } finally {
      this.#draining = false;
    }
  }

  #written(n: number): void {
    this.#stats.written += n;
    this.#stats.batches++;
    if (this.#refusedBy) {
      this.#logger.warn('write-behind queue: the store takes writes again', { pending: this.#queue.length });
      this.#refusedBy = undefined;
      this.#retryMs = RETRY_MS;
    }
  }

  /** The store refused the batch (a full disk): keep it, say so once per outage, retry later. */
  #refused(e: KakehashiError, batchSize: number): void {
    this.#stats.failures++;
    if (!this.#refusedBy)
      this.#logger.error('write-behind queue: the store refuses writes; entries kept and retried', {
        pending: this.#queue.length,
        batch: batchSize,
        reason: e.message,
      });
    this.#refusedBy = e;
    if (this.#retry !== undefined || this.#closed) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#store.flushPending();
    }, this.#retryMs);
    this.#retry.unref();
    this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
  }

  /**
   * A batch the writer refused (not the disk): each entry alone, so that only the bad ones are lost, logged.
   * False when the disk refused one meanwhile (the rest stays queued for the retry).
   */
  #writeOneByOne(batch: readonly T[]): boolean {
    for (const entry of batch) {
      try {
        this.#store.transaction(() => this.#opts.write([entry]));
        this.#queue.shift();
        this.#written(1);
      } catch (e) {
        if (isKakehashiError(e) && e.code === 'store-write-failed') {
          this.#refused(e, 1);
          return false;
        }
        this.#queue.shift();
        this.#stats.dropped++;
        this.#logger.error('write-behind queue: an entry the store refused was dropped', {
          dropped: this.#stats.dropped,
          reason: e instanceof Error ? e.message : String(e),
        });
      }
    }
    return true;
  }

  /** The store closes (or the queue): whatever could not be written is lost now, and said so with its count. */
  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#scheduled !== undefined) {
      clearImmediate(this.#scheduled as NodeJS.Immediate);
      clearTimeout(this.#scheduled as NodeJS.Timeout);
    }
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    this.#unregister();
    if (this.#queue.length > 0) {
      this.#stats.dropped += this.#queue.length;
      this.#logger.error('write-behind queue closed with entries the store did not take: they are lost', {
        lost: this.#queue.length,
        dropped: this.#stats.dropped,
        reason: this.#refusedBy?.message,
      });
      this.#queue.length = 0;
    }
  }
}
