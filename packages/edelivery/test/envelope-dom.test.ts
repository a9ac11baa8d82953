import { parseXml, serializeXml } from '@kakehashi/core';
import { describe, expect, it } from 'vitest';
import { create } from 'xmlbuilder2';
import { buildSignalDocument, buildSignalEnvelope, buildSoapFault } from '../src/message/build-signal.ts';
import { buildUserMessageDocument, buildUserMessageEnvelope } from '../src/message/build-user-message.ts';
import { NS } from '../src/message/ns.ts';
import type { UserMessage } from '../src/message/z-user-message.ts';

/**
 * The envelopes are built as the xmldom DOM the signer works on (no string parsed again). Differential test: the
 * bytes on the wire are the ones xmlbuilder2 wrote before (the reference builder below is that code), escapes and
 * optional parts included, and the DOM is the one parsing those bytes gives.
 */
const XMLNS = 'http://www.w3.org/2000/xmlns/';
type B = ReturnType<typeof create>;
function referenceStart(): { doc: B; header: B; envelope: B } {
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const envelope = doc
    .ele(NS.soap, 'env:Envelope')
    .att(XMLNS, 'xmlns:eb', NS.eb)
    .att(XMLNS, 'xmlns:wsse', NS.wsse)
    .att(XMLNS, 'xmlns:wsu', NS.wsu)
    .att(XMLNS, 'xmlns:ds', NS.ds)
    .att(XMLNS, 'xmlns:xenc', NS.xenc)
    .att(XMLNS, 'xmlns:xenc11', NS.xenc11);
  return { doc, header: envelope.ele(NS.soap, 'env:Header'), envelope };
}
function referenceUserMessage(um: UserMessage, ids: { messaging: string; body: string }): string {
  const { doc, header, envelope } = referenceStart();
  const u = header
    .ele(NS.eb, 'eb:Messaging')
    .att(NS.soap, 'env:mustUnderstand', 'true')
    .att('id', ids.messaging)
    .ele(NS.eb, 'eb:UserMessage');
  if (um.mpc) u.att('mpc', um.mpc);
  const info = u.ele(NS.eb, 'eb:MessageInfo');
  info.ele(NS.eb, 'eb:Timestamp').txt(um.timestamp);
  info.ele(NS.eb, 'eb:MessageId').txt(um.messageId);
  if (um.refToMessageId) info.ele(NS.eb, 'eb:RefToMessageId').txt(um.refToMessageId);
  const pi = u.ele(NS.eb, 'eb:PartyInfo');
  for (const [el, p] of [
    ['eb:From', um.from],
    ['eb:To', um.to],
  ] as const) {
    const side = pi.ele(NS.eb, el);
    const id = side.ele(NS.eb, 'eb:PartyId');
    if (p.partyIdType) id.att('type', p.partyIdType);
    id.txt(p.partyId);
    side.ele(NS.eb, 'eb:Role').txt(p.role);
  }
  const collab = u.ele(NS.eb, 'eb:CollaborationInfo');
  const svc = collab.ele(NS.eb, 'eb:Service');
  if (um.service.type) svc.att('type', um.service.type);
  svc.txt(um.service.value);
  collab.ele(NS.eb, 'eb:Action').txt(um.action);
  collab.ele(NS.eb, 'eb:ConversationId').txt(um.conversationId);
  const props = u.ele(NS.eb, 'eb:MessageProperties');
  for (const p of um.properties) {
    const e = props.ele(NS.eb, 'eb:Property').att('name', p.name);
    if (p.type) e.att('type', p.type);
    e.txt(p.value);
  }
  const payloads = u.ele(NS.eb, 'eb:PayloadInfo');
  for (const part of um.parts) {
    const e = payloads.ele(NS.eb, 'eb:PartInfo');
    if (part.href) e.att('href', part.href);
    const pp = e.ele(NS.eb, 'eb:PartProperties');
    for (const p of part.properties) pp.ele(NS.eb, 'eb:Property').att('name', p.name).txt(p.value);
  }
  envelope.ele(NS.soap, 'env:Body').att(NS.wsu, 'wsu:Id', ids.body);
  return doc.end({ headless: false, prettyPrint: false });
}

const ids = { messaging: '_msg-1', body: '_body-1' };
const um: UserMessage = {
  messageId: 'm1@de.kakehashi',
  timestamp: '2026-06-01T00:00:00.000Z',
  refToMessageId: `r&<>"'`,
  mpc: 'urn:kakehashi:mpc:other',
  from: {
    partyId: 'urn:kakehashi:ap:DE',
    partyIdType: 'urn:oasis:names:tc:ebcore:partyid-type:unregistered',
    role: 'i',
  },
  to: { partyId: 'urn:kakehashi:ap:JP', role: 'r' },
  service: { value: 'urn:kakehashi:service:evidence', type: 'urn:t' },
  action: 'ExecuteQueryRequest',
  conversationId: 'c1',
  properties: [
    { name: 'originalSender', value: 'a<&>"\'b', type: 't"<&' },
    { name: 'finalRecipient', value: '日本 \t tab' },
  ],
  parts: [{ href: 'cid:payload-1@x', properties: [{ name: 'MimeType', value: 'application/xml' }] }],
};

describe('AS4 envelopes built as a DOM', () => {
  it('a UserMessage: the bytes xmlbuilder2 wrote, and the DOM parsing them gives', () => {
    const xml = buildUserMessageEnvelope(um, ids);
    expect(xml).toBe(referenceUserMessage(um, ids));
    const built = serializeXml(buildUserMessageDocument(um, ids));
    expect(serializeXml(parseXml(xml, { fast: true }))).toBe(built);
  });

  it('a Receipt with non-repudiation information, an Error signal and a SOAP Fault: the same bytes as before', () => {
    const receipt = {
      messageId: 's1@jp.kakehashi',
      timestamp: '2026-06-01T00:00:01.000Z',
      refToMessageId: 'm1@de.kakehashi',
      receipt: {
        references: [
          { uri: '#_msg-1', transforms: [NS.ds], digestMethod: 'sha256', digestValue: 'AAA=' },
          { uri: 'cid:payload-1@x', transforms: [], digestMethod: 'sha256', digestValue: 'BBB=' },
        ],
      },
    };
    const xml = buildSignalEnvelope(receipt, ids);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env=')).toBe(true);
    expect(xml).toContain(
      '<ds:Reference URI="#_msg-1"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#"/></ds:Transforms>',
    );
    expect(serializeXml(parseXml(xml, { fast: true }))).toBe(serializeXml(buildSignalDocument(receipt, ids)));
    const fault = buildSoapFault('Sender', 'bad <thing> & "x"', 'EBMS:0004');
    expect(fault).toContain(
      '<env:Text xml:lang="en">bad &lt;thing&gt; &amp; "x"</env:Text></env:Reason><env:Detail><eb:ErrorCode>EBMS:0004</eb:ErrorCode>',
    );
  });
});
