import { KakehashiError } from '@kakehashi/core';
import type { KeyCustodian } from '../custodian/key-custodian.ts';
import type { JlisRegistry } from '../registry/jlis-registry.ts';

/** Identifiers of a Japanese person for use abroad, for the eID building block. */
export interface XborderIdentifiers {
  /**
   * The eIDAS PersonIdentifier `JP/<destination>/<base64url(HMAC(K_xborder, linkId ‖ destination))>`:
   * persistent per destination, no whitespace, never My Number.
   */
  personIdentifier(personaId: string, destinationCountry: string): string;
  /** The OIDC pairwise `sub` for a relying-party sector, from the same link id. */
  pairwiseSubject(personaId: string, sector: string): string;
  /**
   * Both identifiers of one person, as the two methods above give them, from one link id: an ID token carries both,
   * and the link id (a read of the registry and an audited use of K_link) is then computed once instead of twice.
   */
  identifiersOf(
    personaId: string,
    destinationCountry: string,
    sector: string,
  ): { personIdentifier: string; pairwiseSubject: string };
}

/**
 * Builds the cross-border identifiers from the link id (computed by the custodian from the resident record
 * code that J-LIS holds; the code is not kept). Two destinations or two sectors cannot join their users.
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/DIGITAL/eIDAS+eID+Profile (SAML Attribute Profile §2.2.3)
 * @see https://openid.net/specs/openid-connect-core-1_0.html#PairwiseAlg (OIDC Core §8.1)
 */
export function createXborderIdentifiers(registry: JlisRegistry, custodian: KeyCustodian): XborderIdentifiers {
  const linkIdOf = (personaId: string) => {
    const rrc = registry.residentRecordCodeOfPersona(personaId);
    if (!rrc) throw new KakehashiError('not-found', `No Japanese resident "${personaId.slice(0, 40)}" is enrolled.`);
    return custodian.linkId(rrc, 'xborder');
  };
  const personIdentifier = (linkId: Buffer, destinationCountry: string) => {
    const dest = destinationCountry.toUpperCase();
    if (!/^[A-Z]{2}$/.test(dest))
      throw new KakehashiError('bad-request', 'The destination must be a two-letter country code.');
    const mac = custodian.hmac(
      'xborder',
      Buffer.concat([linkId, Buffer.from(`/${dest}`)]),
      'xborder',
      'eidas-person-identifier',
    );
    return `JP/${dest}/${mac.toString('base64url')}`;
  };
  const pairwiseSubject = (linkId: Buffer, sector: string) => {
    const s = sector.toLowerCase();
    if (s.length === 0 || s.length > 255)
      throw new KakehashiError('bad-request', 'The sector must be 1-255 characters.');
    return custodian
      .hmac('pairwise', Buffer.concat([linkId, Buffer.from(`/${s}`)]), 'xborder', 'oidc-pairwise-sub')
      .toString('base64url');
  };
  return {
    personIdentifier: (personaId, destinationCountry) => personIdentifier(linkIdOf(personaId), destinationCountry),
    pairwiseSubject: (personaId, sector) => pairwiseSubject(linkIdOf(personaId), sector),
    identifiersOf(personaId, destinationCountry, sector) {
      const linkId = linkIdOf(personaId);
      return {
        personIdentifier: personIdentifier(linkId, destinationCountry),
        pairwiseSubject: pairwiseSubject(linkId, sector),
      };
    },
  };
}
