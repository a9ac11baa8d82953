import { z } from '@hono/zod-openapi';

const strings = z.array(z.string());

/**
 * The provider metadata a node publishes (OpenID Connect Discovery 1.0, equally RFC 8414 authorization server
 * metadata), as OpenAPI documents it.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export const ProviderMetadataSchema = z
  .object({
    issuer: z.string().openapi({ description: 'The node origin' }),
    authorization_endpoint: z.string(),
    token_endpoint: z.string(),
    userinfo_endpoint: z.string(),
    jwks_uri: z.string(),
    end_session_endpoint: z.string(),
    scopes_supported: strings,
    response_types_supported: strings,
    response_modes_supported: strings,
    grant_types_supported: strings,
    subject_types_supported: strings,
    id_token_signing_alg_values_supported: strings,
    token_endpoint_auth_methods_supported: strings,
    token_endpoint_auth_signing_alg_values_supported: strings,
    code_challenge_methods_supported: strings,
    acr_values_supported: strings.openapi({ description: 'The eIDAS LoA URIs up to the node’s level' }),
    claims_supported: strings,
    claims_parameter_supported: z.boolean(),
    request_parameter_supported: z.boolean(),
    request_uri_parameter_supported: z.boolean(),
    authorization_response_iss_parameter_supported: z.boolean(),
    prompt_values_supported: strings,
    service_documentation: z.string(),
    kakehashi_test_only: z.literal(true),
    kakehashi_headless_login_parameter: z.literal('kakehashi_persona'),
    kakehashi_cross_border_parameter: z.literal('kakehashi_country'),
  })
  .openapi('OidcProviderMetadata');

/** The identity claims of userinfo (the same as the ID token's). */
export const UserinfoSchema = z
  .object({
    sub: z.string().openapi({ description: 'Pairwise per relying-party sector' }),
    family_name: z.string(),
    given_name: z.string(),
    birthdate: z.string().openapi({ description: 'YYYY-MM-DD' }),
    eidas_person_identifier: z.string().openapi({ description: 'eIDAS PersonIdentifier CC/CC/opaque' }),
    eidas_family_name_latin: z.string().optional(),
    eidas_given_name_latin: z.string().optional(),
  })
  .openapi('OidcUserinfo');
