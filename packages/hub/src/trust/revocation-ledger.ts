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
  /** Every revocation in the ledger, by CA and serial. */
  list(): (RevokedCertificate & { caName: string })[];
  /**
   * Takes revocations out of the ledger (all of them, or the serials given) and raises the CRL number, so relying
   * parties see a newer CRL without them. Returns the records removed. TEST ONLY: a real CA never un-revokes
   * (RFC 5280 allows it only for certificateHold); this is how a scenario or a reset undoes its revocations.
   */
  remove(serialsHex?: string[]): (RevokedCertificate & { caName: string })[];
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
  const listAll = () =>
    store
      .all<{ serial_hex: string; ca_name: string; revoked_at: string; reason: string }>(
        'SELECT * FROM trust_revocations ORDER BY ca_name, serial_hex',
      )
      .map((r) => ({ ...revoked(r), caName: r.ca_name }));
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
    list: () => listAll(),
    remove: (serialsHex) =>
      store.transaction(() => {
        const wanted = serialsHex?.map((x) => x.toLowerCase());
        const gone = listAll().filter((r) => !wanted || wanted.includes(r.serialHex));
        for (const r of gone) store.run('DELETE FROM trust_revocations WHERE serial_hex = ?', r.serialHex);
        if (gone.length > 0) setState('crlNumber', Number(state('crlNumber') ?? '1') + 1);
        return gone;
      }),
    nextListSequence: () => {
      const next = Number(state('tlSequence') ?? '0') + 1;
      setState('tlSequence', next);
      return next;
    },
  };
}
