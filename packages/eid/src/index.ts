/**
 * @kakehashi/eid — the eID building block: an OpenID Connect provider at every national node (authorization
 * code + PKCE S256, discovery, JWKS, pairwise `sub`, eIDAS minimum data set as claims, LoA as `acr`).
 * TEST ONLY: keys derive from the public seed, identities are synthetic.
 */

export { CODE_TTL_SECONDS } from './authorize/issue-code.ts';
export { sectorOf, validateAuthorizationRequest } from './authorize/validate-authorization-request.ts';
export { type CardLoginDeps, type CardSignature, cardChallenge, verifyCardLogin } from './card/card-login.ts';
export {
  ASSERTION_ALGORITHMS,
  authenticateClient,
  JWT_BEARER_ASSERTION,
} from './client-auth/authenticate-client.ts';
export {
  type ClientRegistry,
  createClientRegistry,
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  type RegisteredClient,
} from './clients/client-registry.ts';
export { isLoopbackRedirect, matchRedirectUri } from './clients/match-redirect-uri.ts';
export { readClientsFile } from './clients/read-clients-file.ts';
export {
  type ClientRegistration,
  type ClientRegistrationInput,
  ClientRegistrationSchema,
  type ClientView,
} from './clients/z-client.ts';
export {
  certificateKeyId,
  connectorCallback,
  connectorClientId,
  connectorCountry,
  ensureConnectorClient,
} from './connector/connector-client.ts';
export {
  CONNECTOR_PENDING_TTL_SECONDS,
  CROSS_BORDER_COUNTRY_PARAM,
  mountConnectorCallback,
  startCrossBorder,
} from './connector/cross-border.ts';
export type { FederationDeps, FederationPeer } from './connector/federation-deps.ts';
export { buildDiscovery } from './discovery/build-discovery.ts';
export { EID_ERROR_CODES } from './error-codes.ts';
export { OAUTH_ERROR_BY_CODE, type OAuthErrorName, oauthError } from './errors/oauth-error.ts';
export { customIdentity, identityFromPersona } from './id-token/build-identity.ts';
export {
  buildIdentityClaims,
  IDENTITY_CLAIMS,
  type IdentityClaims,
  type SubjectIdentifiers,
} from './id-token/build-identity-claims.ts';
export { ID_TOKEN_TTL_SECONDS } from './id-token/sign-id-token.ts';
export type { AuthenticatedIdentity } from './id-token/z-identity.ts';
export { buildSigningKeys, type SigningKey } from './keys/build-jwks.ts';
export { deriveEidKeys, type EidKeys } from './keys/derive-keys.ts';
export { amrFor, chooseAcr, LOA_ORDER, loaRank, loasUpTo } from './loa/loa.ts';
export { EID_OPTIONS, type EidOptions } from './options.ts';
export { computePairwiseSub, computePersonIdentifier } from './pairwise/compute-pairwise-sub.ts';
export { s256Challenge, verifyPkce } from './pkce/verify-pkce.ts';
export { HEADLESS_PERSONA_PARAM, mountOidcProvider, PENDING_TTL_SECONDS } from './provider/mount-oidc-provider.ts';
export type { OidcProviderDeps, ProviderContext } from './provider/provider-context.ts';
export * from './saml/index.ts';
export { EID_MIGRATIONS } from './store/eid-migrations.ts';
export { resetEidState } from './store/reset-eid-state.ts';
export { ACCESS_TOKEN_TTL_SECONDS } from './token/exchange-code.ts';
export type { IssuerKey, IssuerKeyResolver, IssuerKeys, ReplayCache } from './validate/issuer-keys.ts';
export {
  type IdTokenValidationDeps,
  type IdTokenValidator,
  mountIdTokenValidation,
} from './validate/mount-id-token-validation.ts';
export { decodeBase64UrlStrict, findDuplicateKey, parseCompactJwt } from './validate/parse-compact-jwt.ts';
export {
  createStoreReplayCache,
  EID_VALIDATION_MIGRATIONS,
  REPLAY_PURGE_INTERVAL_SECONDS,
} from './validate/replay-cache.ts';
export {
  createIssuerKeyResolver,
  JWKS_CACHE_SECONDS,
  JWKS_MIN_REFETCH_SECONDS,
  type RegisteredIssuer,
} from './validate/resolve-issuer-keys.ts';
export {
  DEFAULT_ID_TOKEN_ALGORITHMS,
  MAX_ID_TOKEN_LIFETIME_SECONDS,
  type ValidateIdTokenContext,
  validateIdToken,
} from './validate/validate-id-token.ts';
export {
  type ExpectedIdToken,
  ExpectedIdTokenSchema,
  type IdTokenCheck,
  type IdTokenRule,
  type IdTokenVerdict,
  IdTokenVerdictSchema,
  MAX_TOKEN_CHARS,
  type ValidatedIdentity,
  ValidateIdTokenRequestSchema,
} from './validate/z-validation.ts';
