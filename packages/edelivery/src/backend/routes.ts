import { randomUUID } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import {
  type ComponentApp,
  createRouteModule,
  formatTraceparent,
  KakehashiError,
  problemResponses,
  requireJson,
} from '@kakehashi/core';
import type { ApContext } from '../ap/context.ts';
import '../error-codes.ts';
import type { Direction, MessageRow, WebhookRow } from '../store/message-store.ts';
import { messageView } from './message-view.ts';
import { submitMessage } from './submit-message.ts';
import {
  MessageViewSchema,
  StatusBatchNotificationSchema,
  StatusNotificationSchema,
  StatusSchema,
  SubmitSchema,
  WebhookSchema,
} from './z-backend.ts';

const IdParam = z.object({
  id: z
    .string()
    .min(3)
    .max(255)
    .openapi({
      param: { name: 'id', in: 'path' },
      description: 'MessageId (URL-encoded)',
      example: '0b6e…@kakehashi-ap-de.kakehashi',
    }),
});
const DirectionQuery = z.object({ direction: z.enum(['out', 'in']).optional() });
const WebhookView = z
  .object({ id: z.string(), url: z.string(), events: z.array(z.string()), batch: z.boolean(), createdAt: z.string() })
  .openapi('EdeliveryWebhook');
const tags = ['edelivery'];
const messageJson = { 'application/json': { schema: MessageViewSchema } };
const messageList = { 'application/json': { schema: z.object({ messages: z.array(MessageViewSchema) }) } };

function mustFind(ctx: ApContext, id: string, direction?: Direction): MessageRow {
  const row = ctx.store.find(id, direction);
  if (!row)
    throw new KakehashiError(
      'not-found',
      `No message ${id.slice(0, 120)}${direction ? ` (${direction})` : ''} at this access point; GET /edelivery/messages lists them.`,
      {
        extra: { status: 'NOT_FOUND' },
      },
    );
  return row;
}

const webhookView = (h: WebhookRow) => ({
  id: h.id,
  url: h.url,
  events: JSON.parse(h.events) as string[],
  batch: h.batch === 1,
  createdAt: h.created_at,
});

/**
 * The sending side of the backend interface (corner 1 talks to its access point): submit a message, list messages,
 * read one's status. The receiving side is {@link inboxRoutes}, status-change subscriptions {@link webhookRoutes}.
 * Errors are RFC 9457 problem+json.
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/DIGITAL/Domibus (WS plugin: submit, status)
 */
export function messageRoutes(ctx: ApContext): ComponentApp {
  const r = createRouteModule();
  const base = ctx.deps.publicUrl;

  r.openapi(
    createRoute({
      method: 'post',
      path: '/edelivery/messages',
      tags,
      summary: 'Submit a message (metadata as JSON, payloads base64): discovered, stored READY_TO_SEND, then sent',
      description:
        'A 502/504 means the hub (discovery) is down or slow: retry later. A lookup the hub refuses is a 400, a recipient whose registered metadata is malformed a 422 `discovery-answer-invalid`: neither is mended by a retry. Security testing: a header `X-Kakehashi-Fault` (or query `kakehashi_fault`) naming one sending fault (`edelivery.unsigned-message`, `edelivery.wrong-party`, `edelivery.replayed-message-id`, `edelivery.tampered-attachment`, `edelivery.tampered-header`; `GET /admin/faults`) makes this one message go out bad in that way; another name is a 400 `fault-unknown` or `fault-not-per-request`.',
      request: { body: { required: true, content: { 'application/json': { schema: SubmitSchema } } } },
      responses: {
        202: { description: 'Accepted (new message)', content: messageJson },
        200: { description: 'Already accepted (same MessageId and content): the stored message', content: messageJson },
        ...problemResponses(400, 404, 409, 413, 415, 422, 502),
      },
    }),
    async (c) => {
      requireJson(c.req.header('content-type'));
      const { row, created } = await submitMessage(
        ctx,
        c.req.valid('json'),
        c.get('fetch'),
        formatTraceparent(c.get('trace')),
      );
      const view = messageView(ctx, row, base);
      return created ? c.json(view, 202) : c.json(view, 200);
    },
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/edelivery/messages',
      tags,
      summary: 'List messages (both directions), oldest first',
      request: {
        query: z.object({
          direction: z.enum(['out', 'in']).optional(),
          status: StatusSchema.optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
      },
      responses: { 200: { description: 'Messages', content: messageList }, ...problemResponses(400) },
    }),
    (c) => {
      const q = c.req.valid('query');
      return c.json({ messages: ctx.store.list(q).map((row) => messageView(ctx, row, base)) }, 200);
    },
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/edelivery/messages/{id}',
      tags,
      summary: 'Status of a message, with its history and, once acknowledged, the receipt’s non-repudiation digests',
      request: { params: IdParam, query: DirectionQuery },
      responses: { 200: { description: 'The message', content: messageJson }, ...problemResponses(404) },
    }),
    (c) => c.json(messageView(ctx, mustFind(ctx, c.req.valid('param').id, c.req.valid('query').direction), base), 200),
  );
  return r;
}

/**
 * The receiving side of the backend interface (corner 4 talks to its access point): list pending messages,
 * download a payload, acknowledge a message so it leaves the inbox. Errors are RFC 9457 problem+json.
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/DIGITAL/Domibus (WS plugin: list pending, retrieve)
 */
