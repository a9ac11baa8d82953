import { defineErrorCodes, type ErrorCodeInfo } from '@kakehashi/core';

/**
 * The error codes this package raises (Japan's Cooperation Network (packages/jp-network; shared/design/jp-cooperation-network.md)), registered with core's catalogue so that problem documents get
 * their status and title, and `ErrorCode` includes them (the module augmentation below).
 */
export const JP_NETWORK_ERROR_CODES = defineErrorCodes('jp-network', {
  'jp-agency-unauthenticated': { status: 401, title: 'The request is not signed by a known agency certificate' },
  'jp-four-facts-mismatch': { status: 422, title: 'No resident matches all four basic facts (strict match)' },
  'jp-four-facts-ambiguous': { status: 409, title: 'Several residents match the four basic facts' },
  'jp-acquisition-number-invalid': {
    status: 422,
    title: 'The acquisition number is unknown, expired, already used or issued to another agency',
  },
  'jp-code-unknown': { status: 403, title: "The code is not one of the requester's current codes" },
  'jp-code-retired': { status: 403, title: 'The code was replaced by a key rotation and its grace window has ended' },
  'jp-not-authorised': { status: 403, title: 'The exchange is outside the authorisation matrix' },
  'jp-impact-assessment-lapsed': { status: 403, title: 'The privacy impact assessment of an agency has lapsed' },
  'jp-reconciliation-failed': { status: 409, title: 'The code translation failed its reconciliation check' },
  'jp-subject-not-held': { status: 404, title: 'The provider holds no record for this person' },
  'jp-e2e-failed': {
    status: 422,
    title: 'The end-to-end encrypted payload cannot be opened or its key is not trusted',
  },
  'jp-card-auth-failed': { status: 401, title: 'The card authentication (certificate or signature) failed' },
  'jp-challenge-invalid': { status: 401, title: 'The login challenge is unknown, expired or already used' },
  'jp-session-invalid': { status: 401, title: 'The portal session is missing, unknown or expired' },
  'jp-reauth-required': { status: 401, title: 'This write action needs a fresh card re-authentication' },
  'jp-reauth-subject-mismatch': { status: 403, title: 'The re-authenticating card belongs to another person' },
  'jp-issuance-crossed': { status: 409, title: 'An issued certificate was about to reach the wrong person' },
  'jp-fault-off': { status: 403, title: 'This incident simulation needs its fault switched on' },
});

declare module '@kakehashi/core' {
  interface ErrorCatalogue extends Record<keyof typeof JP_NETWORK_ERROR_CODES, ErrorCodeInfo> {}
}
