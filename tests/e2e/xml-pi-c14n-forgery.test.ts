import { describe, expect, it } from 'vitest';
import { parseXml } from '../../packages/core/src/xml/index.ts';
import { buildUserMessageEnvelope } from '../../packages/edelivery/src/message/build-user-message.ts';
import { parseEnvelope } from '../../packages/edelivery/src/message/parse-envelope.ts';
import type { UserMessage } from '../../packages/edelivery/src/message/z-user-message.ts';
import { signEnvelope } from '../../packages/edelivery/src/wss/sign-envelope.ts';
import { verifyEnvelope } from '../../packages/edelivery/src/wss/verify-envelope.ts';
import { signDocument } from '../../packages/esig/src/sign/sign-document.ts';
import { validateSignature } from '../../packages/esig/src/validate/validate-signature.ts';
import { cred, frozenClock, material, T0, trustView, tsaFor } from '../../packages/esig/test/fixtures.ts';
import {
  buildEvidenceDocument,
  readSignedEvidence,
} from '../../packages/evidence/src/evidence-doc/evidence-document.ts';

/**
 * A forgery through a canonicalization quirk: xml-crypto (and core's exclusiveC14n, which mirrors it byte for byte)
 * renders a processing instruction as its data alone, as if it were text — `<?x 00000?>` canonicalizes to `00000`
 * (W3C c14n renders `<?x 00000?>`, https://www.w3.org/TR/xml-c14n#ProcessingModel). So moving part of a signed
 * text into a PI leaves the digest unchanged, while every reader of the DOM (textContent, the XPath string-value)
 * skips PIs: the relying party reads the signed text with arbitrary characters deleted. On a signed evidence
 * document: an income of 5400000 reads 54, the person AT/JP/123456789 reads AT/JP/13456789, and the XAdES
 * validation still answers TOTAL-PASSED. On an AS4 message: the WS-Security signature still verifies while the
 * eb:MessageId reads m1345@… instead of m12345@… (a replay that duplicate elimination takes for a new message; the
 * same works on PartyId, Service, Action, ConversationId and the message properties).
 * Not affected: SAML (S9 refuses a comment or PI inside every consumed value) and trusted lists (read from the
 * bytes xml-crypto canonicalized, in which the PI's data is text).
 *
 * Fixed: core's exclusiveC14n renders a PI `<?target data?>` (C14N), and esig refuses a PI inside content it
 * canonicalizes with xml-crypto's inclusive c14n. The control cases (the untouched document passes; the same
 * deletion done as plain text is a HASH_FAILURE) always hold; a PI added outside the root is refused too (URI="" covers it).
 */
const m = material();
const AT = m.countries.AT as NonNullable<typeof m.countries.AT>;

async function signedEvidence(): Promise<string> {
  const xml = buildEvidenceDocument({
    id: 'ev-1',
    kind: 'proof-of-income' as never,
    classification: 'urn:test:income',
    title: 'Income',
    titleLocal: 'Einkommen',
    issuer: { participantId: 'urn:test:agency', country: 'AT', name: 'Agency' },
    subject: { personIdentifier: 'AT/JP/123456789', familyName: 'F', givenName: 'G', dateOfBirth: '1980-01-01' },
    facts: { annualIncome: '5400000' },
    requestId: 'req-1',
    issuedAt: '2026-06-01T00:00:00Z',
  });
  const clock = frozenClock(T0);
  const s = await signDocument({
    format: 'xades',
    level: 'B-B',
    packaging: 'enveloped',
    credential: cred(AT.agencies.bmi as never),
    content: Buffer.from(xml),
    clock,
    tsa: tsaFor('AT', clock),
  });
  return Buffer.from(s.signature).toString('utf8');
}

async function validate(xml: string) {
  const { ctx } = trustView({ clock: frozenClock(T0) });
  const r = await validateSignature({ signature: Buffer.from(xml) }, ctx);
  return [r.indication, r.subIndicationName];
}

