import { IDENTITY_CLAIMS } from '../id-token/build-identity-claims.ts';
import { loasUpTo } from '../loa/loa.ts';
import type { ProviderContext } from '../provider/provider-context.ts';

/**
 * The OpenID Provider metadata of a node; also served as its OAuth 2.0 Authorization Server Metadata (RFC 8414),
 * one document so that the two can never disagree.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-3 (authorization_response_iss_parameter_supported)
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#OPMetadata (end_session_endpoint)
 * @see https://openid.net/specs/openid-connect-prompt-create-1_0.html#section-4 (prompt_values_supported)
 */
export function buildDiscovery(ctx: ProviderContext) {
  return {
    issuer: ctx.issuer,
    authorization_endpoint: ctx.endpoints.authorize,
    token_endpoint: ctx.endpoints.token,
    userinfo_endpoint: ctx.endpoints.userinfo,
    jwks_uri: ctx.endpoints.jwks,
    end_session_endpoint: ctx.endpoints.endSession,
    scopes_supported: ['openid', 'profile', 'offline_access'],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256', 'ES256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'],
    code_challenge_methods_supported: ['S256'],
    acr_values_supported: loasUpTo(ctx.deps.loa),
    claims_supported: [
      'sub',
      'iss',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'nonce',
      'acr',
      'amr',
      'azp',
      'sid',
      ...IDENTITY_CLAIMS,
    ],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    authorization_response_iss_parameter_supported: true,
    prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
    service_documentation: `${ctx.issuer}/docs`,
    kakehashi_test_only: true as const,
    kakehashi_headless_login_parameter: 'kakehashi_persona' as const,
    kakehashi_cross_border_parameter: 'kakehashi_country' as const,
  };
}
