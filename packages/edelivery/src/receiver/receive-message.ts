import { createHash, randomUUID } from 'node:crypto';
import { gunzip, gunzipSync } from 'node:zlib';
import { currentFaultScope, isKakehashiError, parseXml, type TraceContext } from '@kakehashi/core';
import type { ApContext } from '../ap/context.ts';
import type { RECEIPT_FAULTS } from '../ap/faults.ts';
import { decodedHeader, recordHop } from '../ap/record-trace.ts';
import { EbmsError, isEbmsError } from '../errors/ebms-error.ts';
import { buildSignalEnvelope, buildSoapFault, type ReferenceInfo } from '../message/build-signal.ts';
import { envelopeIds } from '../message/envelope-ids.ts';
import { countryOfPartyId, EBMS } from '../message/ns.ts';
import { type ParsedEnvelope, parseEnvelope } from '../message/parse-envelope.ts';
import { propertyValue, type UserMessage } from '../message/z-user-message.ts';
import {
  contentIdOfCid,
  type MimePart,
  parseContentType,
  parseMultipart,
  SOAP_CONTENT_TYPE,
} from '../mime/multipart.ts';
import { matchPMode } from '../pmode/load-pmodes.ts';
import type { PMode } from '../pmode/z-pmode.ts';
import { sameCertificate } from '../wss/certificates.ts';
import { decryptAttachmentsOffThread } from '../wss/encrypt-attachments.ts';
import { verifyEnvelope } from '../wss/verify-envelope.ts';
import { buildReceipt, buildReceiptOffThread, type ReceiptInput } from './build-receipt.ts';

export interface As4Response {
  status: number;
  contentType: string;
  body: string;
}

const soap = (status: number, body: string): As4Response => ({
  status,
  contentType: `${SOAP_CONTENT_TYPE}; charset=UTF-8`,
  body,
});

/**
 * A dependency that is down (502 `upstream-unavailable`: the hub unreachable, the trust fabric not loaded yet) or
 * slow (504 `upstream-timeout`, what the typed hub client throws when the hub answers too late): not the message's
 * fault, so it is answered with a 503 SOAP Fault and the sender's reception awareness resends later.
 */
function isTransient(e: unknown): boolean {
  return isKakehashiError(e, 'upstream-unavailable') || isKakehashiError(e, 'upstream-timeout');
}

/** Thrown for requests that get a SOAP Fault rather than an ebMS signal. */
class SoapFault extends Error {
  readonly status: number;
  readonly code: 'Sender' | 'Receiver' | 'MustUnderstand' | 'VersionMismatch';
  readonly reason: string;
  readonly ebms: string | undefined;
  constructor(status: number, code: SoapFault['code'], reason: string, ebms?: string) {
    super(reason);
    this.status = status;
    this.code = code;
    this.reason = reason;
    this.ebms = ebms;
  }
}

/**
 * The receiving access point (corner 3): processes one pushed AS4 UserMessage and answers synchronously with a
 * signed Receipt, or with an ebMS Error signal (or a SOAP Fault when the request is not an ebMS message at all).
 *
 * Order of checks: MIME and SOAP structure → mustUnderstand → payload decryption → WS-Security signature with
 * reference binding → signer certificate in the trust fabric → P-Mode (service, action, parties) → signer is the
 * certificate the hub registers for the From party → encryption policy → decompression → final recipient served
 * here → duplicate elimination (a duplicate gets the original receipt) → store and receipt, in one transaction.
 * @see https://docs.oasis-open.org/ebxml-msg/ebms/v3.0/core/os/ebms_core-3.0-spec.html §6
 * @see https://docs.oasis-open.org/ebxml-msg/ebms/v3.0/profiles/AS4-profile/v1.0/os/AS4-profile-v1.0-os.html §3.2, §5.1
 */
