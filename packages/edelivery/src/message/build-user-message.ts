import { create } from 'xmlbuilder2';
import { EBMS, NS } from './ns.ts';
import type { MessageProperty, Party, UserMessage } from './z-user-message.ts';

const XMLNS = 'http://www.w3.org/2000/xmlns/';

export type XMLBuilder = ReturnType<typeof create>;

/** The wsu:Id / id values of the signed parts of an envelope (NCNames, stable for a MessageId). */
export interface EnvelopeIds {
  messaging: string;
  body: string;
}

/** Starts a SOAP 1.2 envelope with every prefix the access point uses declared on the root. */
export function startEnvelope(): { doc: XMLBuilder; header: XMLBuilder; envelope: XMLBuilder } {
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const envelope = doc
    .ele(NS.soap, 'env:Envelope')
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
  return doc.end({ headless: false, prettyPrint: false });
}
