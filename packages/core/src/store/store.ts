import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { KakehashiError } from '../errors/index.ts';
import { WAL_SAFETY_NET_PAGES, WalWatch } from './wal-checkpointer.ts';

export type SqlValue = SQLInputValue;

/** A schema migration: applied once, in order, identified by a stable id such as `hub/001-registry`. */
export interface Migration {
  id: string;
  up: string | ((store: Store) => void);
}

/**
 * Work written behind the request on a store (core's `WriteBehindQueue`): the store drains it before any transaction
 * begins and before it closes, and on {@link Store.flushPending}.
 */
export interface PendingWriter {
  /** Writes what is queued (its own transactions); never throws. */
  drain(): void;
  /** The store closes: whatever is still queued is lost now (and logged with its count). */
  close(): void;
}

/**
 * What a component persists through. The embedded implementation is Node's built-in `node:sqlite`
 * (a file per component under the data directory, WAL mode); `:memory:` in tests.
 */
export interface Store {
  /** The component's store name, e.g. `hub` or `node-jp`. */
  readonly name: string;
  /** The file path, or `:memory:`. */
  readonly location: string;
  /**
   * How long entries written behind requests gather before their batches are written (ms; 0 or absent: the next
   * turn of the event loop). See {@link OpenStoreOptions.writeBehindMs}.
   */
  readonly writeBehindMs?: number;
  exec(sql: string): void;
  run(sql: string, ...params: SqlValue[]): { changes: number; lastInsertRowid: number | bigint };
  get<T = Record<string, unknown>>(sql: string, ...params: SqlValue[]): T | undefined;
  all<T = Record<string, unknown>>(sql: string, ...params: SqlValue[]): T[];
  /**
   * Runs `fn` in one transaction (nested calls join the outer one). What is queued behind requests is written
   * first (its own transactions), so `fn` sees it and a rollback of `fn` cannot take it along.
   */
  transaction<T>(fn: () => T): T;
  /** True while a transaction is open. */
  readonly inTransaction: boolean;
  /** Registers work written behind the request; returns what unregisters it. */
  registerPending(writer: PendingWriter): () => void;
  /** Writes everything queued behind requests now (each writer's batches in their own transactions). */
  flushPending(): void;
  /** Applies the migrations not yet applied, each in its own transaction. Returns the ids applied now. */
  migrate(migrations: readonly Migration[]): string[];
  /**
   * Caps the store's size (bytes, rounded to whole pages; 0 or less: no cap beyond the disk's). A write that would
   * pass it fails as a full disk does: `store-write-failed` (507), reads go on.
   */
  setMaxBytes(bytes: number): void;
  /** The store's size in bytes (pages in use times the page size). */
  sizeBytes(): number;
  /** Writes what is queued behind requests, then closes. */
  close(): void;
}

export interface OpenStoreOptions {
  /** Component store name; becomes the file name `<name>.sqlite`. */
  name: string;
  /** Directory for the file; `:memory:` (or undefined) for an in-memory store. */
  dataDir?: string | undefined;
  /** See {@link Store.setMaxBytes}. */
  maxBytes?: number | undefined;
  /**
   * How long entries written behind requests (trace events, audit appends, replay entries) gather before their
   * batches are written, in ms (default 0: the next turn of the event loop, a transaction per queue per turn). A few
   * milliseconds put the entries of many requests into one transaction — a commit costs about as much as ten small
   * inserts. Reads, transactions, `close` and process exit write them first, as ever; only a crash loses more.
   */
  writeBehindMs?: number | undefined;
}

/** Opens (creating if needed) the embedded store of one component. */
export function openStore(options: OpenStoreOptions): Store {
  const memory = options.dataDir === undefined || options.dataDir === ':memory:';
  let location = ':memory:';
  if (!memory) {
    ensureDataDirectory(options.dataDir as string, 'the stores');
    location = join(options.dataDir as string, `${options.name}.sqlite`);
  }
  const store = new SqliteStore(options.name, location, options.writeBehindMs ?? 0);
  if (options.maxBytes) store.setMaxBytes(options.maxBytes);
  return store;
}

/**
 * Creates `dir` (and its parents) for `what`; a directory that cannot be made or used fails start-up with
 * `data-dir-unusable`, naming the directory, the reason and the fix, instead of a bare system error.
 */
