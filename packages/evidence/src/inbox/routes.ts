import { createRoute, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule, type Logger, problemResponses } from '@kakehashi/core';
import '../error-codes.ts';
import type { EvidenceInbox } from './process-inbox.ts';

/**
 * What the eDelivery backend's webhook posts (`edelivery.status`). The route reads nothing of it (the inbox is
 * processed whatever changed), so it takes any JSON object; the document says what arrives.
 */
const { $schema: _dialect, ...NOTIFICATION } = z.toJSONSchema(
  z.object({
    type: z.literal('edelivery.status'),
    subscription: z.string().meta({ description: 'The webhook subscription id' }),
    messageId: z.string(),
    direction: z.enum(['in', 'out']),
    status: z.string(),
    previous: z.string().nullable(),
    at: z.string(),
    detail: z.string().optional(),
  }),
);
const NotificationDoc = z.record(z.string(), z.unknown()).openapi(NOTIFICATION as never);

/**
 * The eDelivery side of the block: the webhook the node's eDelivery backend calls when a message arrives, and
 * the admin route that processes the inbox now. Requests (provider side) and responses (requester side) both
 * arrive here.
 */
export function inboxRoutes(deps: { inbox: EvidenceInbox; logger: Logger }): ComponentApp {
  const r = createRouteModule();
  const { inbox, logger } = deps;

  r.openapi(
    createRoute({
      method: 'post',
      path: '/evidence/inbound',
      tags: ['evidence'],
      summary: "Webhook target of the node's eDelivery backend: a message arrived; the inbox is processed",
      request: {
        body: { required: false, content: { 'application/json': { schema: NotificationDoc } } },
      },
      responses: {
        202: {
          description: 'Processing scheduled',
          content: { 'application/json': { schema: z.object({ scheduled: z.literal(true) }) } },
        },
        ...problemResponses(400, 415),
      },
    }),
    (c) => {
      // Answer at once: the work (which sends AS4 messages itself) must not run inside the notifier's call.
      setTimeout(() => {
        inbox
          .process()
          .catch((e: unknown) =>
            logger.warn('evidence inbox processing failed', { reason: e instanceof Error ? e.message : String(e) }),
          );
      }, 0).unref();
      return c.json({ scheduled: true as const }, 202);
    },
  );

  r.openapi(
    createRoute({
      method: 'post',
      path: '/admin/evidence/process',
      tags: ['evidence', 'admin'],
      security: [{ adminToken: [] }],
      summary: 'Handle every evidence message waiting in the eDelivery inbox now',
      responses: {
        200: {
          description: 'How many messages were handled',
          content: { 'application/json': { schema: z.object({ handled: z.number().int() }) } },
        },
        ...problemResponses(401),
      },
    }),
    async (c) => {
      await inbox.ensureSubscribed().catch(() => undefined);
      return c.json({ handled: await inbox.process() }, 200);
    },
  );
  return r;
}
