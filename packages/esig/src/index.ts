/**
 * @kakehashi/esig — the eSignature building block: create and validate XAdES, JAdES and CAdES signatures
 * (baseline B-B and B-T) with an RFC 3161 time-stamp authority, and ETSI EN 319 102-1 validation reports that
 * explain each conclusion. TEST ONLY: every key comes from a public seed.
 *
 * This entry exports what other packages use (the hub and nodes mount the routes; the federation's bench signs
 * and validates); the package's own tests import the feature files.
 */

export { readDerExact } from './asn1/der.ts';
export { ESIG_ERROR_CODES } from './error-codes.ts';
export { checkOcspResponse } from './ocsp/check-ocsp-response.ts';
export { OCSP_REQUEST_TYPE, OCSP_RESPONSE_TYPE } from './ocsp/ocsp-common.ts';
export { buildOcspRequest } from './ocsp/ocsp-request.ts';
export { createOcspResponder, type OcspFault, type OcspResponder } from './ocsp/ocsp-responder.ts';
export { firedOcspFault, mountOcspResponder } from './ocsp/routes.ts';
export { mountSignatureService } from './service/routes.ts';
export { ESIG_SIGNING_FAULTS } from './sign/faults.ts';
export { signDocument } from './sign/sign-document.ts';
export { mountTimestampAuthority } from './tsa/routes.ts';
export { buildTimestampRequest, createTimestampAuthority } from './tsa/timestamp-authority.ts';
export { verifyTimestampToken } from './tsa/verify-timestamp.ts';
export { ESIG_LENIENT_FAULTS } from './validate/faults.ts';
export { createTrustStoreContext } from './validate/trust-store-context.ts';
export { validateSignature } from './validate/validate-signature.ts';
export { readXades } from './xades/verify-xades.ts';