describe('XAdES: a processing instruction hiding part of a signed text', () => {
  it('controls: the signed evidence passes; deleting the same characters as text breaks the digest', async () => {
    const signed = await signedEvidence();
    expect(await validate(signed)).toEqual(['TOTAL-PASSED', undefined]);
    expect(readSignedEvidence(signed).facts.annualIncome).toBe('5400000');
    const edited = signed.replace('>5400000<', '>54<');
    expect((await validate(edited))[1]).toBe('HASH_FAILURE');
  });

  // Was accepted (TOTAL-PASSED, the reader saw 54 and AT/JP/13456789) until PIs were rendered as C14N says (exclusive)
  // and refused inside inclusive-c14n content.
  it('refuses an evidence document whose signed text was split into a PI (income 5400000 → 54)', async () => {
    const signed = await signedEvidence();
    const forged = signed
      .replace('>5400000<', '>54<?x 00000?><')
      .replace('>AT/JP/123456789<', '>AT/JP/1<?x 2?>3456789<');
    const view = readSignedEvidence(forged);
    // What the relying party reads is not what was signed …
    expect(view.facts.annualIncome).toBe('54');
    expect(view.personIdentifier).toBe('AT/JP/13456789');
    // … so the signature must not validate (today: TOTAL-PASSED).
    expect((await validate(forged))[0]).not.toBe('TOTAL-PASSED');
  });
});

describe('XAdES URI="": processing instructions outside the root', () => {
  // XML-DSig §4.4.3.2: URI="" is the whole document without comments, so c14n covers the PIs before and after the
  // root. esig canonicalized the root element only, so a stylesheet PI added to a signed document kept it valid
  // (display spoofing in a browser showing it); now the PIs are signed (xmlsec1 agrees:
  // tests/conformance/xades-document-pi-xmlsec.test.ts).
  it('refuses a signed evidence document with an xml-stylesheet PI added before the root', async () => {
    const signed = await signedEvidence();
    const forged = signed.replace('?>', '?><?xml-stylesheet type="text/xsl" href="https://attacker.example/x.xsl"?>');
    expect(forged).not.toBe(signed);
    expect((await validate(forged))[0]).not.toBe('TOTAL-PASSED');
  });
});

describe('AS4: a processing instruction hiding part of a signed eb:Messaging text', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const key = AT.agencies.bmi as NonNullable<typeof AT.agencies.bmi>;
  const um: UserMessage = {
    messageId: 'm12345@de.kakehashi',
    timestamp: '2026-06-01T00:00:00.000Z',
    from: { partyId: 'urn:kakehashi:ap:DE', role: 'i' },
    to: { partyId: 'urn:kakehashi:ap:JP', role: 'r' },
    service: { value: 'urn:kakehashi:service:evidence' },
    action: 'ExecuteQueryRequest',
    conversationId: 'c1',
    properties: [],
    parts: [],
  };
  const signed = () =>
    signEnvelope(buildUserMessageEnvelope(um, { messaging: 'msg', body: 'body' }), {
      certPem: key.certPem,
      privateKey: key.privateKey,
      elementIds: ['msg', 'body'],
      attachments: [],
      created: now,
      ttlSeconds: 300,
      idPrefix: 'x',
    }).xml;
  const receive = (xml: string) => {
    const env = parseEnvelope(parseXml(xml));
    verifyEnvelope(env, { now, skewSeconds: 60, requireExpires: true, attachments: new Map(), requiredCids: [] });
    return env.userMessage?.messageId;
  };

  it('controls: the signed message verifies; the same deletion as text is a digest failure', () => {
    const xml = signed();
    expect(receive(xml)).toBe('m12345@de.kakehashi');
    expect(() => receive(xml.replace('>m12345@', '>m1345@'))).toThrow(/EBMS:0101/);
  });

  // Was accepted (the receiver read MessageId m1345@de.kakehashi) until core's exclusiveC14n rendered PIs as C14N says.
  it('refuses a message whose signed MessageId was split into a PI (m12345 → m1345)', () => {
    const forged = signed().replace('>m12345@de.kakehashi<', '>m1<?x 2?>345@de.kakehashi<');
    expect(() => receive(forged)).toThrow(/EBMS:0101/);
  });
});
