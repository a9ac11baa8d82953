import { formatTraceparent, type TraceContext } from '@kakehashi/core';
import type { ApContext } from '../ap/context.ts';
import { SENDING_FAULTS, type SendingFault } from '../ap/faults.ts';
import { decodedHeader, recordHop } from '../ap/record-trace.ts';
import type { ReferenceInfo } from '../message/build-signal.ts';
import type { UserMessage } from '../message/z-user-message.ts';
import { buildMultipart } from '../mime/multipart.ts';
import { type PMode, retryDelayMs } from '../pmode/z-pmode.ts';
import { type MessageRow, MessageStore } from '../store/message-store.ts';
import { buildOutboundOffThread, type OutboundDefects } from './build-outbound.ts';
import { type ReceiptOutcome, verifyReceipt } from './verify-receipt.ts';

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
  const pmode = ctx.pmodes().find((p) => p.id === row.pmode_id);
  if (!pmode) {
    ctx.store.transition(row.message_id, 'out', ['SEND_ENQUEUED'], 'SEND_FAILURE', {
      last_error: `EBMS:0010 P-Mode ${row.pmode_id} no longer exists`,
    });
    return 'failed';
  }
  const attempt = await prepareAttempt(ctx, row, pmode);
  if (!attempt) return 'skipped';
  const span = recordHop(ctx, row.trace_parent, {
    operation: `edelivery: send ${attempt.um.action} (attempt ${attempt.n})`,
    direction: 'outbound',
    peer: row.endpoint ?? undefined,
    artefact: {
      ...decodedHeader(attempt.um),
      attempt: attempt.n,
      references: attempt.references,
      encrypted: pmode.security.encrypt && !attempt.faults.includes('edelivery.unsigned-message'),
    },
    ...(attempt.faults.length > 0 ? { faults: attempt.faults } : {}),
  });
  const { outcome, httpStatus } = await postAndVerify(ctx, row, attempt, span);
  // Recorded with the outcomes of the other attempts that end in the same turn: one commit for all of them.
  return ctx.store.inGroupCommit(() => recordOutcome(ctx, row, pmode, attempt.n, outcome, { span, httpStatus }));
}

/** A signed (and encrypted) attempt, claimed in the store (WAITING_FOR_RECEIPT), ready to post. */
interface PreparedAttempt {
  /** The header as sent (a sending fault may change it on the wire). */
  um: ReturnType<typeof MessageStore.header>;
  n: number;
  mime: { contentType: string; body: Buffer };
  references: ReferenceInfo[];
  /** The references that stay the same across attempts (all but the WS-Security Timestamp's). */
  stable: ReferenceInfo[];
  tsUri: string;
  tsDigests: string[];
  /** The sending faults applied to this attempt. */
  faults: SendingFault[];
}

/**
 * Builds the UserMessage from the stored header (same MessageId, eb:Timestamp and ids on every attempt), signs it
 * with a fresh WS-Security Timestamp (the RSA signature on the thread pool: the event loop goes on with the other
 * messages in flight), encrypts the attachments when the P-Mode says so, and claims the message
 * (SEND_ENQUEUED → WAITING_FOR_RECEIPT, in the group commit of its turn, before anything is posted); undefined when
 * another pump claimed it first. The sending faults that are on (switched on, or asked for by the submission) make
 * the message bad on the wire.
 */
async function prepareAttempt(ctx: ApContext, row: MessageRow, pmode: PMode): Promise<PreparedAttempt | undefined> {
  const { deps, store } = ctx;
  const id = row.message_id;
  const stored = MessageStore.header(row);
  const attachments = store.payloads(id, 'out').map((p) => ({ contentId: p.cid, body: Buffer.from(p.content) }));
  const { defects, faults } = sendingDefects(ctx, row, stored, pmode, attachments.length);
  const out = await buildOutboundOffThread({
    um: stored,
    attachments,
    signing: deps.signing,
    created: deps.clock.now(),
    ttlSeconds: pmode.security.timestampTtlSeconds,
    encryptFor: pmode.security.encrypt ? (row.peer_encryption_cert as string) : undefined,
    defects,
  });
  const mime = buildMultipart(
    out.xml,
    out.attachments.map((a) => ({ ...a, contentType: 'application/octet-stream' })),
  );
  const tsUri = out.timestampId ? `#${out.timestampId}` : '';
  const stable = out.references.filter((r) => r.uri !== tsUri);
  const tsDigest = out.references.find((r) => r.uri === tsUri)?.digestValue;
  const tsDigests = [...(JSON.parse(row.ts_digests) as string[]), ...(tsDigest ? [tsDigest] : [])].slice(-100);
  const n = row.attempts + 1;
  // Recorded (with the attempt's digests the receipt must repeat) before the post, in the group commit of the
  // attempts prepared in the same turn.
  const claimed = await store.inGroupCommit(() =>
    store.transition(
      id,
      'out',
      ['SEND_ENQUEUED'],
      'WAITING_FOR_RECEIPT',
      {
        attempts: n,
        nr_references: JSON.stringify(stable),
        ts_digests: JSON.stringify(tsDigests),
      },
      `attempt ${n}${faults.length > 0 ? ` (faults ${faults.join(', ')})` : ''}`,
    ),
  );
  if (!claimed) return undefined;
  return { um: out.um, n, mime, references: out.references, stable, tsUri, tsDigests, faults };
}

