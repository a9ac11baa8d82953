import { defineErrorCodes, type ErrorCodeInfo } from '@kakehashi/core';

/**
 * The error codes this package raises (eDelivery: the AS4 access point's backend API (the AS4 endpoint itself answers ebMS errors, not these)), registered with core's catalogue so that problem documents get
 * their status and title, and `ErrorCode` includes them (the module augmentation below).
 */
export const EDELIVERY_ERROR_CODES = defineErrorCodes('edelivery', {
  'edelivery-pmode-invalid': { status: 400, title: 'The P-Mode configuration is invalid' },
  'edelivery-no-pmode': { status: 422, title: 'No P-Mode covers this service, action and pair of access points' },
  'edelivery-message-id-conflict': {
    status: 409,
    title: 'The MessageId was already submitted with different content',
  },
  'edelivery-peer-untrusted': {
    status: 422,
    title: "The discovered access point's certificate does not validate against the trust fabric",
  },
  'edelivery-payload-invalid': { status: 400, title: 'A payload is not valid base64 or is too large' },
});

declare module '@kakehashi/core' {
  interface ErrorCatalogue extends Record<keyof typeof EDELIVERY_ERROR_CODES, ErrorCodeInfo> {}
}