export function ensureDataDirectory(dir: string, what: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    const why: Record<string, string> = {
      ENOTDIR: 'a part of the path is a file, not a directory',
      EEXIST: 'it exists and is not a directory',
      EACCES: 'this user may not create or write it',
      EPERM: 'this user may not create or write it',
      EROFS: 'it is on a read-only file system',
      ENOSPC: 'the disk is full',
      ENOENT: 'a part of the path cannot be created here',
    };
    throw new KakehashiError(
      'data-dir-unusable',
      `The directory ${dir} cannot hold ${what} (${code}: ${why[code] ?? (e as Error).message}). Point --data-dir (or KAKEHASHI_DATA_DIR) at a writable directory (it is created when missing), or use --data-dir :memory: to keep nothing.`,
      { cause: e },
    );
  }
}

/** SQLite's primary result codes of a write that cannot reach the disk. @see https://www.sqlite.org/rescode.html */
const WRITE_FAILURES: Record<number, string> = {
  8: 'the file is read-only',
  10: 'the disk failed to write (I/O error)',
  13: 'the disk or the store size limit is full',
};

/** A write the disk refused (full, read-only, failing), as the 507 problem that names the file and the fix. */
function writeFailure(name: string, location: string, e: unknown): KakehashiError | undefined {
  const code = (e as { errcode?: number }).errcode;
  const why = code === undefined ? undefined : WRITE_FAILURES[code & 0xff];
  if (!why) return undefined;
  return new KakehashiError(
    'store-write-failed',
    `The store "${name}" could not save this change: ${why}. Nothing was changed and reads go on; free space on the disk that holds ${location} (or raise the store's limit), then retry.`,
    { cause: e },
  );
}

/** SQLite's words for a damaged file (SQLITE_CORRUPT, SQLITE_NOTADB). */
function isCorruption(e: unknown): boolean {
  return e instanceof Error && /malformed|not a database|corrupt/i.test(e.message);
}

/** Start-up refuses a damaged store, naming the file and what to do about it. */
function corrupt(name: string, location: string, finding: string, cause?: unknown): KakehashiError {
  return new KakehashiError(
    'store-corrupt',
    `The store "${name}" at ${location} is damaged (PRAGMA quick_check: ${finding.slice(0, 500)}). Stop Kakehashi, then move ${location} (and its -wal and -shm files) aside to start with an empty store — the component registers and loads its trust again — or restore it from a backup.`,
    cause === undefined ? {} : { cause },
  );
}

/** Stores with work written behind the request: a process that exits without closing them writes it first. */
const STORES_WITH_PENDING = new Set<Store>();
let exitHooked = false;

function withPendingWrites(store: Store): void {
  // One listener for the process, added with the first queue: 'exit' runs synchronous code only, as node:sqlite is.
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', () => {
      for (const s of STORES_WITH_PENDING) s.flushPending();
    });
  }
  STORES_WITH_PENDING.add(store);
}

class SqliteStore implements Store {
  readonly name: string;
  readonly location: string;
  readonly writeBehindMs: number;
  readonly #db: DatabaseSync;
  /** A file store's WAL, checkpointed beside the event loop (undefined in memory). */
  readonly #wal: WalWatch | undefined;
  readonly #statements = new Map<string, StatementSync>();
  #depth = 0;
  readonly #pending = new Set<PendingWriter>();
  #draining = false;
  // Not `DatabaseSync#isOpen`: Node.js 22.13, the oldest the published packages accept, does not have it.
  #open = true;

  constructor(name: string, location: string, writeBehindMs: number) {
    this.name = name;
    this.location = location;
    this.writeBehindMs = Math.max(0, writeBehindMs);
    this.#db = new DatabaseSync(location);
    try {
      // First: the mode switch and the integrity check below need the file's locks too, and another connection (the
      // WAL checkpointer's, a process closing the same file) may hold one for a moment — wait, as every later
      // statement does, instead of failing the start with "database is locked".
      this.#db.exec('PRAGMA busy_timeout = 5000');
      if (location !== ':memory:') {
        this.#db.exec('PRAGMA journal_mode = WAL');
        // Checkpoints run on the checkpointer's thread (WalWatch); the connection's own stays as a safety net.
        this.#db.exec(`PRAGMA wal_autocheckpoint = ${WAL_SAFETY_NET_PAGES}`);
        this.#checkIntegrity();
      }
      this.#db.exec('PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON');
      this.#db.exec('CREATE TABLE IF NOT EXISTS _migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
    } catch (e) {
      this.#db.close();
      if (e instanceof KakehashiError || !isCorruption(e)) throw e;
      throw corrupt(name, location, e instanceof Error ? e.message : String(e), e);
    }
    this.#wal = location === ':memory:' ? undefined : new WalWatch(location);
  }

