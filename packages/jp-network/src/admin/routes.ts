import { createRoute, z } from '@hono/zod-openapi';
import {
  AuditEntrySchema,
  AuditVerificationSchema,
  type ComponentApp,
  createRouteModule,
  KakehashiError,
  problemResponses,
} from '@kakehashi/core';
import type { CooperationNetworkParts } from '../network-parts.ts';
import '../error-codes.ts';
import { revokeCode } from '../network/code-index.ts';
import { ImpactAssessmentSchema } from '../network/matrix.ts';
import { impactAssessmentOf } from '../network/mediation.ts';
import { DEFAULT_GRACE_MS, rotateAgencyKey, rotateMasterKey } from '../network/rotation.ts';
import { ADMIN_SECURITY, AgencyParam, graceMs, okJson, partyOf } from '../route-support.ts';

/** What the network administration routes need. */
export type AdminRouteDeps = Pick<
  CooperationNetworkParts,
  'deps' | 'network' | 'custodian' | 'parties' | 'transport' | 'xborderIdentifiers' | 'ready'
>;

const GraceSchema = z
  .object({
    graceDays: z
      .number()
      .min(0)
      .max(90)
      .optional()
      .openapi({ description: 'How long the old codes are still answered (default 7 days)' }),
  })
  .strict();

/** One agency's key rotation: its new key version, the codes re-issued and the migration list it collects. */
const AgencyRotationSchema = z
  .object({
    agencyId: z.string(),
    version: z.number().int(),
    reissued: z.number().int(),
    migrationId: z.string(),
    graceUntil: z.string(),
  })
  .openapi('JpAgencyKeyRotation');

/**
 * The network's administration (admin token): key rotation (one agency, or the master key with every agency),
 * code revocation, impact assessments, the key custodian's audit log and the identifiers of a Japanese persona
 * for use abroad. TEST ONLY.
 * @see ../../../../shared/design/jp-cooperation-network.md
 */
export function adminRoutes(p: AdminRouteDeps): ComponentApp {
  const r = createRouteModule();
  rotationRoutes(r, p);
  indexRoutes(r, p);
  inspectionRoutes(r, p);
  return r;
}

/**
 * Tells an agency its migration list is ready; when the notification does not arrive, the agency collects the
 * list on its next exchange, so a failure is only logged.
 */
async function notifyMigration(p: AdminRouteDeps, agencyId: string): Promise<void> {
  await p.transport
    .call(
      { id: 'network', cred: p.deps.credentials.signing },
      agencyId,
      'POST',
      `/jp/agencies/${agencyId}/intermediary/notifications`,
      {
        type: 'migration-ready',
      },
    )
    .catch((e) =>
      p.deps.logger.warn('migration notification not delivered; the agency collects it on its next exchange', {
        agencyId,
        reason: e instanceof Error ? e.message : String(e),
      }),
    );
}

/** Per-agency and master key rotation (codes re-issued, migration lists delivered to each agency only). */
function rotationRoutes(r: ComponentApp, p: AdminRouteDeps): void {
  r.openapi(
    createRoute({
      method: 'post',
      path: '/admin/jp/network/agencies/{agencyId}/rotate',
      tags: ['jp-network', 'admin'],
      summary: "Rotate one agency's key: codes re-issued, migration list delivered to that agency only",
      security: ADMIN_SECURITY,
      request: {
        params: AgencyParam,
        body: { required: true, content: { 'application/json': { schema: GraceSchema } } },
      },
      responses: { ...okJson(AgencyRotationSchema), ...problemResponses(400, 401, 404, 409, 415) },
    }),
    async (c) => {
      await p.ready();
      const { agencyId } = c.req.valid('param');
      partyOf(p.parties, agencyId);
      const result = rotateAgencyKey(p.network, agencyId, graceMs(c.req.valid('json').graceDays, DEFAULT_GRACE_MS));
      await notifyMigration(p, agencyId);
      return c.json(result, 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/admin/jp/network/rotate-master',
      tags: ['jp-network', 'admin'],
      summary: 'Rotate the master key and every agency key (containment after a network key leak)',
      security: ADMIN_SECURITY,
      request: { body: { required: true, content: { 'application/json': { schema: GraceSchema } } } },
      responses: {
        ...okJson(z.object({ masterVersion: z.number().int(), agencies: z.array(AgencyRotationSchema) })),
        ...problemResponses(400, 401, 415),
      },
    }),
    async (c) => {
      await p.ready();
      const result = rotateMasterKey(p.network, graceMs(c.req.valid('json').graceDays, DEFAULT_GRACE_MS));
      for (const a of result.agencies) await notifyMigration(p, a.agencyId);
      return c.json(result, 200);
    },
  );
}

