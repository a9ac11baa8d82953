import { defineErrorCodes, type ErrorCodeInfo } from '@kakehashi/core';

/**
 * The error codes this package raises (eSignature: signing service and time-stamp authority (validation verdicts are ETSI reports, not errors)), registered with core's catalogue so that problem documents get
 * their status and title, and `ErrorCode` includes them (the module augmentation below).
 */
export const ESIG_ERROR_CODES = defineErrorCodes('esig', {
  'esig-signer-not-found': { status: 404, title: 'No agency or citizen signer with this id at this node' },
  'esig-packaging-unsupported': { status: 400, title: 'The format cannot sign this content with this packaging' },
  'esig-timestamp-unavailable': { status: 503, title: 'No time-stamp authority is available for a B-T signature' },
  'esig-fault-unavailable': {
    status: 422,
    title: 'The fault asked for cannot be applied to this signer at this node',
  },
  'tsa-request-invalid': { status: 400, title: 'The RFC 3161 time-stamp request is malformed' },
});

declare module '@kakehashi/core' {
  interface ErrorCatalogue extends Record<keyof typeof ESIG_ERROR_CODES, ErrorCodeInfo> {}
}
