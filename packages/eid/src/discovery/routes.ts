import { hash } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule } from '@kakehashi/core';
import type { Context } from 'hono';
import '../error-codes.ts';
import type { ProviderContext } from '../provider/provider-context.ts';
import { buildDiscovery } from './build-discovery.ts';
import { ProviderMetadataSchema } from './z-discovery.ts';

const tags = ['eid'];

/** A JSON document serialised once, with its strong validator. */
interface Prebuilt {
  body: string;
  etag: string;
}

function prebuild(doc: unknown): Prebuilt {
  const body = JSON.stringify(doc);
  return { body, etag: `"${hash('sha256', body, 'base64url').slice(0, 27)}"` };
}

/**
 * True when `If-None-Match` names `etag` (weak comparison, as RFC 9110 prescribes for this header) or is `*`.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-13.1.2
 */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === etag);
}

/**
 * Answers a document that does not change while the node runs from its one serialisation: 200 with the body,
 * `ETag` and `Cache-Control`, or 304 without a body when the client already holds it.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.4.5 (304 Not Modified)
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2.1 (max-age)
 */
function answerPrebuilt(c: Context, doc: Prebuilt, cacheControl: string): Response {
  const headers = { etag: doc.etag, 'cache-control': cacheControl };
  if (matches(c.req.header('if-none-match'), doc.etag)) return c.body(null, 304, headers);
  return c.body(doc.body, 200, { ...headers, 'content-type': 'application/json' });
}

/** Discovery and keys are fixed for the life of the node: clients may keep them five minutes. */
const CACHE_CONTROL = 'public, max-age=300';

/**
 * OpenID Provider metadata, the same as OAuth 2.0 Authorization Server Metadata, and the ID-token verification
 * keys (public parts only).
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3 (the well-known path for an issuer without a path)
 * @see https://www.rfc-editor.org/rfc/rfc7517 (JWK Set)
 */
export function discoveryRoutes(ctx: ProviderContext): ComponentApp {
  const r = createRouteModule();
  // Serialised on first use (the keys are built then), answered from the same string afterwards.
  let discovery: Prebuilt | undefined;
  const metadata = (c: Context) => {
    discovery ??= prebuild(buildDiscovery(ctx));
    return answerPrebuilt(c, discovery, CACHE_CONTROL);
  };
  let jwks: Promise<Prebuilt> | undefined;
  r.openapi(
    createRoute({
      method: 'get',
      path: '/.well-known/openid-configuration',
      tags,
      summary: 'OpenID Provider metadata (discovery); the issuer is the node origin',
      responses: {
        200: {
          description: 'Provider metadata (ETag; Cache-Control: public, max-age=300)',
          content: { 'application/json': { schema: ProviderMetadataSchema } },
        },
        304: { description: 'Not modified: If-None-Match names the current ETag' },
      },
    }),
    (c) => metadata(c) as never,
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/.well-known/oauth-authorization-server',
      tags,
      summary:
        'OAuth 2.0 Authorization Server Metadata (RFC 8414): the same document as /.well-known/openid-configuration',
      responses: {
        200: {
          description: 'Authorization server metadata (ETag; Cache-Control: public, max-age=300)',
          content: { 'application/json': { schema: ProviderMetadataSchema } },
        },
        304: { description: 'Not modified: If-None-Match names the current ETag' },
      },
    }),
    (c) => metadata(c) as never,
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/oidc/jwks',
      tags,
      summary: 'ID-token verification keys: RS256 (node signing key, with x5c chain) and ES256 (derived from the seed)',
      responses: {
        200: {
          description: 'JWK Set (ETag; Cache-Control: public, max-age=300)',
          content: {
            'application/json': { schema: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }) },
          },
        },
        304: { description: 'Not modified: If-None-Match names the current ETag' },
      },
    }),
    async (c) => {
      jwks ??= ctx.signingKeys().then((keys) => prebuild({ keys: keys.map((k) => k.publicJwk) }));
      return answerPrebuilt(c, await jwks, CACHE_CONTROL) as never;
    },
  );
  return r;
}
