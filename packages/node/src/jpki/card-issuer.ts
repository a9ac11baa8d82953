import { KakehashiError } from '@kakehashi/core';
import type { Persona } from '@kakehashi/personas';
import type { JpkiCertificates, JpkiPerson } from '@kakehashi/trust';

/**
 * The mock Individual Number Card (マイナンバーカード) of one Japanese persona: the JPKI signature certificate
 * (the basic four facts in subjectAltName otherName entries) and the user-authentication certificate (no
 * personal data, identified by its serial), each with the private key "on the card". TEST ONLY.
 */
export interface MyNumberCard {
  personaId: string;
  certificates: JpkiCertificates;
}

/** Issues (once, then memoised) the card of a persona; throws `not-found` for a persona without a card. */
export type CardIssuer = (personaId: string) => MyNumberCard;

/** Maps a persona's basic four facts to what the JPKI signature certificate carries (sex as the card codes it). */
export function jpkiPersonOf(persona: Persona): JpkiPerson {
  const f = persona.fourFacts;
  if (!f) throw new KakehashiError('not-found', `Persona ${persona.id} holds no Individual Number Card.`);
  const sex = f.gender === 'male' ? '1' : '2';
  return { id: persona.id, name: f.name, sex, dateOfBirth: f.dateOfBirth.replaceAll('-', ''), address: f.address };
}

/**
 * A card issuer over the country's personas. `issue` is the JPKI CA's issuance (deterministic from the seed,
 * ~0.1 s per card), so cards are memoised; the authentication certificate's serial is what an IdP maps back
 * to the person.
 */
export function createCardIssuer(
  personas: readonly Persona[],
  issue: (person: JpkiPerson) => JpkiCertificates,
): CardIssuer {
  const cards = new Map<string, MyNumberCard>();
  return (personaId) => {
    const hit = cards.get(personaId);
    if (hit) return hit;
    const persona = personas.find((p) => p.id === personaId);
    if (!persona) throw new KakehashiError('not-found', `No persona "${personaId.slice(0, 40)}" holds a card here.`);
    const card = { personaId, certificates: issue(jpkiPersonOf(persona)) };
    cards.set(personaId, card);
    return card;
  };
}