  /**
   * `PRAGMA quick_check` at start: a file damaged inside (its header intact) would otherwise open as healthy and
   * then fail every route that reads the damaged pages. Linear in the file's size; stores here are small.
   * @see https://www.sqlite.org/pragma.html#pragma_quick_check
   */
  #checkIntegrity(): void {
    const rows = this.#db.prepare('PRAGMA quick_check(20)').all() as { quick_check: string }[];
    const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
    if (problems.length > 0) throw corrupt(this.name, this.location, problems.slice(0, 5).join('; '));
  }

  #prepare(sql: string): StatementSync {
    let st = this.#statements.get(sql);
    if (!st) {
      st = this.#db.prepare(sql);
      this.#statements.set(sql, st);
    }
    return st;
  }

  /** Runs a write, turning a disk that refuses it into `store-write-failed`. */
  #write<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw writeFailure(this.name, this.location, e) ?? e;
    }
  }

  exec(sql: string): void {
    this.#write(() => this.#db.exec(sql));
  }

  run(sql: string, ...params: SqlValue[]) {
    const r = this.#write(() => this.#prepare(sql).run(...params));
    if (this.#depth === 0) this.#wal?.wrote();
    return { changes: Number(r.changes), lastInsertRowid: r.lastInsertRowid };
  }

  setMaxBytes(bytes: number): void {
    const pageSize = (this.#db.prepare('PRAGMA page_size').get() as { page_size: number }).page_size;
    // SQLite's own ceiling (4294967294 pages) stands for "no cap"; a cap below the pages in use is raised to them.
    const pages = bytes > 0 ? Math.max(1, Math.floor(bytes / pageSize)) : 4_294_967_294;
    this.#db.exec(`PRAGMA max_page_count = ${pages}`);
  }

  sizeBytes(): number {
    const { page_count } = this.#db.prepare('PRAGMA page_count').get() as { page_count: number };
    const { page_size } = this.#db.prepare('PRAGMA page_size').get() as { page_size: number };
    return page_count * page_size;
  }

  get<T>(sql: string, ...params: SqlValue[]): T | undefined {
    return this.#prepare(sql).get(...params) as T | undefined;
  }

  all<T>(sql: string, ...params: SqlValue[]): T[] {
    return this.#prepare(sql).all(...params) as T[];
  }

  get inTransaction(): boolean {
    return this.#depth > 0;
  }

  registerPending(writer: PendingWriter): () => void {
    this.#pending.add(writer);
    // In memory, nothing outlives the process anyway (and a store held here would never be collected).
    if (this.location !== ':memory:') withPendingWrites(this);
    return () => {
      this.#pending.delete(writer);
      if (this.#pending.size === 0) STORES_WITH_PENDING.delete(this);
    };
  }

  flushPending(): void {
    // A writer's own batch transactions come through transaction(): they must not start another drain. Inside a
    // transaction nothing is drained: a rollback would take the queued entries along.
    if (this.#draining || this.#depth > 0 || this.#pending.size === 0 || !this.#open) return;
    this.#draining = true;
    try {
      for (const w of this.#pending) w.drain();
    } finally {
      this.#draining = false;
    }
  }

  transaction<T>(fn: () => T): T {
    if (this.#depth > 0) return fn();
    this.flushPending();
    this.#write(() => this.#db.exec('BEGIN IMMEDIATE'));
    this.#depth++;
    try {
      const result = fn();
      this.#write(() => this.#db.exec('COMMIT'));
      this.#wal?.wrote();
      return result;
    } catch (e) {
      // SQLite rolls back by itself after some failures (a full disk): then there is no transaction left to end.
      try {
        this.#db.exec('ROLLBACK');
      } catch {}
      throw e;
    } finally {
      this.#depth--;
    }
  }

  migrate(migrations: readonly Migration[]): string[] {
    const applied: string[] = [];
    for (const m of migrations) {
      if (this.get('SELECT id FROM _migrations WHERE id = ?', m.id)) continue;
      try {
        this.transaction(() => {
          if (typeof m.up === 'string') this.exec(m.up);
          else m.up(this);
          this.run('INSERT INTO _migrations (id, applied_at) VALUES (?, ?)', m.id, new Date().toISOString());
        });
      } catch (cause) {
        throw new KakehashiError('store-migration-failed', `Migration ${m.id} of store ${this.name} failed.`, {
          cause,
        });
      }
      applied.push(m.id);
    }
    return applied;
  }

  close(): void {
    if (this.#open) {
      this.flushPending();
      for (const w of [...this.#pending]) w.close();
      STORES_WITH_PENDING.delete(this);
    }
    this.#statements.clear();
    if (this.#open) this.#wal?.close();
    if (this.#open) this.#db.close();
    this.#open = false;
  }
}
