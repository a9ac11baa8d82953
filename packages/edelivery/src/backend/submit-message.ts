import { createHash, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { currentFaultScope, KakehashiError } from '@kakehashi/core';
import type { ApContext } from '../ap/context.ts';
import { SENDING_FAULTS, type SendingFault } from '../ap/faults.ts';
import { decodedHeader, recordHop } from '../ap/record-trace.ts';
import { accessPointPartyId, EBMS } from '../message/ns.ts';
import type { UserMessage } from '../message/z-user-message.ts';
import { findPMode } from '../pmode/load-pmodes.ts';
import type { MessageRow } from '../store/message-store.ts';
import type { Submission } from './z-backend.ts';

/**
 * Accepts a message from the backend (corner 1): resolves the final recipient through discovery (SML/SMP),
 * checks the receiving access point's certificates against the trust fabric, picks the P-Mode, compresses the
 * payloads, and stores the message READY_TO_SEND — committed before the backend is answered, so an accepted
 * message is never lost. The same MessageId with the same content is idempotent (a backend retrying after a lost
 * answer gets the message it already submitted); with other content it is a conflict.
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/DIGITAL/eDelivery+AS4+-+1.15 §3.2.2 (four-corner)
 */
export async function submitMessage(
  ctx: ApContext,
  sub: Submission,
  fetcher: typeof fetch,
  traceparent: string | undefined,
): Promise<{ row: MessageRow; created: boolean }> {
  const { deps } = ctx;
  const faults = requestedSendingFaults(ctx);
  const contentHash = createHash('sha256').update(JSON.stringify(sub)).digest('hex');
  if (sub.messageId) {
    const existing = ctx.store.get(sub.messageId, 'out');
    if (existing) {
      if (existing.content_hash !== contentHash)
        throw new KakehashiError(
          'edelivery-message-id-conflict',
          `MessageId ${sub.messageId} was already submitted with other content; a resend keeps its content, a new message needs a new MessageId.`,
          { rule: 'ebMS 3.0 core §5.2.2.1 (MessageId uniqueness)' },
        );
      return { row: existing, created: false };
    }
  }
  if (!deps.participants.some((p) => p.id === sub.originalSender))
    throw new KakehashiError(
      'validation-failed',
      `originalSender ${sub.originalSender.slice(0, 100)} is not a participant of this node (GET /profile lists them).`,
    );

  const target = await deps.discovery.resolve(sub.finalRecipient, sub.service, fetcher);
  const now = deps.clock.now();
  for (const [pem, usage, what] of [
    [target.certificate, 'digitalSignature', 'signing'],
    [target.encryptionCertificate, 'keyEncipherment', 'encryption'],
  ] as const) {
    const v = deps.validateCertificate(pem, [], { at: now, usage: [usage] });
    if (!v.valid)
      throw new KakehashiError(
        'edelivery-peer-untrusted',
        `The ${what} certificate discovery returned for ${target.country}'s access point does not validate: ${v.failure?.reason ?? 'invalid'}.`,
        { extra: { country: target.country, failure: v.failure } },
      );
  }
  const from = ctx.partyId;
  const to = accessPointPartyId(target.country);
  const pmode = findPMode(ctx.pmodes(), {
    service: sub.service,
    serviceType: sub.serviceType,
    action: sub.action,
    from,
    to,
  });
  if (!pmode)
    throw new KakehashiError(
      'edelivery-no-pmode',
      `No P-Mode covers service ${sub.service.slice(0, 100)} / action ${sub.action.slice(0, 100)} from ${from} to ${to}. Configured: ${ctx
        .pmodes()
        .map((p) => `${p.id} (${p.service.value}: ${p.actions.join(', ')})`)
        .join('; ')
        .slice(0, 500)}.`,
    );

  const messageId = sub.messageId ?? `${randomUUID()}@${from}.kakehashi`;
  const short = createHash('sha256').update(messageId).digest('hex').slice(0, 12);
  const payloads = sub.payloads.map((p, i) => {
    const raw = Buffer.from(p.content, 'base64');
    if (raw.toString('base64').replace(/=+$/, '') !== p.content.replace(/\s+/g, '').replace(/=+$/, ''))
      throw new KakehashiError('edelivery-payload-invalid', `payloads[${i}].content is not valid base64.`);
    if (raw.length > pmode.payload.maxBytes)
      throw new KakehashiError(
        'edelivery-payload-invalid',
        `payloads[${i}] is ${raw.length} bytes; P-Mode ${pmode.id} allows ${pmode.payload.maxBytes}.`,
      );
    const compress = p.compress ?? pmode.payload.compress;
    return {
      cid: p.cid ?? `payload-${i + 1}@${short}`,
      mimeType: p.mimeType,
      compressed: compress,
      content: compress ? gzipSync(raw, gzipOptionsFor(raw.length)) : raw,
    };
  });
  if (new Set(payloads.map((p) => p.cid)).size !== payloads.length)
    throw new KakehashiError('validation-failed', 'Two payloads have the same cid.');

  const um: UserMessage = {
    messageId,
    timestamp: now.toISOString(),
    ...(sub.refToMessageId ? { refToMessageId: sub.refToMessageId } : {}),
    from: { partyId: from, partyIdType: pmode.partyIdType, role: pmode.initiator.role },
    to: { partyId: to, partyIdType: pmode.partyIdType, role: pmode.responder.role },
    ...(pmode.agreement ? { agreementRef: { value: pmode.agreement, pmode: pmode.id } } : {}),
    service: { value: pmode.service.value, ...(pmode.service.type ? { type: pmode.service.type } : {}) },
    action: sub.action,
    conversationId: sub.conversationId ?? messageId,
    properties: [
      { name: EBMS.originalSender, value: sub.originalSender, type: EBMS.participantType },
      { name: EBMS.finalRecipient, value: sub.finalRecipient, type: EBMS.participantType },
      ...(sub.properties ?? []),
    ],
    parts: payloads.map((p) => ({
      href: `cid:${p.cid}`,
      properties: [
        { name: 'MimeType', value: p.mimeType },
        ...(p.compressed ? [{ name: 'CompressionType', value: 'application/gzip' }] : []),
      ],
    })),
  };
  // Committed with the other submissions (and the sender's transitions) of the same turn, before the answer.
  const row = await ctx.store.inGroupCommit(() => {
    if (ctx.store.get(messageId, 'out')) return undefined;
    const change = ctx.store.insert(
      {
        message_id: messageId,
        direction: 'out',
        status: 'READY_TO_SEND',
        pmode_id: pmode.id,
        service: um.service.value,
        action: um.action,
        conversation_id: um.conversationId,
        original_sender: sub.originalSender,
        final_recipient: sub.finalRecipient,
        from_party: from,
        to_party: to,
        header_json: JSON.stringify(um),
        content_hash: contentHash,
        endpoint: target.endpoint,
        peer_country: target.country,
        peer_signing_cert: target.certificate,
        peer_encryption_cert: target.encryptionCertificate,
        next_attempt_at: now.getTime(),
        nr_references: null,
        receipt_xml: null,
        trace_parent: traceparent ?? null,
        faults,
      },
      payloads,
    );
    return change;
  });
  if (!row) return submitMessage(ctx, sub, fetcher, traceparent); // raced with an identical submission
  ctx.store.onChange(row);
  recordHop(ctx, traceparent, {
    operation: `edelivery: submit ${um.action}`,
    direction: 'internal',
    artefact: {
      ...decodedHeader(um),
      pmode: pmode.id,
      discovered: { country: target.country, endpoint: target.endpoint },
    },
    verdict: {
      valid: true,
      checks: [
        'participant discovered',
        'peer certificates valid',
        `P-Mode ${pmode.id}`,
        'stored READY_TO_SEND',
        ...faults.map((f) => `fault ${f} asked for: applied when sent`),
      ],
    },
  });
  ctx.kick();
  return { row: ctx.store.get(messageId, 'out') as MessageRow, created: true };
}

/**
 * zlib's window and hash sized to the payload: a window larger than the input is never used (the output decodes
 * the same with any inflater), but its buffers — 256 KB at the defaults — are allocated and cleared on every call,
 * which costs a small payload many times its compression. Up to 32 KB of window, as the defaults.
 * @see https://www.zlib.net/manual.html#Advanced (deflateInit2: windowBits, memLevel)
 */
export function gzipOptionsFor(length: number): { windowBits: number; memLevel: number } {
  const windowBits = Math.min(15, Math.max(9, Math.ceil(Math.log2(length + 262))));
  return { windowBits, memLevel: windowBits - 7 };
}

/**
 * The sending fault the submission asks for (`X-Kakehashi-Fault` or `kakehashi_fault`), checked: offered here,
 * per request, and one of the sending side's (400 `fault-unknown` / `fault-not-per-request` otherwise). It is stored
 * with the message and applied on every attempt to send it.
 */
function requestedSendingFaults(ctx: ApContext): SendingFault[] {
  const out: SendingFault[] = [];
  for (const name of currentFaultScope()?.requested ?? []) {
    ctx.deps.faults.requireRequestable(name);
    const sending = SENDING_FAULTS.find((f) => f === name);
    if (!sending)
      throw new KakehashiError(
        'fault-unknown',
        `The fault "${name.slice(0, 80)}" is not one a submission can ask for; the sending faults are ${SENDING_FAULTS.join(', ')}.`,
        { extra: { requestable: [...SENDING_FAULTS] } },
      );
    out.push(sending);
  }
  return out;
}
