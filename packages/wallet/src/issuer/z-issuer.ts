import { z } from '@hono/zod-openapi';

/**
 * Body of `POST /wallet/issuer/offers` (test-only): the pre-authorised code for a persona the provider takes as
 * identified (optionally with a transaction code), or an offer with the authorization_code grant — no persona:
 * whoever logs in at the node's eID gets their own PID.
 */
export const OfferRequestSchema = z
  .object({
    personaId: z.string().min(1).max(40).optional().openapi({ example: 'ee-001' }),
    grant: z
      .enum(['pre-authorized_code', 'authorization_code'])
      .default('pre-authorized_code')
      .openapi({ description: 'authorization_code: the wallet logs the person in at the node (PAR, PKCE S256)' }),
    tx_code: z.boolean().default(false).openapi({
      description: 'Pre-authorised only: the offer asks for a 6-digit transaction code (OpenID4VCI §4.1.1)',
    }),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.grant === 'pre-authorized_code' && !b.personaId)
      ctx.addIssue({ code: 'custom', path: ['personaId'], message: 'the pre-authorised code is for a persona' });
    if (b.grant === 'authorization_code' && b.personaId)
      ctx.addIssue({
        code: 'custom',
        path: ['personaId'],
        message: 'the authorization code flow issues to whoever logs in: no persona in the offer',
      });
    if (b.grant === 'authorization_code' && b.tx_code)
      ctx.addIssue({ code: 'custom', path: ['tx_code'], message: 'a transaction code is for the pre-authorised code' });
  })
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
    tx_code: z.string().optional().openapi({
      description:
        'TEST ONLY: the transaction code a real issuer sends out of band (e-mail, SMS), never with the offer',
    }),
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
  required: ['grant_type'],
  properties: {
    grant_type: {
      type: 'string',
      enum: ['urn:ietf:params:oauth:grant-type:pre-authorized_code', 'authorization_code'],
    },
    'pre-authorized_code': str('From the credential offer (single use)'),
    tx_code: str('The transaction code, when the offer asked for one (at most 3 wrong ones)'),
    code: str('authorization_code: from the redirect after the eID login (single use)'),
    code_verifier: str('authorization_code: the PKCE verifier of the pushed code_challenge'),
    redirect_uri: str('authorization_code: the one of the pushed request'),
    client_id: str('authorization_code: the one of the pushed request'),
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
