import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { AuditLog, type Clock, KakehashiError, type Store } from '@kakehashi/core';

/** The keys the custodian holds. Callers name them; they never see them. */
export type KeyName = 'link' | 'master' | 'xborder' | 'pairwise' | 'index' | 'records';

export const CUSTODIAN_MIGRATIONS = [
  {
    id: 'jp-network/custodian_keys/001',
    up: `CREATE TABLE custodian_keys (name TEXT NOT NULL, version INTEGER NOT NULL, created_at TEXT NOT NULL,
           PRIMARY KEY (name, version));
         CREATE TABLE custodian_agency_keys (agency_id TEXT NOT NULL, version INTEGER NOT NULL,
           master_version INTEGER NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (agency_id, version));`,
  },
];

/** A per-agency key version: `K_agency,v = HKDF(K_master,m, "agency-code/v{v}/{agencyId}")`. */
export interface AgencyKeyVersion {
  agencyId: string;
  version: number;
  masterVersion: number;
  createdAt: string;
}

/**
 * The key custodian — the HSM stand-in of the Cooperation Network. It keeps versioned keys behind handles and
 * offers only operations on them (HMAC, HKDF-derived per-agency codes, authenticated encryption of the code
 * index); no operation returns a raw key, and every use is appended to a hash-chained audit log.
 *
 * TEST ONLY: the root secret derives from the public seed (so a run is reproducible); a real custodian
 * generates it inside the HSM.
 * @see ../../../../shared/design/jp-cooperation-network.md ("The construction for Kakehashi")
 */
export class KeyCustodian {
  readonly audit: AuditLog;
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #root: KeyObject;
  /**
   * Derived keys as key objects: node:crypto turns a Buffer key into one on every HMAC or cipher (in Node 24 that
   * costs several times the HMAC itself); a key object is used as it is.
   */
  readonly #cache = new Map<string, KeyObject>();
  /**
   * What every HMAC and code derivation would otherwise read from the store: the current version of each key and
   * agency, and the agency key versions (rows never change once written). Only this class writes those tables;
   * each write drops what it changes, a reset (which empties the store) ends in {@link ensureKeys}, which clears
   * it all first, and nothing read inside an open transaction is kept (a rollback would make it wrong).
   */
  readonly #versions = new Map<KeyName, number>();
  readonly #agencyVersions = new Map<string, number>();
  readonly #agencyRows = new Map<string, AgencyKeyVersion>();

