import { createRoute, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule, type Logger, problemResponses } from '@kakehashi/core';
import '../error-codes.ts';
import type { EvidenceInbox } from './process-inbox.ts';

const Change = z.object({
  messageId: z.string(),
  direction: z.enum(['in', 'out']),
  status: z.string(),
  previous: z.string().nullable(),
  at: z.string(),
  detail: z.string().optional(),
  /** A received message's routing metadata (RECEIVED only; absent from older backends). */
  message: z
    .object({
      service: z.string(),
      finalRecipient: z.string().nullable(),
      payloads: z.array(z.object({ mimeType: z.string() })),
    })
    .optional(),
});
const Single = Change.extend({
  type: z.literal('edelivery.status'),
  subscription: z.string().meta({ description: 'The webhook subscription id' }),
});
const Batch = z.object({
  type: z.literal('edelivery.status-batch'),
  subscription: z.string().meta({ description: 'The webhook subscription id' }),
  changes: z.array(Change).max(10_000),
});
/**
 * What the eDelivery backend's webhook posts: one change (`edelivery.status`) or, for the batched subscription this
 * block makes, several (`edelivery.status-batch`). The route takes any JSON object (the document says what
 * arrives): a body it does not recognise has the whole inbox processed, as before notifications were read.
 */
const { $schema: _dialect, ...NOTIFICATION } = z.toJSONSchema(
  Change.partial().extend({
    type: z.enum(['edelivery.status', 'edelivery.status-batch']),
    subscription: z.string().meta({ description: 'The webhook subscription id' }),
    changes: Batch.shape.changes.optional().meta({ description: 'edelivery.status-batch: the changes, in order' }),
  }),
);
const NotificationDoc = z.record(z.string(), z.unknown()).openapi(NOTIFICATION as never);

/** What a notification may say of a received message: enough to tell whether the block takes it. */
export type ReceivedSummary = NonNullable<z.infer<typeof Change>['message']>;

/**
 * The messages a notification says were received; undefined when the body is not a notification. A change whose
 * routing metadata shows a message the block does not take (`takes` false) is left out: it is not read at all.
 */
export function receivedIn(body: unknown, takes?: (m: ReceivedSummary) => boolean): string[] | undefined {
  const one = Single.safeParse(body);
  const changes = one.success ? [one.data] : Batch.safeParse(body).data?.changes;
  return changes
    ?.filter((c) => c.direction === 'in' && c.status === 'RECEIVED' && (!c.message || !takes || takes(c.message)))
    .map((c) => c.messageId);
}

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
      summary:
        "Webhook target of the node's eDelivery backend: the messages it names as received are handled (each read on its own)",
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
    async (c) => {
      const ids = receivedIn(await c.req.json().catch(() => undefined), inbox.takes);
      // Answer at once: the work (which sends AS4 messages itself) must not run inside the notifier's call.
      setTimeout(() => {
        (ids ? inbox.notified(ids) : inbox.process()).catch((e: unknown) =>
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
