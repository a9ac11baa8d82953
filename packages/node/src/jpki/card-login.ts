import { createSign } from 'node:crypto';
import type { CardLoginDeps } from '@kakehashi/eid';
import type { Persona } from '@kakehashi/personas';
import type { ValidateCertificate } from '../trust/certificate-validator.ts';
import type { CardIssuer } from './card-issuer.ts';

/**
 * Japan's card login at the IdP: the card reader signs the challenge with the card's user-authentication key,
 * and the IdP maps the authentication certificate's serial back to its holder (cards issued on first use).
 */
export function createCardLogin(deps: {
  cards: CardIssuer;
  personas: readonly Persona[];
  validateCertificate: ValidateCertificate;
}): CardLoginDeps {
  const { cards } = deps;
  let bySerial: Map<string, string> | undefined;
  const der = (pem: string) => pem.replace(/-----[A-Z ]+-----|\s/g, '');
  return {
    personaOfSerial: (serial) => {
      bySerial ??= new Map(deps.personas.map((p) => [cards(p.id).certificates.authentication.serialHex, p.id]));
      return bySerial.get(serial);
    },
    validateCertificate: deps.validateCertificate,
    readCard: (personaId, challenge) => {
      const auth = cards(personaId).certificates.authentication;
      return {
        certificate: der(auth.certPem),
        chain: auth.chainPem.slice(0, 1).map(der),
        signature: createSign('sha256').update(challenge, 'utf8').sign(auth.privateKey).toString('base64'),
      };
    },
  };
}
