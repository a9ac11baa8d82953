import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { VirtualClock } from '@kakehashi/core';
import { LOA, type Loa } from '@kakehashi/personas';
import { issueCertificate } from '@kakehashi/trust';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SP_ENTITY_ID, STATUS as SAML_STATUS } from '../src/saml/constants.ts';
import { demoSp } from '../src/saml/demo-sp/demo-sp.ts';
import { buildAssertion, buildResponse } from '../src/saml/response/build-response.ts';
import { validateSamlResponse } from '../src/saml/validate/validate-saml-response.ts';
import type { SamlReplayCache } from '../src/saml/validate/validation-context.ts';
import type { ExpectedSamlResponse, SamlVerdict } from '../src/saml/validate/z-saml-validation.ts';
import { decryptEncryptedAssertion, encryptElement } from '../src/saml/xml/xml-encryption.ts';

const IDP = 'http://127.0.0.1:7007/saml/idp/metadata';
const ACS = 'http://127.0.0.1:53124/saml/acs';
const T0 = Date.parse('2026-06-01T10:00:00Z');
const NS_SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const NS_SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const NS_DS = 'http://www.w3.org/2000/09/xmldsig#';

/** A signing key and a certificate with the IdP's subject name (the attacker gets the same name: S11). */
function credential(): { privateKey: KeyObject; certPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { certPem } = issueCertificate(
    {
      subject: [
        { type: 'C', value: 'JP' },
        { type: 'CN', value: 'Kakehashi JP node signing (TEST)' },
      ],
      serialHex: '01',
      notBefore: new Date('2025-01-01T00:00:00Z'),
      notAfter: new Date('2030-01-01T00:00:00Z'),
      keyUsage: ['digitalSignature'],
    },
    publicKey,
    { selfSigningKey: privateKey },
  );
  return { privateKey, certPem };
}

let idp: ReturnType<typeof credential>;
let attacker: ReturnType<typeof credential>;
const sp = demoSp('kakehashi-saml-unit');

beforeAll(() => {
  idp = credential();
  attacker = credential();
});

const identity = {
  subjectId: 'jp-001',
  familyName: '佐藤',
  givenName: '花子',
  familyNameLatin: 'Sato',
  givenNameLatin: 'Hanako',
  birthdate: '1990-01-02',
  loa: LOA.high,
  custom: false,
};

/** A Response as the IdP issues it (signed assertion, encrypted for the demo SP, Response signed). */
function issue(
  opts: { requestId?: string; loa?: Loa; nowMs?: number; nameId?: string; signer?: typeof idp; status?: string } = {},
): string {
  const requestId = opts.requestId ?? '_req1';
  const nowMs = opts.nowMs ?? T0;
  const request = {
    requestId,
    spEntityId: DEMO_SP_ENTITY_ID,
    acsUrl: ACS,
    attributes: ['PersonIdentifier', 'FamilyName', 'FirstName', 'DateOfBirth'],
  };
  const assertion = buildAssertion({
    idpEntityId: IDP,
    request,
    identity,
    loa: opts.loa ?? LOA.substantial,
    personIdentifier: opts.nameId ?? 'JP/DE/opaque-value',
    nowMs,
    country: 'JP',
  });
  const status = opts.status ?? SAML_STATUS.success;
  return buildResponse({
    idpEntityId: IDP,
    signer: opts.signer ?? idp,
    destination: ACS,
    inResponseTo: requestId,
    nowMs,
    status: { top: status, message: status === SAML_STATUS.success ? 'Success' : 'Refused' },
    ...(status === SAML_STATUS.success
      ? { assertion: { xml: assertion.xml, encryptFor: { certPem: sp.certPem, entityId: DEMO_SP_ENTITY_ID } } }
      : {}),
  }).xml;
}

function memoryReplay(): SamlReplayCache {
  const seen = new Set<string>();
  return { seen: (i, id) => seen.has(`${i} ${id}`), remember: (i, id) => void seen.add(`${i} ${id}`) };
}

const EXPECTED: ExpectedSamlResponse = {
  issuer: IDP,
  audience: DEMO_SP_ENTITY_ID,
  destination: ACS,
  inResponseTo: '_req1',
  requestedLoa: LOA.substantial,
};

