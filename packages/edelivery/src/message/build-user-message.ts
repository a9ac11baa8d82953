import { createXmlDocument, serializeXml } from '@kakehashi/core';
import { EBMS, NS } from './ns.ts';
import type { MessageProperty, Party, UserMessage } from './z-user-message.ts';

const XMLNS = 'http://www.w3.org/2000/xmlns/';

/**
 * An element being built (xmldom): `ele` appends a namespaced child and returns it, `att` sets an attribute (with
 * a namespace when given three arguments), `txt` appends text. The envelope is built as the DOM the signer works
 * on — nothing is serialised only to be parsed again.
 */
export class XMLBuilder {
  readonly node: Element;
  constructor(node: Element) {
    this.node = node;
  }
  ele(ns: string, qname: string): XMLBuilder {
    const doc = this.node.ownerDocument as Document;
    return new XMLBuilder(this.node.appendChild(doc.createElementNS(ns, qname)) as Element);
  }
  att(nameOrNs: string, valueOrQname: string, value?: string): XMLBuilder {
    if (value === undefined) this.node.setAttribute(nameOrNs, valueOrQname);
    else this.node.setAttributeNS(nameOrNs, valueOrQname, value);
    return this;
  }
  txt(text: string): XMLBuilder {
    this.node.appendChild((this.node.ownerDocument as Document).createTextNode(text));
    return this;
  }
}

/** The wsu:Id / id values of the signed parts of an envelope (NCNames, stable for a MessageId). */
export interface EnvelopeIds {
  messaging: string;
  body: string;
}

/** Starts a SOAP 1.2 envelope with every prefix the access point uses declared on the root. */
export function startEnvelope(): { doc: Document; header: XMLBuilder; envelope: XMLBuilder } {
  const doc = createXmlDocument({ declaration: true });
  const envelope = new XMLBuilder(doc.appendChild(doc.createElementNS(NS.soap, 'env:Envelope')) as Element)
    .att(XMLNS, 'xmlns:env', NS.soap)
    .att(XMLNS, 'xmlns:eb', NS.eb)
    .att(XMLNS, 'xmlns:wsse', NS.wsse)
    .att(XMLNS, 'xmlns:wsu', NS.wsu)
    .att(XMLNS, 'xmlns:ds', NS.ds)
    .att(XMLNS, 'xmlns:xenc', NS.xenc)
    .att(XMLNS, 'xmlns:xenc11', NS.xenc11);
  const header = envelope.ele(NS.soap, 'env:Header');
  return { doc, header, envelope };
}

function party(parent: XMLBuilder, p: Party): void {
  const id = parent.ele(NS.eb, 'eb:PartyId');
  if (p.partyIdType) id.att('type', p.partyIdType);
  id.txt(p.partyId);
  parent.ele(NS.eb, 'eb:Role').txt(p.role);
}

function property(parent: XMLBuilder, p: MessageProperty): void {
  const el = parent.ele(NS.eb, 'eb:Property').att('name', p.name);
  if (p.type) el.att('type', p.type);
  el.txt(p.value);
}

/**
 * Builds the (unsigned) SOAP 1.2 envelope of a UserMessage: `eb:Messaging` (mustUnderstand, with an `id` for the
 * signature reference) and an empty Body with a `wsu:Id` — payloads travel as MIME attachments.
 * @see https://docs.oasis-open.org/ebxml-msg/ebms/v3.0/core/os/ebms_core-3.0-spec.html §5.2.2
 * @see https://docs.oasis-open.org/ebxml-msg/ebms/v3.0/profiles/AS4-profile/v1.0/os/AS4-profile-v1.0-os.html §5.1
 */
export function buildUserMessageEnvelope(um: UserMessage, ids: EnvelopeIds): string {
  return serializeXml(buildUserMessageDocument(um, ids));
}

/** {@link buildUserMessageEnvelope} as the DOM the sender signs and encrypts in place. */
export function buildUserMessageDocument(um: UserMessage, ids: EnvelopeIds): Document {
  const { doc, header, envelope } = startEnvelope();
  const messaging = header
    .ele(NS.eb, 'eb:Messaging')
    .att(NS.soap, 'env:mustUnderstand', 'true')
    .att('id', ids.messaging);
  const u = messaging.ele(NS.eb, 'eb:UserMessage');
  if (um.mpc && um.mpc !== EBMS.defaultMpc) u.att('mpc', um.mpc);
  const info = u.ele(NS.eb, 'eb:MessageInfo');
  info.ele(NS.eb, 'eb:Timestamp').txt(um.timestamp);
  info.ele(NS.eb, 'eb:MessageId').txt(um.messageId);
  if (um.refToMessageId) info.ele(NS.eb, 'eb:RefToMessageId').txt(um.refToMessageId);
  const partyInfo = u.ele(NS.eb, 'eb:PartyInfo');
  party(partyInfo.ele(NS.eb, 'eb:From'), um.from);
  party(partyInfo.ele(NS.eb, 'eb:To'), um.to);
  const collab = u.ele(NS.eb, 'eb:CollaborationInfo');
  if (um.agreementRef) {
    const a = collab.ele(NS.eb, 'eb:AgreementRef');
    if (um.agreementRef.type) a.att('type', um.agreementRef.type);
    if (um.agreementRef.pmode) a.att('pmode', um.agreementRef.pmode);
    a.txt(um.agreementRef.value);
  }
  const svc = collab.ele(NS.eb, 'eb:Service');
  if (um.service.type) svc.att('type', um.service.type);
  svc.txt(um.service.value);
  collab.ele(NS.eb, 'eb:Action').txt(um.action);
  collab.ele(NS.eb, 'eb:ConversationId').txt(um.conversationId);
  if (um.properties.length > 0) {
    const props = u.ele(NS.eb, 'eb:MessageProperties');
    for (const p of um.properties) property(props, p);
  }
  if (um.parts.length > 0) {
    const payloadInfo = u.ele(NS.eb, 'eb:PayloadInfo');
    for (const part of um.parts) {
      const pi = payloadInfo.ele(NS.eb, 'eb:PartInfo');
      if (part.href) pi.att('href', part.href);
      if (part.properties.length > 0) {
        const pp = pi.ele(NS.eb, 'eb:PartProperties');
        for (const p of part.properties) property(pp, p);
      }
    }
  }
  envelope.ele(NS.soap, 'env:Body').att(NS.wsu, 'wsu:Id', ids.body);
  return doc;
}
