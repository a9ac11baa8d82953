import { hmacB64 } from '../keys/derive-keys.ts';

/**
 * The pairwise subject identifier of a person at a relying-party sector:
 * `base64url(HMAC-SHA256(K_node, "pairwise/v1/" + personId + "/" + sector))`. Keyed — never a hash of the
 * national number — so it cannot be recomputed without the node's key, differs in every sector (two relying
 * parties cannot join their users) and is stable for one sector.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#PairwiseAlg (OIDC Core §8.1)
 */
export function computePairwiseSub(pairwiseKey: Buffer, personId: string, sector: string): string {
  return hmacB64(pairwiseKey, `pairwise/v1/${personId}/${sector.toLowerCase()}`);
}

/**
 * The eIDAS PersonIdentifier `CC/CC/opaque`: issuing country, destination country, and an opaque value that
 * is persistent for the (person, destination) pair, reveals nothing of the national number and has no
 * whitespace: `base64url(HMAC-SHA256(K_id, "eidas-person-id/v1/" + personId + "/" + destination))`.
 * @see eIDAS SAML Attribute Profile v1.2 §2.2.3 (PersonIdentifier)
 */
export function computePersonIdentifier(
  personIdKey: Buffer,
  issuing: string,
  destination: string,
  personId: string,
): string {
  const dest = destination.toUpperCase();
  return `${issuing.toUpperCase()}/${dest}/${hmacB64(personIdKey, `eidas-person-id/v1/${personId}/${dest}`)}`;
}