async function validate(
  xml: string,
  opts: { expected?: Partial<ExpectedSamlResponse>; nowMs?: number; replay?: SamlReplayCache; trusted?: string[] } = {},
): Promise<SamlVerdict> {
  const clock = new VirtualClock();
  clock.freeze(new Date(opts.nowMs ?? T0 + 5_000));
  return validateSamlResponse(
    Buffer.from(xml).toString('base64'),
    { ...EXPECTED, ...opts.expected },
    {
      clock,
      clockSkewSeconds: 60,
      resolveIdp: async (issuer) =>
        issuer === IDP ? { country: 'JP', signingCerts: opts.trusted ?? [idp.certPem] } : undefined,
      replay: opts.replay ?? memoryReplay(),
      decryptionKey: sp.privateKey,
    },
  );
}

// ---- building attacks: DOM surgery on a real Response, as SAML Raider does it ----------------------------------
const parse = (xml: string) => new DOMParser().parseFromString(xml, 'application/xml') as unknown as Document;
const ser = (n: Node) => new XMLSerializer().serializeToString(n as never);
const kids = (el: Node, ns: string, local: string) =>
  Array.from(el.childNodes as unknown as Element[]).filter(
    (c) => c.nodeType === 1 && c.namespaceURI === ns && c.localName === local,
  );
let counter = 0;
/** New values for every ID/Id below `el` (an attacker avoids duplicate IDs, which X5 would catch). */
function freshIds(el: Element): Element {
  const walk = (e: Element) => {
    for (const a of ['ID', 'Id']) if (e.hasAttribute(a)) e.setAttribute(a, `_evil${++counter}`);
    for (const c of Array.from(e.childNodes as unknown as Element[])) if (c.nodeType === 1) walk(c);
  };
  walk(el);
  return el;
}

/** The decrypted, signed assertion of a Response (what an SP holding the key sees). */
function plaintextOf(responseXml: string): string {
  const doc = parse(responseXml);
  const ea = doc.getElementsByTagNameNS(NS_SAML, 'EncryptedAssertion')[0] as unknown as Element;
  const r = decryptEncryptedAssertion(ea, sp.privateKey);
  if (!r.ok) throw new Error(r.reason);
  return r.plaintext;
}

/** Replaces the Response's EncryptedAssertion content with `plaintext` encrypted for the SP (an attacker can: the certificate is public). */
function withPlaintext(responseXml: string, plaintext: string): string {
  return responseXml.replace(
    /<saml:EncryptedAssertion>[\s\S]*<\/saml:EncryptedAssertion>/,
    `<saml:EncryptedAssertion>${encryptElement(plaintext, sp.certPem, DEMO_SP_ENTITY_ID)}</saml:EncryptedAssertion>`,
  );
}

function expectFailure(v: SamlVerdict, rule: string, code: string): void {
  expect(v.valid, JSON.stringify(v.failure)).toBe(false);
  expect(v.identity).toBeUndefined();
  expect(v.failure).toMatchObject({ rule, code });
}

describe('SAML response validation: a genuine Response', () => {
  it('is valid and yields the identity, every check passed', async () => {
    const v = await validate(issue());
    expect(v.failure).toBeUndefined();
    expect(v.valid).toBe(true);
    expect(v.identity).toMatchObject({
      issuer: IDP,
      country: 'JP',
      nameId: 'JP/DE/opaque-value',
      personIdentifier: 'JP/DE/opaque-value',
      familyName: '佐藤',
      familyNameLatin: 'Sato',
      firstName: '花子',
      dateOfBirth: '1990-01-02',
      loa: LOA.substantial,
    });
    expect(v.checks.filter((c) => c.outcome === 'failed')).toHaveLength(0);
    for (const rule of ['S10', 'S11', 'S12', 'S13', 'S14', 'S15', 'S16', 'S17', 'S18', 'S19'])
      expect(
        v.checks.some((c) => c.rule === rule && c.outcome === 'passed'),
        rule,
      ).toBe(true);
  });
});

