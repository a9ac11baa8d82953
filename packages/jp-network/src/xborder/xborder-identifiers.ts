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
  return {
    personIdentifier(personaId, destinationCountry) {
      const dest = destinationCountry.toUpperCase();
      if (!/^[A-Z]{2}$/.test(dest))
        throw new KakehashiError('bad-request', 'The destination must be a two-letter country code.');
      const mac = custodian.hmac(
        'xborder',
        Buffer.concat([linkIdOf(personaId), Buffer.from(`/${dest}`)]),
        'xborder',
        'eidas-person-identifier',
      );
      return `JP/${dest}/${mac.toString('base64url')}`;
    },
    pairwiseSubject(personaId, sector) {
      const s = sector.toLowerCase();
      if (s.length === 0 || s.length > 255)
        throw new KakehashiError('bad-request', 'The sector must be 1-255 characters.');
      return custodian
        .hmac('pairwise', Buffer.concat([linkIdOf(personaId), Buffer.from(`/${s}`)]), 'xborder', 'oidc-pairwise-sub')
        .toString('base64url');
    },
  };
}
