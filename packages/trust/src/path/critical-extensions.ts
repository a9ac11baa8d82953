import { OID } from '../asn1/der.ts';
import type { CertificateFacts } from '../pki/inspect-certificate.ts';

/**
 * The certificate extensions Kakehashi's validators process (or that carry no constraint to process): a
 * certificate with any other extension marked critical must be rejected (RFC 5280 §4.2, attack C10). The one
 * list for every validator — path validation here, the eSignature block's X.509 validation — so they cannot drift.
 * Not processed, hence refused when critical: name constraints, policy constraints, policy mappings,
 * inhibitAnyPolicy (RFC 5280 §6.1.3(b)-(f) are not implemented).
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-4.2
 */
export const UNDERSTOOD_CRITICAL_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectAltName,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID.crlDistributionPoints,
  OID.certificatePolicies,
  OID.authorityInfoAccess,
  OID.ocspNoCheck,
]);

/**
 * The OIDs of the certificate's critical extensions that are not in {@link UNDERSTOOD_CRITICAL_EXTENSIONS}
 * (empty: nothing to reject).
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-4.2
 */
export function unrecognisedCriticalExtensions(cert: Pick<CertificateFacts, 'criticalExtensions'>): string[] {
  return cert.criticalExtensions.filter((oid) => !UNDERSTOOD_CRITICAL_EXTENSIONS.has(oid));
}