describe('S1–S8: XML signature wrapping, each variant built explicitly', () => {
  it('S1 (XSW1): an evil Response with the signed original hidden inside its ds:Signature', async () => {
    const doc = parse(issue());
    const original = doc.documentElement;
    const copy = original.cloneNode(true) as Element;
    copy.removeChild(kids(copy, NS_DS, 'Signature')[0] as Element);
    const evil = freshIds(original.cloneNode(true) as Element);
    (kids(evil, NS_DS, 'Signature')[0] as Element).appendChild(copy);
    expectFailure(await validate(ser(evil)), 'S1', 'saml-wrapping');
  });

  it('S2 (XSW2): an evil Response with the signed original as a sibling before the signature', async () => {
    const doc = parse(issue());
    const original = doc.documentElement;
    const copy = original.cloneNode(true) as Element;
    copy.removeChild(kids(copy, NS_DS, 'Signature')[0] as Element);
    const evil = freshIds(original.cloneNode(true) as Element);
    evil.insertBefore(copy, kids(evil, NS_DS, 'Signature')[0] as Element);
    expectFailure(await validate(ser(evil)), 'S2', 'saml-wrapping');
  });

  /** Assertion-level variants operate on the decrypted assertion and re-encrypt it for the SP. */
  const assertionAttack = async (build: (signed: Element, doc: Document) => string) => {
    const response = issue();
    const doc = parse(plaintextOf(response));
    return validate(withPlaintext(response, build(doc.documentElement, doc)));
  };
  const evilCopy = (signed: Element, keepSignature: boolean) => {
    const evil = freshIds(signed.cloneNode(true) as Element);
    if (!keepSignature) evil.removeChild(kids(evil, NS_DS, 'Signature')[0] as Element);
    const nameId = evil.getElementsByTagNameNS(NS_SAML, 'NameID')[0] as unknown as Element;
    nameId.textContent = 'JP/DE/the-victim';
    return evil;
  };

  it('S3 (XSW3): an unsigned evil assertion placed before the signed one', async () => {
    const v = await assertionAttack((signed) => ser(evilCopy(signed, false)) + ser(signed));
    expectFailure(v, 'S3', 'saml-wrapping');
  });

  it('S4 (XSW4): an evil assertion wrapping the signed one', async () => {
    const v = await assertionAttack((signed) => {
      const evil = evilCopy(signed, false);
      evil.appendChild(signed.cloneNode(true));
      return ser(evil);
    });
    expectFailure(v, 'S4', 'saml-wrapping');
  });

  it('S5 (XSW5): the signature moved to an evil assertion, the original (unsigned) after it', async () => {
    const v = await assertionAttack((signed) => {
      const evil = evilCopy(signed, true);
      // keep the original Reference (#original ID) on the evil copy's signature
      const sig = kids(evil, NS_DS, 'Signature')[0] as Element;
      evil.replaceChild(kids(signed, NS_DS, 'Signature')[0]?.cloneNode(true) as Element, sig);
      const original = signed.cloneNode(true) as Element;
      original.removeChild(kids(original, NS_DS, 'Signature')[0] as Element);
      return ser(evil) + ser(original);
    });
    expectFailure(v, 'S5', 'saml-wrapping');
  });

  it('S6 (XSW6): the original assertion inside the ds:Signature of an evil assertion', async () => {
    const v = await assertionAttack((signed) => {
      const evil = evilCopy(signed, true);
      const original = signed.cloneNode(true) as Element;
      original.removeChild(kids(original, NS_DS, 'Signature')[0] as Element);
      (kids(evil, NS_DS, 'Signature')[0] as Element).appendChild(original);
      return ser(evil);
    });
    expectFailure(v, 'S6', 'saml-wrapping');
  });

  it('S7 (XSW7): the signed EncryptedAssertion moved into samlp:Extensions, an evil one in its place', async () => {
    const response = issue();
    const doc = parse(response);
    const root = doc.documentElement;
    const signedEa = kids(root, NS_SAML, 'EncryptedAssertion')[0] as Element;
    const ext = doc.createElementNS(NS_SAMLP, 'samlp:Extensions');
    root.insertBefore(ext, kids(root, NS_SAMLP, 'Status')[0] as Element);
    const evilEa = freshIds(signedEa.cloneNode(true) as Element);
    ext.appendChild(signedEa);
    root.appendChild(evilEa);
    expectFailure(await validate(ser(root)), 'S7', 'saml-wrapping');
  });

  it("S8 (XSW8): the original assertion inside a ds:Object of the evil assertion's signature", async () => {
    const v = await assertionAttack((signed, doc) => {
      const evil = evilCopy(signed, true);
      const object = doc.createElementNS(NS_DS, 'ds:Object');
      const original = signed.cloneNode(true) as Element;
      original.removeChild(kids(original, NS_DS, 'Signature')[0] as Element);
      object.appendChild(original);
      (kids(evil, NS_DS, 'Signature')[0] as Element).appendChild(object);
      return ser(evil);
    });
    expectFailure(v, 'S8', 'saml-wrapping');
  });
});