export function inboxRoutes(ctx: ApContext): ComponentApp {
  const r = createRouteModule();
  const base = ctx.deps.publicUrl;

  r.openapi(
    createRoute({
      method: 'get',
      path: '/edelivery/inbox',
      tags,
      summary: 'Received messages not yet acknowledged by the backend (status RECEIVED), oldest first',
      request: {
        query: z.object({
          finalRecipient: z.string().min(3).max(200).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
      },
      responses: { 200: { description: 'Pending messages', content: messageList }, ...problemResponses(400) },
    }),
    (c) => {
      const q = c.req.valid('query');
      const rows = ctx.store.list({
        direction: 'in',
        status: 'RECEIVED',
        finalRecipient: q.finalRecipient,
        limit: q.limit,
      });
      return c.json({ messages: rows.map((row) => messageView(ctx, row, base)) }, 200);
    },
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/edelivery/messages/{id}/payloads/{cid}',
      tags,
      summary: 'Download a payload of a received message (decrypted, decompressed; content type = its MimeType)',
      request: {
        params: z.object({
          id: z.string().openapi({ param: { name: 'id', in: 'path' }, description: 'MessageId (URL-encoded)' }),
          cid: z.string().openapi({ param: { name: 'cid', in: 'path' }, description: 'Content-ID of the payload' }),
        }),
      },
      responses: {
        200: {
          description: 'The payload bytes, as its MimeType',
          content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
        },
        ...problemResponses(404),
      },
    }),
    (c) => {
      const { id, cid } = c.req.valid('param');
      mustFind(ctx, id, 'in');
      const p = ctx.store.payloads(id, 'in').find((x) => x.cid === cid);
      if (!p) throw new KakehashiError('not-found', `Message ${id.slice(0, 120)} has no payload ${cid.slice(0, 100)}.`);
      return c.body(Buffer.from(p.content), 200, {
        'content-type': p.mime_type,
        'content-disposition': `attachment; filename="${cid.replace(/[^\w.@-]/g, '_')}"`,
      });
    },
  );

  r.openapi(
    createRoute({
      method: 'post',
      path: '/edelivery/messages/{id}/ack',
      tags,
      summary: 'Acknowledge a received message: RECEIVED → DOWNLOADED (idempotent); it leaves the inbox',
      request: { params: IdParam },
      responses: { 200: { description: 'The message', content: messageJson }, ...problemResponses(404) },
    }),
    (c) => {
      const id = c.req.valid('param').id;
      mustFind(ctx, id, 'in');
      ctx.store.transition(
        id,
        'in',
        ['RECEIVED', 'RECEIVED_WITH_WARNINGS'],
        'DOWNLOADED',
        {},
        'acknowledged by the backend',
      );
      return c.json(messageView(ctx, mustFind(ctx, id, 'in'), base), 200);
    },
  );

  return r;
}

/**
 * Webhook subscriptions of the backend: each status change of a message is POSTed as JSON to every subscriber.
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/DIGITAL/Domibus (push notifications)
 */
export function webhookRoutes(ctx: ApContext): ComponentApp {
  const r = createRouteModule();
  r.openAPIRegistry.registerWebhook({
    method: 'post',
    path: 'edeliveryStatus',
    tags,
    summary: "A status change, POSTed to a subscription's URL (best effort, not retried)",
    request: { body: { required: true, content: { 'application/json': { schema: StatusNotificationSchema } } } },
    responses: { 200: { description: 'Any 2xx answer; another is logged' } },
  });
  r.openAPIRegistry.registerWebhook({
    method: 'post',
    path: 'edeliveryStatusBatch',
    tags,
    summary: 'The status changes of a subscription made with batch: true, several in one POST (best effort)',
    request: {
      body: { required: true, content: { 'application/json': { schema: StatusBatchNotificationSchema } } },
    },
    responses: { 200: { description: 'Any 2xx answer; another is logged' } },
  });
  r.openapi(
    createRoute({
      method: 'post',
      path: '/edelivery/webhooks',
      tags,
      summary:
        'Subscribe to status changes: each is POSTed as JSON {type:"edelivery.status", messageId, direction, status, previous, at}',
      request: { body: { required: true, content: { 'application/json': { schema: WebhookSchema } } } },
      responses: {
        201: { description: 'Subscription', content: { 'application/json': { schema: WebhookView } } },
        ...problemResponses(400, 415),
      },
    }),
    (c) => {
      requireJson(c.req.header('content-type'));
      const body = c.req.valid('json');
      if (!/^https?:\/\//.test(body.url)) throw new KakehashiError('validation-failed', 'A webhook URL is http(s).');
      const id = randomUUID();
      ctx.store.addWebhook(id, body.url, body.events ?? [], body.batch === true);
      ctx.webhooks.invalidate();
      return c.json(webhookView(ctx.store.webhooks().find((h) => h.id === id) as never), 201);
    },
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/edelivery/webhooks',
      tags,
      summary: 'Webhook subscriptions',
      responses: {
        200: {
          description: 'Subscriptions',
          content: { 'application/json': { schema: z.object({ webhooks: z.array(WebhookView) }) } },
        },
      },
    }),
    (c) => c.json({ webhooks: ctx.store.webhooks().map(webhookView) }, 200),
  );

  r.openapi(
    createRoute({
      method: 'delete',
      path: '/edelivery/webhooks/{id}',
      tags,
      summary: 'Remove a webhook subscription',
      request: {
        params: z.object({
          id: z
            .string()
            .uuid()
            .openapi({ param: { name: 'id', in: 'path' } }),
        }),
      },
      responses: {
        200: {
          description: 'Removed',
          content: { 'application/json': { schema: z.object({ deleted: z.literal(true) }) } },
        },
        ...problemResponses(400, 404),
      },
    }),
    (c) => {
      if (!ctx.store.deleteWebhook(c.req.valid('param').id))
        throw new KakehashiError('not-found', 'No such webhook subscription.');
      ctx.webhooks.invalidate();
      return c.json({ deleted: true as const }, 200);
    },
  );
  return r;
}
