import { z } from '@hono/zod-openapi';

/** Body of `POST /wallet/issuer/offers` (test-only: the persona the provider takes as identified). */
export const OfferRequestSchema = z
  .object({ personaId: z.string().min(1).max(40).openapi({ example: 'ee-001' }) })
  .strict()
  .openapi('WalletOfferRequest');

/** A credential offer object (OpenID4VCI §4.1.1). */
export const CredentialOfferSchema = z
  .object({
    credential_issuer: z.string(),
    credential_configuration_ids: z.array(z.string()),
    grants: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi('CredentialOffer');

export const CredentialOfferResponseSchema = z
  .object({
    credential_offer: CredentialOfferSchema,
    credential_offer_url: z
      .string()
      .openapi({ description: 'openid-credential-offer://?credential_offer=… (what a QR code would carry)' }),
  })
  .openapi('WalletOfferResponse');

export const CredentialIssuerMetadataSchema = z
  .object({
    credential_issuer: z.string(),
    credential_endpoint: z.string(),
    nonce_endpoint: z.string().optional(),
    authorization_servers: z.array(z.string()).optional(),
    credential_configurations_supported: z.record(z.string(), z.record(z.string(), z.unknown())),
  })
  .passthrough()
  .openapi('CredentialIssuerMetadata');

const str = (description: string) => ({ type: 'string', description });
/** The token request form, for the OpenAPI document (the handler reads the form itself). */
export const TOKEN_REQUEST_FORM = {
  type: 'object',
  required: ['grant_type', 'pre-authorized_code'],
  properties: {
    grant_type: { type: 'string', enum: ['urn:ietf:params:oauth:grant-type:pre-authorized_code'] },
    'pre-authorized_code': str('From the credential offer (single use)'),
    tx_code: str('Not asked by this provider yet'),
  },
};

export const TokenResponseSchema = z
  .object({ access_token: z.string(), token_type: z.literal('Bearer'), expires_in: z.number() })
  .openapi('WalletTokenResponse');

export const NonceResponseSchema = z
  .object({ c_nonce: z.string(), c_nonce_expires_in: z.number().optional() })
  .openapi('NonceResponse');

export const CredentialRequestSchema = z
  .object({
    credential_configuration_id: z.string().max(200).optional(),
    credential_identifier: z.string().max(200).optional(),
    proofs: z
      .object({ jwt: z.array(z.string().max(8192)).max(10) })
      .partial()
      .optional(),
  })
  .passthrough()
  .openapi('CredentialRequest');

export const CredentialResponseSchema = z
  .object({ credentials: z.array(z.object({ credential: z.string() })) })
  .passthrough()
  .openapi('CredentialResponse');

/** An OAuth / OpenID4VCI error body, with the stable Kakehashi code beside it. */
export const OAuthErrorSchema = z
  .object({ error: z.string(), error_description: z.string().optional(), code: z.string().optional() })
  .openapi('WalletOAuthError');