describe('S9–S20', () => {
  it('S9: a comment splitting the NameID is refused (the full value would be alice.evil, never "alice")', async () => {
    const response = issue({ nameId: 'JP/DE/alice.evil' });
    const plain = plaintextOf(response).replace('JP/DE/alice.evil', 'JP/DE/alice<!---->.evil');
    expectFailure(await validate(withPlaintext(response, plain)), 'S9', 'saml-comment-injection');
  });

  it('S10: a stripped assertion signature, a stripped Response signature, a tampered assertion', async () => {
    const response = issue();
    const stripped = plaintextOf(response).replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '');
    expectFailure(await validate(withPlaintext(response, stripped)), 'S10', 'saml-unsigned');
    const noResponseSig = response.replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/, '');
    expectFailure(await validate(noResponseSig), 'S10', 'saml-unsigned');
    const tampered = plaintextOf(response).replace('1990-01-02', '1970-01-01');
    expectFailure(await validate(withPlaintext(response, tampered)), 'S10', 'saml-signature-invalid');
  });

  it("S11: signed with an attacker's key whose certificate (same subject name) is in KeyInfo", async () => {
    expectFailure(await validate(issue({ signer: attacker })), 'S11', 'saml-untrusted-key');
    // KeyInfo removed: the trusted key is used, and the attacker's signature does not verify.
    const forged = issue({ signer: attacker }).replace(/<ds:KeyInfo><ds:X509Data>[\s\S]*?<\/ds:KeyInfo>/, '');
    const plain = plaintextOf(forged).replace(/<ds:KeyInfo>[\s\S]*?<\/ds:KeyInfo>/, '');
    expectFailure(await validate(withPlaintext(forged, plain)), 'S10', 'saml-signature-invalid');
  });

  it('S12: the same assertion twice', async () => {
    const replay = memoryReplay();
    const xml = issue();
    expect((await validate(xml, { replay })).valid).toBe(true);
    expectFailure(await validate(xml, { replay }), 'S12', 'saml-replay');
  });

  it('S13: InResponseTo of another request', async () => {
    expectFailure(
      await validate(issue(), { expected: { inResponseTo: '_another' } }),
      'S13',
      'saml-in-response-to-invalid',
    );
  });

  it('S14: Destination and Recipient elsewhere', async () => {
    expectFailure(
      await validate(issue(), { expected: { destination: 'http://127.0.0.1:1/other-acs' } }),
      'S14',
      'saml-destination-invalid',
    );
  });

  it('S15: audience of another SP', async () => {
    expectFailure(await validate(issue(), { expected: { audience: 'urn:other-sp' } }), 'S15', 'saml-audience-invalid');
  });

  it('S16: NotOnOrAfter passed; issued in the future', async () => {
    expectFailure(await validate(issue(), { nowMs: T0 + 10 * 60_000 }), 'S16', 'saml-time-invalid');
    expectFailure(await validate(issue(), { nowMs: T0 - 10 * 60_000 }), 'S16', 'saml-time-invalid');
  });

  it('S17: the Response of another IdP', async () => {
    expectFailure(
      await validate(issue(), { expected: { issuer: 'http://127.0.0.1:7002/saml/idp/metadata' } }),
      'S17',
      'saml-issuer-invalid',
    );
  });

  it('S18: LoA low when substantial was the minimum', async () => {
    expectFailure(await validate(issue({ loa: LOA.low })), 'S18', 'saml-loa-insufficient');
    expect((await validate(issue({ loa: LOA.high }))).valid).toBe(true);
  });

  it('S19: a non-Success Response; an encrypted assertion swapped in from another Response', async () => {
    expectFailure(await validate(issue({ status: SAML_STATUS.responder })), 'S19', 'saml-status-not-success');
    const mine = issue({ requestId: '_req1' });
    const theirs = issue({ requestId: '_victim' });
    const swapped = mine.replace(
      /<saml:EncryptedAssertion>[\s\S]*<\/saml:EncryptedAssertion>/,
      /<saml:EncryptedAssertion>[\s\S]*<\/saml:EncryptedAssertion>/.exec(theirs)?.[0] as string,
    );
    expectFailure(await validate(swapped), 'S19', 'saml-assertion-swapped');
  });

  it('S20: namespace confusion, attribute pollution, two SignedInfo, a comment in DigestValue', async () => {
    const response = issue();
    const plain = plaintextOf(response);
    const confused = plain.replace(
      '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"',
      '<ds:Signature xmlns:ds="urn:evil"',
    );
    expectFailure(await validate(withPlaintext(response, confused)), 'S20', 'saml-parser-differential');
    const polluted = plain.replace('<saml:Assertion ', '<saml:Assertion Id="_other" ');
    expectFailure(await validate(withPlaintext(response, polluted)), 'S20', 'saml-parser-differential');
    const twoSignedInfo = plain.replace(/(<ds:SignedInfo>[\s\S]*?<\/ds:SignedInfo>)/, '$1$1');
    expectFailure(await validate(withPlaintext(response, twoSignedInfo)), 'S20', 'saml-parser-differential');
    const commentInDigest = plain.replace(/<ds:DigestValue>(.{4})/, '<ds:DigestValue>$1<!---->');
    expectFailure(await validate(withPlaintext(response, commentInDigest)), 'S20', 'saml-parser-differential');
  });
});

