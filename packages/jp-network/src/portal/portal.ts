import { createHash, randomBytes } from 'node:crypto';
import { KakehashiError } from '@kakehashi/core';
import { AgencyParty, type PartyDeps } from '../agencies/agency-party.ts';
import { type CardResponse, verifyCardResponse } from '../crypto/card-auth.ts';
import type { JpAgency, JpCredential } from '../deps.ts';
import type { JpFaults } from '../faults/faults.ts';
import type { MatrixFile } from '../network/matrix.ts';
import type { StoredAccessRecord } from '../records/access-records.ts';

export const CHALLENGE_TTL_MS = 2 * 60_000;
export const SESSION_TTL_MS = 30 * 60_000;

export const PORTAL_MIGRATIONS = [
  {
    id: 'jp-network/portal/001',
    up: `CREATE TABLE portal_users (serial_hex TEXT PRIMARY KEY, internal_id TEXT NOT NULL);
         CREATE TABLE portal_challenges (id TEXT PRIMARY KEY, value TEXT NOT NULL, purpose TEXT NOT NULL,
           session_hash TEXT, expires_at INTEGER NOT NULL);
         CREATE TABLE portal_sessions (token_hash TEXT PRIMARY KEY, internal_id TEXT NOT NULL, expires_at INTEGER NOT NULL);
         CREATE TABLE portal_bank_accounts (internal_id TEXT PRIMARY KEY, account TEXT NOT NULL, registered_at TEXT NOT NULL);`,
  },
];

const sha = (s: string) => createHash('sha256').update(s).digest('base64url');

/** What the citizen sees of one exchange: when, who, why, which items. */
export interface DisclosedRecord {
  requestId: string;
  when: { requestedAt: string; providedAt: string | null };
  who: { requester: string; provider: string };
  why: { procedure: string; procedureLocal?: string | undefined; legalBasis?: string | undefined };
  items: string[];
  outcome: 'provided' | 'refused';
  /** The Japanese names: of the agencies when they are Japan's own (a foreign requester has none), of each item. */
  local?: { requester?: string | undefined; provider?: string | undefined; items: string[] };
}

/**
 * The citizen portal (Mynaportal-like): login with the card's user-authentication certificate (never with
 * My Number), the access records about the citizen ("when, who, why, which items", without those flagged
 * non-disclosable), their own data through the network, and a write action (the public-funds receiving account)
 * that needs re-authentication bound to the session's subject. The portal is one more party with its own code.
 */
export class Portal extends AgencyParty {
  readonly #faults: JpFaults;
  readonly #matrix: MatrixFile;
  readonly #jpkiCa: JpCredential | undefined;
  readonly #agencies: ReadonlyMap<string, JpAgency>;

  constructor(
    agency: JpAgency,
    cred: JpCredential,
    deps: PartyDeps & {
      faults: JpFaults;
      matrix: MatrixFile;
      jpkiCa?: JpCredential | undefined;
      /** Japan's agencies (for their Japanese names on the page). */
      agencies?: ReadonlyMap<string, JpAgency>;
    },
  ) {
    super(agency, cred, deps);
    this.#agencies = deps.agencies ?? new Map();
    this.store.migrate(PORTAL_MIGRATIONS);
    this.#faults = deps.faults;
    this.#matrix = deps.matrix;
    this.#jpkiCa = deps.jpkiCa;
  }

  /** A single-use challenge for the card to sign, expiring on the virtual clock. */
  challenge(
    purpose: 'login' | 'reauth',
    sessionToken?: string,
  ): { challengeId: string; challenge: string; expiresAt: string } {
    if (purpose === 'reauth') this.session(sessionToken);
    const challengeId = randomBytes(12).toString('base64url');
    const challenge = `mynaportal/${purpose}/${randomBytes(32).toString('base64url')}`;
    const expires = this.deps.clock.nowMs() + CHALLENGE_TTL_MS;
    this.store.run(
      'INSERT INTO portal_challenges (id, value, purpose, session_hash, expires_at) VALUES (?,?,?,?,?)',
      challengeId,
      challenge,
      purpose,
      sessionToken ? sha(sessionToken) : null,
      expires,
    );
    return { challengeId, challenge, expiresAt: new Date(expires).toISOString() };
  }