export async function receiveMessage(
  ctx: ApContext,
  contentType: string,
  body: Buffer,
  trace: TraceContext | undefined,
  fetcher: typeof fetch,
): Promise<As4Response> {
  let um: UserMessage | undefined;
  const checks: string[] = [];
  try {
    const env = unpack(ctx, contentType, body);
    const result = await process(ctx, env.parsed, env.attachments, checks, fetcher, trace);
    um = result.um;
    return soap(200, result.receiptXml);
  } catch (e) {
    if (e instanceof SoapFault) {
      recordHop(ctx, trace, {
        operation: 'edelivery: SOAP fault',
        direction: 'internal',
        status: e.status,
        artefact: { type: 'soap:Fault', code: e.code, reason: e.reason },
        verdict: { valid: false, checks: [...checks, e.reason] },
      });
      return soap(e.status, buildSoapFault(e.code, e.reason, e.ebms));
    }
    if (!isEbmsError(e)) {
      // Not the message's fault (trust fabric not loaded yet after a restart, a slow hub, a bug): a SOAP Fault
      // `Receiver`, so the sender's reception awareness resends instead of giving the message up; only a bug is
      // logged as an error (500).
      const transient = isTransient(e);
      if (!transient)
        ctx.deps.logger.error('edelivery receive failed', { reason: e instanceof Error ? e.message : String(e) });
      const reason = transient
        ? `The receiving access point is not ready: ${(e as Error).message.slice(0, 200)} Retry later.`
        : 'The receiving access point failed to process the message; it logged the details. Retry later.';
      recordHop(ctx, trace, {
        operation: 'edelivery: SOAP fault',
        direction: 'internal',
        status: transient ? 503 : 500,
        artefact: { type: 'soap:Fault', code: 'Receiver', reason },
        verdict: { valid: false, checks: [...checks, reason] },
      });
      return soap(transient ? 503 : 500, buildSoapFault('Receiver', reason));
    }
    const err = e;
    err.refToMessageId ??= um?.messageId ?? (e as { messageId?: string }).messageId;
    recordHop(ctx, trace, {
      operation: `edelivery: rejected (${err.code} ${err.shortDescription})`,
      direction: 'internal',
      status: 200,
      artefact: {
        type: 'ebms:Error',
        errorCode: err.code,
        shortDescription: err.shortDescription,
        detail: err.detail,
        rule: err.rule,
        refToMessageId: err.refToMessageId,
      },
      verdict: { valid: false, checks: [...checks, `${err.code}: ${err.detail}`] },
    });
    return soap(200, errorSignal(ctx, err));
  }
}

function errorSignal(ctx: ApContext, err: EbmsError): string {
  const signalId = `${randomUUID()}@${ctx.partyId}`;
  return buildSignalEnvelope(
    {
      messageId: signalId,
      timestamp: ctx.deps.clock.now().toISOString(),
      refToMessageId: err.refToMessageId,
      errors: [err],
    },
    envelopeIds(signalId, 'signal'),
  );
}