  constructor(seed: string, store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
    store.migrate(CUSTODIAN_MIGRATIONS);
    this.audit = new AuditLog(store, clock, 'custodian_audit');
    this.#root = createSecretKey(
      Buffer.from(
        hkdfSync('sha256', Buffer.from(seed, 'utf8'), 'kakehashi/jp-network/custodian', 'root/v1 TEST ONLY', 32),
      ),
    );
    this.ensureKeys();
  }

  /** Creates version 1 of every key that has no version yet (at start, and after a reset emptied the store). */
  ensureKeys(): void {
    this.#versions.clear();
    this.#agencyVersions.clear();
    this.#agencyRows.clear();
    for (const name of ['link', 'master', 'xborder', 'pairwise', 'index', 'records'] as const)
      if (!this.currentVersion(name)) this.#addVersion(name, 1);
  }

  #addVersion(name: KeyName, version: number): void {
    this.#versions.delete(name);
    this.#store.run(
      'INSERT OR IGNORE INTO custodian_keys (name, version, created_at) VALUES (?,?,?)',
      name,
      version,
      this.#clock.now().toISOString(),
    );
  }

  #key(name: KeyName | string, version: number): KeyObject {
    const id = `${name}/v${version}`;
    let k = this.#cache.get(id);
    if (!k) {
      k = createSecretKey(Buffer.from(hkdfSync('sha256', this.#root, Buffer.alloc(0), `key/${id}`, 32)));
      this.#cache.set(id, k);
    }
    return k;
  }

  #agencyKey(agencyId: string, version: number): KeyObject {
    const row = this.agencyKeyVersion(agencyId, version);
    if (!row)
      throw new KakehashiError('not-found', `The custodian holds no key version ${version} for agency ${agencyId}.`);
    const id = `agency/${agencyId}/v${version}/m${row.masterVersion}`;
    let k = this.#cache.get(id);
    if (!k) {
      k = createSecretKey(
        Buffer.from(
          hkdfSync(
            'sha256',
            this.#key('master', row.masterVersion),
            Buffer.alloc(0),
            `agency-code/v${version}/${agencyId}`,
            32,
          ),
        ),
      );
      this.#cache.set(id, k);
    }
    return k;
  }

  #use(caller: string, operation: string, handle: string, details: Record<string, unknown> = {}): void {
    this.audit.append({ actor: caller, action: operation, subject: handle, outcome: 'success', details });
  }

  /** The current version of a key (0 when none). */
  currentVersion(name: KeyName): number {
    const cached = this.#versions.get(name);
    if (cached !== undefined) return cached;
    const v =
      this.#store.get<{ v: number | null }>('SELECT MAX(version) AS v FROM custodian_keys WHERE name = ?', name)?.v ??
      0;
    if (v > 0 && !this.#store.inTransaction) this.#versions.set(name, v);
    return v;
  }

  /** A new version of `name`; the old versions stay usable for what was made with them. */
  rotate(name: KeyName, caller: string): number {
    const v = this.currentVersion(name) + 1;
    this.#addVersion(name, v);
    this.#use(caller, 'rotate', `${name}/v${v}`);
    return v;
  }

  agencyKeyVersion(agencyId: string, version: number): AgencyKeyVersion | undefined {
    const id = `${agencyId}/v${version}`;
    const cached = this.#agencyRows.get(id);
    if (cached) return { ...cached };
    const r = this.#store.get<{ agency_id: string; version: number; master_version: number; created_at: string }>(
      'SELECT * FROM custodian_agency_keys WHERE agency_id = ? AND version = ?',
      agencyId,
      version,
    );
    if (!r) return undefined;
    const row = { agencyId: r.agency_id, version: r.version, masterVersion: r.master_version, createdAt: r.created_at };
    if (!this.#store.inTransaction) this.#agencyRows.set(id, row);
    return { ...row };
  }

  /** The current key version of an agency (creates version 1 under the current master key on first use). */
  currentAgencyVersion(agencyId: string, caller: string): number {
    const v = this.#agencyVersions.get(agencyId) ?? this.#storedAgencyVersion(agencyId);
    if (v === 0) return this.rotateAgency(agencyId, caller);
    if (!this.#store.inTransaction) this.#agencyVersions.set(agencyId, v);
    return v;
  }

  #storedAgencyVersion(agencyId: string): number {
    return (
      this.#store.get<{ v: number | null }>(
        'SELECT MAX(version) AS v FROM custodian_agency_keys WHERE agency_id = ?',
        agencyId,
      )?.v ?? 0
    );
  }

  /** A new key version for one agency, derived from the current master key. */
  rotateAgency(agencyId: string, caller: string): number {
    const version = this.#storedAgencyVersion(agencyId) + 1;
    this.#agencyVersions.delete(agencyId);
    this.#store.run(
      'INSERT INTO custodian_agency_keys (agency_id, version, master_version, created_at) VALUES (?,?,?,?)',
      agencyId,
      version,
      this.currentVersion('master'),
      this.#clock.now().toISOString(),
    );
    this.#use(caller, 'rotate-agency-key', `agency/${agencyId}/v${version}`, {
      masterVersion: this.currentVersion('master'),
    });
    return version;
  }

  /** `HMAC-SHA256(K_name, data)` with the current (or given) version of a key. */
  hmac(name: KeyName, data: string | Buffer, caller: string, purpose: string, version?: number): Buffer {
    const v = version ?? this.currentVersion(name);
    this.#use(caller, 'hmac', `${name}/v${v}`, { purpose });
    return createHmac('sha256', this.#key(name, v)).update(data).digest();
  }

  /**
   * Several HMACs as one audited operation: `fn` computes them with `mac` (`HMAC-SHA256(K_name, data)`, the current
   * or given version), each output free to feed the next; one audit entry `hmac-batch` names every key version used,
   * in order, with the purpose and the count — written even when `fn` throws, for the uses made until then. One
   * entry instead of one per HMAC, as the batch forms below (a login's identifiers: three uses, one entry).
   */
  hmacBatch<T>(
    caller: string,
    purpose: string,
    fn: (mac: (name: KeyName, data: string | Buffer, version?: number) => Buffer) => T,
  ): T {
    const used: string[] = [];
    try {
      return fn((name, data, version) => {
        const v = version ?? this.currentVersion(name);
        used.push(`${name}/v${v}`);
        return createHmac('sha256', this.#key(name, v)).update(data).digest();
      });
    } finally {
      if (used.length > 0) this.#use(caller, 'hmac-batch', used.join(' '), { purpose, count: used.length });
    }
  }

  /** `linkId = HMAC-SHA256(K_link, "link/v1/" ‖ residentRecordCode)`; the caller drops the code afterwards. */
  linkId(residentRecordCode: string, caller: string): Buffer {
    return this.hmac('link', `link/v1/${residentRecordCode}`, caller, 'link-id', 1);
  }

  /** Batch form of {@link linkId} (one audit entry for the batch). */
  linkIds(residentRecordCodes: readonly string[], caller: string): Buffer[] {
    this.#use(caller, 'hmac-batch', 'link/v1', { purpose: 'link-id', count: residentRecordCodes.length });
    const k = this.#key('link', 1);
    return residentRecordCodes.map((c) => createHmac('sha256', k).update(`link/v1/${c}`).digest());
  }

  /**
   * The per-agency code `"v{v}." ‖ base64url(HMAC-SHA256(K_agency,v, linkId))`: 256 bits, deterministic per
   * (person, agency, key version), one-way.
   */
  agencyCode(agencyId: string, version: number, linkId: Buffer, caller: string): string {
    const key = this.#agencyKey(agencyId, version);
    this.#use(caller, 'derive-agency-code', `agency/${agencyId}/v${version}`);
    return `v${version}.${createHmac('sha256', key).update(linkId).digest('base64url')}`;
  }

  /** Batch form of {@link agencyCode} (one audit entry for the batch: rotation, property tests). */
  agencyCodes(agencyId: string, version: number, linkIds: readonly Buffer[], caller: string): string[] {
    const key = this.#agencyKey(agencyId, version);
    this.#use(caller, 'derive-agency-code-batch', `agency/${agencyId}/v${version}`, { count: linkIds.length });
    return linkIds.map((l) => `v${version}.${createHmac('sha256', key).update(l).digest('base64url')}`);
  }

  /** Encrypts a link id for the code index (AES-256-GCM under K_index, bound to `aad`). */
  sealIndex(linkId: Buffer, aad: string, caller: string): string {
    const v = this.currentVersion('index');
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.#key('index', v), iv);
    c.setAAD(Buffer.from(aad));
    const ct = Buffer.concat([c.update(linkId), c.final()]);
    this.#use(caller, 'encrypt', `index/v${v}`);
    return `${v}.${iv.toString('base64url')}.${ct.toString('base64url')}.${c.getAuthTag().toString('base64url')}`;
  }

  /** Decrypts what {@link sealIndex} made; `internal-error` when it was altered or moved to another row. */
  openIndex(sealed: string, aad: string, caller: string): Buffer {
    const [v, iv, ct, tag] = sealed.split('.');
    try {
      const d = createDecipheriv('aes-256-gcm', this.#key('index', Number(v)), Buffer.from(iv ?? '', 'base64url'));
      d.setAAD(Buffer.from(aad));
      d.setAuthTag(Buffer.from(tag ?? '', 'base64url'));
      const out = Buffer.concat([d.update(Buffer.from(ct ?? '', 'base64url')), d.final()]);
      this.#use(caller, 'decrypt', `index/v${v}`);
      return out;
    } catch (cause) {
      throw new KakehashiError('internal-error', 'A code index entry does not decrypt (altered or moved).', { cause });
    }
  }

  /**
   * The raw current link and master keys — what an attacker walks away with in the "network key leak"
   * incident. Only the incident simulation calls this, and only while that fault is switched on; the call is
   * audited like every other use.
   */
  exportForIncidentSimulation(
    caller: string,
    faultOn: boolean,
  ): { link: string; master: string; masterVersion: number } {
    if (!faultOn)
      throw new KakehashiError(
        'jp-fault-off',
        'No API returns a raw key; switch on the fault jp.network-key-leak (PUT /admin/faults) to simulate a leak.',
      );
    const m = this.currentVersion('master');
    this.audit.append({
      actor: caller,
      action: 'export-raw-keys',
      subject: 'link+master',
      outcome: 'success',
      details: { incident: 'network-key-leak' },
    });
    return {
      link: this.#key('link', 1).export().toString('base64url'),
      master: this.#key('master', m).export().toString('base64url'),
      masterVersion: m,
    };
  }
}

/**
 * What an attacker holding leaked link and master keys computes: the code of a person (by resident record
 * code) at an agency, for an agency key version derived from that master key. Used by the incident tests.
 */
export function computeCodeWithLeakedKeys(
  leaked: { link: string; master: string },
  residentRecordCode: string,
  agencyId: string,
  version: number,
): string {
  const linkId = createHmac('sha256', Buffer.from(leaked.link, 'base64url'))
    .update(`link/v1/${residentRecordCode}`)
    .digest();
  const k = Buffer.from(
    hkdfSync(
      'sha256',
      Buffer.from(leaked.master, 'base64url'),
      Buffer.alloc(0),
      `agency-code/v${version}/${agencyId}`,
      32,
    ),
  );
  return `v${version}.${createHmac('sha256', k).update(linkId).digest('base64url')}`;
}
