import { z } from '@hono/zod-openapi';
import { MESSAGE_STATUSES } from '../store/message-store.ts';

export const SubmitPayloadSchema = z.object({
  cid: z
    .string()
    .regex(/^[A-Za-z0-9._@-]{1,100}$/)
    .optional()
    .openapi({ description: 'Content-ID of the attachment (default payload-<n>@<message>)' }),
  mimeType: z
    .string()
    .min(3)
    .max(100)
    .regex(/^[\w.+-]+\/[\w.+-]+$/)
    .openapi({ example: 'application/xml' }),
  content: z.string().max(20_000_000).openapi({ description: 'The payload, base64' }),
  compress: z.boolean().optional().openapi({ description: 'gzip before signing (default: the P-Mode’s setting)' }),
});

/** `POST /edelivery/messages`: what the backend (corner 1) submits. */
export const SubmitSchema = z
  .object({
    messageId: z
      .string()
      .min(3)
      .max(255)
      .regex(/^[^\s<>"]+$/)
      .optional()
      .openapi({
        description:
          'Your MessageId (e.g. uuid@domain). Submitting the same id and content again is idempotent: it returns the message already accepted.',
      }),
    conversationId: z.string().min(1).max(255).optional(),
    refToMessageId: z.string().min(1).max(255).optional(),
    service: z.string().min(1).max(300).openapi({ example: 'urn:kakehashi:service:evidence' }),
    serviceType: z.string().min(1).max(300).optional(),
    action: z.string().min(1).max(300).openapi({ example: 'ExecuteQueryRequest' }),
    originalSender: z.string().min(3).max(200).openapi({ example: 'urn:kakehashi:participant:de:bzst' }),
    finalRecipient: z.string().min(3).max(200).openapi({ example: 'urn:kakehashi:participant:jp:nta' }),
    properties: z
      .array(z.object({ name: z.string().min(1).max(100), value: z.string().max(1000) }))
      .max(20)
      .optional(),
    payloads: z.array(SubmitPayloadSchema).min(1).max(10),
  })
  .openapi('EdeliverySubmission');
export type Submission = z.infer<typeof SubmitSchema>;

export const StatusSchema = z.enum(MESSAGE_STATUSES).openapi('EdeliveryMessageStatus');

export const MessageViewSchema = z
  .object({
    messageId: z.string(),
    direction: z.enum(['out', 'in']),
    status: StatusSchema,
    pmodeId: z.string(),
    service: z.string(),
    action: z.string(),
    conversationId: z.string(),
    originalSender: z.string().nullable(),
    finalRecipient: z.string().nullable(),
    fromParty: z.string(),
    toParty: z.string(),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    lastError: z.string().nullable(),
    duplicatesEliminated: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    payloads: z.array(z.object({ cid: z.string(), mimeType: z.string(), size: z.number().int() })),
    history: z.array(z.object({ status: z.string(), at: z.string(), detail: z.string().nullable() })),
    receipt: z
      .object({
        nonRepudiationInformation: z.array(
          z.object({ uri: z.string(), digestMethod: z.string(), digestValue: z.string() }),
        ),
      })
      .nullable(),
    links: z.record(z.string(), z.string()),
  })
  .openapi('EdeliveryMessage');
export type MessageView = z.infer<typeof MessageViewSchema>;

export const WebhookSchema = z
  .object({
    url: z.string().url().max(500).openapi({ example: 'http://127.0.0.1:9000/hooks/edelivery' }),
    events: z.array(StatusSchema).max(20).optional().openapi({ description: 'Statuses to notify (default: all)' }),
    batch: z.boolean().optional().openapi({
      description:
        'Receive the changes batched: one POST `{type: "edelivery.status-batch", subscription, changes}` carries every change made while the previous one was on its way (default false: one POST per change)',
    }),
  })
  .openapi('EdeliveryWebhookRequest');

/** What a webhook subscription receives on every status change it asked for (`POST <url>`, JSON). */
export const StatusNotificationSchema = z
  .object({
    type: z.literal('edelivery.status'),
    subscription: z.string().openapi({ description: 'The subscription id' }),
    messageId: z.string(),
    direction: z.enum(['in', 'out']),
    status: StatusSchema,
    previous: StatusSchema.nullable(),
    at: z.string().openapi({ description: 'Virtual clock time of the change' }),
    detail: z.string().optional(),
    message: z
      .object({
        service: z.string(),
        action: z.string(),
        originalSender: z.string().nullable(),
        finalRecipient: z.string().nullable(),
        payloads: z.array(z.object({ cid: z.string(), mimeType: z.string() })),
      })
      .optional()
      .openapi({
        description:
          'An inbound message’s arrival (RECEIVED) only: what a backend routes it by (service, action, parties, payload types), so it reads only the messages it takes',
      }),
  })
  .openapi('EdeliveryStatusNotification');

/** What a subscription made with `batch: true` receives: the changes committed since its previous post, in order. */
export const StatusBatchNotificationSchema = z
  .object({
    type: z.literal('edelivery.status-batch'),
    subscription: z.string().openapi({ description: 'The subscription id' }),
    changes: z.array(StatusNotificationSchema.omit({ type: true, subscription: true })),
  })
  .openapi('EdeliveryStatusBatchNotification');
