import { z } from '@hono/zod-openapi';
import { CheckSchema, FailureSchema, VerdictSchema } from '@kakehashi/core';

/** A DCQL query (OpenID4VP §6), checked in full by the dcql library. */
const DcqlQueryJson = z
  .object({ credentials: z.array(z.record(z.string(), z.unknown())).min(1).max(10) })
  .passthrough()
  .openapi('DcqlQuery', { description: 'A DCQL query (OpenID4VP §6)' });

export const CreateRequestSchema = z
  .object({
    dcql_query: DcqlQueryJson.optional(),
    signed: z.boolean().optional().openapi({
      description:
        'Pass the request by reference: a request object signed with the verifier access certificate (x509_hash client_id), fetched from request_uri',
    }),
    client_id_prefix: z.enum(['x509_hash', 'x509_san_dns']).optional().openapi({
      description:
        "With signed: true, the client identifier of the request object: x509_hash (default: SHA-256 of the access certificate) or x509_san_dns (the node's host name, a dNSName SAN of the access certificate; the response URI is on that host) — OpenID4VP 1.0 §5.9.3",
    }),
    response_mode: z.enum(['direct_post', 'direct_post.jwt']).optional().openapi({
      description:
        'direct_post (default) or direct_post.jwt: the wallet encrypts its answer to a key of this request (§8.3)',
    }),
    redirect_uri: z
      .string()
      .url()
      .max(1000)
      .refine((u) => /^https?:\/\//.test(u), 'an http(s) URL')
      .optional()
      .openapi({
        description:
          'Same-device: the relying party page the wallet is sent back to; the response URI answers it with a fresh response_code, and the verdict is then read only with that code (§8.2, §13.3)',
      }),
  })
  .strict()
  .openapi('WalletPresentationRequestInput');

export const AuthorizationRequestSchema = z
  .object({
    response_type: z.literal('vp_token'),
    client_id: z.string(),
    response_mode: z.enum(['direct_post', 'direct_post.jwt']),
    response_uri: z.string(),
    nonce: z.string(),
    state: z.string(),
    dcql_query: DcqlQueryJson,
    request_uri: z.string().optional().openapi({ description: 'signed: where the wallet fetches the request object' }),
    client_metadata: z
      .object({
        jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }),
        encrypted_response_enc_values_supported: z.array(z.string()),
      })
      .optional()
      .openapi({ description: 'direct_post.jwt: the fresh ECDH-ES key of this request and the enc values accepted' }),
  })
  .openapi('Openid4vpAuthorizationRequest');

export const CreateRequestResponseSchema = z
  .object({
    transaction_id: z.string(),
    authorization_request: AuthorizationRequestSchema,
    request_url: z.string().openapi({ description: 'openid4vp://?… (same parameters, what a QR code would carry)' }),
  })
  .openapi('WalletPresentationRequest');

export const PresentationVerdictSchema = VerdictSchema.extend({
  checks: z.array(CheckSchema.extend({ name: z.string() })),
  failure: FailureSchema.extend({ rule: z.string() }).optional(),
  credential: z
    .object({
      issuer: z.string(),
      country: z.string(),
      vct: z.string(),
      claims: z.record(z.string(), z.unknown()),
      format: z.enum(['dc+sd-jwt', 'mso_mdoc']).optional(),
    })
    .optional(),
}).openapi('PresentationVerdict');

export const TransactionSchema = z
  .object({
    transaction_id: z.string(),
    status: z.enum(['pending', 'answered', 'refused']).openapi({
      description: 'refused: the wallet answered with an error (access_denied: the user declined, §8.5)',
    }),
    verdict: PresentationVerdictSchema.optional(),
    error: z.object({ error: z.string(), error_description: z.string().optional() }).optional(),
  })
  .openapi('WalletPresentationTransaction');

export const DIRECT_POST_FORM = {
  type: 'object',
  properties: {
    response: {
      type: 'string',
      description:
        'direct_post.jwt: the JWE (ECDH-ES) of {vp_token, state}, or of the error response {error, error_description, state} (§8.3, §8.3.1)',
    },
    vp_token: {
      type: 'string',
      description: 'direct_post: JSON object, credential query id → array of presentations (§8.1)',
    },
    state: { type: 'string', description: 'direct_post: the state of the request' },
    error: {
      type: 'string',
      description:
        'The wallet refuses (access_denied: the user declined) (§8.5); plain to a direct_post.jwt request only from a wallet that cannot encrypt (§8.3.1)',
    },
    error_description: { type: 'string' },
  },
};

export const DirectPostResponseSchema = z
  .object({
    received: z.literal(true),
    redirect_uri: z.string().optional().openapi({
      description: 'Same-device: where the wallet sends the user agent, with a fresh response_code (§8.2)',
    }),
  })
  .openapi('WalletDirectPostResponse');

export const ValidatePresentationSchema = z
  .object({
    presentation: z.string().min(1).max(65_536),
    expected: z
      .object({
        nonce: z.string().min(1).max(500),
        client_id: z.string().min(1).max(1000),
        vct_values: z.array(z.string().max(500)).min(1).max(10).optional(),
        dcql_query: DcqlQueryJson.optional(),
        credential_query_id: z.string().max(100).optional(),
        format: z
          .enum(['dc+sd-jwt', 'mso_mdoc'])
          .optional()
          .openapi({ description: "The presentation's format; default: the DCQL credential query's, else dc+sd-jwt" }),
        response_uri: z
          .string()
          .max(1000)
          .optional()
          .openapi({ description: "mso_mdoc: the request's response_uri (bound in the SessionTranscript)" }),
        encryption_jwk: z
          .record(z.string(), z.unknown())
          .optional()
          .openapi({ description: 'mso_mdoc with direct_post.jwt: the encryption key whose thumbprint is bound' }),
      })
      .strict(),
  })
  .strict()
  .openapi('ValidatePresentationRequest');
