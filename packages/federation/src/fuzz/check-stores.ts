import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { AuditLog, openStore, VirtualClock } from '@kakehashi/core';

/** One store file after the run: SQLite's own check and every hash-chained audit log in it. */
export interface StoreCheck {
  file: string;
  quickCheck: string;
  auditChains: { table: string; valid: boolean; count: number; reason?: string }[];
  ok: boolean;
}

/**
 * Checks every store of a (closed) federation's data directory: `PRAGMA quick_check` answers `ok`, and every table
 * shaped like core's {@link AuditLog} (seq, prev_hash, hash) verifies as a hash chain.
 * @see https://sqlite.org/pragma.html#pragma_quick_check
 */
export function checkStores(dataDir: string): StoreCheck[] {
  const out: StoreCheck[] = [];
  for (const file of readdirSync(dataDir)
    .filter((n) => n.endsWith('.sqlite'))
    .sort()) {
    const db = new DatabaseSync(join(dataDir, file), { readOnly: true });
    let quickCheck: string;
    let tables: string[] = [];
    try {
      const rows = db.prepare('PRAGMA quick_check').all() as Record<string, unknown>[];
      quickCheck = rows.map((r) => String(Object.values(r)[0])).join('; ');
      tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[])
        .map((r) => r.name)
        .filter((t) => {
          const cols = (db.prepare(`PRAGMA table_info(${JSON.stringify(t)})`).all() as { name: string }[]).map(
            (c) => c.name,
          );
          return ['seq', 'prev_hash', 'hash', 'details'].every((c) => cols.includes(c)) && /^[a-z_]+$/.test(t);
        });
    } catch (e) {
      quickCheck = e instanceof Error ? e.message : String(e);
    } finally {
      db.close();
    }
    const auditChains: StoreCheck['auditChains'] = [];
    if (quickCheck === 'ok' && tables.length) {
      const store = openStore({ name: file.replace(/\.sqlite$/, ''), dataDir });
      try {
        for (const table of tables) {
          const v = new AuditLog(store, new VirtualClock(), table).verify();
          auditChains.push({ table, valid: v.valid, count: v.count, ...(v.reason ? { reason: v.reason } : {}) });
        }
      } finally {
        store.close();
      }
    }
    out.push({ file, quickCheck, auditChains, ok: quickCheck === 'ok' && auditChains.every((a) => a.valid) });
  }
  return out;
}
