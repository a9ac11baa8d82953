/**
 * @kakehashi/trust — the federation's trust fabric, generated from a seed ("federation-in-a-box"): a test
 * PKI per country and for the hub (deterministic RSA keys), JPKI-style citizen certificates, CRLs, the
 * ETSI TS 119 612 list of trusted lists and national trusted lists (build, sign, verify), and RFC 5280
 * certificate path validation with named failure codes. Everything here is TEST ONLY.
 *
 * This entry exports what other packages use; the package's own tests import the feature files.
 */

export { OID } from './asn1/der.ts';
export { CRL_REASONS, type CrlReason, createCrl, type RevokedCertificate } from './crl/create-crl.ts';
export { crlToPem, type ParsedCrl, parseCrl } from './crl/parse-crl.ts';
export { buildCrls, type RevocationRecord, revoke } from './crl/revoke.ts';
export { TRUST_ERROR_CODES } from './error-codes.ts';
export { TRUST_OPTIONS, type TrustOptions } from './options.ts';
export { certificateVerdictOf } from './path/certificate-verdict.ts';
export { UNDERSTOOD_CRITICAL_EXTENSIONS, unrecognisedCriticalExtensions } from './path/critical-extensions.ts';
export { validateCertificatePath } from './path/validate-path.ts';
export type { PathValidationResult } from './path/z-path.ts';
export {
  crlUrl,
  generateTrustMaterial,
  listCertificateAuthorities,
  listKeyCerts,
  ocspSignerFor,
} from './pki/generate-material.ts';
export { generateRsaKeyPair } from './pki/generate-rsa-key.ts';
export { type CertificateFacts, inspectCertificate } from './pki/inspect-certificate.ts';
export { type DnAttribute, issueCertificate, type KeyUsageName, TEST_ONLY_OU } from './pki/issue-certificate.ts';
export { issueJpkiCertificates, type JpkiCertificates, type JpkiPerson } from './pki/issue-jpki-certificates.ts';
export type { CountrySpec, KeyCert, TrustMaterial } from './pki/types.ts';
export {
  standingRevocations,
  standingRevocationTime,
  standingRevokedSerial,
  TRUST_FAULTS,
  TRUST_LENIENT_FAULTS,
  type TrustFaultName,
  type TrustLenientFault,
  unauthorisedOcspSignerFor,
} from './publication/faults.ts';
export { TrustStore } from './store/trust-store.ts';
export { buildLotl } from './tl/build-lotl.ts';
export { type BuildTrustedListOptions, buildTrustedList } from './tl/build-trusted-list.ts';
export {
  buildEntityList,
  ENTITY_LISTS,
  type EntityListEntry,
  type EntityListing,
  type EntityListKind,
  entityListing,
  entityListKindOf,
  entityListUrl,
} from './tl/entity-lists.ts';
export { VerificationMemo } from './tl/verification-memo.ts';
export { verifyLotl, verifyTrustedList } from './tl/verify-trusted-list.ts';
export type { VerifiedTrustedList } from './tl/z-trusted-list.ts';