describe('X1–X6 in the validation service', () => {
  const prolog = (dtd: string) => `<?xml version="1.0"?>${dtd}<samlp:Response xmlns:samlp="${NS_SAMLP}"/>`;
  it('X1 XXE, X2 billion laughs, X3 external DTD: refused before any entity is read', async () => {
    expectFailure(
      await validate(prolog('<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]>')),
      'X1',
      'xml-doctype-forbidden',
    );
    expectFailure(
      await validate(
        prolog('<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;">]>'),
      ),
      'X2',
      'xml-doctype-forbidden',
    );
    expectFailure(
      await validate(prolog('<!DOCTYPE r SYSTEM "http://attacker.invalid/evil.dtd">')),
      'X3',
      'xml-doctype-forbidden',
    );
  });

  it('X4: an XSLT transform in the assertion signature', async () => {
    const response = issue();
    const plain = plaintextOf(response).replace(
      '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>',
      '<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116"/>',
    );
    expectFailure(await validate(withPlaintext(response, plain)), 'X4', 'saml-algorithm-forbidden');
  });

  it('X5: duplicate IDs; X6: oversized and deeply nested documents', async () => {
    const response = issue();
    const id = /<samlp:Response [^>]*ID="([^"]+)"/.exec(response)?.[1] as string;
    const dup = response.replace(
      '<samlp:Status>',
      `<samlp:Extensions><x:e xmlns:x="urn:x" ID="${id}"/></samlp:Extensions><samlp:Status>`,
    );
    expectFailure(await validate(dup), 'X5', 'xml-duplicate-id');
    expectFailure(
      await validate(`<samlp:Response xmlns:samlp="${NS_SAMLP}">${'a'.repeat(300_000)}</samlp:Response>`),
      'X6',
      'xml-too-large',
    );
    expectFailure(await validate(`${'<a>'.repeat(100)}${'</a>'.repeat(100)}`), 'X6', 'xml-too-deep');
  });
});
