import { type KeyObject, randomUUID } from 'node:crypto';
import { serializeXml } from '@kakehashi/core';
import { buildSignalDocument, type ReferenceInfo } from '../message/build-signal.ts';
import { envelopeIds } from '../message/envelope-ids.ts';
import { type SignOptions, signEnvelopeDocument, signEnvelopeDocumentOffThread } from '../wss/sign-envelope.ts';

/**
 * Deliberate defects of a receipt (the receiving side's faults, `../ap/faults.ts`): each makes it bad in one way a
 * strict sender must refuse (attack catalogue E1/E2). None is set in normal operation.
 */
export interface ReceiptDefects {
  /** E1 `edelivery.receipt-unsigned`: no WS-Security signature. */
  unsigned?: boolean;
  /** E1 `edelivery.receipt-wrong-signer`: signed with this credential instead of the access point's own. */
  signer?: { certPem: string; privateKey: KeyObject } | undefined;
  /** E2 `edelivery.receipt-wrong-digest`: the first non-repudiation digest is wrong. */
  wrongDigest?: boolean;
  /** E2 `edelivery.receipt-wrong-ref`: RefToMessageId names another message. */
  wrongRef?: boolean;
  /** E1 `edelivery.no-receipt`: a signal with neither a Receipt nor an Error. */
  noReceipt?: boolean;
}

export interface ReceiptInput {
  /** The receiving access point's party id (the signal's MessageId is `<uuid>@<partyId>`). */
  partyId: string;
  /** The MessageId of the received UserMessage. */
  refToMessageId: string;
  /** The references of the received message's signature: the non-repudiation information repeats them. */
  references: readonly ReferenceInfo[];
  signing: { certPem: string; privateKey: KeyObject };
  now: Date;
  defects?: ReceiptDefects | undefined;
}

/**
 * A signed Receipt whose non-repudiation information repeats every reference of the received signature — or, with
 * defects, a receipt bad in exactly those ways.
 * @see https://docs.oasis-open.org/ebxml-msg/ebms/v3.0/profiles/AS4-profile/v1.0/os/AS4-profile-v1.0-os.html §3.4, §5.1.8
 */
export function buildReceipt(input: ReceiptInput): string {
  const r = startReceipt(input);
  if (typeof r === 'string') return r;
  signEnvelopeDocument(r.doc, r.sign);
  return serializeXml(r.doc);
}

/**
 * {@link buildReceipt} with the RSA signature computed on the thread pool (`../wss/rsa-off-thread.ts`): the same
 * receipt; the event loop serves the other messages in flight meanwhile.
 */
export async function buildReceiptOffThread(input: ReceiptInput): Promise<string> {
  const r = startReceipt(input);
  if (typeof r === 'string') return r;
  await signEnvelopeDocumentOffThread(r.doc, r.sign);
  return serializeXml(r.doc);
}

/** The receipt as a DOM and what its signature needs (or, unsigned, the finished receipt). */
function startReceipt(input: ReceiptInput): string | { doc: Document; sign: SignOptions } {
  const d = input.defects ?? {};
  const signalId = `${randomUUID()}@${input.partyId}`;
  const refs = d.wrongDigest
    ? input.references.map((r, i) => (i === 0 ? { ...r, digestValue: Buffer.alloc(32, 7).toString('base64') } : r))
    : [...input.references];
  const ids = envelopeIds(signalId, 'signal');
  // Built as a DOM and signed in place: serialised once.
  const doc = buildSignalDocument(
    {
      messageId: signalId,
      timestamp: input.now.toISOString(),
      refToMessageId: d.wrongRef ? `${input.refToMessageId}.other` : input.refToMessageId,
      ...(d.noReceipt ? {} : { receipt: { references: refs } }),
    },
    ids,
  );
  if (d.unsigned) return serializeXml(doc);
  const signer = d.signer ?? input.signing;
  return {
    doc,
    sign: {
      certPem: signer.certPem,
      privateKey: signer.privateKey,
      elementIds: [ids.messaging, ids.body],
      attachments: [],
      created: input.now,
      idPrefix: ids.prefix,
    },
  };
}
