import { formatTraceparent } from '@kakehashi/core';
import type { ApContext } from '../ap/context.ts';
import { decodedHeader, recordHop } from '../ap/record-trace.ts';
import { buildUserMessageEnvelope } from '../message/build-user-message.ts';
import { envelopeIds } from '../message/envelope-ids.ts';
import { buildMultipart } from '../mime/multipart.ts';
import { retryDelayMs } from '../pmode/z-pmode.ts';
import { type MessageRow, MessageStore } from '../store/message-store.ts';
import { encryptAttachments } from '../wss/encrypt-attachments.ts';
import { signEnvelope } from '../wss/sign-envelope.ts';
import { verifyReceipt } from './verify-receipt.ts';

export type AttemptOutcome = 'acknowledged' | 'retry' | 'failed' | 'skipped';

/** How long the sender waits for the synchronous receipt (real time). */
export const SEND_TIMEOUT_MS = 15_000;

/**
 * One send attempt of an outbound message already claimed (SEND_ENQUEUED): build the UserMessage from the stored
 * header (same MessageId, same eb:Timestamp, same ids), sign (fresh WS-Security Timestamp), encrypt, post to the
 * receiving access point, verify the answer, and record the outcome: ACKNOWLEDGED on a valid receipt;
 * SEND_FAILURE on an ebMS error or when the retries are spent; WAITING_FOR_RETRY (exponential backoff on the
 * virtual clock) otherwise.
 * @see https://docs.oasis-open.org/ebxml-msg/ebms/v3.0/profiles/AS4-profile/v1.0/os/AS4-profile-v1.0-os.html §3.2 (reception awareness)
 */