function unpack(
  ctx: ApContext,
  contentType: string,
  body: Buffer,
): { parsed: ParsedEnvelope; attachments: MimePart[] } {
  const { mediaType, params } = parseContentType(contentType);
  let root: Buffer;
  let attachments: MimePart[] = [];
  if (mediaType === 'multipart/related') {
    if (params.type && params.type.toLowerCase() !== SOAP_CONTENT_TYPE)
      throw new SoapFault(
        415,
        'Sender',
        `multipart/related type must be "${SOAP_CONTENT_TYPE}" (SOAP 1.2); got "${params.type.slice(0, 60)}".`,
      );
    const mp = parseMultipart(contentType, body);
    root = mp.root.body;
    attachments = mp.attachments;
  } else if (mediaType === SOAP_CONTENT_TYPE) {
    root = body;
  } else {
    throw new SoapFault(
      415,
      'Sender',
      `POST /as4 takes multipart/related; type="${SOAP_CONTENT_TYPE}" (SOAP with Attachments) or ${SOAP_CONTENT_TYPE}; got "${contentType.slice(0, 60) || 'none'}".`,
    );
  }
  let doc: Document;
  try {
    // The fast path reads the plain subset signed envelopes use; anything else takes the full path (same limits,
    // same tree, same refusals).
    doc = parseXml(root, {
      maxBytes: ctx.deps.config.get('xmlMaxBytes'),
      maxDepth: ctx.deps.config.get('xmlMaxDepth'),
      fast: true,
    });
  } catch (e) {
    throw new SoapFault(
      400,
      'Sender',
      `The SOAP envelope is not acceptable XML: ${isKakehashiError(e) ? e.message : 'parse error'}`,
      'EBMS:0009',
    );
  }
  const root0 = doc.documentElement;
  if (root0?.localName === 'Envelope' && root0.namespaceURI === 'http://schemas.xmlsoap.org/soap/envelope/')
    throw new SoapFault(400, 'VersionMismatch', 'SOAP 1.1 is not supported: AS4 uses SOAP 1.2.');
  const parsed = parseEnvelope(doc);
  if (parsed.notUnderstood.length > 0)
    throw new SoapFault(
      500,
      'MustUnderstand',
      `Header block(s) marked mustUnderstand are not understood here: ${parsed.notUnderstood.join(', ').slice(0, 300)}.`,
    );
  return { parsed, attachments };
}

