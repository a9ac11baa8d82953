import type { Clock, Store } from '@kakehashi/core';
import type { KeyCustodian } from '../custodian/key-custodian.ts';
import type { JpAgency } from '../deps.ts';
import type { JpFaults } from '../faults/faults.ts';
import type { AccessRecords } from '../records/access-records.ts';
import type { MatrixFile } from './matrix.ts';

/** The network system's state, shared by its concerns (issuance, index, translation, mediation, rotation). */
export interface NetworkContext {
  store: Store;
  clock: Clock;
  custodian: KeyCustodian;
  faults: JpFaults;
  matrix: MatrixFile;
  agencies: ReadonlyMap<string, JpAgency>;
  records: AccessRecords;
}

export const NETWORK_MIGRATIONS = [
  {
    id: 'jp-network/network/001',
    up: `CREATE TABLE nws_code_index (agency_id TEXT NOT NULL, code TEXT NOT NULL, version INTEGER NOT NULL,
           link_enc TEXT NOT NULL, status TEXT NOT NULL, issued_at TEXT NOT NULL, grace_until TEXT,
           PRIMARY KEY (agency_id, code));
         CREATE TABLE nws_acquisition_numbers (number_hash TEXT PRIMARY KEY, agency_id TEXT NOT NULL,
           expires_at INTEGER NOT NULL);
         CREATE TABLE nws_e2e_keys (agency_id TEXT PRIMARY KEY, registration TEXT NOT NULL, public_key TEXT NOT NULL,
           registered_at TEXT NOT NULL);
         CREATE TABLE nws_migrations (id TEXT PRIMARY KEY, agency_id TEXT NOT NULL, version INTEGER NOT NULL,
           sealed TEXT NOT NULL, created_at TEXT NOT NULL);
         CREATE TABLE nws_impact_overrides (agency_id TEXT PRIMARY KEY, status TEXT NOT NULL, set_at TEXT NOT NULL);`,
  },
];
