import { createMemoryLogger, parseXml } from '@kakehashi/core';
import {
  accessPointPartyId,
  buildMultipart,
  buildUserMessageEnvelope,
  EBMS,
  encryptAttachments,
  envelopeIds,
  parseEnvelope,
  signEnvelope,
  type UserMessage,
} from '@kakehashi/edelivery';
import { loadTrustMaterial } from '@kakehashi/federation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation, TRUST_CACHE } from '../support/federation.ts';

/**
 * The AS4 rows of the attack catalogue (shared/design/attack-catalogue.md E1–E9), one test each, against a real
 * in-process federation: DE's access point or a hand-crafted DE message talks to JP's access point.
 */
describe('eDelivery attack catalogue E1–E9', () => {
  let f: TestFederation;
  let de: string;
  let jp: string;
  let creds: Awaited<ReturnType<typeof loadTrustMaterial>>;
  const admin = { ...ADMIN, 'content-type': 'application/json' };

  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'JP'] });
    de = f.urls.nodes.DE as string;
    jp = f.urls.nodes.JP as string;
    creds = await loadTrustMaterial({
      seed: 'kakehashi-test',
      countries: ['DE', 'JP'],
      cacheDir: TRUST_CACHE,
      hubUrl: f.urls.hub,
      logger: createMemoryLogger('error'),
    });
  });
  afterAll(async () => {
    await f?.dispose();
  });

  const RECIPIENT = 'urn:kakehashi:participant:jp:national-tax-agency';
  const header = (over: Partial<UserMessage> = {}): UserMessage => {
    const messageId = `${crypto.randomUUID()}@attacker.example`;
    return {
      messageId,
      timestamp: f.clock.now().toISOString(),
      from: { partyId: accessPointPartyId('DE'), partyIdType: EBMS.unregisteredPartyType, role: EBMS.initiatorRole },
      to: { partyId: accessPointPartyId('JP'), partyIdType: EBMS.unregisteredPartyType, role: EBMS.responderRole },
      agreementRef: { value: 'urn:kakehashi:agreement:edelivery:v1', pmode: 'kakehashi-evidence' },
      service: { value: 'urn:kakehashi:service:evidence', type: 'urn:kakehashi:service-type' },
      action: 'ExecuteQueryRequest',
      conversationId: messageId,
      properties: [
        { name: 'originalSender', value: 'urn:kakehashi:participant:de:bzst' },
        { name: 'finalRecipient', value: RECIPIENT },
      ],
      parts: [{ href: 'cid:p1@attacker', properties: [{ name: 'MimeType', value: 'text/plain' }] }],
      ...over,
    };
  };
  interface Craft {
    um?: UserMessage;
    attachments?: { contentId: string; body: Buffer }[];
    signer?: { certPem: string; privateKey: import('node:crypto').KeyObject };
    signAttachments?: boolean;
    sign?: boolean;
    encrypt?: boolean;
    created?: Date;
    /** Edits the signed (and encrypted) envelope text. */
    editXml?: (xml: string) => string;
    /** Edits the attachments as sent (after encryption). */
    editSent?: (a: { contentId: string; body: Buffer }[]) => { contentId: string; body: Buffer }[];
  }
  /** A DE → JP UserMessage built, signed and encrypted by hand, with optional tampering. */
  const craft = (c: Craft = {}) => {
    const DE = creds.nodeCredentials('DE');
    const JP = creds.nodeCredentials('JP');
    const um = c.um ?? header();
    const ids = envelopeIds(um.messageId);
    const attachments = c.attachments ?? [{ contentId: 'p1@attacker', body: Buffer.from('a payload') }];
    let xml = buildUserMessageEnvelope(um, ids);
    if (c.sign !== false) {
      const signer = c.signer ?? DE.signing;
      xml = signEnvelope(xml, {
        certPem: signer.certPem,
        privateKey: signer.privateKey,
        elementIds: [ids.messaging, ids.body],
        attachments: c.signAttachments === false ? [] : attachments,
        created: c.created ?? f.clock.now(),
        ttlSeconds: 300,
        idPrefix: ids.prefix,
      }).xml;
    }
    let sent = attachments;
    if (c.encrypt !== false && c.sign !== false) {
      const enc = encryptAttachments(xml, attachments, JP.encryption.certPem, ids.prefix);
      xml = enc.xml;
      sent = enc.attachments;
    }
    if (c.editXml) xml = c.editXml(xml);
    if (c.editSent) sent = c.editSent(sent);
    return {
      um,
      mime: buildMultipart(
        xml,
        sent.map((a) => ({ ...a, contentType: 'application/octet-stream' })),
      ),
    };
  };
  const postRaw = async (mime: { contentType: string; body: Buffer }) => {
    const res = await f.fetch(`${jp}/as4`, {
      method: 'POST',
      headers: { 'content-type': mime.contentType },
      body: new Uint8Array(mime.body),
    });
    return { status: res.status, text: await res.text() };
  };
  const errorCode = async (c: Craft) => {
    const raw = await postRaw(craft(c).mime);
    expect(raw.status, raw.text.slice(0, 400)).toBe(200);
    const signal = parseEnvelope(parseXml(raw.text)).signal;
    expect(signal?.receipt).toBeUndefined();
    return { code: signal?.errors[0]?.code, description: signal?.errors[0]?.description ?? '' };
  };
  /** One receipt fault on (`PUT /admin/faults`), every other receipt fault off; `undefined`: all off. */
  const setFault = async (url: string, fault: string | undefined) => {
    const r = await json<{ faults: { name: string; enabled: boolean }[] }>(
      f.fetch(`${url}/admin/faults`, {
        method: 'PUT',
        headers: admin,
        body: JSON.stringify({ disable: ['edelivery.*'], enable: fault ? [fault] : [] }),
      }),
    );
    expect(r.status).toBe(200);
    expect(r.body.faults.filter((x) => x.enabled).map((x) => x.name)).toEqual(fault ? [fault] : []);
  };
  const pump = (url: string) => f.fetch(`${url}/admin/edelivery/pump`, { method: 'POST', headers: ADMIN });
  const submit = async () => {
    const r = await json<{ messageId: string }>(
      f.fetch(`${de}/edelivery/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          service: 'urn:kakehashi:service:evidence',
          action: 'ExecuteQueryRequest',
          originalSender: 'urn:kakehashi:participant:de:bzst',
          finalRecipient: RECIPIENT,
          payloads: [{ mimeType: 'text/plain', content: Buffer.from('hello').toString('base64') }],
        }),
      }),
    );
    expect(r.status).toBe(202);
    return r.body.messageId;
  };
  const statusOf = async (id: string) =>
    (
      await json<{ status: string; attempts: number; lastError: string | null; nextAttemptAt: string | null }>(
        f.fetch(`${de}/edelivery/messages/${encodeURIComponent(id)}?direction=out`),
      )
    ).body;

  it('a well-formed crafted message is accepted (the baseline the attacks below deviate from)', async () => {
    const { mime } = craft();
    const r = await postRaw(mime);
    expect(parseEnvelope(parseXml(r.text)).signal?.receipt?.references.length).toBe(4);
  });

  it('E1: an unsigned receipt, or one signed by a non-partner, is not a delivery: retry, then give up with an error', async () => {
    for (const fault of ['edelivery.receipt-unsigned', 'edelivery.receipt-wrong-signer']) {
      await setFault(jp, fault);
      const id = await submit();
      await pump(de);
      let s = await statusOf(id);
      expect(s.status).toBe('WAITING_FOR_RETRY');
      expect(s.attempts).toBe(1);
      expect(s.lastError).toMatch(
        fault === 'edelivery.receipt-unsigned' ? /signature is not acceptable/ : /another certificate/,
      );
      f.clock.advance(11_000);
      await pump(de);
      s = await statusOf(id);
      expect(s.status).toBe('SEND_FAILURE');
      expect(s.attempts).toBe(2);
      expect(s.lastError).toMatch(/^EBMS:0302 InvalidReceipt/);
    }
    await setFault(jp, undefined);
  });

  it('E2: a receipt whose digests do not match, or with the wrong RefToMessageId, is rejected', async () => {
    for (const [fault, why] of [
      ['edelivery.receipt-wrong-digest', /non-repudiation information does not match/],
      ['edelivery.receipt-wrong-ref', /refers to .*\.other/],
    ] as const) {
      await setFault(jp, fault);
      const id = await submit();
      await pump(de);
      const s = await statusOf(id);
      expect(s.status).toBe('WAITING_FOR_RETRY');
      expect(s.lastError).toMatch(why);
    }
    await setFault(jp, undefined);
  });

  it('E3: a replayed MessageId is never delivered twice; the original receipt is answered', async () => {
    const { um, mime } = craft();
    const first = await postRaw(mime);
    const second = await postRaw(mime);
    expect(parseEnvelope(parseXml(first.text)).signal?.receipt).toBeDefined();
    expect(second.text).toBe(first.text);
    const inbox = await json<{ messages: { messageId: string; duplicatesEliminated: number }[] }>(
      f.fetch(`${jp}/edelivery/inbox?limit=1000`),
    );
    const copies = inbox.body.messages.filter((m) => m.messageId === um.messageId);
    expect(copies).toHaveLength(1);
    expect(copies[0]?.duplicatesEliminated).toBe(1);
    // A resend by a real sender: same MessageId, freshly signed — also the original receipt.
    const resend = craft({ um });
    expect((await postRaw(resend.mime)).text).toBe(first.text);
  });

  it('E4: a tampered header (Action, Service, PartyId, MessageId) fails authentication (EBMS:0101)', async () => {
    for (const [from, to] of [
      ['<eb:Action>ExecuteQueryRequest</eb:Action>', '<eb:Action>ExecuteQueryResponse</eb:Action>'],
      ['urn:kakehashi:service:evidence</eb:Service>', 'urn:kakehashi:service:notification</eb:Service>'],
      ['>kakehashi-ap-de</eb:PartyId>', '>kakehashi-ap-jp</eb:PartyId>'],
      ['@attacker.example</eb:MessageId>', '@attacker.example.x</eb:MessageId>'],
    ]) {
      const r = await errorCode({ editXml: (x) => x.replace(from as string, to as string) });
      expect(r.code, `${from} → ${to}`).toBe('EBMS:0101');
      expect(r.description).toMatch(/digest of #_msg-/);
    }
  });

  it('E5: a tampered or swapped attachment, or a PartInfo without a signed reference, is rejected', async () => {
    const flip = await errorCode({
      editSent: (a) =>
        a.map((x) => ({
          ...x,
          body: Buffer.concat([x.body.subarray(0, 20), Buffer.from([x.body[20]! ^ 1]), x.body.subarray(21)]),
        })),
    });
    expect(flip.code).toBe('EBMS:0102');
    const two = header({
      parts: [
        { href: 'cid:p1@attacker', properties: [{ name: 'MimeType', value: 'text/plain' }] },
        { href: 'cid:p2@attacker', properties: [{ name: 'MimeType', value: 'text/plain' }] },
      ],
    });
    const attachments = [
      { contentId: 'p1@attacker', body: Buffer.from('pay 10 EUR') },
      { contentId: 'p2@attacker', body: Buffer.from('pay 99999 EUR') },
    ];
    const swapped = await errorCode({
      um: two,
      attachments,
      editSent: (a) => [
        { contentId: 'p1@attacker', body: a[1]!.body },
        { contentId: 'p2@attacker', body: a[0]!.body },
      ],
    });
    expect(swapped.code).toBe('EBMS:0101');
    expect(swapped.description).toMatch(/digest of cid:p1@attacker/);
    const unsignedPart = await errorCode({ signAttachments: false });
    expect(unsignedPart.code).toBe('EBMS:0101');
    expect(unsignedPart.description).toMatch(/cid:p1@attacker is not covered/);
    const extra = await errorCode({
      editSent: (a) => [...a, { contentId: 'extra@attacker', body: Buffer.from('smuggled') }],
    });
    expect(extra.code).toBe('EBMS:0007');
  });

  it('E6: service/action/parties in no P-Mode → EBMS:0001/0010; a signer that is not the From party’s registered certificate → EBMS:0010', async () => {
    expect(
      (
        await errorCode({
          um: header({ service: { value: 'urn:kakehashi:service:unknown', type: 'urn:kakehashi:service-type' } }),
        })
      ).code,
    ).toBe('EBMS:0001');
    expect((await errorCode({ um: header({ action: 'Unknown' }) })).code).toBe('EBMS:0001');
    const strangerParty = await errorCode({
      um: header({
        from: { partyId: 'kakehashi-ap-xx', partyIdType: EBMS.unregisteredPartyType, role: EBMS.initiatorRole },
      }),
    });
    expect(strangerParty.code).toBe('EBMS:0010');
    const agency = Object.values(creds.nodeCredentials('DE').agencies)[0]!;
    const wrongSigner = await errorCode({ signer: agency });
    expect(wrongSigner.code).toBe('EBMS:0010');
    expect(wrongSigner.description).toMatch(/not the one registered for kakehashi-ap-de/);
  });

  it('E7: an unsigned message, downgraded algorithms, or a payload in clear where encryption is required, is rejected', async () => {
    expect((await errorCode({ sign: false })).code).toBe('EBMS:0103');
    const sha1sig = await errorCode({
      editXml: (x) =>
        x.replace('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', 'http://www.w3.org/2000/09/xmldsig#rsa-sha1'),
    });
    expect(sha1sig.code).toBe('EBMS:0103');
    expect(sha1sig.description).toMatch(/rsa-sha1/);
    const sha1digest = await errorCode({
      editXml: (x) =>
        x.replace(
          'http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue',
          'http://www.w3.org/2000/09/xmldsig#sha1"/><ds:DigestValue',
        ),
    });
    expect(sha1digest.code).toBe('EBMS:0103');
    const clear = await errorCode({ encrypt: false });
    expect(clear.code).toBe('EBMS:0103');
    expect(clear.description).toMatch(/requires encrypted payloads/);
  });

  it('E8: signature wrapping — a signed copy of eb:Messaging elsewhere does not make the processed one signed', async () => {
    // 1) The signed original moved into another header block, a tampered copy with the same id processed.
    const dupId = await errorCode({
      editXml: (x) => {
        const m = /<eb:Messaging[\s\S]*?<\/eb:Messaging>/.exec(x)?.[0] as string;
        const tampered = m.replace('ExecuteQueryRequest', 'ExecuteQueryResponse');
        return x.replace(m, `${tampered}<w:Wrapper xmlns:w="urn:wrap">${m}</w:Wrapper>`);
      },
    });
    expect(dupId.code).toBe('EBMS:0101');
    expect(dupId.description).toMatch(/carry the identifier/);
    // 2) The processed copy renamed (unique ids): the reference resolves to the wrapped original only.
    const moved = await errorCode({
      editXml: (x) => {
        const m = /<eb:Messaging[\s\S]*?<\/eb:Messaging>/.exec(x)?.[0] as string;
        const tampered = m.replace('ExecuteQueryRequest', 'ExecuteQueryResponse').replace(/ id="[^"]+"/, ' id="_evil"');
        return x.replace(m, `${tampered}<w:Wrapper xmlns:w="urn:wrap">${m}</w:Wrapper>`);
      },
    });
    expect(moved.code).toBe('EBMS:0101');
    expect(moved.description).toMatch(/eb:Messaging that is processed is not covered/);
  });

  it('E9: mustUnderstand smuggling, a missing or an expired WS-Security Timestamp, are rejected', async () => {
    const smuggled = await postRaw(
      craft({
        editXml: (x) =>
          x.replace(
            '<env:Header>',
            '<env:Header><x:Route xmlns:x="urn:smuggle" env:mustUnderstand="true">elsewhere</x:Route>',
          ),
      }).mime,
    );
    expect(smuggled.status).toBe(500);
    expect(smuggled.text).toContain('env:MustUnderstand');
    const noTs = await errorCode({ editXml: (x) => x.replace(/<wsu:Timestamp[\s\S]*?<\/wsu:Timestamp>/, '') });
    expect(noTs.code).toBe('EBMS:0103');
    expect(noTs.description).toMatch(/Timestamp/);
    const expired = await errorCode({ created: new Date(f.clock.nowMs() - 3_600_000) });
    expect(expired.code).toBe('EBMS:0101');
    expect(expired.description).toMatch(/expired/);
  });

  it('bad input at /as4 gets a SOAP answer, never a crash', async () => {
    const wrongType = await postRaw({ contentType: 'application/json', body: Buffer.from('{}') });
    expect(wrongType.status).toBe(415);
    expect(wrongType.text).toContain('env:Fault');
    const doctype = await postRaw({
      contentType: 'application/soap+xml',
      body: Buffer.from('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'),
    });
    expect(doctype.status).toBe(400);
    expect(doctype.text).toContain('DOCTYPE');
    const broken = await postRaw({
      contentType: 'multipart/related; boundary="zz"; type="application/soap+xml"',
      body: Buffer.from('garbage'),
    });
    expect(broken.status).toBe(200);
    expect(parseEnvelope(parseXml(broken.text)).signal?.errors[0]?.code).toBe('EBMS:0007');
    const notSoap = await postRaw({ contentType: 'application/soap+xml', body: Buffer.from('<a/>') });
    expect(parseEnvelope(parseXml(notSoap.text)).signal?.errors[0]?.code).toBe('EBMS:0009');
    const health = await f.fetch(`${jp}/health`);
    expect(health.status).toBe(200);
  });

  it('a processing instruction inside a signed element is a refused signature (EBMS:0101), not a 500 (found by kakehashi fuzz)', async () => {
    // `<??>` (a processing instruction with no target) in eb:Messaging and in SignedInfo: both signed, both canonicalized.
    for (const at of ['<eb:MessageId', '<ds:DigestValue']) {
      const r = await errorCode({ editXml: (x) => x.replace(at, `<??>${at}`) });
      expect(r.code, at).toBe('EBMS:0101');
      expect(r.description).toMatch(/canonicali[sz]/);
    }
    expect((await f.fetch(`${jp}/health`)).status).toBe(200);
  });
});
