import { createHash } from 'node:crypto';
import type { Store } from '@kakehashi/core';

const PUBLICATION_MIGRATIONS = [
  {
    id: 'hub/publication/001',
    up: `CREATE TABLE trust_publication (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, issued INTEGER NOT NULL,
           until INTEGER NOT NULL, body TEXT NOT NULL);`,
  },
];

/** A signed artefact the hub published, with the virtual-clock window in which it may be served again. */
export interface Publication {
  body: string;
  issued: number;
  until: number;
}

/**
 * What the hub last published (the signed trusted lists, each CA's CRL), kept in the hub store beside the
 * revocation ledger. A hub restarted on the same data directory serves the same signed bytes again while they are
 * current — the window the in-memory cache already keeps them for (issued ≤ now < until on the virtual clock) —
 * instead of signing every list and CRL anew at each start. An entry is found only under the fingerprint of
 * everything its bytes were made from (the material, the hub's URL, the validity option, for a CRL its CRL number
 * and revocations): any change, a revocation among them, makes a new one. Relying parties verify what they are
 * served either way; nothing here skips a check.
 */
export interface PublicationStore {
  /** The entry under `key` when its fingerprint is `fingerprint` and `now` is inside its window. */
  get(key: string, fingerprint: string, now: number): Publication | undefined;
  /** Keeps `publication` under `key` (replacing the one before). */
  put(key: string, fingerprint: string, publication: Publication): void;
}

/** The publication store over the hub store (migrated on creation). */
export function createPublicationStore(store: Store): PublicationStore {
  store.migrate(PUBLICATION_MIGRATIONS);
  return {
    get: (key, fingerprint, now) => {
      const row = store.get<{ fingerprint: string; issued: number; until: number; body: string }>(
        'SELECT fingerprint, issued, until, body FROM trust_publication WHERE key = ?',
        key,
      );
      if (!row || row.fingerprint !== fingerprint) return undefined;
      const issued = Number(row.issued);
      const until = Number(row.until);
      return issued <= now && now < until ? { body: row.body, issued, until } : undefined;
    },
    put: (key, fingerprint, p) => {
      store.run(
        'INSERT OR REPLACE INTO trust_publication (key, fingerprint, issued, until, body) VALUES (?, ?, ?, ?, ?)',
        key,
        fingerprint,
        p.issued,
        p.until,
        p.body,
      );
    },
  };
}

/** SHA-256 over the parts (separated, so ["ab", "c"] and ["a", "bc"] differ), hex. */
export function fingerprintOf(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\u0000');
  return h.digest('hex');
}
