import type { Store } from '@kakehashi/core';
import type { CrlReason, RevocationRecord, RevokedCertificate } from '@kakehashi/trust';

const REVOCATION_MIGRATIONS = [
  {
    id: 'hub/revocations/001',
    up: `CREATE TABLE trust_revocations (serial_hex TEXT PRIMARY KEY, ca_name TEXT NOT NULL, revoked_at TEXT NOT NULL, reason TEXT NOT NULL);
         CREATE TABLE trust_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  },
];

/**
 * What the hub's trust persists in the hub store: the revocations (by issuing CA), the CRL number and the
 * trusted lists' sequence number — both only ever go up, across restarts, so relying parties see a newer CRL
 * after every revocation and never mistake a republished list for a rollback.
 */
export interface RevocationLedger {
  /** The certificates `caName` revoked, by serial. */
  revokedBy(caName: string): RevokedCertificate[];
  /** The revocation of one certificate of `caName`, if any (what OCSP answers). */
  statusOf(caName: string, serialHex: string): RevokedCertificate | undefined;
  /** Every revoked serial (hex). */
  revokedSerials(): Set<string>;
  /** The current CRL number (1 before any revocation). */
  crlNumber(): number;
  /** Persists a revocation and raises the CRL number, in one transaction. */
  record(rec: RevocationRecord): void;
  /** The next trusted-list sequence number (persisted before it is used). */
  nextListSequence(): number;
}

/** The ledger over the hub store (migrated on creation). */
export function createRevocationLedger(store: Store): RevocationLedger {
  store.migrate(REVOCATION_MIGRATIONS);
  const state = (key: string) =>
    store.get<{ value: string }>('SELECT value FROM trust_state WHERE key = ?', key)?.value;
  const setState = (key: string, value: number) =>
    store.run('INSERT OR REPLACE INTO trust_state (key, value) VALUES (?, ?)', key, String(value));
  const revoked = (r: { serial_hex: string; revoked_at: string; reason: string }): RevokedCertificate => ({
    serialHex: r.serial_hex,
    revokedAt: new Date(r.revoked_at),
    reason: r.reason as CrlReason,
  });
  return {
    revokedBy: (caName) =>
      store
        .all<{ serial_hex: string; revoked_at: string; reason: string }>(
          'SELECT * FROM trust_revocations WHERE ca_name = ? ORDER BY serial_hex',
          caName,
        )
        .map(revoked),
    statusOf: (caName, serialHex) => {
      const row = store.get<{ serial_hex: string; revoked_at: string; reason: string }>(
        'SELECT serial_hex, revoked_at, reason FROM trust_revocations WHERE ca_name = ? AND serial_hex = ?',
        caName,
        serialHex,
      );
      return row ? revoked(row) : undefined;
    },
    revokedSerials: () =>
      new Set(store.all<{ serial_hex: string }>('SELECT serial_hex FROM trust_revocations').map((r) => r.serial_hex)),
    crlNumber: () => Number(state('crlNumber') ?? '1'),
    record: (rec) =>
      store.transaction(() => {
        store.run(
          'INSERT OR REPLACE INTO trust_revocations (serial_hex, ca_name, revoked_at, reason) VALUES (?,?,?,?)',
          rec.serialHex,
          rec.issuerName,
          rec.revokedAt.toISOString(),
          rec.reason ?? 'unspecified',
        );
        setState('crlNumber', Number(state('crlNumber') ?? '1') + 1);
      }),
    nextListSequence: () => {
      const next = Number(state('tlSequence') ?? '0') + 1;
      setState('tlSequence', next);
      return next;
    },
  };
}