/** Code revocation and impact assessments. */
function indexRoutes(r: ComponentApp, p: AdminRouteDeps): void {
  r.openapi(
    createRoute({
      method: 'post',
      path: '/admin/jp/network/codes/revoke',
      tags: ['jp-network', 'admin'],
      summary: 'Revoke one code of an agency (refused from then on)',
      security: ADMIN_SECURITY,
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.object({ agencyId: z.string().max(60), code: z.string().max(80) }).strict(),
            },
          },
        },
      },
      responses: { ...okJson(z.object({ revoked: z.literal(true) })), ...problemResponses(400, 401, 404, 415) },
    }),
    (c) => {
      const b = c.req.valid('json');
      if (!revokeCode(p.network, b.agencyId, b.code))
        throw new KakehashiError('not-found', 'The index holds no such code for this agency.');
      return c.json({ revoked: true as const }, 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'put',
      path: '/admin/jp/network/impact-assessments/{agencyId}',
      tags: ['jp-network', 'admin'],
      summary: "Set an agency's privacy impact assessment status (approved, lapsed, withdrawn)",
      security: ADMIN_SECURITY,
      request: {
        params: AgencyParam,
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.object({ status: z.enum(['approved', 'lapsed', 'withdrawn']) }).strict(),
            },
          },
        },
      },
      responses: {
        ...okJson(ImpactAssessmentSchema, 'The assessment as it now stands'),
        ...problemResponses(400, 401, 404, 415),
      },
    }),
    (c) => {
      const { agencyId } = c.req.valid('param');
      if (!impactAssessmentOf(p.network, agencyId))
        throw new KakehashiError('not-found', `No impact assessment on file for ${agencyId.slice(0, 60)}.`);
      p.network.store.run(
        'INSERT OR REPLACE INTO nws_impact_overrides (agency_id, status, set_at) VALUES (?,?,?)',
        agencyId,
        c.req.valid('json').status,
        p.deps.clock.now().toISOString(),
      );
      return c.json(impactAssessmentOf(p.network, agencyId), 200);
    },
  );
}

/** The key custodian's audit log and a persona's identifiers for use abroad. */
function inspectionRoutes(r: ComponentApp, p: AdminRouteDeps): void {
  r.openapi(
    createRoute({
      method: 'get',
      path: '/admin/jp/custodian/audit',
      tags: ['jp-network', 'admin'],
      summary: "The key custodian's audit log (every key use) and its chain verification",
      security: ADMIN_SECURITY,
      request: {
        query: z.object({
          afterSeq: z.coerce.number().int().min(0).optional(),
          limit: z.coerce.number().int().min(1).max(1000).optional(),
        }),
      },
      responses: {
        ...okJson(z.object({ verification: AuditVerificationSchema, entries: z.array(AuditEntrySchema) })),
        ...problemResponses(400, 401),
      },
    }),
    (c) => {
      const q = c.req.valid('query');
      return c.json(
        {
          verification: p.custodian.audit.verify(),
          entries: p.custodian.audit.list({ afterSeq: q.afterSeq ?? 0, limit: q.limit ?? 100 }),
        },
        200,
      );
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/admin/jp/xborder/{personaId}',
      tags: ['jp-network', 'admin'],
      summary: 'The cross-border identifiers of a Japanese persona (eIDAS PersonIdentifier, OIDC pairwise sub)',
      security: ADMIN_SECURITY,
      request: {
        params: z.object({
          personaId: z
            .string()
            .max(40)
            .openapi({ param: { name: 'personaId', in: 'path' } }),
        }),
        query: z.object({
          destination: z.string().regex(/^[A-Za-z]{2}$/),
          sector: z.string().min(1).max(255).optional(),
        }),
      },
      responses: {
        ...okJson(
          z.object({
            personIdentifier: z.string().openapi({ description: 'eIDAS PersonIdentifier for the destination' }),
            pairwiseSubject: z.string().optional().openapi({ description: 'OIDC pairwise sub for the sector' }),
          }),
        ),
        ...problemResponses(400, 401, 404),
      },
    }),
    (c) => {
      const { personaId } = c.req.valid('param');
      const { destination, sector } = c.req.valid('query');
      return c.json(
        {
          personIdentifier: p.xborderIdentifiers.personIdentifier(personaId, destination),
          ...(sector ? { pairwiseSubject: p.xborderIdentifiers.pairwiseSubject(personaId, sector) } : {}),
        },
        200,
      );
    },
  );
}
