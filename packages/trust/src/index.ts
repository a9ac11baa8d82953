/**
 * @kakehashi/trust — the federation's trust fabric, generated from a seed ("federation-in-a-box"): a test
 * PKI per country and for the hub (deterministic RSA keys), JPKI-style citizen certificates, CRLs, the
 * ETSI TS 119 612 list of trusted lists and national trusted lists (build, sign, verify), and RFC 5280
 * certificate path validation with named failure codes. Everything here is TEST ONLY.
 */

export { OID } from './asn1/der.ts';
export { CRL_REASONS, type CrlIssuer, type CrlReason, createCrl, type RevokedCertificate } from './crl/create-crl.ts';
export { crlToPem, type ParsedCrl, parseCrl } from './crl/parse-crl.ts';
export { buildCrls, type RevocationRecord, type RevokeRequest, revocationsFor, revoke } from './crl/revoke.ts';
export { TRUST_ERROR_CODES } from './error-codes.ts';
export { TRUST_OPTIONS, type TrustOptions } from './options.ts';
export { certificateVerdictOf } from './path/certificate-verdict.ts';
export { TrustStore, type TrustStoreInit, type TrustStoreValidateOptions } from './path/trust-store.ts';
export {
  type ChainEntry,
  type CrlLookup,
  type PathCheck,
  type PathCheckName,
  type PathValidationResult,
  type TrustAnchor,
  type ValidatePathOptions,
  validateCertificatePath,
} from './path/validate-path.ts';
export {
  CA_VALIDITY_YEARS,
  cacheFileName,
  chooseValidityEpoch,
  crlUrl,
  DEFAULT_VALIDITY_EPOCH,
  findKeyCert,
  type GenerateTrustMaterialOptions,
  generateTrustMaterial,
  LEAF_VALIDITY_YEARS,
  listCertificateAuthorities,
  listKeyCerts,
  ocspSignerFor,
  ocspUrl,
  TEST_ONLY_NOTICE,
} from './pki/generate-material.ts';
export { generateRsaKeyPair, type RsaKeyPair } from './pki/generate-rsa-key.ts';
export { type CertificateFacts, inspectCertificate } from './pki/inspect-certificate.ts';
export {
  type AltName,
  type CertificateIssuer,
  type CertificateTemplate,
  type DnAttribute,
  issueCertificate,
  type KeyUsageName,
  TEST_ONLY_OU,
} from './pki/issue-certificate.ts';
export { issueJpkiCertificates, type JpkiCertificates, type JpkiPerson } from './pki/issue-jpki-certificates.ts';
export type { CountryMaterial, CountrySpec, HubMaterial, JpkiMaterial, KeyCert, TrustMaterial } from './pki/types.ts';
export { anchorsFromTrustedList, grantedPeriods } from './tl/anchors-from-trusted-list.ts';
export { type BuildLotlOptions, buildLotl, lotlUrl, trustedListUrl } from './tl/build-lotl.ts';
export type { ListIssueOptions } from './tl/build-scheme-information.ts';
export {
  type BuildTrustedListOptions,
  buildTrustedList,
  type ServiceStatusEntry,
  type ServiceStatusInput,
  trustedListTypeFor,
} from './tl/build-trusted-list.ts';
export { SERVICE_STATUS, SERVICE_TYPE, TSL_MIME_TYPE, TSL_TYPE } from './tl/constants.ts';
export { VerificationMemo } from './tl/verification-memo.ts';
export {
  type ServiceHistoryItem,
  type TrustedService,
  type TslPointer,
  type VerifiedListInfo,
  type VerifiedLotl,
  type VerifiedTrustedList,
  type VerifyListOptions,
  type VerifyLotlOptions,
  type VerifyTrustedListOptions,
  verifyLotl,
  verifyTrustedList,
} from './tl/verify-trusted-list.ts';
