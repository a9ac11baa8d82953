import type { KeyObject } from 'node:crypto';
import { serializeXml } from '@kakehashi/core';
import type { ReferenceInfo } from '../message/build-signal.ts';
import { buildUserMessageDocument } from '../message/build-user-message.ts';
import { envelopeIds } from '../message/envelope-ids.ts';
import type { UserMessage } from '../message/z-user-message.ts';
import { type Attachment, encryptAttachmentsInDocument } from '../wss/encrypt-attachments.ts';
import { type SignOptions, signEnvelopeDocument, signEnvelopeDocumentOffThread } from '../wss/sign-envelope.ts';

/**
 * Deliberate defects of an outgoing UserMessage (the sending faults, `../ap/faults.ts`): each makes the message bad
 * in one way a strict receiving access point must refuse. None is set in normal operation.
 * @see ../../../../../shared/design/attack-catalogue.md E3–E7
 */
export interface OutboundDefects {
  /** E7: no WS-Security header at all (neither signed nor encrypted). */
  unsigned?: boolean;
  /** E6: signed with this credential instead of the access point's registered one. */
  signer?: { certPem: string; privateKey: KeyObject } | undefined;
  /** E3: the MessageId on the wire (an earlier message's). */
  messageId?: string | undefined;
  /** E5: the first attachment is changed after signing (before encryption). */
  tamperAttachment?: boolean;
  /** E4: eb:Action on the wire, changed after signing. */
  action?: string | undefined;
}

export interface OutboundInput {
  um: UserMessage;
  /** The attachments as the signature covers them (compressed when the P-Mode compresses, not yet encrypted). */
  attachments: readonly Attachment[];
  signing: { certPem: string; privateKey: KeyObject };
  /** wsu:Created of the WS-Security Timestamp. */
  created: Date;
  ttlSeconds?: number | undefined;
  /** The receiving access point's encryption certificate, when the P-Mode encrypts payloads. */
  encryptFor?: string | undefined;
  defects?: OutboundDefects | undefined;
}

export interface OutboundMessage {
  /** The UserMessage header as it goes on the wire (defects included). */
  um: UserMessage;
  xml: string;
  /** The attachments as sent (encrypted when the P-Mode says so). */
  attachments: Attachment[];
  /** The signature's references (none when unsigned). */
  references: ReferenceInfo[];
  /** The wsu:Id of the WS-Security Timestamp (none when unsigned). */
  timestampId: string | undefined;
}

/**
 * Builds one UserMessage as the sending access point puts it on the wire: the ebMS envelope, signed (WS-Security:
 * eb:Messaging, Body, Timestamp, every attachment), then the attachments encrypted — with the requested defects
 * applied at the point a faulty or malicious sender would introduce them.
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/DIGITAL/eDelivery+AS4+-+1.15 §3.2.6
 */
export function buildOutbound(input: OutboundInput): OutboundMessage {
  const b = startOutbound(input);
  return 'message' in b ? b.message : finishOutbound(input, b, signEnvelopeDocument(b.doc, b.sign));
}

/**
 * {@link buildOutbound} with the RSA signature computed on the thread pool (`../wss/rsa-off-thread.ts`): the same
 * message; the event loop serves the other messages in flight meanwhile.
 */
export async function buildOutboundOffThread(input: OutboundInput): Promise<OutboundMessage> {
  const b = startOutbound(input);
  return 'message' in b ? b.message : finishOutbound(input, b, await signEnvelopeDocumentOffThread(b.doc, b.sign));
}

interface Started {
  um: UserMessage;
  doc: Document;
  ids: ReturnType<typeof envelopeIds>;
  sign: SignOptions;
}

/** The envelope as a DOM and what its signature needs (or, unsigned, the finished message). */
function startOutbound(input: OutboundInput): Started | { message: OutboundMessage } {
  const d = input.defects ?? {};
  const um = d.messageId !== undefined ? { ...input.um, messageId: d.messageId } : input.um;
  const ids = envelopeIds(um.messageId);
  // Built as a DOM, signed and encrypted in place, serialised once (never serialised only to be parsed again).
  const doc = buildUserMessageDocument(um, ids);
  if (d.unsigned)
    return {
      message: {
        um,
        xml: serializeXml(doc),
        attachments: [...input.attachments],
        references: [],
        timestampId: undefined,
      },
    };
  const signer = d.signer ?? input.signing;
  return {
    um,
    doc,
    ids,
    sign: {
      certPem: signer.certPem,
      privateKey: signer.privateKey,
      elementIds: [ids.messaging, ids.body],
      attachments: [...input.attachments],
      created: input.created,
      ttlSeconds: input.ttlSeconds,
      idPrefix: ids.prefix,
    },
  };
}

/** After the signature: the attachments encrypted (and the defects applied), the envelope serialised. */
function finishOutbound(
  input: OutboundInput,
  { um, doc, ids }: Started,
  signed: { references: ReferenceInfo[]; timestampId: string },
): OutboundMessage {
  const d = input.defects ?? {};
  let plain = [...input.attachments];
  const first = plain[0];
  if (d.tamperAttachment && first) plain = [{ ...first, body: tamper(first.body) }, ...plain.slice(1)];
  const encrypted = input.encryptFor ? encryptAttachmentsInDocument(doc, plain, input.encryptFor, ids.prefix) : plain;
  const enc = { xml: serializeXml(doc), attachments: encrypted };
  let xml = enc.xml;
  let wire = um;
  if (d.action !== undefined) {
    xml = replaceAction(xml, um.action, d.action);
    wire = { ...um, action: d.action };
  }
  return {
    um: wire,
    xml,
    attachments: enc.attachments,
    references: signed.references,
    timestampId: signed.timestampId,
  };
}

/** The bytes with the last one inverted (one byte appended to an empty attachment). */
function tamper(body: Buffer): Buffer {
  if (body.length === 0) return Buffer.from([0]);
  const out = Buffer.from(body);
  out[out.length - 1] = (out[out.length - 1] as number) ^ 0xff;
  return out;
}

const escapeText = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

function replaceAction(xml: string, from: string, to: string): string {
  const before = `<eb:Action>${escapeText(from)}</eb:Action>`;
  if (!xml.includes(before)) throw new Error('tampered-header: the envelope has no eb:Action to change');
  return xml.replace(before, `<eb:Action>${escapeText(to)}</eb:Action>`);
}
