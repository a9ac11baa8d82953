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
    client_secret: z
      .string()
      .min(16)
      .max(200)
      .optional()
      .openapi({ description: 'For client_secret_basic (at least 16 characters); never returned' }),
    jwks: z
      .object({ keys: z.array(PublicJwkSchema).min(1).max(10) })
      .optional()
      .openapi({ description: 'For private_key_jwt: the public keys the client signs its assertions with' }),
    redirect_uris: z.array(z.string().url().max(2000)).min(1).max(20),
    token_endpoint_auth_method: z.enum(['client_secret_basic', 'private_key_jwt']).default('client_secret_basic'),
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
    if (r.token_endpoint_auth_method === 'client_secret_basic' && !r.client_secret)
      ctx.addIssue({ code: 'custom', path: ['client_secret'], message: 'client_secret_basic needs a client_secret' });
    if (r.token_endpoint_auth_method === 'private_key_jwt' && !r.jwks)
      ctx.addIssue({ code: 'custom', path: ['jwks'], message: 'private_key_jwt needs a jwks with public keys' });
    for (const [i, uri] of r.redirect_uris.entries()) {
      const u = new URL(uri);
      if (u.protocol !== 'https:' && u.protocol !== 'http:')
        ctx.addIssue({ code: 'custom', path: ['redirect_uris', i], message: 'http or https only' });
      if (u.hash || uri.includes('#'))
        ctx.addIssue({ code: 'custom', path: ['redirect_uris', i], message: 'no fragment (RFC 6749 §3.1.2)' });
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
