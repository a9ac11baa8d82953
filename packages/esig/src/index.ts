/**
 * @kakehashi/esig — the eSignature building block: create and validate XAdES, JAdES and CAdES signatures
 * (baseline B-B and B-T) with an RFC 3161 time-stamp authority, and ETSI EN 319 102-1 validation reports that
 * explain each conclusion. TEST ONLY: every key comes from a public seed.
 */

export { type Der, DerError, readDer, readDerExact } from './asn1/der.ts';
export { CMS_OID, type ParsedSignedData, parseSignedData } from './cades/cms.ts';
export { type SignCadesInput, signCades } from './cades/sign-cades.ts';
export { readCades } from './cades/verify-cades.ts';
export type { SigningCredential } from './common/certificates.ts';
export { ESIG_ERROR_CODES } from './error-codes.ts';
export { mountOcspResponder, type OcspRoutesDeps } from './http/mount-ocsp.ts';
export { mountSignatureService, type SignatureServiceDeps } from './http/mount-signature-service.ts';
export { mountTimestampAuthority } from './http/mount-tsa.ts';
export { type SignJadesInput, signJades } from './jades/sign-jades.ts';
export { readJades } from './jades/verify-jades.ts';
export {
  type CheckOcspOptions,
  checkOcspResponse,
  type OcspAccepted,
  type OcspCheck,
  type OcspProblem,
  type OcspRejected,
} from './ocsp/check-ocsp-response.ts';
export {
  type CertIdFacts,
  type CertIdHash,
  certIdFor,
  OCSP_REQUEST_TYPE,
  OCSP_RESPONSE_STATUS,
  OCSP_RESPONSE_TYPE,
} from './ocsp/ocsp-common.ts';
export {
  type BuiltOcspRequest,
  buildOcspRequest,
  type ParsedOcspRequest,
  parseOcspRequest,
} from './ocsp/ocsp-request.ts';
export {
  createOcspResponder,
  type OcspAnswer,
  type OcspResponder,
  type OcspResponderOptions,
} from './ocsp/ocsp-responder.ts';
export {
  type MainIndication,
  SUB_INDICATION_MEANING,
  SUB_INDICATIONS,
  type SubIndication,
  subIndicationUrn,
} from './report/indications.ts';
export { renderReportHtml } from './report/render-report.ts';
export { type BuildingBlock, type Finding, type ValidationReport, ValidationReportSchema } from './report/z-report.ts';
export {
  type SignatureFormatName,
  type SignDocumentInput,
  type SignedDocument,
  signDocument,
} from './sign/sign-document.ts';
export {
  buildTimestampRequest,
  createTimestampAuthority,
  DEFAULT_TSA_POLICY,
  type IssuedTimestamp,
  TIMESTAMP_QUERY_TYPE,
  TIMESTAMP_REPLY_TYPE,
  type TimestampAuthority,
} from './tsa/timestamp-authority.ts';
export { type TimestampFacts, verifyTimestampToken } from './tsa/verify-timestamp.ts';
export type {
  FormatOutcome,
  Packaging,
  SignatureFormat,
  SignatureInput,
  SignatureLevel,
  SignatureValidationContext,
} from './validate/signature-facts.ts';
export { createTrustStoreContext, toCertificateVerdict } from './validate/trust-store-context.ts';
export { detectFormat, validateSignature } from './validate/validate-signature.ts';
export { type SignXadesInput, signXades } from './xades/sign-xades.ts';
export { readXades } from './xades/verify-xades.ts';
