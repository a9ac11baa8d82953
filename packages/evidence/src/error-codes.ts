import { defineErrorCodes, type ErrorCodeInfo } from '@kakehashi/core';

/**
 * The error codes this package raises (once-only evidence exchange (evidence broker at the hub, packages/evidence at the nodes)), registered with core's catalogue so that problem documents get
 * their status and title, and `ErrorCode` includes them (the module augmentation below).
 */
export const EVIDENCE_ERROR_CODES = defineErrorCodes('evidence', {
  'evidence-requirement-unknown': { status: 404, title: 'The evidence broker knows no such requirement' },
  'evidence-no-provider': { status: 404, title: 'No data service provides evidence for this requirement there' },
  'evidence-regrep-invalid': { status: 400, title: 'The RegRep message is not a valid OOTS EDM message' },
  'evidence-request-not-found': { status: 404, title: 'No evidence request with this id at this node' },
  'evidence-preview-not-found': { status: 404, title: 'The preview is unknown or has expired' },
  'evidence-preview-login-required': { status: 401, title: 'Log in at the provider before previewing' },
  'evidence-preview-subject-mismatch': { status: 403, title: 'The person who logged in is not the person asked about' },
  'evidence-preview-decided': { status: 409, title: 'The preview was already decided (consent is single-use)' },
});

declare module '@kakehashi/core' {
  interface ErrorCatalogue extends Record<keyof typeof EVIDENCE_ERROR_CODES, ErrorCodeInfo> {}
}
