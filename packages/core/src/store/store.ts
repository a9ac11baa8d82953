import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { KakehashiError } from '../errors/index.ts';

export type SqlValue = SQLInputValue;

/** A schema migration: applied once, in order, identified by a stable id such as `hub/001-registry`. */
export interface Migration {
  id: string;
  up: string | ((store: Store) => void);
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
  exec(sql: string): void;
  run(sql: string, ...params: SqlValue[]): { changes: number; lastInsertRowid: number | bigint };
  get<T = Record<string, unknown>>(sql: string, ...params: SqlValue[]): T | undefined;
  all<T = Record<string, unknown>>(sql: string, ...params: SqlValue[]): T[];
  /** Runs `fn` in one transaction (nested calls join the outer one). */
  transaction<T>(fn: () => T): T;
  /** Applies the migrations not yet applied, each in its own transaction. Returns the ids applied now. */
  migrate(migrations: readonly Migration[]): string[];
  close(): void;
}

export interface OpenStoreOptions {
  /** Component store name; becomes the file name `<name>.sqlite`. */
  name: string;
  /** Directory for the file; `:memory:` (or undefined) for an in-memory store. */
  dataDir?: string | undefined;
}

/** Opens (creating if needed) the embedded store of one component. */
export function openStore(options: OpenStoreOptions): Store {
  const memory = options.dataDir === undefined || options.dataDir === ':memory:';
  let location = ':memory:';
  if (!memory) {
    mkdirSync(options.dataDir as string, { recursive: true });
    location = join(options.dataDir as string, `${options.name}.sqlite`);
  }
  return new SqliteStore(options.name, location);
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

class SqliteStore implements Store {
  readonly name: string;
  readonly location: string;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  #depth = 0;
  // Not `DatabaseSync#isOpen`: Node.js 22.13, the oldest the published packages accept, does not have it.
  #open = true;

  constructor(name: string, location: string) {
    this.name = name;
    this.location = location;
    this.#db = new DatabaseSync(location);
    try {
      if (location !== ':memory:') {
        this.#db.exec('PRAGMA journal_mode = WAL');
        this.#checkIntegrity();
      }
      this.#db.exec('PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000');
      this.#db.exec('CREATE TABLE IF NOT EXISTS _migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
    } catch (e) {
      this.#db.close();
      if (e instanceof KakehashiError || !isCorruption(e)) throw e;
      throw corrupt(name, location, e instanceof Error ? e.message : String(e), e);
    }
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

  exec(sql: string): void {
    this.#db.exec(sql);
  }

  run(sql: string, ...params: SqlValue[]) {
    const r = this.#prepare(sql).run(...params);
    return { changes: Number(r.changes), lastInsertRowid: r.lastInsertRowid };
  }

  get<T>(sql: string, ...params: SqlValue[]): T | undefined {
    return this.#prepare(sql).get(...params) as T | undefined;
  }

  all<T>(sql: string, ...params: SqlValue[]): T[] {
    return this.#prepare(sql).all(...params) as T[];
  }

  transaction<T>(fn: () => T): T {
    if (this.#depth > 0) return fn();
    this.#db.exec('BEGIN IMMEDIATE');
    this.#depth++;
    try {
      const result = fn();
      this.#db.exec('COMMIT');
      return result;
    } catch (e) {
      this.#db.exec('ROLLBACK');
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
    this.#statements.clear();
    if (this.#open) this.#db.close();
    this.#open = false;
  }
}
