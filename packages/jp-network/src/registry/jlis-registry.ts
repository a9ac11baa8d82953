import { type Clock, KakehashiError, SeededRandom, type Store } from '@kakehashi/core';
import { generateMyNumber, generateResidentRecordCode, type Persona, validateMyNumber } from '@kakehashi/personas';
import type { JpFaults } from '../faults/faults.ts';
import { type FourFacts, normaliseFact, type PartialFacts } from './four-facts.ts';

export const JLIS_MIGRATIONS = [
  {
    id: 'jp-network/jlis_residents/001',
    up: `CREATE TABLE jlis_residents (resident_record_code TEXT PRIMARY KEY, my_number TEXT NOT NULL UNIQUE,
           persona_id TEXT UNIQUE, name TEXT NOT NULL, name_norm TEXT NOT NULL, date_of_birth TEXT NOT NULL,
           gender TEXT NOT NULL, address TEXT NOT NULL, address_norm TEXT NOT NULL, enrolled_at TEXT NOT NULL);
         CREATE INDEX jlis_residents_name ON jlis_residents (name_norm, date_of_birth);
         CREATE TABLE jlis_cards (serial_hex TEXT PRIMARY KEY, resident_record_code TEXT NOT NULL);
         CREATE TABLE jlis_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  },
];

export interface Resident extends FourFacts {
  residentRecordCode: string;
  myNumber: string;
  personaId: string | null;
}

/**
 * The resident registry and J-LIS roles: the Basic Resident Register (resident record code ↔ four facts), the
 * generation of My Numbers (random, check digit, unique — never a function of the resident record code) and the
 * JPKI card ↔ resident mapping. J-LIS sees My Number ↔ resident record code, never an agency code.
 * @see ../../../../shared/design/jp-cooperation-network.md ("Actors", "My Number", "Issuance")
 */
export class JlisRegistry {
  readonly store: Store;
  readonly #clock: Clock;
  readonly #random: SeededRandom;
  readonly #faults: JpFaults;

  constructor(opts: { store: Store; clock: Clock; seed: string; faults: JpFaults }) {
    this.store = opts.store;
    this.#clock = opts.clock;
    this.#faults = opts.faults;
    this.#random = new SeededRandom(opts.seed, 'jp-network/jlis');
    this.store.migrate(JLIS_MIGRATIONS);
  }

  /**
   * Enrols a resident: the municipality records the four facts; J-LIS assigns a resident record code and a
   * My Number drawn from two independent streams (the My Number is not computed from the code). A persona comes
   * with its own synthetic numbers.
   */
  enrol(facts: FourFacts, preset?: { residentRecordCode: string; myNumber: string; personaId: string }): Resident {
    return this.store.transaction(() => {
      let rrc = preset?.residentRecordCode;
      let myNumber = preset?.myNumber;
      if (!rrc || !myNumber) {
        const seq = Number(this.#meta('enrolments') ?? '0') + 1;
        this.#setMeta('enrolments', String(seq));
        const rrcStream = this.#random.fork(`resident-record-code/${seq}`);
        const mnStream = this.#random.fork(`my-number/${seq}`);
        do rrc = generateResidentRecordCode(rrcStream);
        while (this.store.get('SELECT 1 FROM jlis_residents WHERE resident_record_code = ?', rrc));
        do myNumber = generateMyNumber(mnStream);
        while (this.store.get('SELECT 1 FROM jlis_residents WHERE my_number = ?', myNumber));
      }
      if (!validateMyNumber(myNumber))
        throw new KakehashiError('validation-failed', 'The My Number check digit is wrong.', {
          rule: 'MIC ordinance 85 art. 5',
        });
      this.store.run(
        `INSERT INTO jlis_residents (resident_record_code, my_number, persona_id, name, name_norm, date_of_birth, gender,
           address, address_norm, enrolled_at) VALUES (?,?,?,?,?,?,?,?,?,?)`,
        rrc,
        myNumber,
        preset?.personaId ?? null,
        facts.name,
        normaliseFact(facts.name),
        facts.dateOfBirth,
        facts.gender,
        facts.address,
        normaliseFact(facts.address),
        this.#clock.now().toISOString(),
      );
      return { ...facts, residentRecordCode: rrc, myNumber, personaId: preset?.personaId ?? null };
    });
  }

  /** Enrols the country's personas once (their numbers are the personas' synthetic ones). */
  enrolPersonas(personas: readonly Persona[]): void {
    this.store.transaction(() => {
      for (const p of personas) {
        if (!p.fourFacts || !p.residentRecordCode || !p.myNumber) continue;
        if (this.store.get('SELECT 1 FROM jlis_residents WHERE persona_id = ?', p.id)) continue;
        this.enrol(p.fourFacts, { residentRecordCode: p.residentRecordCode, myNumber: p.myNumber, personaId: p.id });
      }
    });
  }

  /**
   * Strict four-fact lookup: exactly one resident whose name, date of birth, gender and address all match
   * (after NFKC and whitespace normalisation). A partial record (name + date of birth only) is refused — unless
   * the `partial-match-enrolment` fault is on, which reproduces the 2023 mis-linking (first name + birth-date
   * match wins).
   */
  matchFourFacts(facts: PartialFacts): string {
    const name = normaliseFact(facts.name);
    if (this.#faults.isOn('partial-match-enrolment')) {
      const row = this.store.get<{ resident_record_code: string }>(
        'SELECT resident_record_code FROM jlis_residents WHERE name_norm = ? AND date_of_birth = ? ORDER BY enrolled_at, rowid LIMIT 1',
        name,
        facts.dateOfBirth,
      );
      if (row) return row.resident_record_code;
      throw new KakehashiError('jp-four-facts-mismatch', 'No resident matches the name and date of birth.');
    }
    if (!facts.gender || !facts.address)
      throw new KakehashiError(
        'jp-four-facts-mismatch',
        'All four basic facts are required (name, date of birth, gender, address): a partial match links strangers.',
        { rule: 'strict four-fact matching (2023 mis-linking safeguard)' },
      );
    const rows = this.store.all<{ resident_record_code: string }>(
      `SELECT resident_record_code FROM jlis_residents WHERE name_norm = ? AND date_of_birth = ? AND gender = ?
         AND address_norm = ?`,
      name,
      facts.dateOfBirth,
      facts.gender,
      normaliseFact(facts.address),
    );
    if (rows.length === 0)
      throw new KakehashiError('jp-four-facts-mismatch', 'No resident matches all four basic facts; check each fact.', {
        rule: 'strict four-fact matching',
      });
    if (rows.length > 1)
      throw new KakehashiError('jp-four-facts-ambiguous', 'Several residents match; resolve the record by hand.');
    return (rows[0] as { resident_record_code: string }).resident_record_code;
  }

  /** The resident record code of a persona (for identifiers used abroad); undefined when not enrolled. */
  residentRecordCodeOfPersona(personaId: string): string | undefined {
    return this.store.get<{ resident_record_code: string }>(
      'SELECT resident_record_code FROM jlis_residents WHERE persona_id = ?',
      personaId,
    )?.resident_record_code;
  }

  /**
   * The resident holding the card with this user-authentication certificate serial. J-LIS is the JPKI CA, so it
   * knows which card it issued to whom; cards of personas are registered on first use through `issueCard`.
   */
  residentRecordCodeOfCard(
    serialHex: string,
    issueCard?: (personaId: string) => { serialHex: string },
  ): string | undefined {
    const serial = serialHex.toLowerCase();
    const hit = this.store.get<{ resident_record_code: string }>(
      'SELECT resident_record_code FROM jlis_cards WHERE serial_hex = ?',
      serial,
    );
    if (hit || !issueCard) return hit?.resident_record_code;
    for (const r of this.store.all<{ persona_id: string; resident_record_code: string }>(
      'SELECT persona_id, resident_record_code FROM jlis_residents WHERE persona_id IS NOT NULL ORDER BY persona_id',
    )) {
      const card = issueCard(r.persona_id);
      this.store.run(
        'INSERT OR IGNORE INTO jlis_cards (serial_hex, resident_record_code) VALUES (?, ?)',
        card.serialHex.toLowerCase(),
        r.resident_record_code,
      );
      if (card.serialHex.toLowerCase() === serial) return r.resident_record_code;
    }
    return undefined;
  }

  count(): number {
    return this.store.get<{ n: number }>('SELECT COUNT(*) AS n FROM jlis_residents')?.n ?? 0;
  }

  #meta(key: string): string | undefined {
    return this.store.get<{ value: string }>('SELECT value FROM jlis_meta WHERE key = ?', key)?.value;
  }

  #setMeta(key: string, value: string): void {
    this.store.run('INSERT OR REPLACE INTO jlis_meta (key, value) VALUES (?, ?)', key, value);
  }
}
