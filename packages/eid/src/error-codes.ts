import { defineErrorCodes, type ErrorCodeInfo } from '@kakehashi/core';

/**
 * The error codes this package raises (OIDC provider, ID-token validation, eIDAS SAML), registered with core's catalogue so that problem documents get
 * their status and title, and `ErrorCode` includes them (the module augmentation below).
 */
export const EID_ERROR_CODES = defineErrorCodes('eid', {
  // OpenID Connect provider at a node (the OAuth `error` travels beside the code)
  'oidc-invalid-request': {
    status: 400,
    title: 'The OAuth/OIDC request is missing or repeats a parameter, or is malformed',
  },
  'oidc-unknown-client': { status: 400, title: 'No relying party is registered with this client_id' },
  'oidc-invalid-redirect-uri': { status: 400, title: 'The redirect_uri is not registered for this client' },
  'oidc-unsupported-response-type': {
    status: 400,
    title: 'Only the authorization code flow (response_type=code) is supported',
  },
  'oidc-invalid-scope': { status: 400, title: 'The scope must contain openid' },
  'oidc-unmet-authentication-requirements': { status: 403, title: 'The requested level of assurance cannot be met' },
  'oidc-access-denied': { status: 403, title: 'The authentication was refused' },
  'oidc-request-expired': { status: 400, title: 'The pending authorization request is unknown or has expired' },
  'oidc-invalid-client': { status: 401, title: 'Client authentication failed' },
  'oidc-invalid-grant': {
    status: 400,
    title: 'The authorization code is invalid, expired, used, or bound to something else',
  },
  'oidc-unsupported-grant-type': {
    status: 400,
    title: 'The grant_type is not supported (authorization_code, refresh_token)',
  },
  'oidc-unauthorized-client': { status: 400, title: 'The client is not registered for this grant type' },
  'oidc-refresh-token-reused': {
    status: 400,
    title: 'A rotated refresh token was presented again: its whole family is revoked (RFC 9700 §4.14)',
  },
  'oidc-login-required': {
    status: 400,
    title: 'prompt=none, but no login session at the provider satisfies the request',
  },
  'oidc-invalid-logout-request': {
    status: 400,
    title: 'The logout request is invalid: id_token_hint, client_id or an unregistered post_logout_redirect_uri',
  },
  'oidc-invalid-token': { status: 401, title: 'The access token is missing, invalid or expired' },
  'oidc-invalid-client-metadata': { status: 400, title: 'The client registration is invalid' },
  // the ID-token (JWT) validation service — one code per J-series rule (shared/design/attack-catalogue.md)
  'jwt-malformed': { status: 422, title: 'The JWT is not a canonical compact serialization (J15)' },
  'jwt-alg-none': { status: 422, title: 'The JWT is unsigned (alg none) or its signature is stripped (J1)' },
  'jwt-key-confusion': { status: 422, title: 'A symmetric algorithm names an asymmetric key (J2)' },
  'jwt-alg-mismatch': { status: 422, title: 'The JWT algorithm is not allowed or does not match its key (J3)' },
  'jwt-embedded-key': { status: 422, title: 'The JWT carries its own verification key (J4)' },
  'jwt-remote-key-reference': { status: 422, title: 'The JWT points at remote keys (jku/x5u) (J5)' },
  'jwt-unknown-kid': { status: 422, title: "The kid names no key of the issuer's JWKS (J6)" },
  'jwt-untrusted-x5c': {
    status: 422,
    title: 'The certificate chain of the JWT does not validate against the trust fabric (J7)',
  },
  'jwt-time-invalid': { status: 422, title: 'The JWT is expired, not yet valid or lives too long (J8)' },
  'jwt-audience-invalid': { status: 422, title: 'The JWT audience or authorized party is wrong (J9)' },
  'jwt-issuer-invalid': { status: 422, title: 'The JWT issuer is wrong or its key is bound to another issuer (J10)' },
  'jwt-replay': { status: 422, title: 'The JWT nonce or jti was seen before, or the nonce does not match (J11)' },
  'jwt-type-invalid': { status: 422, title: 'The JWT is not an ID token (typ, events) (J12)' },
  'jwt-unknown-crit': { status: 422, title: 'The JWT header marks an extension critical that is not understood (J13)' },
  'jwt-signature-invalid': { status: 422, title: 'The JWT signature does not verify (J14/J15)' },
  'jwt-loa-insufficient': { status: 422, title: 'The level of assurance (acr) is below the requested one (J16)' },
  'jwt-symmetric-alg': { status: 422, title: 'Symmetric (HMAC) algorithms are refused across borders (J17)' },
  'jwt-issuer-unknown': { status: 422, title: 'The issuer is not a registered node of the federation' },
  'jwt-issuer-keys-unavailable': { status: 502, title: "The issuer's keys could not be fetched" },
  'jwt-claims-invalid': { status: 422, title: 'A required ID-token claim is missing or has the wrong type' },
  // eIDAS SAML 2.0 (IdP/proxy service, SP/connector) and the SAML response validation service (S/X series)
  'xml-duplicate-id': { status: 400, title: 'The XML document repeats an ID attribute value (X5)' },
  'saml-binding-invalid': {
    status: 400,
    title: 'The SAML message is not encoded as its binding requires (base64, deflate, parameters)',
  },
  'saml-request-invalid': { status: 400, title: 'The AuthnRequest is malformed or refused' },
  'saml-logout-invalid': {
    status: 400,
    title: 'The LogoutRequest or LogoutResponse is malformed, unsigned or has nowhere to be answered',
  },
  'saml-unknown-sp': { status: 400, title: 'The AuthnRequest Issuer is not a known service provider' },
  'saml-acs-invalid': { status: 400, title: "The AssertionConsumerServiceURL is not in the SP's metadata" },
  'saml-request-signature-invalid': { status: 400, title: 'The AuthnRequest signature is missing or does not verify' },
  'saml-request-expired': { status: 400, title: 'The pending SAML login is unknown, used or expired' },
  'saml-unsolicited-response': { status: 400, title: 'The SAML Response answers no outstanding request of this SP' },
  'saml-metadata-invalid': { status: 400, title: 'The SAML metadata is malformed or incomplete' },
  'saml-malformed': { status: 422, title: 'The SAML Response does not have the structure the profile requires' },
  'saml-wrapping': { status: 422, title: 'XML signature wrapping: the signed element is not the one consumed (S1-S8)' },
  'saml-comment-injection': { status: 422, title: 'A comment or processing instruction splits a consumed value (S9)' },
  'saml-unsigned': { status: 422, title: 'A Response or assertion that must be signed is not (S10)' },
  'saml-signature-invalid': { status: 422, title: 'An XML signature does not verify (S10)' },
  'saml-untrusted-key': { status: 422, title: 'The signature key is not the issuer key taken from trust (S11)' },
  'saml-replay': { status: 422, title: 'The assertion ID was seen before (S12)' },
  'saml-in-response-to-invalid': { status: 422, title: 'InResponseTo is missing or answers another request (S13)' },
  'saml-destination-invalid': { status: 422, title: 'Destination or Recipient is not the expected endpoint (S14)' },
  'saml-audience-invalid': { status: 422, title: 'The AudienceRestriction does not name this SP (S15)' },
  'saml-time-invalid': { status: 422, title: 'The assertion is expired or not yet valid (S16)' },
  'saml-issuer-invalid': { status: 422, title: 'The Issuer is not the expected IdP (S17)' },
  'saml-loa-insufficient': { status: 422, title: 'The level of assurance is below the requested minimum (S18)' },
  'saml-status-not-success': { status: 422, title: 'The Response status is not Success (S19)' },
  'saml-assertion-swapped': { status: 422, title: 'The assertion does not belong to the Response carrying it (S19)' },
  'saml-parser-differential': {
    status: 422,
    title: 'The XML could be read differently by two parsers (S20): namespaces, attributes, SignedInfo',
  },
  'saml-algorithm-forbidden': { status: 422, title: 'A transform, algorithm or reference is not allowed (X4)' },
  'saml-decryption-failed': { status: 422, title: 'The encrypted assertion cannot be decrypted' },
  'saml-issuer-unknown': { status: 422, title: 'The SAML issuer is not the IdP of a registered node' },
  'saml-issuer-metadata-unavailable': { status: 502, title: "The IdP's SAML metadata could not be fetched or trusted" },
});

declare module '@kakehashi/core' {
  interface ErrorCatalogue extends Record<keyof typeof EID_ERROR_CODES, ErrorCodeInfo> {}
}
