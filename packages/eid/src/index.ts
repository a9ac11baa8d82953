/**
 * @kakehashi/eid — the eID building block: an OpenID Connect provider at every national node (authorization
 * code + PKCE S256, discovery, JWKS, pairwise `sub`, eIDAS minimum data set as claims, LoA as `acr`), the eIDAS
 * SAML 2.0 IdP and SP, and the ID-token and SAML Response validation services.
 * TEST ONLY: keys derive from the public seed, identities are synthetic.
 *
 * The entry exports what the node, the hub, the federation and the root tests use; this package's own tests
 * import the feature files directly.
 */

// ---- OpenID Connect provider (node) -------------------------------------------------------------------------
export type { CardLoginDeps } from './card/card-login.ts';
export { readClientsFile } from './clients/read-clients-file.ts';
export type { ClientRegistrationInput } from './clients/z-client.ts';
// Importing the entry registers the block's error codes with core's catalogue.
export { EID_ERROR_CODES } from './error-codes.ts';
export type { SubjectIdentifiers } from './id-token/build-identity-claims.ts';
export { type IssueIdTokenInput, issueIdToken } from './id-token/issue-id-token.ts';
export { buildSigningKeys, type SigningKey } from './keys/build-jwks.ts';
export { deriveEidKeys } from './keys/derive-keys.ts';
export { EID_OPTIONS, type EidOptions } from './options.ts';
export { computePersonIdentifier } from './pairwise/compute-pairwise-sub.ts';
export { mountOidcProvider } from './provider/mount-oidc-provider.ts';
export type { OidcProviderDeps } from './provider/provider-context.ts';
// ---- eIDAS SAML 2.0 (IdP and SP at the node, validation at hub and node) ---------------------------------------
export {
  buildAuthnRequest,
  encodePostRequest,
  encodeRedirectRequest,
} from './saml/authn-request/build-authn-request.ts';
export { decodeRedirectRequest } from './saml/authn-request/decode-request.ts';
export { DEMO_SP_ENTITY_ID } from './saml/constants.ts';
export {
  SAML_FAULTS,
  SAML_FORGE_FAULTS,
  type SamlFaultName,
  type SamlForgeFault,
  type SamlLenientFault,
} from './saml/faults.ts';
export { mountSaml, type SamlDeps } from './saml/mount-saml.ts';
export { clearSamlTables } from './saml/store/saml-migrations.ts';
export { mountSamlResponseValidation, type SamlValidationDeps } from './saml/validate/mount-saml-validation.ts';
export { validateSamlResponse } from './saml/validate/validate-saml-response.ts';
export type { ExpectedSamlResponse } from './saml/validate/z-saml-validation.ts';
export { parseSamlXml } from './saml/xml/parse-saml.ts';
export { resetEidState } from './store/reset-eid-state.ts';
// ---- ID-token validation (hub and node) -----------------------------------------------------------------------
export type { IssuerKey } from './validate/issuer-keys.ts';
export {
  type IdTokenValidationDeps,
  type IdTokenValidator,
  mountIdTokenValidation,
} from './validate/mount-id-token-validation.ts';
export { createStoreReplayCache } from './validate/replay-cache.ts';
export { validateIdToken } from './validate/validate-id-token.ts';
export type { ExpectedIdToken } from './validate/z-validation.ts';
