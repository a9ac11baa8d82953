import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseXml } from '@kakehashi/core';
import { describe, expect, it } from 'vitest';
import { isEbmsError } from '../../src/errors/ebms-error.ts';
import { accessPointPartyId, EBMS } from '../../src/message/ns.ts';
import { parseEnvelope } from '../../src/message/parse-envelope.ts';
import type { UserMessage } from '../../src/message/z-user-message.ts';
import { buildReceipt, type ReceiptDefects } from '../../src/receiver/build-receipt.ts';
import { buildOutbound, type OutboundDefects } from '../../src/sender/build-outbound.ts';
import { verifyReceipt } from '../../src/sender/verify-receipt.ts';
import { verifyEnvelope } from '../../src/wss/verify-envelope.ts';
import { AT, hasTool, material, run } from '../fixtures.ts';

/**
 * The sending faults' signature defects (E4, E5, E6, E7) checked by an independent XML-DSig implementation: xmlsec1
 * refuses the WS-Security signature of each message our sending access point builds with the fault, and verifies the
 * same message built without it. xmlsec1 cannot resolve `cid:` attachment references (its blind spot), so the
 * messages it checks carry no attachment; the tampered attachment is checked with openssl's digest instead. The
 * receiving side's receipt faults (E1, E2) are checked the same way against our sender's receipt verification.
 */
const dir = mkdtempSync(join(tmpdir(), 'kk-edelivery-faults-'));
const write = (name: string, data: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};

const header = (attachments: boolean): UserMessage => ({
  messageId: 'fault-conformance-1@kakehashi-ap-de.kakehashi',
  timestamp: AT.toISOString(),
  from: { partyId: accessPointPartyId('DE'), partyIdType: EBMS.unregisteredPartyType, role: EBMS.initiatorRole },
  to: { partyId: accessPointPartyId('JP'), partyIdType: EBMS.unregisteredPartyType, role: EBMS.responderRole },
  agreementRef: { value: 'urn:kakehashi:agreement:edelivery:v1', pmode: 'kakehashi-evidence' },
  service: { value: 'urn:kakehashi:service:evidence', type: 'urn:kakehashi:service-type' },
  action: 'ExecuteQueryRequest',
  conversationId: 'conv-faults',
  properties: [
    { name: 'originalSender', value: 'urn:kakehashi:participant:de:bzst', type: EBMS.participantType },
    { name: 'finalRecipient', value: 'urn:kakehashi:participant:jp:nta', type: EBMS.participantType },
  ],
  parts: attachments
    ? [{ href: 'cid:payload-1@faults', properties: [{ name: 'MimeType', value: 'application/xml' }] }]
    : [],
});

const build = (defects: OutboundDefects, attachments = false) => {
  const de = material().countries.DE!;
  return buildOutbound({
    um: header(attachments),
    attachments: attachments
      ? [{ contentId: 'payload-1@faults', body: Buffer.from('<notice>pay 10 EUR</notice>') }]
      : [],
    signing: de.signing,
    created: AT,
    ttlSeconds: 300,
    defects,
  });
};

/** Our receiver's signature check on the message: the ebMS code it refuses with, or 'ok'. */
const ours = (m: ReturnType<typeof build>) => {
  try {
    verifyEnvelope(parseEnvelope(parseXml(m.xml)), {
      now: AT,
      skewSeconds: 60,
      requireExpires: true,
      attachments: new Map(m.attachments.map((a) => [a.contentId, a.body])),
      requiredCids: m.attachments.map((a) => a.contentId),
    });
    return 'ok';
  } catch (e) {
    if (isEbmsError(e)) return e.code;
    throw e;
  }
};

