import { z } from '@hono/zod-openapi';

const PublicJwkSchema = z
  .object({
    kty: z.enum(['RSA', 'EC', 'OKP']),
    kid: z.string().max(200).optional(),
    alg: z.string().max(20).optional(),
    use: z.string().max(10).optional(),
  })
  .passthrough()
  .refine((k) => !('d' in k) && !('p' in k) && !('q' in k) && !('k' in k), {
    message: 'a public key only: the JWK must not carry private members (d, p, q, k)',
  });

/** The token endpoint authentication methods a client may register (one each). */
export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

/**
 * A relying party registration (a subset of OIDC Dynamic Client Registration metadata, registered by an
 * administrator or from the clients file).
 * @see https://openid.net/specs/openid-connect-registration-1_0.html#ClientMetadata
 */
export const ClientRegistrationSchema = z
  .object({
    client_id: z
      .string()
      .regex(/^[A-Za-z0-9._~:-]{3,100}$/, '3–100 characters of A–Z a–z 0–9 . _ ~ : -')
      .openapi({ example: 'my-test-rp' }),
    client_secret: z.string().min(16).max(200).optional().openapi({
      description:
        'For client_secret_basic or client_secret_post (at least 16 characters); stored as SHA-256, never returned',
    }),
    jwks: z
      .object({ keys: z.array(PublicJwkSchema).min(1).max(10) })
      .optional()
      .openapi({ description: 'For private_key_jwt: the public keys the client signs its assertions with' }),
    redirect_uris: z.array(z.string().url().max(2000)).min(1).max(20),
    token_endpoint_auth_method: z.enum(TOKEN_ENDPOINT_AUTH_METHODS).default('client_secret_basic').openapi({
      description:
        'The one method the client authenticates with at the token endpoint (RFC 7591 §2): any other method is refused as invalid_client',
    }),
    grant_types: z
      .array(z.enum(['authorization_code', 'refresh_token']))
      .min(1)
      .max(2)
      .default(['authorization_code'])
      .openapi({
        description:
          'authorization_code, and refresh_token to receive refresh tokens (scope offline_access with prompt=consent, OIDC Core §11)',
      }),
    post_logout_redirect_uris: z.array(z.string().url().max(2000)).max(20).optional().openapi({
      description: 'Where RP-initiated logout may return (exact match; OpenID RP-Initiated Logout 1.0 §3.1)',
    }),
    id_token_signed_response_alg: z.enum(['RS256', 'ES256']).default('RS256'),
    sector_identifier: z
      .string()
      .max(300)
      .optional()
      .openapi({ description: 'Host (or URL whose host is used) that groups redirect URIs into one pairwise sector' }),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .optional()
      .openapi({ description: "The RP's country: destination of the eIDAS PersonIdentifier (default: the node's)" }),
    client_name: z.string().max(200).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.token_endpoint_auth_method !== 'private_key_jwt' && !r.client_secret)
      ctx.addIssue({
        code: 'custom',
        path: ['client_secret'],
        message: `${r.token_endpoint_auth_method} needs a client_secret`,
      });
    if (!r.grant_types.includes('authorization_code'))
      ctx.addIssue({
        code: 'custom',
        path: ['grant_types'],
        message: 'authorization_code is required (the only flow that starts a login)',
      });
    if (r.token_endpoint_auth_method === 'private_key_jwt' && !r.jwks)
      ctx.addIssue({ code: 'custom', path: ['jwks'], message: 'private_key_jwt needs a jwks with public keys' });
    for (const field of ['redirect_uris', 'post_logout_redirect_uris'] as const)
      for (const [i, uri] of (r[field] ?? []).entries()) {
        const u = new URL(uri);
        if (u.protocol !== 'https:' && u.protocol !== 'http:')
          ctx.addIssue({ code: 'custom', path: [field, i], message: 'http or https only' });
        if (u.hash || uri.includes('#'))
          ctx.addIssue({ code: 'custom', path: [field, i], message: 'no fragment (RFC 6749 §3.1.2)' });
      }
    const hosts = new Set(r.redirect_uris.map((u) => new URL(u).hostname));
    if (hosts.size > 1 && !r.sector_identifier)
      ctx.addIssue({
        code: 'custom',
        path: ['sector_identifier'],
        message: 'redirect URIs on several hosts need a sector_identifier (OIDC Core §8.1)',
      });
  })
  .openapi('OidcClientRegistration');

export type ClientRegistrationInput = z.input<typeof ClientRegistrationSchema>;
export type ClientRegistration = z.output<typeof ClientRegistrationSchema>;

/** A registered client as the admin API shows it: never its secret. */
export const ClientViewSchema = z
  .object({
    client_id: z.string(),
    client_name: z.string().optional(),
    redirect_uris: z.array(z.string()),
    token_endpoint_auth_method: z.string(),
    accepted_auth_methods: z.array(z.string()).openapi({
      description:
        'The methods the token endpoint accepts from this client: its registered one (the test RP kakehashi-demo-rp: client_secret_basic and client_secret_post)',
    }),
    grant_types: z.array(z.string()),
    post_logout_redirect_uris: z.array(z.string()).optional(),
    id_token_signed_response_alg: z.string(),
    sector_identifier: z.string().optional(),
    country: z.string().optional(),
    has_secret: z.boolean(),
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).optional(),
    any_loopback_redirect: z.boolean(),
    test_only: z.boolean(),
    source: z.enum(['built-in', 'file', 'admin', 'federation']),
  })
  .openapi('OidcClient');
export type ClientView = z.infer<typeof ClientViewSchema>;

/** A clients file entry: a registration, optionally limited to some countries (absent: every node). */
export const ClientsFileSchema = z.array(
  ClientRegistrationSchema.and(z.object({ countries: z.array(z.string().regex(/^[A-Z]{2}$/)).optional() })),
);
