import { defineErrorCodes, type ErrorCodeInfo } from '@kakehashi/core';

/**
 * The error codes this package raises (trust fabric and certificate path validation (RFC 5280, ETSI TS 119 612)), registered with core's catalogue so that problem documents get
 * their status and title, and `ErrorCode` includes them (the module augmentation below).
 */
export const TRUST_ERROR_CODES = defineErrorCodes('trust', {
  'cert-malformed': { status: 400, title: 'The certificate cannot be parsed' },
  'cert-chain-incomplete': { status: 422, title: 'No certificate path to a trust anchor could be built' },
  'cert-untrusted-root': { status: 422, title: 'The certificate path ends at a root that is not trusted' },
  'cert-signature-invalid': { status: 422, title: 'A certificate signature in the path does not verify' },
  'cert-expired': { status: 422, title: 'A certificate in the path has expired' },
  'cert-not-yet-valid': { status: 422, title: 'A certificate in the path is not yet valid' },
  'cert-revoked': { status: 422, title: 'A certificate in the path is revoked' },
  'cert-revocation-unknown': { status: 422, title: 'The revocation status of a certificate cannot be determined' },
  'cert-key-usage': { status: 422, title: 'A certificate is used for a purpose its key usage forbids' },
  'cert-basic-constraints': { status: 422, title: 'A certificate acts as a CA without being one' },
  'cert-path-length': { status: 422, title: 'The path is longer than a CA allows' },
  'cert-weak-algorithm': { status: 422, title: 'A certificate uses a forbidden algorithm or key size' },
  'cert-unknown-critical-extension': {
    status: 422,
    title: 'A certificate carries a critical extension the validator does not understand',
  },
  'tl-signature-invalid': { status: 422, title: 'The trusted list signature does not verify' },
  'tl-expired': { status: 422, title: 'The trusted list is past its NextUpdate' },
  'tl-rollback': { status: 422, title: 'The trusted list sequence number went backwards' },
  'crl-stale': { status: 422, title: 'A published CRL is past its nextUpdate' },
});

declare module '@kakehashi/core' {
  interface ErrorCatalogue extends Record<keyof typeof TRUST_ERROR_CODES, ErrorCodeInfo> {}
}
