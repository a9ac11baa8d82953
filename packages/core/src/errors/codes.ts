/**
 * The catalogue of stable error codes. Every failure the federation reports carries one of these codes as
 * `type: urn:kakehashi:error:<code>` in an RFC 9457 problem document; the HTTP status is mapped here, once.
 *
 * Building blocks add their own codes by extending this table (codes are kebab-case and never renamed).
 * @see https://www.rfc-editor.org/rfc/rfc9457#section-3.1
 */
export const ERROR_CODES = {
  // generic HTTP boundary
  'bad-request': { status: 400, title: 'The request is malformed' },
  'validation-failed': { status: 400, title: 'The request does not match its schema' },
  'malformed-json': { status: 400, title: 'The request body is not valid JSON' },
  'malformed-xml': { status: 400, title: 'The XML document is not well-formed' },
  'xml-doctype-forbidden': { status: 400, title: 'XML documents with a DOCTYPE are refused' },
  'xml-entity-forbidden': { status: 400, title: 'XML entity references other than the predefined ones are refused' },
  'xml-too-deep': { status: 400, title: 'The XML document nests deeper than allowed' },
  'xml-too-large': { status: 413, title: 'The XML document is larger than allowed' },
  'payload-too-large': { status: 413, title: 'The request body is larger than allowed' },
  'unsupported-media-type': { status: 415, title: 'The request has the wrong content type' },
  'not-found': { status: 404, title: 'No such resource' },
  'method-not-allowed': { status: 405, title: 'The method is not allowed on this resource' },
  unauthorized: { status: 401, title: 'Authentication is required' },
  forbidden: { status: 403, title: 'The caller may not do this' },
  conflict: { status: 409, title: 'The request conflicts with the current state' },
  'internal-error': { status: 500, title: 'Internal error' },
  'upstream-unavailable': { status: 502, title: 'A component this request depends on did not answer' },
  // configuration and clock
  'config-invalid': { status: 400, title: 'The configuration is invalid' },
  'config-unknown-option': { status: 400, title: 'No such configuration option' },
  'config-not-runtime': { status: 409, title: 'This option cannot be changed at runtime' },
  'clock-invalid': { status: 400, title: 'The clock operation is invalid' },
  // store
  'store-migration-failed': { status: 500, title: 'A storage migration failed' },
  // trust fabric and certificate path validation
  'unknown-country': { status: 404, title: 'No such country in the federation' },
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
  // hub: registry and discovery
  'registration-unsigned': { status: 400, title: 'Node metadata must be signed' },
  'registration-signature-invalid': { status: 422, title: 'The node metadata signature does not verify' },
  'registration-cert-invalid': {
    status: 422,
    title: 'The node certificate does not validate against the trust fabric',
  },
  'registration-country-mismatch': { status: 422, title: 'The metadata country differs from the certificate country' },
  'registration-stale': { status: 422, title: 'The node metadata is too old or from the future' },
  'participant-not-found': { status: 404, title: 'No node serves this participant and service' },
  // eDelivery: the AS4 access point's backend API (the AS4 endpoint itself answers ebMS errors, not these)
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
  // eID: OpenID Connect provider at a node (the OAuth `error` travels beside the code)
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
  'oidc-unsupported-grant-type': { status: 400, title: 'Only grant_type=authorization_code is supported' },
  'oidc-invalid-token': { status: 401, title: 'The access token is missing, invalid or expired' },
  'oidc-invalid-client-metadata': { status: 400, title: 'The client registration is invalid' },
  // eID: the ID-token (JWT) validation service — one code per J-series rule (shared/design/attack-catalogue.md)
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
  // eID: eIDAS SAML 2.0 (IdP/proxy service, SP/connector) and the SAML response validation service (S/X series)
  'xml-duplicate-id': { status: 400, title: 'The XML document repeats an ID attribute value (X5)' },
  'saml-binding-invalid': {
    status: 400,
    title: 'The SAML message is not encoded as its binding requires (base64, deflate, parameters)',
  },
  'saml-request-invalid': { status: 400, title: 'The AuthnRequest is malformed or refused' },
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
  'audit-chain-broken': { status: 500, title: 'The audit chain does not verify' },
  // eSignature: signing service and time-stamp authority (validation verdicts are ETSI reports, not errors)
  'esig-signer-not-found': { status: 404, title: 'No agency or citizen signer with this id at this node' },
  'esig-packaging-unsupported': { status: 400, title: 'The format cannot sign this content with this packaging' },
  'esig-timestamp-unavailable': { status: 503, title: 'No time-stamp authority is available for a B-T signature' },
  'tsa-request-invalid': { status: 400, title: 'The RFC 3161 time-stamp request is malformed' },
  // Japan's Cooperation Network (packages/jp-network; shared/design/jp-cooperation-network.md)
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
  // once-only evidence exchange (evidence broker at the hub, packages/evidence at the nodes)
  'evidence-requirement-unknown': { status: 404, title: 'The evidence broker knows no such requirement' },
  'evidence-no-provider': { status: 404, title: 'No data service provides evidence for this requirement there' },
  'evidence-regrep-invalid': { status: 400, title: 'The RegRep message is not a valid OOTS EDM message' },
  'evidence-request-not-found': { status: 404, title: 'No evidence request with this id at this node' },
  'evidence-preview-not-found': { status: 404, title: 'The preview is unknown or has expired' },
  'evidence-preview-login-required': { status: 401, title: 'Log in at the provider before previewing' },
  'evidence-preview-subject-mismatch': { status: 403, title: 'The person who logged in is not the person asked about' },
  'evidence-preview-decided': { status: 409, title: 'The preview was already decided (consent is single-use)' },
} as const satisfies Record<string, { status: number; title: string }>;

/** A stable, machine-readable error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The `type` URI of a problem document for `code`. */
export function problemType(code: ErrorCode): string {
  return `urn:kakehashi:error:${code}`;
}
