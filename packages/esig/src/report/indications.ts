/**
 * ETSI EN 319 102-1 main indications and sub-indications (§5.1.3, Table 5), as URNs
 * `urn:etsi:019102:subindication:<NAME>`.
 *
 * Which sub-indication goes with which main indication, as applied here: TOTAL-FAILED with FORMAT_FAILURE,
 * HASH_FAILURE, SIG_CRYPTO_FAILURE, REVOKED, and EXPIRED / NOT_YET_VALID when a proof of existence (a trusted
 * time-stamp) shows the signature was made outside the certificate's validity; every other sub-indication is
 * INDETERMINATE (more information — a time-stamp, a trust anchor, revocation data — could change the outcome).
 * @see https://www.etsi.org/deliver/etsi_en/319100_319199/31910201/ §5.1.3
 */
export const MAIN_INDICATIONS = ['TOTAL-PASSED', 'TOTAL-FAILED', 'INDETERMINATE'] as const;
export type MainIndication = (typeof MAIN_INDICATIONS)[number];

export const SUB_INDICATIONS = [
  'FORMAT_FAILURE',
  'HASH_FAILURE',
  'SIG_CRYPTO_FAILURE',
  'REVOKED',
  'SIG_CONSTRAINTS_FAILURE',
  'CHAIN_CONSTRAINTS_FAILURE',
  'CERTIFICATE_CHAIN_GENERAL_FAILURE',
  'CRYPTO_CONSTRAINTS_FAILURE',
  'EXPIRED',
  'NOT_YET_VALID',
  'POLICY_PROCESSING_ERROR',
  'SIGNATURE_POLICY_NOT_AVAILABLE',
  'TIMESTAMP_ORDER_FAILURE',
  'NO_SIGNING_CERTIFICATE_FOUND',
  'NO_CERTIFICATE_CHAIN_FOUND',
  'REVOKED_NO_POE',
  'REVOKED_CA_NO_POE',
  'OUT_OF_BOUNDS_NO_POE',
  'OUT_OF_BOUNDS_NOT_REVOKED',
  'CRYPTO_CONSTRAINTS_FAILURE_NO_POE',
  'NO_POE',
  'TRY_LATER',
  'SIGNED_DATA_NOT_FOUND',
] as const;
export type SubIndication = (typeof SUB_INDICATIONS)[number];

/** `urn:etsi:019102:subindication:<NAME>` */
export function subIndicationUrn(name: SubIndication): string {
  return `urn:etsi:019102:subindication:${name}`;
}

/** What each sub-indication means, in plain words (for the report and the HTML view). */
export const SUB_INDICATION_MEANING: Record<SubIndication, string> = {
  FORMAT_FAILURE:
    'The signature is not a well-formed XAdES, JAdES or CAdES signature, or uses a construct that is refused.',
  HASH_FAILURE: 'A digest in the signature does not match the signed data: the data was changed after signing.',
  SIG_CRYPTO_FAILURE:
    "The signature value does not verify with the signer's public key: the signature or the signed properties were altered.",
  REVOKED:
    "The signer's certificate was revoked before the time at which the signature is proven (or claimed) to exist.",
  SIG_CONSTRAINTS_FAILURE: 'A property of the signature does not meet the validation constraints.',
  CHAIN_CONSTRAINTS_FAILURE:
    'The certificate chain breaks a constraint: key usage, CA flag, path length, or an unknown critical extension.',
  CERTIFICATE_CHAIN_GENERAL_FAILURE:
    'The certificate chain is broken (a certificate signature does not verify, or a certificate cannot be read).',
  CRYPTO_CONSTRAINTS_FAILURE: 'An algorithm or key size is below the required security level.',
  EXPIRED: "There is proof that the signature was made after the signer's certificate expired.",
  NOT_YET_VALID: "The signature was made before the signer's certificate became valid.",
  POLICY_PROCESSING_ERROR: 'The signature policy could not be processed.',
  SIGNATURE_POLICY_NOT_AVAILABLE: 'The signature policy is not available.',
  TIMESTAMP_ORDER_FAILURE:
    'The times in the signature are inconsistent (the claimed signing time is after the time-stamp).',
  NO_SIGNING_CERTIFICATE_FOUND:
    'The signing certificate cannot be identified: it is missing, or the signed reference to it points to another certificate.',
  NO_CERTIFICATE_CHAIN_FOUND:
    'No chain to a trust anchor of the trusted lists (granted at the relevant time) could be built.',
  REVOKED_NO_POE: 'The signing certificate is revoked, and nothing proves the signature existed before the revocation.',
  REVOKED_CA_NO_POE:
    'A CA certificate of the chain is revoked, and nothing proves the signature existed before the revocation.',
  OUT_OF_BOUNDS_NO_POE:
    'A certificate of the chain has expired (or is not yet valid) at validation time, and nothing proves the signature was made within its validity.',
  OUT_OF_BOUNDS_NOT_REVOKED:
    'A certificate expired at validation time but was not revoked; nothing proves when the signature was made.',
  CRYPTO_CONSTRAINTS_FAILURE_NO_POE:
    'An algorithm or key size is no longer accepted, and nothing proves the signature was made while it still was.',
  NO_POE: 'A proof of existence is needed and missing.',
  TRY_LATER: 'Revocation information is not available yet; try again later.',
  SIGNED_DATA_NOT_FOUND: 'The signed data cannot be found: supply the detached content.',
};
