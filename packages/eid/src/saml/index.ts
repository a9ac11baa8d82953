/**
 * The eIDAS SAML 2.0 part of the eID building block: IdP (proxy service), SP (connector), response validation
 * (S1–S20, X1–X6). Re-exported by the package entry `src/index.ts`.
 */
export {
  type AuthnRequestInput,
  buildAuthnRequest,
  encodePostRequest,
  encodeRedirectRequest,
} from './authn-request/build-authn-request.ts';
export { decodePostRequest, decodeRedirectRequest, verifyQuerySignature } from './authn-request/decode-request.ts';
export {
  ALG as SAML_ALGORITHMS,
  BINDING as SAML_BINDINGS,
  DEMO_SP_ENTITY_ID,
  EIDAS_NATURAL_PERSON,
  NS as SAML_NS,
  STATUS as SAML_STATUS,
} from './constants.ts';
export { DEMO_SP_EXAMPLE_ACS, type DemoSp, demoSp, demoSpMetadata } from './demo-sp/demo-sp.ts';
export { buildIdpMetadata, buildSpMetadata } from './metadata/build-metadata.ts';
export { type ParsedMetadata, parseMetadata, verifyMetadataSignature } from './metadata/parse-metadata.ts';
export {
  createPeerMetadataResolver,
  type RegisteredNodes,
  samlEndpointsOf,
} from './metadata/resolve-peer-metadata.ts';
export { mountSaml, type SamlCredential, type SamlDeps, type SamlMount } from './mount-saml.ts';
export { buildAssertion, buildResponse } from './response/build-response.ts';
export { clearSamlTables, SAML_NODE_MIGRATIONS, SAML_VALIDATION_MIGRATIONS } from './store/saml-migrations.ts';
export { mountSamlResponseValidation, type SamlValidationDeps } from './validate/mount-saml-validation.ts';
export {
  type SamlReplayCache,
  type TrustedIdp,
  type ValidateSamlResponseContext,
  validateSamlResponse,
} from './validate/validate-saml-response.ts';
export {
  type ExpectedSamlResponse,
  ExpectedSamlResponseSchema,
  type SamlCheck,
  type SamlIdentity,
  type SamlRule,
  type SamlVerdict,
  ValidateSamlResponseRequestSchema,
} from './validate/z-saml-validation.ts';
export { parseSamlXml } from './xml/parse-saml.ts';
export { signRoot } from './xml/sign-xml.ts';
export { decryptEncryptedAssertion, encryptElement } from './xml/xml-encryption.ts';
