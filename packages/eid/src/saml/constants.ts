/** XML namespaces, algorithm and status URIs of the eIDAS SAML 2.0 profile as Kakehashi speaks it. */

export const NS = {
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  xenc: 'http://www.w3.org/2001/04/xmlenc#',
  xenc11: 'http://www.w3.org/2009/xmlenc11#',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xs: 'http://www.w3.org/2001/XMLSchema',
  eidas: 'http://eidas.europa.eu/saml-extensions',
  eidasNatural: 'http://eidas.europa.eu/attributes/naturalperson',
  mdattr: 'urn:oasis:names:tc:SAML:metadata:attribute',
} as const;

/** XML-DSig and XML-Enc algorithms: what we emit, and the allow-lists of what we accept (X4). */
export const ALG = {
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  aes256Gcm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
  aes128Gcm: 'http://www.w3.org/2009/xmlenc11#aes128-gcm',
  rsaOaepMgf1p: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
  rsaOaep: 'http://www.w3.org/2009/xmlenc11#rsa-oaep',
  mgf1Sha1: 'http://www.w3.org/2009/xmlenc11#mgf1sha1',
  elementType: 'http://www.w3.org/2001/04/xmlenc#Element',
} as const;

/** Signature algorithms accepted on XML signatures and on the Redirect binding's query signature (no SHA-1). */
export const SIGNATURE_ALGORITHMS: Readonly<Record<string, string>> = {
  [ALG.rsaSha256]: 'sha256',
  [ALG.rsaSha512]: 'sha512',
};
/** Reference digest algorithms accepted (no SHA-1). */
export const DIGEST_ALGORITHMS: Readonly<Record<string, string>> = {
  [ALG.sha256]: 'sha256',
  [ALG.sha512]: 'sha512',
};

export const BINDING = {
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
} as const;

export const NAMEID_FORMAT = {
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  entity: 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity',
} as const;

export const ATTRNAME_FORMAT_URI = 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri';
export const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

/** SAML status codes (top level and the second-level ones Kakehashi uses). @see SAML Core §3.2.2.2 */
export const STATUS = {
  success: 'urn:oasis:names:tc:SAML:2.0:status:Success',
  requester: 'urn:oasis:names:tc:SAML:2.0:status:Requester',
  responder: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
  versionMismatch: 'urn:oasis:names:tc:SAML:2.0:status:VersionMismatch',
  noAuthnContext: 'urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext',
  requestDenied: 'urn:oasis:names:tc:SAML:2.0:status:RequestDenied',
  requestUnsupported: 'urn:oasis:names:tc:SAML:2.0:status:RequestUnsupported',
  invalidNameIdPolicy: 'urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy',
  invalidAttrNameOrValue: 'urn:oasis:names:tc:SAML:2.0:status:InvalidAttrNameOrValue',
  noPassive: 'urn:oasis:names:tc:SAML:2.0:status:NoPassive',
  authnFailed: 'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed',
  unknownPrincipal: 'urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal',
} as const;

const NP = 'http://eidas.europa.eu/attributes/naturalperson/';
/**
 * The eIDAS natural-person attributes Kakehashi releases: URI name, friendly name and the xsi:type of the value.
 * @see eIDAS SAML Attribute Profile v1.2 §2.2
 */
export const EIDAS_NATURAL_PERSON = {
  PersonIdentifier: { name: `${NP}PersonIdentifier`, type: 'PersonIdentifierType', mandatory: true },
  FamilyName: { name: `${NP}CurrentFamilyName`, type: 'CurrentFamilyNameType', mandatory: true },
  FirstName: { name: `${NP}CurrentGivenName`, type: 'CurrentGivenNameType', mandatory: true },
  DateOfBirth: { name: `${NP}DateOfBirth`, type: 'DateOfBirthType', mandatory: true },
  BirthName: { name: `${NP}BirthName`, type: 'BirthNameType', mandatory: false },
  PlaceOfBirth: { name: `${NP}PlaceOfBirth`, type: 'PlaceOfBirthType', mandatory: false },
  CurrentAddress: { name: `${NP}CurrentAddress`, type: 'CurrentAddressType', mandatory: false },
  Gender: { name: `${NP}Gender`, type: 'GenderType', mandatory: false },
} as const;
export type EidasAttributeName = keyof typeof EIDAS_NATURAL_PERSON;
export const MINIMUM_DATA_SET: readonly EidasAttributeName[] = [
  'PersonIdentifier',
  'FamilyName',
  'FirstName',
  'DateOfBirth',
];
export const ATTRIBUTE_BY_URI: ReadonlyMap<string, EidasAttributeName> = new Map(
  Object.entries(EIDAS_NATURAL_PERSON).map(([k, v]) => [v.name, k as EidasAttributeName]),
);

/** The test-only demo SP every node knows (like the OIDC demo RP). */
export const DEMO_SP_ENTITY_ID = 'kakehashi-demo-sp';

/** Lifetimes on the virtual clock. */
export const ASSERTION_TTL_SECONDS = 300;
/** How old an AuthnRequest's IssueInstant may be when it arrives (plus the configured skew). */
export const AUTHN_REQUEST_MAX_AGE_SECONDS = 300;
/** How long an outstanding request of our SP (connector) waits for its Response. */
export const OUTSTANDING_REQUEST_TTL_SECONDS = 600;
/**
 * How long a login session at the IdP lasts (the assertion's SessionNotOnOrAfter): within it, a LogoutRequest
 * of the SP ends it (Single Logout); after it, there is nothing left to end (UnknownPrincipal).
 */
export const SAML_SESSION_TTL_SECONDS = 8 * 3600;
/** How long the connector waits for the LogoutResponse to its LogoutRequest. */
export const OUTSTANDING_LOGOUT_TTL_SECONDS = 600;
/** How long the persona picker waits. */
export const SAML_PENDING_TTL_SECONDS = 600;
/** Size limit for SAML messages (before parsing). */
export const MAX_SAML_MESSAGE_BYTES = 256 * 1024;
/** Depth limit for SAML messages. */
export const MAX_SAML_DEPTH = 32;
