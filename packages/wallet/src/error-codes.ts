import { defineErrorCodes, type ErrorCodeInfo } from '@kakehashi/core';

/**
 * The error codes this package raises: the PID provider's OpenID4VCI endpoints (their OAuth-style `error` travels
 * beside the code) and the verifier's W-series rules (one code per rule of the presentation verdict).
 */
export const WALLET_ERROR_CODES = defineErrorCodes('wallet', {
  // OpenID4VCI 1.0 (PID provider): token endpoint §6.3, credential endpoint §8.3.1.2
  'vci-invalid-request': { status: 400, title: 'The OpenID4VCI request is missing a parameter or is malformed' },
  'vci-invalid-grant': {
    status: 400,
    title:
      'The code is unknown, used, expired, its PKCE verifier or redirect_uri is wrong, or the tx_code is wrong (OpenID4VCI §6.3)',
  },
  'vci-unsupported-grant-type': {
    status: 400,
    title: 'Only the pre-authorized_code and authorization_code grants are supported',
  },
  'vci-wallet-attestation-invalid': {
    status: 401,
    title:
      'The token request has no valid wallet-unit attestation (OAuth client attestation and PoP) from a provider on the EU wallet-provider list (invalid_client)',
  },
  'vci-tx-code-missing': {
    status: 400,
    title: 'The offer asked for a transaction code and the token request has none (OpenID4VCI §6.3 invalid_request)',
  },
  'vci-invalid-authorization-request': {
    status: 400,
    title: 'The pushed authorization request is malformed, or its request_uri unknown, used or expired (RFC 9126)',
  },
  'vci-eid-login-failed': {
    status: 400,
    title: "The node's eID login did not name a persona of this country (or its answer is unknown, used or refused)",
  },
  'vci-invalid-token': { status: 401, title: 'The access token is missing, unknown or expired' },
  'vci-unknown-credential-configuration': {
    status: 400,
    title: 'The credential_configuration_id is not offered by this issuer',
  },
  'vci-invalid-proof': { status: 400, title: 'The proof of possession is missing or invalid (OpenID4VCI App. F)' },
  'vci-invalid-nonce': { status: 400, title: 'The proof does not carry a fresh c_nonce of this issuer' },
  'vci-unknown-persona': { status: 404, title: 'No persona of this country has that id' },
  'vci-not-resident': {
    status: 404,
    title: "The persona is not in the municipality's resident register (Setagaya certifies its own residents only)",
  },
  'vci-unknown-status-index': { status: 404, title: 'No PID of this provider has that status list index' },
  // OpenID4VP 1.0 (verifier)
  'vp-unknown-transaction': { status: 404, title: 'No presentation transaction has that id or state' },
  'vp-invalid-response': { status: 400, title: 'The authorization response is malformed (OpenID4VP §8)' },
  'vp-response-code-invalid': {
    status: 403,
    title: 'A same-device request is read only with the response_code of its redirect (OpenID4VP §13.3)',
  },
  // the presentation verdict: one code per W rule
  'vp-malformed': { status: 422, title: 'The SD-JWT VC presentation is not well formed, or its typ/alg is wrong (W1)' },
  'vp-issuer-untrusted': {
    status: 422,
    title: "The issuer's x5c chain does not validate against the trusted lists (W2)",
  },
  'vp-issuer-unknown': { status: 422, title: "The iss is not a registered node certified for the key's country (W3)" },
  'vp-issuer-signature-invalid': { status: 422, title: "The issuer's signature does not verify (W4)" },
  'vp-credential-expired': { status: 422, title: 'The credential is expired or not yet valid (W5)' },
  'vp-vct-invalid': { status: 422, title: 'The credential type (vct) is not the one requested (W6)' },
  'vp-disclosure-invalid': {
    status: 422,
    title: 'A disclosure is malformed, foreign to the credential, or repeated (W7)',
  },
  'vp-key-binding-missing': { status: 422, title: 'The key binding JWT is missing or not kb+jwt (W8)' },
  'vp-key-binding-invalid': {
    status: 422,
    title: "The key binding JWT is not signed by the credential's cnf key (W9)",
  },
  'vp-nonce-invalid': { status: 422, title: 'The key binding nonce is not the nonce of the request (W10)' },
  'vp-audience-invalid': { status: 422, title: 'The key binding aud is not the verifier client_id (W11)' },
  'vp-key-binding-stale': { status: 422, title: 'The key binding iat is outside the accepted window (W12)' },
  'vp-sd-hash-mismatch': { status: 422, title: 'The key binding sd_hash does not match the presentation (W13)' },
  'vp-query-unmet': { status: 422, title: 'The presentation does not disclose what the DCQL query asked (W14)' },
  'vp-credential-revoked': {
    status: 422,
    title: "The credential's status list says invalid or suspended, or its status cannot be checked (W15)",
  },
  'vp-replay': { status: 422, title: 'The request was already answered: a presentation is accepted once (W16)' },
});

declare module '@kakehashi/core' {
  interface ErrorCatalogue extends Record<keyof typeof WALLET_ERROR_CODES, ErrorCodeInfo> {}
}
