import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseXml } from '@kakehashi/core';
import { describe, expect, it } from 'vitest';
import { EbmsError } from '../../src/errors/ebms-error.ts';
import { buildSignalEnvelope, buildSoapFault } from '../../src/message/build-signal.ts';
import { buildUserMessageEnvelope } from '../../src/message/build-user-message.ts';
import { envelopeIds } from '../../src/message/envelope-ids.ts';
import { accessPointPartyId, EBMS } from '../../src/message/ns.ts';
import { parseEnvelope } from '../../src/message/parse-envelope.ts';
import type { UserMessage } from '../../src/message/z-user-message.ts';
import { buildMultipart, parseMultipart } from '../../src/mime/multipart.ts';
import { encryptAttachments } from '../../src/wss/encrypt-attachments.ts';
import { signEnvelope } from '../../src/wss/sign-envelope.ts';
import { verifyEnvelope } from '../../src/wss/verify-envelope.ts';
import { AT, hasTool, material, run, SCHEMAS } from '../fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'kk-edelivery-'));
const xmllintEnv = { XML_CATALOG_FILES: join(SCHEMAS, 'catalog.xml') };
const write = (name: string, data: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};
const validates = (file: string) =>
  run('xmllint', ['--noout', '--nonet', '--schema', join(SCHEMAS, 'ebms-as4.xsd'), file], xmllintEnv);

const um = (parts = true): UserMessage => ({
  messageId: 'conformance-1@kakehashi-ap-de.kakehashi',
  timestamp: AT.toISOString(),
  from: { partyId: accessPointPartyId('DE'), partyIdType: EBMS.unregisteredPartyType, role: EBMS.initiatorRole },
  to: { partyId: accessPointPartyId('JP'), partyIdType: EBMS.unregisteredPartyType, role: EBMS.responderRole },
  agreementRef: { value: 'urn:kakehashi:agreement:edelivery:v1', pmode: 'kakehashi-evidence' },
  service: { value: 'urn:kakehashi:service:evidence', type: 'urn:kakehashi:service-type' },
  action: 'ExecuteQueryRequest',
  conversationId: 'conv-1',
  properties: [
    { name: 'originalSender', value: 'urn:kakehashi:participant:de:bzst', type: EBMS.participantType },
    { name: 'finalRecipient', value: 'urn:kakehashi:participant:jp:nta', type: EBMS.participantType },
  ],
  parts: parts
    ? [
        {
          href: 'cid:payload-1@conformance',
          properties: [
            { name: 'MimeType', value: 'application/xml' },
            { name: 'CompressionType', value: 'application/gzip' },
          ],
        },
      ]
    : [],
});

function signed(parts = true, encrypt = true) {
  const m = material();
  const de = m.countries.DE!;
  const jp = m.countries.JP!;
  const u = um(parts);
  const ids = envelopeIds(u.messageId);
  const attachments = parts
    ? [{ contentId: 'payload-1@conformance', body: Buffer.from('\x1f\x8b binary attachment content \x00\xff') }]
    : [];
  const s = signEnvelope(buildUserMessageEnvelope(u, ids), {
    certPem: de.signing.certPem,
    privateKey: de.signing.privateKey,
    elementIds: [ids.messaging, ids.body],
    attachments,
    created: AT,
    ttlSeconds: 300,
    idPrefix: ids.prefix,
  });
  const enc = encrypt
    ? encryptAttachments(s.xml, attachments, jp.encryption.certPem, ids.prefix)
    : { xml: s.xml, attachments };
  return { ...s, xml: enc.xml, sent: enc.attachments, plain: attachments, ids, de, jp };
}

