import { z } from '@hono/zod-openapi';
import { KakehashiError } from '@kakehashi/core';
import type { Context } from 'hono';
import type { AgencyParty } from './agencies/agency-party.ts';
import type { IntermediaryServer } from './agencies/intermediary-server.ts';
import { type RequestAuthenticator, SIGNATURE_HEADER } from './crypto/request-auth.ts';
import './error-codes.ts';

/** The OpenAPI description of every route that takes a signed request from a party. */
export const SIGNED =
  'Signed request: header `x-jp-signature` carries a JWS (RS256, x5c) by the calling party, bound to method, path, body hash and audience.';

/** A free-form JSON object (an agency's own data items, whose names and values the agency chooses). */
export const AnyJson = z.record(z.string(), z.unknown());

/** The 200 answer of a route, with the JSON schema of its body. */
export function okJson<S extends z.ZodType>(schema: S, description = 'OK') {
  return { 200: { description, content: { 'application/json': { schema } } } };
}

/** A single-use challenge for the My Number Card (the portal's login and re-authentication, the kiosk). */
export const CardChallengeSchema = z
  .object({
    challengeId: z.string(),
    challenge: z.string().openapi({ description: 'What the card signs' }),
    expiresAt: z.string(),
  })
  .openapi('JpCardChallenge');

/** One row of an agency's own table: its internal id, its own code for the person, the facts it holds. */
export const SubjectRowSchema = z
  .object({
    internal_id: z.string(),
    code: z.string().nullable().openapi({ description: "The agency's own code (null until linked)" }),
    name: z.string().nullable(),
    date_of_birth: z.string().nullable(),
    gender: z.string().nullable(),
    address: z.string().nullable(),
    linked_at: z.string().nullable(),
  })
  .openapi('JpAgencySubject');

/** The security requirement of the admin routes (bearer admin token; core's admin middleware checks it). */
export const ADMIN_SECURITY = [{ adminToken: [] }];

/** The `{agencyId}` path parameter. */
export const AgencyParam = z.object({
  agencyId: z
    .string()
    .regex(/^[a-z0-9-]{1,60}$/)
    .openapi({ param: { name: 'agencyId', in: 'path' } }),
});

/** What the card reader hands over: the user-authentication certificate, its chain and the signature. */
export const CardResponseSchema = z.object({
  certificate: z.string().min(50).max(20_000),
  chain: z.array(z.string().max(20_000)).max(4).default([]),
  signature: z.string().min(16).max(2_000),
});

/** A card response to a challenge the portal or the kiosk issued (`.strict()` where it is the whole body). */
export const CardAnswerSchema = CardResponseSchema.extend({ challengeId: z.string().min(8).max(40) });

/** `graceDays` of a rotation request in milliseconds (`fallback` when absent). */
export function graceMs(graceDays: number | undefined, fallback: number): number {
  return graceDays === undefined ? fallback : graceDays * 86_400_000;
}

/**
 * The party that signed this request (`x-jp-signature` checked against the raw body, method, path and the
 * receiver's audience), or 401 `jp-agency-unauthenticated`.
 */
export async function signedBy(c: Context, auth: RequestAuthenticator): Promise<string> {
  return auth.authenticate({
    method: c.req.method,
    path: new URL(c.req.url).pathname,
    body: ['GET', 'HEAD'].includes(c.req.method) ? '' : await c.req.text(),
    signature: c.req.header(SIGNATURE_HEADER),
  });
}

/** The Bearer token of the request (the portal session), if any. */
export function bearerToken(c: Context): string | undefined {
  const h = c.req.header('authorization') ?? '';
  return h.startsWith('Bearer ') ? h.slice(7) : undefined;
}

/** The intermediary server of an agency, or 404. */
export function serverOf(servers: ReadonlyMap<string, IntermediaryServer>, id: string): IntermediaryServer {
  const s = servers.get(id);
  if (!s)
    throw new KakehashiError(
      'not-found',
      `No intermediary server for agency "${id.slice(0, 60)}"; GET /agencies lists Japan's agencies.`,
    );
  return s;
}

/** An agency party (intermediary server or portal), or 404. */
export function partyOf(parties: ReadonlyMap<string, AgencyParty>, id: string): AgencyParty {
  const p = parties.get(id);
  if (!p) throw new KakehashiError('not-found', `No Cooperation Network party "${id.slice(0, 60)}".`);
  return p;
}
