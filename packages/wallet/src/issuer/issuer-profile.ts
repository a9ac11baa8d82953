import type { KakehashiError } from '@kakehashi/core';
import type { Persona } from '@kakehashi/personas';
import type { EidLogin } from '../wallet-deps.ts';
import type { StatusRegistry } from './status-list.ts';

/**
 * The endpoints of a credential issuer mounted at a node: its own authorization server and endpoints under
 * `basePath` (`/wallet/issuer` for the PID provider, `/wallet/setagaya` for Setagaya City), its credential issuer
 * identifier the node's origin followed by `identifierPath` (empty for the PID provider: the origin itself).
 */
export function credentialIssuerEndpoints(origin: string, basePath: string, identifierPath = '') {
  const base = `${origin}${basePath}`;
  return {
    credentialIssuer: `${origin}${identifierPath}`,
    authorizationServer: base,
    token: `${base}/token`,
    par: `${base}/par`,
    authorize: `${base}/authorize`,
    /** Where the node's eID (its OIDC provider) answers the issuer's login. */
    eidCallback: `${base}/eid-callback`,
    nonce: `${base}/nonce`,
    credential: `${base}/credential`,
    statusList: `${base}/status-lists/1`,
  };
}
export type IssuerEndpoints = ReturnType<typeof credentialIssuerEndpoints>;

/** What a profile's issuance is given: the person (taken as identified), the proof key, the virtual clock's now. */
export interface IssueContext {
  persona: Persona;
  /** The wallet's proof key (public members only): `cnf.jwk` of an SD-JWT VC, `deviceKey` of an mdoc. */
  holderJwk: { kty: string; crv: string; x: string; y: string };
  now: Date;
  endpoints: IssuerEndpoints;
  /** The issuer's Token Status List: take an index for a credential that carries a status reference. */
  statuses: StatusRegistry;
}

/** An issued credential and the trace hop that says so. */
export interface IssuedCredential {
  /** The credential as the credential response carries it (a compact SD-JWT VC, base64url CBOR IssuerSigned). */
  credential: string;
  operation: string;
  artefact: Record<string, unknown>;
}

/**
 * One credential issuer as the shared OpenID4VCI route module ({@link credentialIssuerRoutes}) serves it: where it
 * sits, what it offers (its credential configurations), to whom, how it issues, and whether its token endpoint
 * asks for a wallet-unit attestation. The routes, the grants, the proof of possession and every error are shared.
 */
export interface CredentialIssuerProfile {
  /** Who issues, in summaries, messages and trace hops ("the PID provider", "Setagaya City"). */
  name: string;
  /** What it issues, in summaries and messages ("PID", "certificate of residence"). */
  credentialName: string;
  /** Where its endpoints sit under the node's origin. */
  basePath: string;
  /** Its credential issuer identifier's path under the origin (empty: the origin itself). */
  identifierPath: string;
  /** The issuer's display names (OpenID4VCI §12.2.4). */
  display: { name: string; locale: string }[];
  /** Its credential configurations (OpenID4VCI §12.2.4 `credential_configurations_supported`); an offer names them all. */
  configurations: Record<string, Record<string, unknown>>;
  /** The token endpoint asks for OAuth 2.0 Attestation-Based Client Authentication (the wallet-unit attestation). */
  walletAttestation: boolean;
  /** Why a persona of the node may not get the credential (undefined: it may); checked at the offer and the login. */
  refusal?: ((persona: Persona) => KakehashiError | undefined) | undefined;
  /** The node's eID login for the authorization code flow (none: the pre-authorised code only). */
  eidLogin?: EidLogin | undefined;
  /** Issues one of its configurations, bound to the proof key. */
  issue(configurationId: string, ctx: IssueContext): Promise<IssuedCredential>;
}

/** The credential issuer metadata (OpenID4VCI §12.2.4) of a profile, its one authorization server its own. */
export function profileIssuerMetadata(profile: CredentialIssuerProfile, endpoints: IssuerEndpoints) {
  return {
    credential_issuer: endpoints.credentialIssuer,
    authorization_servers: [endpoints.authorizationServer],
    credential_endpoint: endpoints.credential,
    nonce_endpoint: endpoints.nonce,
    display: profile.display,
    credential_configurations_supported: profile.configurations,
  };
}

/**
 * The authorization server's RFC 8414 metadata: the pre-authorised code (anonymous access, a transaction code when
 * the offer asks for one); with an eID login, the authorization code flow — pushed authorization requests required
 * (RFC 9126 §5) and PKCE S256 (RFC 7636), as HAIP asks; with `walletAttestation`, attestation-based client
 * authentication at the token endpoint.
 * @see https://openid.net/specs/openid4vc-high-assurance-interoperability-profile-1_0.html (PAR, PKCE S256)
 */
export function profileAuthorizationServerMetadata(profile: CredentialIssuerProfile, e: IssuerEndpoints) {
  const preAuthorized = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';
  return {
    issuer: e.authorizationServer,
    token_endpoint: e.token,
    ...(profile.eidLogin
      ? {
          authorization_endpoint: e.authorize,
          pushed_authorization_request_endpoint: e.par,
          require_pushed_authorization_requests: true,
          response_types_supported: ['code'],
          code_challenge_methods_supported: ['S256'],
        }
      : {}),
    ...(profile.walletAttestation
      ? {
          // OAuth 2.0 Attestation-Based Client Authentication: the wallet-unit attestation and its PoP (draft §13.4)
          token_endpoint_auth_methods_supported: ['attest_jwt_client_auth'],
          client_attestation_signing_alg_values_supported: ['ES256'],
          client_attestation_pop_signing_alg_values_supported: ['ES256'],
        }
      : {}),
    ...(profile.eidLogin ? { authorization_response_iss_parameter_supported: true } : {}),
    grant_types_supported: profile.eidLogin ? ['authorization_code', preAuthorized] : [preAuthorized],
    // the pre-authorised code needs no client_id (the wallet-unit attestation, when asked, still is: HAIP §4)
    'pre-authorized_grant_anonymous_access_supported': true,
  };
}
