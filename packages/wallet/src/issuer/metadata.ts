import { PID_DOCTYPE, PID_MDOC_CONFIGURATION_ID, PID_MDOC_ELEMENTS, PID_NAMESPACE } from '../mdoc/pid-mdoc.ts';
import { PID_CLAIM_NAMES, PID_VCT } from './pid-claims.ts';

export { PID_MDOC_CONFIGURATION_ID };

/** The PID as SD-JWT VC (the default configuration; the PID as mdoc is {@link PID_MDOC_CONFIGURATION_ID}). */
export const PID_SD_JWT_CONFIGURATION_ID = 'eu.europa.ec.eudi.pid_vc_sd_jwt';

/** The endpoints of the PID provider at a node's origin. */
export function issuerEndpoints(origin: string) {
  return {
    credentialIssuer: origin,
    authorizationServer: `${origin}/wallet/issuer`,
    token: `${origin}/wallet/issuer/token`,
    par: `${origin}/wallet/issuer/par`,
    authorize: `${origin}/wallet/issuer/authorize`,
    /** Where the node's eID (its OIDC provider) answers the PID provider's login. */
    eidCallback: `${origin}/wallet/issuer/eid-callback`,
    nonce: `${origin}/wallet/issuer/nonce`,
    credential: `${origin}/wallet/issuer/credential`,
    statusList: `${origin}/wallet/issuer/status-lists/1`,
  };
}

/**
 * The credential issuer metadata (OpenID4VCI §12.2.4): the issuer identifier is the node's origin; its
 * authorization server (pre-authorised and authorization code) sits at `/wallet/issuer` beside the node's OIDC provider, so
 * each keeps its own RFC 8414 metadata.
 * @see https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0-final.html#section-12.2.4
 */
export function credentialIssuerMetadata(origin: string, country: string) {
  const e = issuerEndpoints(origin);
  return {
    credential_issuer: e.credentialIssuer,
    authorization_servers: [e.authorizationServer],
    credential_endpoint: e.credential,
    nonce_endpoint: e.nonce,
    display: [{ name: `Kakehashi ${country} PID Provider (TEST)`, locale: 'en' }],
    credential_configurations_supported: {
      [PID_SD_JWT_CONFIGURATION_ID]: {
        format: 'dc+sd-jwt',
        vct: PID_VCT,
        scope: PID_SD_JWT_CONFIGURATION_ID,
        cryptographic_binding_methods_supported: ['jwk'],
        credential_signing_alg_values_supported: ['ES256'],
        proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256'] } },
        credential_metadata: {
          display: [{ name: `PID (${country}, TEST)`, locale: 'en' }],
          claims: PID_CLAIM_NAMES.map((name) => ({ path: [name] })),
        },
      },
      // The PID as ISO mdoc (OpenID4VCI Appendix A.2): the signing alg as a COSE algorithm number (-7 = ES256).
      [PID_MDOC_CONFIGURATION_ID]: {
        format: 'mso_mdoc',
        doctype: PID_DOCTYPE,
        scope: PID_MDOC_CONFIGURATION_ID,
        cryptographic_binding_methods_supported: ['cose_key'],
        credential_signing_alg_values_supported: [-7],
        proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256'] } },
        credential_metadata: {
          display: [{ name: `PID (${country}, TEST, mdoc)`, locale: 'en' }],
          claims: PID_MDOC_ELEMENTS.map((name) => ({ path: [PID_NAMESPACE, name] })),
        },
      },
    },
  };
}

/**
 * The authorization server's RFC 8414 metadata: the pre-authorised code (anonymous access, a transaction code when
 * the offer asks for one) and the authorization code flow — pushed authorization requests required (RFC 9126
 * §5) and PKCE S256 (RFC 7636), as HAIP asks; the login is the node's own eID.
 * @see https://openid.net/specs/openid4vc-high-assurance-interoperability-profile-1_0.html (PAR, PKCE S256)
 */
export function authorizationServerMetadata(origin: string) {
  const e = issuerEndpoints(origin);
  return {
    issuer: e.authorizationServer,
    token_endpoint: e.token,
    authorization_endpoint: e.authorize,
    pushed_authorization_request_endpoint: e.par,
    require_pushed_authorization_requests: true,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    // OAuth 2.0 Attestation-Based Client Authentication: the wallet-unit attestation and its PoP (draft §13.4)
    token_endpoint_auth_methods_supported: ['attest_jwt_client_auth'],
    client_attestation_signing_alg_values_supported: ['ES256'],
    client_attestation_pop_signing_alg_values_supported: ['ES256'],
    authorization_response_iss_parameter_supported: true,
    grant_types_supported: ['authorization_code', 'urn:ietf:params:oauth:grant-type:pre-authorized_code'],
    // the pre-authorised code needs no client_id, but the wallet-unit attestation is still asked (HAIP §4)
    'pre-authorized_grant_anonymous_access_supported': true,
  };
}