async function process(
  ctx: ApContext,
  env: ParsedEnvelope,
  parts: MimePart[],
  checks: string[],
  fetcher: typeof fetch,
  trace: TraceContext | undefined,
): Promise<{ um: UserMessage; receiptXml: string }> {
  const { deps } = ctx;
  const um = env.userMessage;
  if (!um) {
    if (env.signal?.pullRequest)
      throw new EbmsError(
        'EBMS:0006',
        'This access point offers no message partition channel for pulling (push only).',
        { refToMessageId: env.signal.messageId },
      );
    throw new EbmsError('EBMS:0002', 'Signals are answered synchronously; this endpoint takes pushed UserMessages.', {
      refToMessageId: env.signal?.messageId,
    });
  }
  const ref = { refToMessageId: um.messageId };
  const mu = env.messaging.getAttributeNS('http://www.w3.org/2003/05/soap-envelope', 'mustUnderstand');
  if (mu !== 'true' && mu !== '1')
    throw new EbmsError('EBMS:0009', 'eb:Messaging must carry env:mustUnderstand="true".', {
      ...ref,
      rule: 'ebMS 3.0 core §5.2.1',
    });
  checks.push('SOAP 1.2 envelope with one eb:Messaging');

  // Attachments and PartInfo must correspond one to one (E5: a swapped or extra attachment).
  const byCid = new Map(parts.map((p) => [p.contentId, p.body]));
  const partCids: string[] = [];
  for (const p of um.parts) {
    if (p.href === undefined)
      throw new EbmsError(
        'EBMS:0002',
        'Payloads in the SOAP Body are not supported here; send them as attachments (cid:).',
        ref,
      );
    const cid = contentIdOfCid(p.href);
    if (cid === undefined)
      throw new EbmsError(
        'EBMS:0002',
        `PartInfo href "${p.href.slice(0, 80)}" is not a cid: reference; payloads travel as attachments.`,
        ref,
      );
    if (!byCid.has(cid))
      throw new EbmsError('EBMS:0011', `PartInfo ${p.href.slice(0, 80)} names no attachment of the message.`, {
        ...ref,
        rule: 'ebMS 3.0 core §5.2.2.13 (E5)',
      });
    partCids.push(cid);
  }
  for (const cid of byCid.keys())
    if (!partCids.includes(cid))
      throw new EbmsError('EBMS:0007', `Attachment <${cid.slice(0, 80)}> is not described by any PartInfo.`, {
        ...ref,
        rule: 'ebMS 3.0 core §5.2.2.13 (E5)',
      });

  let decrypted: { attachments: Map<string, Buffer>; encrypted: Set<string> };
  try {
    decrypted = await decryptAttachmentsOffThread(env, byCid, deps.encryption);
  } catch (e) {
    if (isEbmsError(e)) e.refToMessageId = um.messageId;
    throw e;
  }
  if (decrypted.encrypted.size)
    checks.push(`decrypted ${decrypted.encrypted.size} attachment(s) (AES-128-GCM, RSA-OAEP)`);

  const skewSeconds = deps.skewSeconds ?? deps.config.get('clockSkewSeconds');
  const now = deps.clock.now();
  let sig: ReturnType<typeof verifyEnvelope>;
  try {
    sig = verifyEnvelope(env, {
      now,
      skewSeconds,
      requireExpires: true,
      attachments: decrypted.attachments,
      requiredCids: partCids,
    });
  } catch (e) {
    if (isEbmsError(e)) e.refToMessageId = um.messageId;
    throw e;
  }
  checks.push('signature verified; eb:Messaging, Body, Timestamp and every attachment are the signed ones');

  const verdict = deps.validateCertificate(sig.certPem, [], { at: now, usage: ['digitalSignature'] });
  if (!verdict.valid)
    throw new EbmsError(
      'EBMS:0101',
      `The signing certificate does not validate against the trust fabric: ${verdict.failure?.reason ?? 'invalid'}.`,
      { ...ref, rule: 'eDelivery AS4 §3.2.6' },
    );
  checks.push(`signer certificate valid (${verdict.country ?? '?'})`);

  const pmode = matchPMode(ctx.pmodes(), um);
  checks.push(`P-Mode ${pmode.id}`);
  if (um.to.partyId !== ctx.partyId)
    throw new EbmsError(
      'EBMS:0010',
      `The message is addressed to ${um.to.partyId.slice(0, 80)}, but this access point is ${ctx.partyId}.`,
      { ...ref, rule: 'ebMS 3.0 core §5.2.2.4' },
    );

  // E6: the signer must be the certificate the registry holds for the From party.
  const fromCountry = countryOfPartyId(um.from.partyId);
  const registered = fromCountry
    ? await deps.discovery.registeredCertificate(fromCountry, fetcher).catch((e: unknown) => {
        if (isTransient(e)) return null;
        throw e;
      })
    : undefined;
  if (registered === null)
    throw new SoapFault(
      503,
      'Receiver',
      'The registry (hub) is unreachable; the sender’s certificate cannot be checked now. Retry later.',
    );
  if (!registered)
    throw new EbmsError(
      'EBMS:0001',
      `The From party ${um.from.partyId.slice(0, 80)} is not a registered access point.`,
      { ...ref, rule: 'attack-catalogue E6' },
    );
  if (!sameCertificate(registered, sig.certPem))
    throw new EbmsError(
      'EBMS:0010',
      `The message is signed with a certificate that is not the one registered for ${um.from.partyId}.`,
      { ...ref, rule: 'attack-catalogue E6' },
    );
  checks.push(`signer is the registered certificate of ${um.from.partyId}`);

  if (pmode.security.encrypt)
    for (const cid of partCids)
      if (!decrypted.encrypted.has(cid))
        throw new EbmsError(
          'EBMS:0103',
          `P-Mode ${pmode.id} requires encrypted payloads; attachment <${cid.slice(0, 80)}> is in clear.`,
          { ...ref, rule: 'eDelivery AS4 §3.2.6.2 (E7)' },
        );

  const payloads = await decompress(um, partCids, decrypted.attachments, pmode);
  const originalSender = propertyValue(um.properties, EBMS.originalSender);
  const finalRecipient = propertyValue(um.properties, EBMS.finalRecipient);
  if (!originalSender || !finalRecipient)
    throw new EbmsError('EBMS:0009', 'The four-corner properties originalSender and finalRecipient are required.', {
      ...ref,
      rule: 'eDelivery AS4 §3.2.2',
    });
  const participant = deps.participants.find((p) => p.id === finalRecipient);
  if (!participant)
    throw new EbmsError(
      'EBMS:0001',
      `Final recipient ${finalRecipient.slice(0, 100)} is not served by this access point.`,
      { ...ref, rule: 'eDelivery four-corner model' },
    );
  if (!participant.services.includes(um.service.value))
    throw new EbmsError(
      'EBMS:0010',
      `Final recipient ${finalRecipient.slice(0, 100)} does not accept service ${um.service.value.slice(0, 100)}.`,
      ref,
    );
  checks.push(`final recipient ${finalRecipient}`);

  // One transaction: either the message is stored and this receipt is its receipt, or it is a duplicate and the
  // original receipt is answered (E3). Nothing is delivered twice, and a crash before the commit loses nothing the
  // sender does not resend. (The receipt is built only for a new message: a receipt fault fires on it alone.)
  // Group commit: the messages received in the same turn are stored in one transaction, each answered once it is
  // committed.
  // The receipt of a message not stored yet is signed before the transaction, its RSA signature on the thread pool;
  // the transaction decides: a message stored meanwhile (the same message twice at once) is a duplicate and gets
  // the original receipt, this one is dropped unsent.
  const signed = ctx.store.get(um.messageId, 'in')
    ? undefined
    : await buildReceiptOffThread(receiptInput(ctx, um, sig.references));
  const outcome = await ctx.store.inGroupCommit(() => {
    const existing = ctx.store.get(um.messageId, 'in');
    if (existing) {
      ctx.store.addDuplicate(um.messageId);
      return { duplicate: true, receipt: existing.receipt_xml as string };
    }
    const receiptXml = signed ?? buildReceipt(receiptInput(ctx, um, sig.references));
    const change = ctx.store.insert(
      {
        message_id: um.messageId,
        direction: 'in',
        status: 'RECEIVED',
        pmode_id: pmode.id,
        service: um.service.value,
        action: um.action,
        conversation_id: um.conversationId,
        original_sender: originalSender,
        final_recipient: finalRecipient,
        from_party: um.from.partyId,
        to_party: um.to.partyId,
        header_json: JSON.stringify(um),
        content_hash: createHash('sha256').update(JSON.stringify(sig.references)).digest('hex'),
        endpoint: null,
        peer_country: fromCountry ?? null,
        peer_signing_cert: sig.certPem,
        peer_encryption_cert: null,
        next_attempt_at: null,
        nr_references: JSON.stringify(sig.references),
        receipt_xml: receiptXml,
        trace_parent: null,
      },
      payloads,
    );
    return { duplicate: false, receipt: receiptXml, change };
  });
  if (outcome.change) ctx.store.onChange(outcome.change);
  const fired = [...(currentFaultScope()?.fired ?? [])];
  recordHop(ctx, trace, {
    operation: outcome.duplicate ? 'edelivery: duplicate eliminated, original receipt answered' : 'edelivery: received',
    direction: 'internal',
    status: 200,
    artefact: {
      ...decodedHeader(um),
      signedParts: sig.references,
      payloads: payloads.map((p) => ({ cid: p.cid, mimeType: p.mimeType, bytes: p.content.length })),
    },
    verdict: {
      valid: true,
      checks: [...checks, outcome.duplicate ? 'duplicate (E3): not delivered again' : 'stored (RECEIVED)'],
    },
    ...(fired.length > 0 ? { faults: fired } : {}),
  });
  return { um, receiptXml: outcome.receipt };
}

