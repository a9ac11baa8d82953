import { createRoute, z } from '@hono/zod-openapi';
import { AuditVerificationSchema, type ComponentApp, createRouteModule, problemResponses } from '@kakehashi/core';
import type { CooperationNetworkParts } from '../network-parts.ts';
import '../error-codes.ts';
import { ADMIN_SECURITY, AgencyParam, okJson, partyOf } from '../route-support.ts';
import { AccessRecordSchema } from './access-records.ts';

/** One record of a party's copy: the art. 23 fields, which copy, its place and hash in the chain. */
const StoredAccessRecordSchema = AccessRecordSchema.extend({
  seq: z.number().int(),
  copy: z.enum(['requester', 'provider', 'network']),
  hash: z.string(),
}).openapi('JpStoredAccessRecord');

/** What the access-record routes need. */
export type RecordRouteDeps = Pick<CooperationNetworkParts, 'network' | 'parties'>;

/**
 * The access records (My Number Act art. 23): chain verification of every copy for anyone, and the network's
 * and each agency's copy for the administrator. TEST ONLY.
 * @see https://laws.e-gov.go.jp/law/425AC0000000027 (My Number Act art. 23)
 */
export function recordRoutes(p: RecordRouteDeps): ComponentApp {
  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'get',
      path: '/jp/records/verify',
      tags: ['jp-records'],
      summary: 'Verify the hash chains of the network copy and every agency copy of the access records',
      responses: {
        200: {
          description: 'OK',
          content: {
            'application/json': {
              schema: z.object({
                valid: z.boolean().openapi({ description: 'Every copy verifies' }),
                network: AuditVerificationSchema,
                agencies: z.record(z.string(), AuditVerificationSchema),
              }),
            },
          },
        },
      },
    }),
    (c) => {
      const network = p.network.records.verify();
      const agencies = Object.fromEntries([...p.parties].map(([id, party]) => [id, party.records.verify()]));
      return c.json({ valid: network.valid && Object.values(agencies).every((v) => v.valid), network, agencies }, 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/admin/jp/network/records',
      tags: ['jp-records', 'admin'],
      summary: "The network's copy of the access records",
      security: ADMIN_SECURITY,
      responses: {
        ...okJson(z.object({ verification: AuditVerificationSchema, records: z.array(StoredAccessRecordSchema) })),
        ...problemResponses(401),
      },
    }),
    (c) => c.json({ verification: p.network.records.verify(), records: p.network.records.all() }, 200),
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/admin/jp/agencies/{agencyId}/records',
      tags: ['jp-records', 'admin'],
      summary: "An agency's copy of the access records (requester and provider copies) and its chain verification",
      security: ADMIN_SECURITY,
      request: { params: AgencyParam },
      responses: {
        ...okJson(
          z.object({
            agencyId: z.string(),
            verification: AuditVerificationSchema,
            records: z.array(StoredAccessRecordSchema),
          }),
        ),
        ...problemResponses(401, 404),
      },
    }),
    (c) => {
      const party = partyOf(p.parties, c.req.valid('param').agencyId);
      return c.json(
        { agencyId: party.agency.id, verification: party.records.verify(), records: party.records.all() },
        200,
      );
    },
  );
  return r;
}
