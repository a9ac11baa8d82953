import { randomBytes } from 'node:crypto';
import { type Clock, KakehashiError } from '@kakehashi/core';
import { type CardResponse, verifyCardResponse } from '../crypto/card-auth.ts';
import type { CertificateValidator, JpCredential } from '../deps.ts';
import type { JpFaults } from '../faults/faults.ts';
import type { IntermediaryServer } from './intermediary-server.ts';

export const KIOSK_MIGRATIONS = [
  {
    id: 'jp-network/kiosk/001',
    up: 'CREATE TABLE kiosk_challenges (id TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at INTEGER NOT NULL)',
  },
];

/** A resident record certificate (住民票の写し) as the kiosk prints it. */
export interface ResidentCertificate {
  kind: 'resident-record-certificate';
  certificateNumber: string;
  issuer: string;
  name: string;
  dateOfBirth: string;
  gender: string;
  address: string;
  issuedAt: string;
}

/**
 * The convenience-store kiosk of a municipality: the card holder proves card presence, the municipality finds
 * its own record of them (its code, obtained through J-LIS with the card certificate) and prints the resident
 * record certificate.
 *
 * Safeguard: the job is request-scoped, jobs for one subject are serialised by a per-subject lock, and the
 * printed certificate is checked against the authenticated card holder before it leaves. Fault
 * `concurrent-issuance-crossing`: one shared spool slot across concurrent jobs (what went wrong in 2023).
 */
export class Kiosk {
  readonly #server: IntermediaryServer;
  readonly #deps: { clock: Clock; trust: CertificateValidator; faults: JpFaults; jpkiCa?: JpCredential | undefined };
  readonly #locks = new Map<string, Promise<unknown>>();
  /** The shared spool slot the faulty kiosk uses. */
  #spool: { internalId: string } | undefined;

  constructor(
    server: IntermediaryServer,
    deps: { clock: Clock; trust: CertificateValidator; faults: JpFaults; jpkiCa?: JpCredential | undefined },
  ) {
    this.#server = server;
    this.#deps = deps;
    server.store.migrate(KIOSK_MIGRATIONS);
  }

  challenge(): { challengeId: string; challenge: string; expiresAt: string } {
    const challengeId = randomBytes(12).toString('base64url');
    const challenge = `kiosk/${this.#server.agency.id}/${randomBytes(32).toString('base64url')}`;
    const expires = this.#deps.clock.nowMs() + 2 * 60_000;
    this.#server.store.run(
      'INSERT INTO kiosk_challenges (id, value, expires_at) VALUES (?,?,?)',
      challengeId,
      challenge,
      expires,
    );
    return { challengeId, challenge, expiresAt: new Date(expires).toISOString() };
  }

  async issue(challengeId: string, response: CardResponse): Promise<ResidentCertificate> {
    const store = this.#server.store;
    const row = store.get<{ value: string; expires_at: number }>(
      'SELECT * FROM kiosk_challenges WHERE id = ?',
      challengeId,
    );
    store.run('DELETE FROM kiosk_challenges WHERE id = ? OR expires_at < ?', challengeId, this.#deps.clock.nowMs());
    if (!row || row.expires_at < this.#deps.clock.nowMs())
      throw new KakehashiError('jp-challenge-invalid', 'The kiosk challenge is unknown, expired or already used.');
    verifyCardResponse(response, row.value, this.#deps);
    const code = await this.#server.obtainCode({
      cardCertificate: { certificate: response.certificate, chain: response.chain ?? [] },
    });
    const subject = this.#server.subjectByCode(code);
    if (!subject)
      throw new KakehashiError(
        'jp-subject-not-held',
        `${this.#server.agency.name} holds no resident record for this card.`,
      );
    const holder = subject.internal_id;

    if (this.#deps.faults.isOn('concurrent-issuance-crossing')) {
      this.#spool = { internalId: holder };
      await printerDelay();
      return this.#print((this.#spool as { internalId: string }).internalId);
    }
    // Safeguard: per-subject lock, job-scoped state, and a final check before the paper leaves the printer.
    const previous = this.#locks.get(holder) ?? Promise.resolve();
    const job = previous.then(async () => {
      const spool = { internalId: holder };
      await printerDelay();
      const cert = this.#print(spool.internalId);
      const printedFor = this.#server.subject(spool.internalId);
      if (printedFor?.code !== code)
        throw new KakehashiError(
          'jp-issuance-crossed',
          'The certificate was not for the card holder; nothing was printed.',
        );
      return cert;
    });
    this.#locks.set(
      holder,
      job.catch(() => undefined),
    );
    return job;
  }

  #print(internalId: string): ResidentCertificate {
    const s = this.#server.subject(internalId);
    if (!s) throw new KakehashiError('internal-error', 'The print job lost its record.');
    return {
      kind: 'resident-record-certificate',
      certificateNumber: randomBytes(5).toString('hex').toUpperCase(),
      issuer: this.#server.agency.name,
      name: s.name ?? '',
      dateOfBirth: s.date_of_birth ?? '',
      gender: s.gender ?? '',
      address: s.address ?? '',
      issuedAt: this.#deps.clock.now().toISOString(),
    };
  }
}

/** The time the printer takes (real time: what lets two jobs overlap). */
function printerDelay(): Promise<void> {
  return new Promise((r) => setTimeout(r, 30));
}