export async function sendAttempt(ctx: ApContext, row: MessageRow): Promise<AttemptOutcome> {
  const { deps, store } = ctx;
  const id = row.message_id;
  const pmode = ctx.pmodes().find((p) => p.id === row.pmode_id);
  if (!pmode) {
    store.transition(id, 'out', ['SEND_ENQUEUED'], 'SEND_FAILURE', {
      last_error: `EBMS:0010 P-Mode ${row.pmode_id} no longer exists`,
    });
    return 'failed';
  }
  const um = MessageStore.header(row);
  const payloads = store.payloads(id, 'out');
  const ids = envelopeIds(id);
  const now = deps.clock.now();
  const attachments = payloads.map((p) => ({ contentId: p.cid, body: Buffer.from(p.content) }));
  const signed = signEnvelope(buildUserMessageEnvelope(um, ids), {
    certPem: deps.signing.certPem,
    privateKey: deps.signing.privateKey,
    elementIds: [ids.messaging, ids.body],
    attachments,
    created: now,
    ttlSeconds: pmode.security.timestampTtlSeconds,
    idPrefix: ids.prefix,
  });
  const encrypted = pmode.security.encrypt
    ? encryptAttachments(signed.xml, attachments, row.peer_encryption_cert as string, ids.prefix)
    : { xml: signed.xml, attachments };
  const mime = buildMultipart(
    encrypted.xml,
    encrypted.attachments.map((a) => ({ ...a, contentType: 'application/octet-stream' })),
  );
  const tsUri = `#${signed.timestampId}`;
  const stable = signed.references.filter((r) => r.uri !== tsUri);
  const tsDigest = signed.references.find((r) => r.uri === tsUri)?.digestValue as string;
  const tsDigests = [...(JSON.parse(row.ts_digests) as string[]), tsDigest].slice(-100);
  const attempt = row.attempts + 1;
  const claimed = store.transition(
    id,
    'out',
    ['SEND_ENQUEUED'],
    'WAITING_FOR_RECEIPT',
    {
      attempts: attempt,
      nr_references: JSON.stringify(stable),
      ts_digests: JSON.stringify(tsDigests),
    },
    `attempt ${attempt}`,
  );
  if (!claimed) return 'skipped';

  const span = recordHop(ctx, row.trace_parent, {
    operation: `edelivery: send ${um.action} (attempt ${attempt})`,
    direction: 'outbound',
    peer: row.endpoint ?? undefined,
    artefact: { ...decodedHeader(um), attempt, references: signed.references, encrypted: pmode.security.encrypt },
  });
  let outcome: ReturnType<typeof verifyReceipt>;
  let httpStatus: number | undefined;
  try {
    const res = await deps.fetch(row.endpoint as string, {
      method: 'POST',
      headers: {
        'content-type': mime.contentType,
        traceparent: formatTraceparent(span),
        'x-kakehashi-caller': `node:${deps.country}`,
      },
      body: new Uint8Array(mime.body),
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    httpStatus = res.status;
    const body = Buffer.from(await res.arrayBuffer());
    outcome = verifyReceipt(res.headers.get('content-type') ?? '', body, {
      messageId: id,
      peerSigningCert: row.peer_signing_cert as string,
      stableReferences: stable,
      timestampUri: tsUri,
      timestampDigests: tsDigests,
      now: deps.clock.now(),
      skewSeconds: deps.skewSeconds ?? deps.config.get('clockSkewSeconds'),
      validateCertificate: deps.validateCertificate,
    });
    if (outcome.kind === 'invalid' && res.status >= 500)
      outcome = { kind: 'invalid', reason: `HTTP ${res.status}: ${outcome.reason}`, rule: outcome.rule };
  } catch (e) {
    outcome = {
      kind: 'invalid',
      reason: `No answer from ${row.endpoint}: ${e instanceof Error ? e.message.slice(0, 160) : 'error'}`,
      rule: 'EBMS:0005 ConnectionFailure',
    };
  }

  if (outcome.kind === 'receipt') {
    store.transition(
      id,
      'out',
      ['WAITING_FOR_RECEIPT'],
      'ACKNOWLEDGED',
      { receipt_xml: outcome.receiptXml, last_error: null },
      `receipt ${outcome.signalMessageId}`,
    );
    recordHop(ctx, span, {
      operation: 'edelivery: receipt verified',
      direction: 'internal',
      status: httpStatus,
      artefact: {
        type: 'ebms:Receipt',
        refToMessageId: id,
        signalMessageId: outcome.signalMessageId,
        nonRepudiationInformation: outcome.references,
      },
      verdict: {
        valid: true,
        checks: ['signature', 'signer is the discovered access point', 'RefToMessageId', 'non-repudiation digests'],
      },
    });
    return 'acknowledged';
  }
  if (outcome.kind === 'error') {
    const first = outcome.errors[0];
    const detail = `${first?.code ?? 'EBMS:0004'} ${first?.description ?? ''}`.trim().slice(0, 500);
    store.transition(id, 'out', ['WAITING_FOR_RECEIPT'], 'SEND_FAILURE', { last_error: detail }, detail);
    recordHop(ctx, span, {
      operation: 'edelivery: ebMS error received',
      direction: 'internal',
      status: httpStatus,
      artefact: { type: 'ebms:Error', refToMessageId: id, errors: outcome.errors },
      verdict: { valid: false, checks: [detail] },
    });
    return 'failed';
  }
  const reason = `${outcome.rule}: ${outcome.reason}`.slice(0, 500);
  recordHop(ctx, span, {
    operation: 'edelivery: no valid receipt',
    direction: 'internal',
    status: httpStatus,
    artefact: { type: 'ebms:Receipt', refToMessageId: id, attempt },
    verdict: { valid: false, checks: [reason] },
  });
  if (attempt > pmode.receptionAwareness.retries) {
    const code =
      outcome.reason.startsWith('No answer') || outcome.reason.includes('neither')
        ? 'EBMS:0301 MissingReceipt'
        : 'EBMS:0302 InvalidReceipt';
    store.transition(
      id,
      'out',
      ['WAITING_FOR_RECEIPT'],
      'SEND_FAILURE',
      { last_error: `${code}: ${reason}` },
      `gave up after ${attempt} attempts`,
    );
    return 'failed';
  }
  store.transition(
    id,
    'out',
    ['WAITING_FOR_RECEIPT'],
    'WAITING_FOR_RETRY',
    { last_error: reason, next_attempt_at: deps.clock.nowMs() + retryDelayMs(pmode, attempt) },
    reason,
  );
  return 'retry';
}
