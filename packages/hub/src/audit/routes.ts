import { createRoute, z } from '@hono/zod-openapi';
import {
  AuditEntrySchema,
  type AuditLog,
  AuditVerificationSchema,
  type ComponentApp,
  createRouteModule,
  problemResponses,
} from '@kakehashi/core';

/** What the audit routes need: the hub's hash-chained audit log. */
export interface AuditRouteDeps {
  audit: AuditLog;
}

const entries = createRoute({
  method: 'get',
  path: '/audit',
  tags: ['audit'],
  summary: 'Audit log entries (query: after = sequence, limit ≤ 1000)',
  request: {
    query: z.object({
      after: z.coerce.number().int().min(0).default(0).openapi({ description: 'Entries after this sequence number' }),
      limit: z.coerce.number().int().min(1).default(100).openapi({ description: 'How many (at most 1000)' }),
    }),
  },
  responses: {
    200: {
      description: 'Entries in sequence order',
      content: { 'application/json': { schema: z.object({ entries: z.array(AuditEntrySchema) }) } },
    },
    ...problemResponses(400),
  },
});

const verify = createRoute({
  method: 'get',
  path: '/audit/verify',
  tags: ['audit'],
  summary: 'Verify the hash chain of the audit log',
  responses: {
    200: {
      description: 'Whether the chain is intact',
      content: { 'application/json': { schema: AuditVerificationSchema } },
    },
  },
});

/** The hub's audit log: registrations, refusals, revocations and resets, in a hash chain anyone can verify. */
export function auditRoutes(deps: AuditRouteDeps): ComponentApp {
  const r = createRouteModule();
  r.openapi(entries, (c) => {
    const { after, limit } = c.req.valid('query');
    return c.json({ entries: deps.audit.list({ afterSeq: after, limit }) }, 200);
  });
  r.openapi(verify, (c) => c.json(deps.audit.verify(), 200));
  return r;
}
