import { KakehashiError } from '@kakehashi/core';
import type { KeyCustodian, KeyName } from '../custodian/key-custodian.ts';
import type { JlisRegistry } from '../registry/jlis-registry.ts';

/** `HMAC-SHA256(K_name, data)` under the custodian's current (or given) key version. */
type Mac = (name: KeyName, data: string | Buffer, version?: number) => Buffer;

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
   * and the link id (a read of the registry and a use of K_link) is then computed once instead of twice. The three
   * key uses are audited as one entry (`hmac-batch`, naming the three key versions).
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
  /** A use of the custodian's keys on its own, audited as one entry with its purpose. */
  const alone =
    (purpose: string): Mac =>
    (name, data, version) =>
      custodian.hmac(name, data, 'xborder', purpose, version);
  const linkIdOf = (mac: Mac, personaId: string) => {
    const rrc = registry.residentRecordCodeOfPersona(personaId);
    if (!rrc) throw new KakehashiError('not-found', `No Japanese resident "${personaId.slice(0, 40)}" is enrolled.`);
    // The custodian's linkId: the caller drops the code afterwards.
    return mac('link', `link/v1/${rrc}`, 1);
  };
  const personIdentifier = (mac: Mac, linkId: Buffer, destinationCountry: string) => {
    const dest = destinationCountry.toUpperCase();
    if (!/^[A-Z]{2}$/.test(dest))
      throw new KakehashiError('bad-request', 'The destination must be a two-letter country code.');
    return `JP/${dest}/${mac('xborder', Buffer.concat([linkId, Buffer.from(`/${dest}`)])).toString('base64url')}`;
  };
  const pairwiseSubject = (mac: Mac, linkId: Buffer, sector: string) => {
    const s = sector.toLowerCase();
    if (s.length === 0 || s.length > 255)
      throw new KakehashiError('bad-request', 'The sector must be 1-255 characters.');
    return mac('pairwise', Buffer.concat([linkId, Buffer.from(`/${s}`)])).toString('base64url');
  };
  return {
    personIdentifier: (personaId, destinationCountry) =>
      personIdentifier(alone('eidas-person-identifier'), linkIdOf(alone('link-id'), personaId), destinationCountry),
    pairwiseSubject: (personaId, sector) =>
      pairwiseSubject(alone('oidc-pairwise-sub'), linkIdOf(alone('link-id'), personaId), sector),
    // One audited operation: the link id and both MACs, one audit entry naming the three key versions.
    identifiersOf: (personaId, destinationCountry, sector) =>
      custodian.hmacBatch('xborder', 'eidas-person-identifier, oidc-pairwise-sub', (mac) => {
        const linkId = linkIdOf(mac, personaId);
        return {
          personIdentifier: personIdentifier(mac, linkId, destinationCountry),
          pairwiseSubject: pairwiseSubject(mac, linkId, sector),
        };
      }),
  };
}