describe('our messages against the OASIS schemas (xmllint)', () => {
  it.skipIf(!hasTool('xmllint'))(
    'a signed, encrypted UserMessage, a Receipt, an Error signal and a SOAP Fault validate against ebms-as4.xsd',
    () => {
      const msg = signed();
      const r1 = validates(write('user-message.xml', msg.xml));
      expect(r1.output).toContain('validates');
      expect(r1.status).toBe(0);
      const receiptIds = envelopeIds('receipt-1@kakehashi-ap-jp', 'signal');
      const receipt = signEnvelope(
        buildSignalEnvelope(
          {
            messageId: 'receipt-1@kakehashi-ap-jp',
            timestamp: AT.toISOString(),
            refToMessageId: um().messageId,
            receipt: { references: msg.references },
          },
          receiptIds,
        ),
        {
          certPem: msg.jp.signing.certPem,
          privateKey: msg.jp.signing.privateKey,
          elementIds: [receiptIds.messaging, receiptIds.body],
          attachments: [],
          created: AT,
          idPrefix: receiptIds.prefix,
        },
      );
      const r2 = validates(write('receipt.xml', receipt.xml));
      expect(r2.output).toContain('validates');
      const errIds = envelopeIds('error-1', 'signal');
      const error = buildSignalEnvelope(
        {
          messageId: 'error-1@kakehashi-ap-jp',
          timestamp: AT.toISOString(),
          refToMessageId: um().messageId,
          errors: [new EbmsError('EBMS:0101', 'The digest of #x does not match.', { rule: 'XML-DSig §3.2.1' })],
        },
        errIds,
      );
      expect(validates(write('error.xml', error)).output).toContain('validates');
      expect(validates(write('fault.xml', buildSoapFault('Sender', 'bad'))).output).toContain('validates');
      // The validator is not a rubber stamp: a UserMessage without its Action does not validate.
      const broken = msg.xml.replace(/<eb:Action>[^<]*<\/eb:Action>/, '');
      const r3 = validates(write('broken.xml', broken));
      expect(r3.status).not.toBe(0);
    },
  );
});

describe('our WS-Security signature checked by xmlsec1', () => {
  it.skipIf(!hasTool('xmlsec1') || !hasTool('openssl'))(
    'xmlsec1 verifies the signature over eb:Messaging, Body and Timestamp; openssl verifies the signer chain',
    () => {
      const msg = signed(false, false); // no attachments: xmlsec1 cannot resolve cid: references
      const file = write('signed-no-attachments.xml', msg.xml);
      const cert = write('de-signing.pem', msg.de.signing.certPem);
      const args = [
        '--verify',
        '--pubkey-cert-pem',
        cert,
        '--id-attr:id',
        'http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/:Messaging',
        '--id-attr:Id',
        'http://www.w3.org/2003/05/soap-envelope:Body',
        '--id-attr:Id',
        'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd:Timestamp',
        '--enabled-reference-uris',
        'same-doc',
      ];
      const ok = run('xmlsec1', [...args, file]);
      expect(ok.output).toMatch(/OK/);
      expect(ok.status).toBe(0);
      expect(msg.references.map((r) => r.uri)).toEqual([
        `#${msg.ids.messaging}`,
        `#${msg.ids.body}`,
        `#${msg.ids.prefix}-ts`,
      ]);
      // Tampering with the Action makes xmlsec1 fail too.
      const bad = write('tampered.xml', msg.xml.replace('ExecuteQueryRequest', 'ExecuteQueryResponse'));
      expect(run('xmlsec1', [...args, bad]).status).not.toBe(0);
      const chain = write('de-chain.pem', msg.de.issuingCa.certPem);
      const root = write('de-root.pem', msg.de.rootCa.certPem);
      const v = run('openssl', [
        'verify',
        '-x509_strict',
        '-CAfile',
        root,
        '-untrusted',
        chain,
        '-attime',
        String(Math.floor(AT.getTime() / 1000)),
        cert,
      ]);
      expect(v.output).toContain(': OK');
    },
  );

  it.skipIf(!hasTool('openssl'))(
    'attachment digests in the signature equal openssl dgst -sha256 of the attachment bytes',
    () => {
      const msg = signed(true, false);
      const ref = msg.references.find((r) => r.uri === 'cid:payload-1@conformance');
      const file = write('attachment.bin', msg.plain[0]!.body);
      const out = run('sh', ['-c', `openssl dgst -sha256 -binary "${file}" | openssl base64 -A`]);
      expect(out.stdout.trim()).toBe(ref?.digestValue);
    },
  );
});

