import { hkdfSync, randomUUID } from 'node:crypto';
import { type Clock, KakehashiError, type Store } from '@kakehashi/core';
import { certFingerprint, signJws, verifyJwsSignature } from '../crypto/jws.ts';
import { RequestAuthenticator } from '../crypto/request-auth.ts';
import { type E2eKeyPair, e2eKeyPairFrom, open, seal } from '../crypto/seal.ts';
import type { CertificateValidator, JpAgency, JpCredential } from '../deps.ts';
import { AccessRecords } from '../records/access-records.ts';
import type { FourFacts, PartialFacts } from '../registry/four-facts.ts';
import type { Transport } from '../transport.ts';

export const E2E_KEY_TYP = 'jp-e2e-key+jwt';

export const PARTY_MIGRATIONS = (id: string) => [
  {
    id: `jp-network/agency-${id}/001`,
    up: `CREATE TABLE ag_subjects (internal_id TEXT PRIMARY KEY, code TEXT UNIQUE, name TEXT, date_of_birth TEXT,
           gender TEXT, address TEXT, linked_at TEXT);
         CREATE TABLE ag_data (internal_id TEXT NOT NULL, item TEXT NOT NULL, value TEXT NOT NULL,
           PRIMARY KEY (internal_id, item));
         CREATE TABLE ag_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  },
];

export interface SubjectRow {
  internal_id: string;
  code: string | null;
  name: string | null;
  date_of_birth: string | null;
  gender: string | null;
  address: string | null;
  linked_at: string | null;
}

export interface PartyDeps {
  store: Store;
  clock: Clock;
  seed: string;
  trust: CertificateValidator;
  transport: Transport;
  /** Certificates of every party, by id (the published directory this party pins). */
  directory: Record<string, string>;
}

export interface QueryInput {
  internalId: string;
  procedure: string;
  provider: string;
  items: string[];
  purpose?: string | undefined;
  nonDisclosure?: boolean | undefined;
}

export interface QueryResult {
  requestId: string;
  outcome: 'provided' | 'refused';
  data?: Record<string, unknown>;
  refusal?: { code: string; reason: string };
}

/**
 * An agency as a party of the Cooperation Network: its intermediary server's own store (its internal ids and
 * its own codes — never a My Number, never a resident record code), its end-to-end key, its copy of the access
 * records, and the requester side of an exchange. Providers and the portal build on it.
 */
export class AgencyParty {
  readonly agency: JpAgency;
  readonly store: Store;
  readonly records: AccessRecords;
  readonly e2e: E2eKeyPair;
  readonly authenticator: RequestAuthenticator;
  protected readonly deps: PartyDeps;
  protected readonly cred: JpCredential;
  readonly #peerKeys = new Map<string, string>();

  constructor(agency: JpAgency, cred: JpCredential, deps: PartyDeps) {
    this.agency = agency;
    this.cred = cred;
    this.deps = deps;
    this.store = deps.store;
    this.store.migrate(PARTY_MIGRATIONS(agency.id));
    this.records = new AccessRecords(this.store, deps.clock);
    // TEST ONLY: the intermediary server's X25519 key derives from the public seed (reproducible runs).
    this.e2e = e2eKeyPairFrom(
      Buffer.from(hkdfSync('sha256', Buffer.from(deps.seed), 'kakehashi/jp-network/e2e', `agency/${agency.id}`, 32)),
    );
    this.authenticator = new RequestAuthenticator({
      store: this.store,
      owner: `agency-${agency.id}`,
      clock: deps.clock,
      trust: deps.trust,
      directory: { network: deps.directory.network as string },
      audience: `jp-agency:${agency.id}`,
    });
  }

  protected as() {
    return { id: this.agency.id, cred: this.cred };
  }

  /** Publishes this server's end-to-end public key at the network, signed with the agency certificate. */
  async registerE2eKey(): Promise<void> {
    const registration = signJws(
      { sub: this.agency.id, x25519: this.e2e.publicKey, iat: Math.floor(this.deps.clock.nowMs() / 1000) },
      this.cred,
      E2E_KEY_TYP,
    );
    await this.deps.transport.call(this.as(), 'network', 'PUT', `/jp/network/agencies/${this.agency.id}/e2e-key`, {
      registration,
    });
  }

  /**
   * Another party's end-to-end key, fetched from the network's directory and checked end to end: the
   * registration must be signed by that party's pinned certificate, so the network cannot slip in its own key.
   */
  async peerKey(agencyId: string): Promise<string> {
    const hit = this.#peerKeys.get(agencyId);
    if (hit) return hit;
    const { registration } = await this.deps.transport.call<{ registration: string }>(
      this.as(),
      'network',
      'GET',
      `/jp/network/agencies/${agencyId}/e2e-key`,
    );
    const publicKey = verifyE2eRegistration(registration, agencyId, this.deps);
    this.#peerKeys.set(agencyId, publicKey);
    return publicKey;
  }

  subject(internalId: string): SubjectRow | undefined {
    return this.store.get<SubjectRow>('SELECT * FROM ag_subjects WHERE internal_id = ?', internalId);
  }

  subjectByCode(code: string): SubjectRow | undefined {
    return this.store.get<SubjectRow>('SELECT * FROM ag_subjects WHERE code = ?', code);
  }

  subjects(): SubjectRow[] {
    return this.store.all<SubjectRow>('SELECT * FROM ag_subjects ORDER BY internal_id');
  }

  /** Adds a local record (the agency's own resident/member/taxpayer record), not yet linked. */
  addSubject(internalId: string, facts: PartialFacts, data: Record<string, unknown> = {}): void {
    this.store.transaction(() => {
      this.store.run(
        'INSERT INTO ag_subjects (internal_id, name, date_of_birth, gender, address) VALUES (?,?,?,?,?)',
        internalId,
        facts.name,
        facts.dateOfBirth,
        facts.gender ?? null,
        facts.address ?? null,
      );
      for (const [item, value] of Object.entries(data))
        this.store.run(
          'INSERT INTO ag_data (internal_id, item, value) VALUES (?,?,?)',
          internalId,
          item,
          JSON.stringify(value),
        );
    });
  }

  /**
   * Obtains this agency's code for a person through the acquisition-number flow: a one-time number from the
   * network, sent with the person's facts (or their card's proof) to J-LIS, which adds the resident record code
   * and forwards it; the network's answer — the code — comes back sealed to this server's key, so J-LIS never
   * sees it. The acquisition number is not kept.
   */
  async obtainCode(
    proof: { fourFacts: PartialFacts } | { cardCertificate: { certificate: string; chain: string[] } },
  ): Promise<string> {
    const { acquisitionNumber } = await this.deps.transport.call<{ acquisitionNumber: string }>(
      this.as(),
      'network',
      'POST',
      '/jp/network/acquisition-numbers',
      {},
    );
    const body = { acquisitionNumber, ...proof };
    const { sealedCode } = await this.deps.transport.call<{ sealedCode: string }>(
      this.as(),
      'j-lis',
      'POST',
      '/jp/jlis/code-requests',
      body,
    );
    const opened = JSON.parse(open(sealedCode, this.e2e, `code/${this.agency.id}/${acquisitionNumber}`)) as {
      code: string;
    };
    return opened.code;
  }

  /** Links a local record: obtains its code with the record's facts and stores it beside the internal id. */
  async link(internalId: string): Promise<string> {
    const s = this.subject(internalId);
    if (!s) throw new KakehashiError('not-found', `${this.agency.id} has no record ${internalId.slice(0, 40)}.`);
    if (s.code) return s.code;
    const facts = {
      name: s.name ?? '',
      dateOfBirth: s.date_of_birth ?? '',
      ...(s.gender ? { gender: s.gender as FourFacts['gender'] } : {}),
      ...(s.address ? { address: s.address } : {}),
    };
    const code = await this.obtainCode({ fourFacts: facts });
    const twin = this.subjectByCode(code);
    if (twin)
      throw new KakehashiError(
        'conflict',
        `${this.agency.id} already holds record ${twin.internal_id} for this person; merge the records instead of linking twice.`,
      );
    this.store.run(
      'UPDATE ag_subjects SET code = ?, linked_at = ? WHERE internal_id = ?',
      code,
      this.deps.clock.now().toISOString(),
      internalId,
    );
    return code;
  }

  /** Collects and applies the migration lists the network prepared for this agency after a key rotation. */
  async applyMigrations(): Promise<number> {
    const { migrations } = await this.deps.transport.call<{ migrations: { id: string; sealed: string }[] }>(
      this.as(),
      'network',
      'POST',
      '/jp/network/migrations/collect',
      {},
    );
    let changed = 0;
    for (const m of migrations) {
      const list = JSON.parse(open(m.sealed, this.e2e, `migration/${m.id}`)) as {
        codes: { from: string; to: string }[];
      };
      this.store.transaction(() => {
        for (const { from, to } of list.codes)
          changed += this.store.run('UPDATE ag_subjects SET code = ? WHERE code = ?', to, from).changes;
      });
    }
    return changed;
  }

  /**
   * The requester side of a mediated exchange: seals the request for the provider, sends (own code, procedure,
   * provider, items) to the network, opens the provider's sealed answer, and keeps the requester copy of the
   * access record — for refusals too.
   */
  async query(q: QueryInput): Promise<QueryResult> {
    const s = this.subject(q.internalId);
    if (!s?.code)
      throw new KakehashiError('not-found', `${this.agency.id} has no linked record ${q.internalId.slice(0, 40)}.`);
    const requestId = randomUUID();
    const requestedAt = this.deps.clock.now().toISOString();
    const base = {
      requestId,
      requester: { id: this.agency.id, name: this.agency.name },
      provider: { id: q.provider, name: q.provider },
      procedure: { id: q.procedure, name: q.procedure },
      items: q.items,
      requestedAt,
      nonDisclosure: q.nonDisclosure === true,
    };
    try {
      const providerKey = await this.peerKey(q.provider);
      const sealedRequest = seal(
        JSON.stringify({ requestId, items: q.items, purpose: q.purpose ?? q.procedure }),
        providerKey,
        `request/${requestId}`,
      );
      const res = await this.deps.transport.call<{
        requestId: string;
        providedAt: string;
        sealedResponse: string;
        provider: { id: string; name: string };
        procedure: { id: string; name: string; nameLocal?: string };
        legalBasis: string;
        ruleId: string;
      }>(this.as(), 'network', 'POST', '/jp/network/queries', {
        requestId,
        code: s.code,
        procedure: q.procedure,
        provider: q.provider,
        items: q.items,
        sealedRequest,
        nonDisclosure: q.nonDisclosure === true,
      });
      const opened = JSON.parse(open(res.sealedResponse, this.e2e, `response/${requestId}`)) as {
        requestId: string;
        data: Record<string, unknown>;
      };
      if (opened.requestId !== requestId)
        throw new KakehashiError('jp-e2e-failed', 'The answer is for another request.');
      this.records.append('requester', this.agency.id, s.code, {
        ...base,
        provider: res.provider,
        procedure: res.procedure,
        legalBasis: res.legalBasis,
        ruleId: res.ruleId,
        providedAt: res.providedAt,
        outcome: 'provided',
      });
      return { requestId, outcome: 'provided', data: opened.data };
    } catch (e) {
      const refusal =
        e instanceof KakehashiError
          ? { code: e.code, reason: e.message }
          : { code: 'internal-error', reason: 'unexpected failure' };
      this.records.append('requester', this.agency.id, s.code, {
        ...base,
        providedAt: null,
        outcome: 'refused',
        refusal,
      });
      return { requestId, outcome: 'refused', refusal };
    }
  }

  meta(key: string): string | undefined {
    return this.store.get<{ value: string }>('SELECT value FROM ag_meta WHERE key = ?', key)?.value;
  }

  setMeta(key: string, value: string): void {
    this.store.run('INSERT OR REPLACE INTO ag_meta (key, value) VALUES (?, ?)', key, value);
  }
}

/** Checks an end-to-end key registration against the party's pinned certificate and the trust fabric. */
export function verifyE2eRegistration(
  registration: string,
  agencyId: string,
  deps: { directory: Record<string, string>; trust: CertificateValidator; clock: Clock },
): string {
  const { payload, certPem, chainPem } = verifyJwsSignature(registration, E2E_KEY_TYP);
  const pinned = deps.directory[agencyId];
  const fail = (why: string): never => {
    throw new KakehashiError('jp-e2e-failed', `The end-to-end key of ${agencyId} is not trusted: ${why}.`);
  };
  if (!pinned || certFingerprint(certPem) !== certFingerprint(pinned)) fail('not signed by its certificate');
  if (payload.sub !== agencyId || typeof payload.x25519 !== 'string') fail('the registration names another party');
  const v = deps.trust.validateCertificate(certPem, chainPem, { at: deps.clock.now(), usage: ['digitalSignature'] });
  if (!v.valid) fail(`its certificate does not validate (${v.failure?.code})`);
  return payload.x25519 as string;
}