/** A compressed attachment up to this size is inflated on the event loop when it inflates to at most… */
export const INLINE_GUNZIP_INPUT_BYTES = 4096;
/** …this much (a bounded ~0.1 ms); anything larger is inflated on the thread pool. */
export const INLINE_GUNZIP_OUTPUT_BYTES = 256 * 1024;

/**
 * `raw` gunzipped, at most `maxBytes` out (rejects past it, or when it is not gzip). A small attachment is inflated
 * on the event loop — zlib's asynchronous path costs the event loop more than inflating a few kilobytes (a stream,
 * a handle, a thread-pool hop) — within {@link INLINE_GUNZIP_OUTPUT_BYTES}; past that, or when larger, on the
 * thread pool, as before.
 */
export function gunzipBounded(raw: Buffer, maxBytes: number): Promise<Buffer> {
  if (raw.length <= INLINE_GUNZIP_INPUT_BYTES) {
    try {
      return Promise.resolve(gunzipSync(raw, { maxOutputLength: Math.min(maxBytes, INLINE_GUNZIP_OUTPUT_BYTES) }));
    } catch (e) {
      const tooLarge = (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
      if (!tooLarge || maxBytes <= INLINE_GUNZIP_OUTPUT_BYTES) return Promise.reject(e);
    }
  }
  return new Promise<Buffer>((resolve, reject) =>
    gunzip(raw, { maxOutputLength: maxBytes }, (e, out) => (e ? reject(e) : resolve(out))),
  );
}

/**
 * The payloads, each gunzipped when its CompressionType says so ({@link gunzipBounded}: bounded by the P-Mode's
 * maxBytes as before), in order (the first bad one is the error, as before).
 */
async function decompress(um: UserMessage, cids: string[], attachments: Map<string, Buffer>, pmode: PMode) {
  const out: { cid: string; mimeType: string; compressed: boolean; content: Buffer }[] = [];
  for (const [i, p] of um.parts.entries()) {
    const cid = cids[i] as string;
    const raw = attachments.get(cid) as Buffer;
    const compression = propertyValue(p.properties, 'CompressionType');
    const mimeType = propertyValue(p.properties, 'MimeType') ?? 'application/octet-stream';
    let content = raw;
    if (compression) {
      if (compression !== 'application/gzip')
        throw new EbmsError(
          'EBMS:0303',
          `CompressionType ${compression.slice(0, 60)} is not supported (application/gzip only).`,
          { refToMessageId: um.messageId, rule: 'AS4 profile §3.1 (compression)' },
        );
      try {
        content = await gunzipBounded(raw, pmode.payload.maxBytes);
      } catch {
        throw new EbmsError(
          'EBMS:0303',
          `Attachment <${cid.slice(0, 80)}> does not decompress (or exceeds ${pmode.payload.maxBytes} bytes).`,
          { refToMessageId: um.messageId, rule: 'AS4 profile §3.1' },
        );
      }
    }
    if (content.length > pmode.payload.maxBytes)
      throw new EbmsError('EBMS:0004', `Attachment <${cid.slice(0, 80)}> exceeds ${pmode.payload.maxBytes} bytes.`, {
        refToMessageId: um.messageId,
      });
    out.push({ cid, mimeType, compressed: false, content });
  }
  return out;
}

/**
 * What the receipt for a new message is built from, with the receipt faults that are on (`edelivery.receipt-*`,
 * `edelivery.no-receipt`) applied: each fires (logged, and on this request's trace hop).
 */
function receiptInput(ctx: ApContext, um: UserMessage, references: ReferenceInfo[]): ReceiptInput {
  const { deps } = ctx;
  const on = (name: (typeof RECEIPT_FAULTS)[number]) => deps.faults.fire(name, undefined, { messageId: um.messageId });
  const other = deps.otherCredentials?.[0];
  return {
    partyId: ctx.partyId,
    refToMessageId: um.messageId,
    references,
    signing: deps.signing,
    now: deps.clock.now(),
    defects: {
      wrongDigest: on('edelivery.receipt-wrong-digest'),
      wrongRef: on('edelivery.receipt-wrong-ref'),
      noReceipt: on('edelivery.no-receipt'),
      unsigned: on('edelivery.receipt-unsigned'),
      signer: other && on('edelivery.receipt-wrong-signer') ? other : undefined,
    },
  };
}
