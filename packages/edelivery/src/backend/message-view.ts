import { parseXml } from '@kakehashi/core';
import type { ApContext } from '../ap/context.ts';
import { parseEnvelope } from '../message/parse-envelope.ts';
import { type MessageRow, MessageStore } from '../store/message-store.ts';
import type { MessageView } from './z-backend.ts';

/** The non-repudiation information of the receipt: the one received (outbound) or the one sent (inbound). */
function receiptReferences(row: MessageRow) {
  if (row.direction === 'in') return MessageStore.references(row);
  try {
    return parseEnvelope(parseXml(row.receipt_xml as string, { fast: true })).signal?.receipt?.references ?? [];
  } catch {
    return [];
  }
}

/** The JSON view of a stored message (never the payload bytes; those are downloaded). */
export function messageView(ctx: ApContext, row: MessageRow, base: string): MessageView {
  const enc = encodeURIComponent(row.message_id);
  const receiptRefs = row.receipt_xml ? receiptReferences(row) : null;
  return {
    messageId: row.message_id,
    direction: row.direction,
    status: row.status,
    pmodeId: row.pmode_id,
    service: row.service,
    action: row.action,
    conversationId: row.conversation_id,
    originalSender: row.original_sender,
    finalRecipient: row.final_recipient,
    fromParty: row.from_party,
    toParty: row.to_party,
    attempts: row.attempts,
    nextAttemptAt:
      row.direction === 'out' &&
      ['READY_TO_SEND', 'WAITING_FOR_RETRY'].includes(row.status) &&
      row.next_attempt_at !== null
        ? new Date(row.next_attempt_at).toISOString()
        : null,
    lastError: row.last_error,
    duplicatesEliminated: row.duplicates,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    payloads: ctx.store
      .payloadSizes(row.message_id, row.direction)
      .map((p) => ({ cid: p.cid, mimeType: p.mime_type, size: p.size })),
    history: ctx.store.events(row.message_id, row.direction),
    receipt: receiptRefs
      ? {
          nonRepudiationInformation: receiptRefs.map((r) => ({
            uri: r.uri,
            digestMethod: r.digestMethod,
            digestValue: r.digestValue,
          })),
        }
      : null,
    links: {
      self: `${base}/edelivery/messages/${enc}?direction=${row.direction}`,
      ...(row.direction === 'in'
        ? {
            ack: `${base}/edelivery/messages/${enc}/ack`,
            ...Object.fromEntries(
              ctx.store
                .payloadSizes(row.message_id, 'in')
                .map((p) => [
                  `payload:${p.cid}`,
                  `${base}/edelivery/messages/${enc}/payloads/${encodeURIComponent(p.cid)}`,
                ]),
            ),
          }
        : {}),
    },
  };
}