/**
 * The sending faults in force for this message (switched on, or asked for by its submission) turned into defects.
 * A fault that cannot apply (no earlier message to replay, no attachment to tamper with, no other certificate to sign
 * with) is logged and left out; the others fire (logged, and on the send hop of the trace).
 */
function sendingDefects(
  ctx: ApContext,
  row: MessageRow,
  um: UserMessage,
  pmode: PMode,
  attachmentCount: number,
): { defects: OutboundDefects; faults: SendingFault[] } {
  const { deps } = ctx;
  const requested = JSON.parse(row.faults) as string[];
  const defects: OutboundDefects = {};
  const faults: SendingFault[] = [];
  for (const name of SENDING_FAULTS) {
    if (!deps.faults.isOn(name, requested)) continue;
    let applies: string | undefined;
    if (name === 'edelivery.replayed-message-id') {
      defects.messageId = ctx.store.lastAcknowledged(row.to_party, row.message_id);
      if (!defects.messageId) applies = `no earlier message acknowledged by ${row.to_party} to replay`;
    } else if (name === 'edelivery.unsigned-message') defects.unsigned = true;
    else if (name === 'edelivery.wrong-party') {
      defects.signer = deps.otherCredentials?.[0];
      if (!defects.signer) applies = 'the node has no other certificate to sign with';
    } else if (name === 'edelivery.tampered-attachment') {
      defects.tamperAttachment = attachmentCount > 0;
      if (attachmentCount === 0) applies = 'the message has no attachment';
    } else defects.action = pmode.actions.find((a) => a !== um.action) ?? `${um.action}Tampered`;
    if (applies) {
      deps.logger.warn('fault not applicable: message sent without it', {
        fault: name,
        messageId: row.message_id,
        reason: applies,
      });
      continue;
    }
    deps.faults.fire(name, requested, { messageId: row.message_id });
    faults.push(name);
  }
  return { defects, faults };
}

/** Posts the attempt to the receiving access point and verifies its answer (a receipt, an ebMS error, or neither). */
async function postAndVerify(
  ctx: ApContext,
  row: MessageRow,
  attempt: PreparedAttempt,
  span: TraceContext,
): Promise<{ outcome: ReceiptOutcome; httpStatus: number | undefined }> {
  const { deps } = ctx;
  let httpStatus: number | undefined;
  try {
    const res = await deps.fetch(row.endpoint as string, {
      method: 'POST',
      headers: {
        'content-type': attempt.mime.contentType,
        traceparent: formatTraceparent(span),
        'x-kakehashi-caller': `node:${deps.country}`,
      },
      body: new Uint8Array(attempt.mime.body),
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    httpStatus = res.status;
    const body = Buffer.from(await res.arrayBuffer());
    let outcome = verifyReceipt(res.headers.get('content-type') ?? '', body, {
      messageId: row.message_id,
      peerSigningCert: row.peer_signing_cert as string,
      stableReferences: attempt.stable,
      timestampUri: attempt.tsUri,
      timestampDigests: attempt.tsDigests,
      now: deps.clock.now(),
      skewSeconds: deps.skewSeconds ?? deps.config.get('clockSkewSeconds'),
      validateCertificate: deps.validateCertificate,
    });
    if (outcome.kind === 'invalid' && res.status >= 500)
      outcome = { kind: 'invalid', reason: `HTTP ${res.status}: ${outcome.reason}`, rule: outcome.rule };
    return { outcome, httpStatus };
  } catch (e) {
    return {
      outcome: {
        kind: 'invalid',
        reason: `No answer from ${row.endpoint}: ${e instanceof Error ? e.message.slice(0, 160) : 'error'}`,
        rule: 'EBMS:0005 ConnectionFailure',
      },
      httpStatus,
    };
  }
}

/**
 * Records the outcome of an attempt: ACKNOWLEDGED on a valid receipt; SEND_FAILURE on an ebMS error or when the
 * retries are spent (EBMS:0301 MissingReceipt / EBMS:0302 InvalidReceipt); WAITING_FOR_RETRY otherwise.
 */
function recordOutcome(
  ctx: ApContext,
  row: MessageRow,
  pmode: PMode,
  attempt: number,
  outcome: ReceiptOutcome,
  hop: { span: TraceContext; httpStatus: number | undefined },
): AttemptOutcome {
  const { deps, store } = ctx;
  const id = row.message_id;
  const { span, httpStatus } = hop;
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