describe('signed + encrypted round trip through MIME', () => {
  it('decrypts and verifies; every reference bound to the processed part', async () => {
    const { decryptAttachments } = await import('../../src/wss/encrypt-attachments.ts');
    const msg = signed();
    expect(msg.sent[0]!.body.equals(msg.plain[0]!.body)).toBe(false); // encrypted on the wire
    const mime = buildMultipart(
      msg.xml,
      msg.sent.map((a) => ({ ...a, contentType: 'application/octet-stream' })),
    );
    expect(mime.contentType).toMatch(
      /^multipart\/related; boundary="[^"]+"; type="application\/soap\+xml"; start="<[^>]+>"$/,
    );
    const parsed = parseMultipart(mime.contentType, mime.body);
    const env = parseEnvelope(parseXml(parsed.root.body));
    const dec = decryptAttachments(
      env,
      new Map(parsed.attachments.map((a) => [a.contentId, a.body])),
      msg.jp.encryption,
    );
    expect(dec.attachments.get('payload-1@conformance')?.equals(msg.plain[0]!.body)).toBe(true);
    expect([...dec.encrypted]).toEqual(['payload-1@conformance']);
    const v = verifyEnvelope(env, {
      now: AT,
      skewSeconds: 60,
      requireExpires: true,
      attachments: dec.attachments,
      requiredCids: ['payload-1@conformance'],
    });
    expect(v.certPem).toContain('BEGIN CERTIFICATE');
    expect(v.references).toEqual(msg.references);
    // The wrong key cannot decrypt (EBMS:0102).
    expect(() =>
      decryptAttachments(env, new Map(parsed.attachments.map((a) => [a.contentId, a.body])), msg.de.encryption),
    ).toThrow(/EBMS:0102/);
  });

  it('MIME: base64 parts are decoded; broken or inconsistent multipart is EBMS:0007', () => {
    const body = Buffer.from(
      '--b1\r\nContent-Type: application/soap+xml\r\nContent-ID: <root>\r\n\r\n<a/>\r\n--b1\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\nContent-ID: <p1>\r\n\r\naGVsbG8=\r\n--b1--\r\n',
    );
    const ok = parseMultipart('multipart/related; boundary=b1; type="application/soap+xml"; start="<root>"', body);
    expect(ok.attachments[0]?.body.toString()).toBe('hello');
    expect(() => parseMultipart('multipart/related; type="application/soap+xml"', body)).toThrow(/EBMS:0007/);
    expect(() =>
      parseMultipart('multipart/related; boundary=b1', Buffer.from('--b1\r\nContent-ID: <x>\r\n\r\nunterminated')),
    ).toThrow(/EBMS:0007/);
    const dup = body.toString().replace('<p1>', '<root>');
    expect(() => parseMultipart('multipart/related; boundary=b1; start="<root>"', Buffer.from(dup))).toThrow(
      /Content-ID/,
    );
  });
});

describe("phase4's sample messages", () => {
  const sample = (n: string) => readFileSync(join(SCHEMAS, 'ebms', n), 'utf8');
  it('reads the UserMessage sample', () => {
    const env = parseEnvelope(parseXml(sample('sample-UserMessage12.xml')));
    expect(env.userMessage).toMatchObject({
      messageId: '2011-921@5209999001264.example.com',
      timestamp: '2011-04-03T14:49:28.886Z',
      from: {
        partyId: '5209999001264',
        partyIdType: 'urn:oasis:names:tc:ebcore:partyid-type:iso6523:0088',
        role: 'Seller',
      },
      to: { partyId: '5209999001295', role: 'Buyer' },
      service: { value: 'http://docs.oasis-open.org/ebxml-msg/as4/200902/service' },
      action: 'http://docs.oasis-open.org/ebxml-msg/as4/200902/action',
      conversationId: '2011-921',
      parts: [{ href: '#_f8aa8b55-b31c-4364-94d0-3615ca65aa40', properties: [] }],
    });
    expect(env.securities).toHaveLength(1);
    expect(env.notUnderstood).toEqual([]);
  });

  it('reads the PullRequest sample (and sees its mis-typed wsse namespace as headers it does not understand)', () => {
    const env = parseEnvelope(parseXml(sample('sample-PullRequest12.xml')));
    expect(env.signal).toMatchObject({
      messageId: 'msg123@smallco.example.com',
      pullRequest: { mpc: 'http://as4.bigco.example.com/queues/q_456' },
    });
    // The sample's wsse namespace URI is broken across a line ("…secext- 1.0.xsd"): not WS-Security.
    expect(env.securities).toHaveLength(0);
    expect(env.notUnderstood).toContain(
      '{http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext- 1.0.xsd}Security',
    );
  });

  it.skipIf(!hasTool('xmllint'))(
    'refuses the compressed-payload sample, which is not well-formed XML (xmllint agrees)',
    () => {
      const text = sample('sample-UserMessageWithCompressedPayload12.xml');
      expect(() => parseXml(text)).toThrow(/not well-formed/);
      expect(
        run('xmllint', ['--noout', join(SCHEMAS, 'ebms', 'sample-UserMessageWithCompressedPayload12.xml')]).status,
      ).not.toBe(0);
    },
  );
});