const XMLSEC_ARGS = [
  '--verify',
  '--id-attr:id',
  'http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/:Messaging',
  '--id-attr:Id',
  'http://www.w3.org/2003/05/soap-envelope:Body',
  '--id-attr:Id',
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd:Timestamp',
  '--enabled-reference-uris',
  'same-doc',
];
/** xmlsec1 --verify with the key of `certPem` (the DE access point's registered certificate by default). */
const xmlsec1 = (name: string, xml: string, certPem = material().countries.DE!.signing.certPem) =>
  run('xmlsec1', [...XMLSEC_ARGS, '--pubkey-cert-pem', write(`${name}.pem`, certPem), write(`${name}.xml`, xml)]);

describe('sending faults refused by xmlsec1 (independent XML-DSig) and by our receiver', () => {
  const skip = !hasTool('xmlsec1');

  it.skipIf(skip)('the message without a fault verifies (the control)', () => {
    const m = build({});
    const r = xmlsec1('control', m.xml);
    expect(r.output).toMatch(/OK/);
    expect(r.status).toBe(0);
    expect(ours(m)).toBe('ok');
  });

  it.skipIf(skip)(
    'edelivery.tampered-header (E4): eb:Action changed after signing → xmlsec1 fails, ours EBMS:0101',
    () => {
      const m = build({ action: 'ExecuteQueryResponse' });
      expect(m.xml).toContain('<eb:Action>ExecuteQueryResponse</eb:Action>');
      const r = xmlsec1('tampered-header', m.xml);
      expect(r.status, r.output).not.toBe(0);
      expect(r.output).toMatch(/digest|verification failed|FAIL/i);
      expect(ours(m)).toBe('EBMS:0101');
    },
  );

  it.skipIf(skip)(
    'edelivery.unsigned-message (E7): no WS-Security header → xmlsec1 finds no signature, ours EBMS:0103',
    () => {
      const m = build({ unsigned: true });
      expect(m.xml).not.toContain('wsse:Security');
      const r = xmlsec1('unsigned', m.xml);
      expect(r.status, r.output).not.toBe(0);
      expect(r.output).toMatch(/signature|node/i);
      expect(ours(m)).toBe('EBMS:0103');
    },
  );

  it.skipIf(skip)(
    'edelivery.wrong-party (E6): signed by an agency key → xmlsec1 refuses it with the registered certificate, accepts it with the agency’s',
    () => {
      const de = material().countries.DE!;
      const agency = Object.values(de.agencies)[0]!;
      const m = build({ signer: agency });
      const registered = xmlsec1('wrong-party-registered', m.xml);
      expect(registered.status, registered.output).not.toBe(0);
      const other = xmlsec1('wrong-party-agency', m.xml, agency.certPem);
      expect(other.status, other.output).toBe(0);
      // Our signature check passes (the signature itself is sound); the receiver refuses the signer as not the From
      // party's registered certificate (EBMS:0010, tests/e2e/edelivery-faults.test.ts).
      expect(ours(m)).toBe('ok');
    },
  );

  it.skipIf(!hasTool('openssl'))(
    'edelivery.tampered-attachment (E5): the sent bytes’ SHA-256 (openssl) differs from the signed digest; ours EBMS:0101',
    () => {
      const clean = build({}, true);
      const bad = build({ tamperAttachment: true }, true);
      const digestOf = (name: string, body: Buffer) =>
        run('sh', ['-c', `openssl dgst -sha256 -binary "${write(name, body)}" | openssl base64 -A`]).stdout.trim();
      const signed = (m: typeof clean) => m.references.find((r) => r.uri === 'cid:payload-1@faults')?.digestValue;
      expect(digestOf('clean.bin', clean.attachments[0]!.body)).toBe(signed(clean));
      expect(signed(bad)).toBe(signed(clean)); // the signature covers the original bytes …
      expect(digestOf('tampered.bin', bad.attachments[0]!.body)).not.toBe(signed(bad)); // … not the ones sent
      expect(ours(clean)).toBe('ok');
      expect(ours(bad)).toBe('EBMS:0101');
    },
  );

  it('edelivery.replayed-message-id (E3) changes only the MessageId on the wire (no signature defect)', () => {
    const m = build({ messageId: 'an-earlier-message@kakehashi-ap-de.kakehashi' });
    expect(m.um.messageId).toBe('an-earlier-message@kakehashi-ap-de.kakehashi');
    expect(m.xml).toContain('<eb:MessageId>an-earlier-message@kakehashi-ap-de.kakehashi</eb:MessageId>');
    expect(ours(m)).toBe('ok');
  });
});

