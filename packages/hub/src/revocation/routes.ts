import { createRoute, z } from '@hono/zod-openapi';
import {
  type AuditLog,
  type Clock,
  type ComponentApp,
  createRouteModule,
  KakehashiError,
  type Logger,
  problemResponses,
  requireJson,
} from '@kakehashi/core';
import type { PushToNodes } from '../admin/push-to-nodes.ts';
import type { HubTrust } from '../trust/hub-trust.ts';

/** What revocation needs: the trust fabric that re-issues the CRL, and a way to tell the nodes to reload. */
export interface RevocationRouteDeps {
  trust: HubTrust;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  pushToNodes: PushToNodes;
}

const RevocationRequestSchema = z
  .object({
    serialHex: z
      .string()
      .regex(/^[0-9a-fA-F]+$/)
      .optional(),
    name: z.string().max(200).optional().openapi({ example: 'DE-signing' }),
    issuer: z.string().max(200).optional(),
    reason: z
      .enum([
        'keyCompromise',
        'cACompromise',
        'affiliationChanged',
        'superseded',
        'cessationOfOperation',
        'unspecified',
      ])
      .optional(),
    at: z.string().datetime().optional(),
  })
  .refine((b) => b.serialHex || b.name, 'give serialHex or name')
  .openapi('RevocationRequest');

const revoke = createRoute({
  method: 'post',
  path: '/admin/trust/revoke',
  tags: ['admin'],
  security: [{ adminToken: [] }],
  summary: 'Revoke a certificate by name or serial (body: name | serialHex, reason, at); the CRL is re-issued',
  request: { body: { required: true, content: { 'application/json': { schema: RevocationRequestSchema } } } },
  responses: {
    200: {
      description: 'Revoked; the CRL that lists it',
      content: { 'application/json': { schema: z.object({ serialHex: z.string(), crl: z.string() }) } },
    },
    ...problemResponses(400, 401, 404, 415),
  },
});

const RevocationEntrySchema = z
  .object({
    serialHex: z.string(),
    caName: z.string().openapi({ description: 'The issuing CA (as GET /trust lists it)' }),
    name: z.string().optional().openapi({ description: "The certificate's name in the trust material" }),
    revokedAt: z.string(),
    reason: z.string(),
  })
  .openapi('RevocationEntry');

const listRevocations = createRoute({
  method: 'get',
  path: '/admin/trust/revocations',
  tags: ['admin'],
  security: [{ adminToken: [] }],
  summary: 'The revocations the hub made (POST /admin/trust/revoke), oldest CA first',
  responses: {
    200: {
      description: 'Revocations',
      content: { 'application/json': { schema: z.object({ revocations: z.array(RevocationEntrySchema) }) } },
    },
    ...problemResponses(401),
  },
});

const unrevoke = createRoute({
  method: 'delete',
  path: '/admin/trust/revocations/{serialHex}',
  tags: ['admin'],
  security: [{ adminToken: [] }],
  summary:
    'TEST ONLY: take a revocation back (how a scenario undoes what it revoked); the CRL is re-issued without it and the nodes reload',
  request: {
    params: z.object({
      serialHex: z
        .string()
        .regex(/^[0-9a-fA-F]{1,80}$/)
        .openapi({ param: { name: 'serialHex', in: 'path' }, example: '5f3a01' }),
    }),
  },
  responses: {
    200: {
      description: 'Taken back',
      content: { 'application/json': { schema: z.object({ unrevoked: RevocationEntrySchema }) } },
    },
    ...problemResponses(401, 404),
  },
});

/**
 * Revocation (admin): the issuing CA's CRL is re-issued at once, and every registered node is told to reload
 * its trust material, so the teaching scenario does not wait for the next CRL update.
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-5.3.1 (reason codes)
 */
export function revocationRoutes(deps: RevocationRouteDeps): ComponentApp {
  const r = createRouteModule();
  r.openapi(revoke, async (c) => {
    requireJson(c.req.header('content-type'));
    const body = c.req.valid('json');
    const revoked = deps.trust.revoke({ ...body, at: body.at ? new Date(body.at) : deps.clock.now() });
    // Relying parties would poll the CRL; here the hub also tells every node to reload at once.
    await deps.pushToNodes('/admin/trust/refresh', undefined);
    deps.audit.append({
      actor: 'admin',
      action: 'certificate.revoked',
      subject: revoked.serialHex,
      outcome: 'success',
      details: { crl: revoked.crl, reason: body.reason ?? 'unspecified' },
    });
    deps.logger.warn('certificate revoked', { serialHex: revoked.serialHex, crl: revoked.crl });
    return c.json(revoked, 200);
  });
  r.openapi(listRevocations, (c) => c.json({ revocations: deps.trust.revocations() }, 200));
  // A real CA never takes a revocation back (RFC 5280 §5.3.1 allows it only for certificateHold): this exists so
  // that a scenario run from the teaching console leaves the federation as it found it.
  r.openapi(unrevoke, async (c) => {
    const { serialHex } = c.req.valid('param');
    const [gone] = deps.trust.unrevoke([serialHex]);
    if (!gone)
      throw new KakehashiError(
        'not-found',
        `The hub has no revocation of serial ${serialHex}; GET /admin/trust/revocations lists them.`,
      );
    await deps.pushToNodes('/admin/trust/refresh', undefined);
    deps.audit.append({
      actor: 'admin',
      action: 'certificate.unrevoked',
      subject: gone.serialHex,
      outcome: 'success',
      details: { ca: gone.caName },
    });
    deps.logger.warn('revocation taken back (test only)', { serialHex: gone.serialHex, ca: gone.caName });
    return c.json({ unrevoked: gone }, 200);
  });
  return r;
}
