import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/**
 * The WAL size (bytes) at which a file store asks for a checkpoint off the event loop: SQLite's own default
 * threshold (1000 pages of 4 KiB).
 * @see https://www.sqlite.org/pragma.html#pragma_wal_autocheckpoint
 */
export const WAL_CHECKPOINT_BYTES = 1000 * 4096;
/**
 * The store's own automatic checkpoint stays on as a safety net, at ten times that: it runs (on the event loop, in
 * the COMMIT that passes it) only while the checkpointer cannot keep up or cannot run.
 */
export const WAL_SAFETY_NET_PAGES = 10_000;
/** Writes between two looks at the WAL's size (one `stat` each). */
const WRITES_PER_LOOK = 32;

/**
 * The checkpointer's thread: one connection per store file, kept open; a PASSIVE checkpoint per request (it waits
 * for no reader or writer: the event loop's own connection goes on writing meanwhile). Source evaluated as the
 * worker, so that a bundle of the CLI carries it along; built-ins through `process.getBuiltinModule`, which works
 * whether the worker runs as CommonJS or as an ES module (a process started with `--input-type=module` evaluates
 * it as one, where `require` does not exist: the thread failed and the stores' own checkpoints took over).
 * @see https://www.sqlite.org/pragma.html#pragma_wal_checkpoint
 * @see https://www.sqlite.org/wal.html#checkpointing
 */
const WORKER_SOURCE = `
const { parentPort } = process.getBuiltinModule('node:worker_threads');
const { DatabaseSync } = process.getBuiltinModule('node:sqlite');
const open = new Map();
parentPort.on('message', (m) => {
  if (m.close !== undefined) {
    const db = open.get(m.close);
    open.delete(m.close);
    try { db && db.close(); } catch {}
    return;
  }
  let error;
  try {
    let db = open.get(m.path);
    if (!db) {
      db = new DatabaseSync(m.path);
      db.exec('PRAGMA busy_timeout = 0');
      open.set(m.path, db);
    }
    db.prepare('PRAGMA wal_checkpoint(PASSIVE)').get();
  } catch (e) {
    error = String((e && e.message) || e);
  }
  parentPort.postMessage({ path: m.path, error });
});
`;

let worker: Worker | undefined;
/** Set when the thread could not start or failed: the stores' own automatic checkpoints take over for good. */
let unavailable = false;
const inFlight = new Set<string>();
const counters = { requested: 0, done: 0, failed: 0 };

function startWorker(): Worker | undefined {
  if (worker || unavailable) return worker;
  try {
    const w = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 16 } });
    w.on('message', (m: { path: string; error?: string }) => {
      inFlight.delete(m.path);
      if (m.error === undefined) counters.done++;
      else counters.failed++;
      if (inFlight.size === 0) w.unref();
    });
    w.on('error', () => {
      unavailable = true;
      worker = undefined;
      inFlight.clear();
    });
    w.on('exit', () => {
      if (worker === w) worker = undefined;
      inFlight.clear();
    });
    w.unref();
    worker = w;
  } catch {
    unavailable = true;
  }
  return worker;
}

/** What the checkpointer did in this process (for tests and the bench). */
export function walCheckpointStats(): { requested: number; done: number; failed: number; running: boolean } {
  return { ...counters, running: worker !== undefined };
}

/**
 * Watches one file store's WAL: every {@link WRITES_PER_LOOK} writes it looks at the WAL's size, and past
 * {@link WAL_CHECKPOINT_BYTES} asks the checkpointer thread (started on the first such request) to copy the WAL back
 * into the database. The copy and its two fsyncs then happen beside the event loop instead of inside the COMMIT of
 * whichever request crossed the threshold; nothing about what a COMMIT guarantees changes.
 */
export class WalWatch {
  readonly #path: string;
  #writes = 0;

  constructor(path: string) {
    this.#path = path;
  }

  /** Called after each write the store commits (a transaction, or a statement outside one). */
  wrote(): void {
    if (++this.#writes < WRITES_PER_LOOK) return;
    this.#writes = 0;
    if (unavailable || inFlight.has(this.#path)) return;
    let size: number;
    try {
      size = statSync(`${this.#path}-wal`).size;
    } catch {
      return;
    }
    if (size < WAL_CHECKPOINT_BYTES) return;
    const w = startWorker();
    if (!w) return;
    inFlight.add(this.#path);
    counters.requested++;
    // While a checkpoint is asked for, the thread keeps the process alive only as long as it works.
    w.ref();
    w.postMessage({ path: this.#path });
  }

  /** The store closes: the thread lets go of its connection to the file. */
  close(): void {
    inFlight.delete(this.#path);
    worker?.postMessage({ close: this.#path });
  }
}