describe('receipt faults refused by xmlsec1 where it can, and by our sender', () => {
  const skip = !hasTool('xmlsec1');
  const jp = () => material().countries.JP!;
  const sentMessage = () => build({});
  const receipt = (defects: ReceiptDefects) => {
    const m = sentMessage();
    return {
      m,
      xml: buildReceipt({
        partyId: accessPointPartyId('JP'),
        refToMessageId: m.um.messageId,
        references: m.references,
        signing: jp().signing,
        now: AT,
        defects,
      }),
    };
  };
  /** Our sender's verdict on the receipt: 'receipt', or the rule it refuses it under. */
  const oursOn = (r: ReturnType<typeof receipt>) => {
    const tsUri = `#${r.m.timestampId}`;
    const outcome = verifyReceipt('application/soap+xml', Buffer.from(r.xml), {
      messageId: r.m.um.messageId,
      peerSigningCert: jp().signing.certPem,
      stableReferences: r.m.references.filter((x) => x.uri !== tsUri),
      timestampUri: tsUri,
      timestampDigests: r.m.references.filter((x) => x.uri === tsUri).map((x) => x.digestValue),
      now: AT,
      skewSeconds: 60,
      validateCertificate: () => ({ valid: true }),
    });
    return outcome.kind === 'invalid' ? outcome.rule : outcome.kind;
  };

  it.skipIf(skip)(
    'a correct receipt verifies in xmlsec1 with the JP access point’s certificate, and is accepted',
    () => {
      const r = receipt({});
      expect(xmlsec1('receipt-control', r.xml, jp().signing.certPem).status).toBe(0);
      expect(oursOn(r)).toBe('receipt');
    },
  );

  it.skipIf(skip)('edelivery.receipt-unsigned (E1): xmlsec1 finds no signature; ours refuses it', () => {
    const r = receipt({ unsigned: true });
    expect(xmlsec1('receipt-unsigned', r.xml, jp().signing.certPem).status).not.toBe(0);
    expect(oursOn(r)).toBe('AS4 profile §5.1.8 (E1)');
  });

  it.skipIf(skip)(
    'edelivery.receipt-wrong-signer (E1): xmlsec1 refuses it with the registered certificate; ours too',
    () => {
      const agency = Object.values(jp().agencies)[0]!;
      const r = receipt({ signer: agency });
      expect(xmlsec1('receipt-wrong-signer', r.xml, jp().signing.certPem).status).not.toBe(0);
      expect(xmlsec1('receipt-wrong-signer-agency', r.xml, agency.certPem).status).toBe(0);
      expect(oursOn(r)).toBe('attack-catalogue E1');
    },
  );

  it.skipIf(skip)(
    'edelivery.receipt-wrong-digest and -wrong-ref (E2) are validly signed (xmlsec1’s blind spot); ours refuses both',
    () => {
      for (const [defects, rule] of [
        [{ wrongDigest: true }, 'AS4 profile §5.1.8 (E2)'],
        [{ wrongRef: true }, 'ebMS 3.0 core §5.2.3.3 (E2)'],
        [{ noReceipt: true }, 'AS4 profile §3.4 (E1)'],
      ] as const) {
        const r = receipt(defects);
        expect(xmlsec1('receipt-semantic', r.xml, jp().signing.certPem).status).toBe(0);
        expect(oursOn(r)).toBe(rule);
      }
    },
  );
});