  /** Consumes a challenge (deleted whatever the outcome) and checks the card's answer; returns the user's internal id. */
  async #cardLogin(
    challengeId: string,
    response: CardResponse,
    purpose: 'login' | 'reauth',
    sessionToken?: string,
  ): Promise<string> {
    const row = this.store.get<{ value: string; purpose: string; session_hash: string | null; expires_at: number }>(
      'SELECT * FROM portal_challenges WHERE id = ?',
      challengeId,
    );
    this.store.run(
      'DELETE FROM portal_challenges WHERE id = ? OR expires_at < ?',
      challengeId,
      this.deps.clock.nowMs(),
    );
    if (
      !row ||
      row.expires_at < this.deps.clock.nowMs() ||
      row.purpose !== purpose ||
      (purpose === 'reauth' && row.session_hash !== (sessionToken ? sha(sessionToken) : null))
    )
      throw new KakehashiError(
        'jp-challenge-invalid',
        'The challenge is unknown, expired, already used or for another purpose; ask for a new one.',
      );
    const { serialHex } = verifyCardResponse(response, row.value, {
      trust: this.deps.trust,
      clock: this.deps.clock,
      jpkiCa: this.#jpkiCa,
    });
    const known = this.store.get<{ internal_id: string }>(
      'SELECT internal_id FROM portal_users WHERE serial_hex = ?',
      serialHex,
    );
    if (known) return known.internal_id;
    // First login with this card: the portal obtains its own code for the person through J-LIS.
    const code = await this.obtainCode({
      cardCertificate: { certificate: response.certificate, chain: response.chain ?? [] },
    });
    const existing = this.subjectByCode(code);
    const internalId = existing?.internal_id ?? `MYNA-${randomBytes(6).toString('hex').toUpperCase()}`;
    this.store.transaction(() => {
      if (!existing)
        this.store.run(
          'INSERT INTO ag_subjects (internal_id, code, linked_at) VALUES (?,?,?)',
          internalId,
          code,
          this.deps.clock.now().toISOString(),
        );
      this.store.run(
        'INSERT OR REPLACE INTO portal_users (serial_hex, internal_id) VALUES (?, ?)',
        serialHex,
        internalId,
      );
    });
    return internalId;
  }

  /** Logs in with the card: a session token (the only thing the browser keeps). */
  async login(challengeId: string, response: CardResponse): Promise<{ sessionToken: string; expiresAt: string }> {
    const internalId = await this.#cardLogin(challengeId, response, 'login');
    const sessionToken = randomBytes(32).toString('base64url');
    const expires = this.deps.clock.nowMs() + SESSION_TTL_MS;
    this.store.run(
      'INSERT INTO portal_sessions (token_hash, internal_id, expires_at) VALUES (?,?,?)',
      sha(sessionToken),
      internalId,
      expires,
    );
    return { sessionToken, expiresAt: new Date(expires).toISOString() };
  }

  logout(sessionToken: string | undefined): void {
    if (sessionToken) this.store.run('DELETE FROM portal_sessions WHERE token_hash = ?', sha(sessionToken));
  }

  /** The user's internal id for a session token, or `jp-session-invalid`. */
  session(sessionToken: string | undefined): string {
    const row = sessionToken
      ? this.store.get<{ internal_id: string; expires_at: number }>(
          'SELECT * FROM portal_sessions WHERE token_hash = ?',
          sha(sessionToken),
        )
      : undefined;
    if (!row || row.expires_at < this.deps.clock.nowMs())
      throw new KakehashiError('jp-session-invalid', 'Log in again with your card (no session, or it expired).');
    return row.internal_id;
  }

  /** Every exchange about the citizen, from the network's copy (non-disclosable ones are withheld there). */
  async disclosedRecords(sessionToken: string | undefined): Promise<DisclosedRecord[]> {
    const internalId = this.session(sessionToken);
    const s = this.subject(internalId);
    const { records } = await this.deps.transport.call<{ records: StoredAccessRecord[] }>(
      this.as(),
      'network',
      'POST',
      '/jp/network/disclosure',
      { code: s?.code },
    );
    return records.map((r) => ({
      requestId: r.requestId,
      when: { requestedAt: r.requestedAt, providedAt: r.providedAt },
      who: { requester: r.requester.name, provider: r.provider.name },
      why: { procedure: r.procedure.name, procedureLocal: r.procedure.nameLocal, legalBasis: r.legalBasis },
      items: r.items,
      outcome: r.outcome,
      local: {
        requester: this.#agencies.get(r.requester.id)?.nameLocal,
        provider: this.#agencies.get(r.provider.id)?.nameLocal,
        items: r.items.map((i) => this.#matrix.items[i]?.nameLocal ?? i),
      },
    }));
  }

  /** The citizen's own data, fetched from each provider through the network (self-information disclosure). */
  async ownData(sessionToken: string | undefined) {
    const internalId = this.session(sessionToken);
    const rules = this.#matrix.rules.filter(
      (r) => r.requester === this.agency.id && r.procedure === 'self-information-disclosure',
    );
    const out = [];
    for (const rule of rules) {
      const r = await this.query({ internalId, procedure: rule.procedure, provider: rule.provider, items: rule.items });
      out.push({ provider: rule.provider, ...r });
    }
    return out;
  }

  /**
   * Registers the public-funds receiving account — a write. Safeguard: a fresh card re-authentication whose card
   * belongs to the session's subject (a stale session on a shared terminal cannot register someone else's
   * account). Fault `stale-session-write`: the session alone is enough.
   */
  async registerBankAccount(
    sessionToken: string | undefined,
    account: Record<string, string>,
    reauth: ({ challengeId: string } & CardResponse) | undefined,
  ): Promise<{ registeredFor: string; registeredAt: string }> {
    const internalId = this.session(sessionToken);
    if (!this.#faults.isOn('stale-session-write')) {
      if (!reauth)
        throw new KakehashiError(
          'jp-reauth-required',
          'Insert your card again to confirm this change (POST /jp/portal/login/challenge with purpose reauth).',
          {
            rule: 're-authentication bound to the subject (shared-terminal safeguard)',
          },
        );
      const who = await this.#cardLogin(reauth.challengeId, reauth, 'reauth', sessionToken);
      if (who !== internalId)
        throw new KakehashiError(
          'jp-reauth-subject-mismatch',
          'The card is not the card of the person logged in; log out and log in with your own card.',
          {
            rule: 're-authentication bound to the subject',
          },
        );
    }
    const registeredAt = this.deps.clock.now().toISOString();
    this.store.run(
      'INSERT OR REPLACE INTO portal_bank_accounts (internal_id, account, registered_at) VALUES (?,?,?)',
      internalId,
      JSON.stringify(account),
      registeredAt,
    );
    return { registeredFor: internalId, registeredAt };
  }

  bankAccount(sessionToken: string | undefined): { account: Record<string, string>; registeredAt: string } | null {
    const internalId = this.session(sessionToken);
    const row = this.store.get<{ account: string; registered_at: string }>(
      'SELECT * FROM portal_bank_accounts WHERE internal_id = ?',
      internalId,
    );
    return row ? { account: JSON.parse(row.account) as Record<string, string>, registeredAt: row.registered_at } : null;
  }
}
