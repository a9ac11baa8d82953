import type { SeededRandom } from '@kakehashi/core';
import { KakehashiError } from '@kakehashi/core';
import { CIF } from './cif.ts';
import { CODICE_FISCALE } from './codice-fiscale.ts';
import { CORPORATE_NUMBER } from './corporate-number.ts';
import { DNI } from './dni.ts';
import { ISIKUKOOD } from './isikukood.ts';
import { MY_NUMBER } from './my-number.ts';
import { NIR } from './nir.ts';
import { PARTITA_IVA } from './partita-iva.ts';
import { REGISTRIKOOD } from './registrikood.ts';
import { RESIDENT_RECORD_CODE } from './resident-record-code.ts';
import { SIREN } from './siren.ts';
import { SOZIALVERSICHERUNGSNUMMER } from './sozialversicherungsnummer.ts';
import { STEUER_ID } from './steuer-id.ts';
import { AT_UID } from './uid-at.ts';
import { UST_IDNR } from './ust-idnr.ts';
import type { IdentifierFormat, PersonFacts } from './z-identifier.ts';

/** Every identifier format, keyed by scheme id. */
export const ID_FORMATS: Readonly<Record<string, IdentifierFormat>> = Object.freeze(
  Object.fromEntries(
    [
      SOZIALVERSICHERUNGSNUMMER,
      AT_UID,
      STEUER_ID,
      UST_IDNR,
      ISIKUKOOD,
      REGISTRIKOOD,
      DNI,
      CIF,
      NIR,
      SIREN,
      CODICE_FISCALE,
      PARTITA_IVA,
      MY_NUMBER,
      RESIDENT_RECORD_CODE,
      CORPORATE_NUMBER,
    ].map((f) => [f.scheme, f]),
  ),
);

/**
 * The format for `scheme`.
 * @throws KakehashiError `not-found` listing the known schemes.
 */
export function getIdFormat(scheme: string): IdentifierFormat {
  const format = ID_FORMATS[scheme];
  if (!format) {
    throw new KakehashiError(
      'not-found',
      `[Kakehashi personas] No identifier format '${scheme}'. Known schemes: ${Object.keys(ID_FORMATS).join(', ')}.`,
    );
  }
  return format;
}

/** An issuer hands out values of one format that are unique among those it issued (as a real registry does). */
export interface IdIssuer {
  issue(facts?: Partial<PersonFacts>): string;
  readonly issued: number;
}

/**
 * An issuer of unique `format` values drawn from `rng`: a value already issued is drawn again (the stream
 * continues, so the sequence stays deterministic).
 */
export function createIssuer(format: IdentifierFormat, rng: SeededRandom, maxAttempts = 1000): IdIssuer {
  const seen = new Set<string>();
  return {
    issue(facts) {
      for (let attempt = 0; attempt < maxAttempts; attempt++) {
        const value = format.generate(rng, facts);
        if (!seen.has(value)) {
          seen.add(value);
          return value;
        }
      }
      throw new KakehashiError(
        'conflict',
        `[Kakehashi personas] ${format.scheme}: no unused value after ${maxAttempts} draws`,
      );
    },
    get issued() {
      return seen.size;
    },
  };
}
