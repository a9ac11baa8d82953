import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import {
  CORE_OPTIONS,
  createComponentApp,
  createMemoryLogger,
  type FaultDefinition,
  FaultSwitchboard,
  LayeredConfig,
  openStore,
  SeededRandom,
  VirtualClock,
} from '@kakehashi/core';
import { generatePersonas, LOA, type Loa } from '@kakehashi/personas';
import { issueCertificate } from '@kakehashi/trust';
import { DOMParser } from '@xmldom/xmldom';
import { beforeAll, describe, expect, it } from 'vitest';
import { EID_OPTIONS } from '../src/options.ts';
import {
  buildAuthnRequest,
  encodePostRequest,
  encodeRedirectRequest,
} from '../src/saml/authn-request/build-authn-request.ts';
import { DEMO_SP_ENTITY_ID, NS, STATUS } from '../src/saml/constants.ts';
import { demoSp } from '../src/saml/demo-sp/demo-sp.ts';
import { SAML_FAULTS, SAML_FORGE_FAULTS, type SamlForgeFault, type SamlLenientFault } from '../src/saml/faults.ts';
import { BELOW_LOW } from '../src/saml/idp/forge-response.ts';
import { mountSaml } from '../src/saml/mount-saml.ts';
import { validateSamlResponse } from '../src/saml/validate/validate-saml-response.ts';
import type { SamlReplayCache } from '../src/saml/validate/validation-context.ts';
import type { SamlVerdict } from '../src/saml/validate/z-saml-validation.ts';
import { decryptEncryptedAssertion } from '../src/saml/xml/xml-encryption.ts';

const BASE = 'http://127.0.0.1:7007';
const IDP = `${BASE}/saml/idp/metadata`;
const ACS = 'http://127.0.0.1:53124/saml/acs';
const SEED = 'kakehashi-saml-faults';
const sp = demoSp(SEED);

function credential(cn: string) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { certPem } = issueCertificate(
    {
      subject: [
        { type: 'C', value: 'JP' },
        { type: 'O', value: 'Kakehashi' },
        { type: 'CN', value: cn },
      ],
      serialHex: '01',
      notBefore: new Date('2025-01-01T00:00:00Z'),
      notAfter: new Date('2035-01-01T00:00:00Z'),
      keyUsage: ['digitalSignature', 'keyEncipherment'],
    },
    publicKey,
    { selfSigningKey: privateKey },
  );
  return { privateKey, certPem, chainPem: [] as string[] };
}

let idp: ReturnType<typeof credential>;
let faults: FaultSwitchboard;
let clock: VirtualClock;
let app: ReturnType<typeof createComponentApp>;

beforeAll(() => {
  idp = credential('Kakehashi JP node signing (TEST)');
  clock = new VirtualClock();
  clock.freeze(new Date('2027-03-01T09:00:00Z'));
  faults = new FaultSwitchboard();
  const deps = {
    store: openStore({ name: 'node-jp' }),
    clock,
    random: new SeededRandom(SEED),
    logger: createMemoryLogger('error'),
    config: new LayeredConfig([...CORE_OPTIONS, ...EID_OPTIONS], { env: {}, cli: { seed: SEED } }),
    fetch: globalThis.fetch,
    traces: { record: () => {} },
    faults,
  };
  app = createComponentApp({ component: 'node', country: 'JP', name: 'JP', version: '0' }, deps);
  mountSaml(app, {
    ...deps,
    baseUrl: BASE,
    country: 'JP',
    loa: LOA.high,
    personas: generatePersonas(SEED, 'JP'),
    signing: idp,
    encryption: idp,
    organizationName: 'JP (test)',
    registeredNodes: async () => [],
    validateCertificate: () => {
      throw new Error('no peers in this test');
    },
  });
});

const parse = (xml: string) => new DOMParser().parseFromString(xml, 'application/xml') as unknown as Document;
const formValue = (html: string, name: string) =>
  new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1]?.replace(/&#(\d+);/g, (_, d) => String.fromCharCode(d));

type Via = 'query' | 'header' | 'post' | 'picker' | 'none';

/** A demo-SP login at the IdP asking for `fault` in one of the ways a test may; returns the Response. */
async function login(
  fault: string | undefined,
  opts: { via?: Via; loa?: Loa; persona?: string } = {},
): Promise<{ requestId: string; xml: string; status: number; body: string }> {
  const via = opts.via ?? (fault ? 'query' : 'none');
  const { id, xml } = buildAuthnRequest({
    issuer: DEMO_SP_ENTITY_ID,
    destination: `${BASE}/saml/idp/sso`,
    acsUrl: ACS,
    requestedLoa: opts.loa ?? LOA.substantial,
    nowMs: clock.nowMs(),
  });
  const persona = opts.persona ?? 'jp-001';
  let res: Response;
  if (via === 'post') {
    const form = encodePostRequest(xml, { signer: { privateKey: sp.privateKey, certPem: sp.certPem } });
    res = await app.request(`${BASE}/saml/idp/sso`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form, kakehashi_persona: persona, kakehashi_fault: fault ?? '' }),
    });
  } else {
    const extra: Record<string, string> = via === 'picker' ? {} : { kakehashi_persona: persona };
    if (via === 'query' || via === 'picker') if (fault) extra.kakehashi_fault = fault;
    res = await app.request(encodeRedirectRequest(`${BASE}/saml/idp/sso`, xml, { extraParams: extra }), {
      headers: via === 'header' && fault ? { 'x-kakehashi-fault': fault } : {},
    });
    if (via === 'picker') {
      const page = await res.text();
      const requestId = /name="request_id" value="([^"]+)"/.exec(page)?.[1] as string;
      res = await app.request(`${BASE}/saml/idp/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ request_id: requestId, persona }),
      });
    }
  }
  const body = await res.text();
  const b64 = formValue(body, 'SAMLResponse');
  return { requestId: id, xml: b64 ? Buffer.from(b64, 'base64').toString('utf8') : '', status: res.status, body };
}

function memoryReplay(): SamlReplayCache {
  const seen = new Set<string>();
  return { seen: (i, id) => seen.has(`${i} ${id}`), remember: (i, id) => void seen.add(`${i} ${id}`) };
}
const replay = memoryReplay();

/** Our strict validator (or a weak one: `lenient` faults relax their checks), as the demo SP would run it. */
function validate(
  xml: string,
  requestId: string,
  opts: { loa?: Loa; lenient?: readonly SamlLenientFault[] } = {},
): Promise<SamlVerdict> {
  const fired: string[] = [];
  return validateSamlResponse(
    xml,
    {
      issuer: IDP,
      audience: DEMO_SP_ENTITY_ID,
      destination: ACS,
      inResponseTo: requestId,
      requestedLoa: opts.loa ?? LOA.substantial,
    },
    {
      clock,
      clockSkewSeconds: 60,
      resolveIdp: async (issuer) => (issuer === IDP ? { country: 'JP', signingCerts: [idp.certPem] } : undefined),
      replay,
      decryptionKey: sp.privateKey,
      ...(opts.lenient
        ? {
            relax: (fault: SamlLenientFault) => {
              const on = opts.lenient?.includes(fault) === true;
              if (on) fired.push(fault);
              return on;
            },
          }
        : {}),
    },
  );
}

/** The decrypted content of the Response's EncryptedAssertion (what the SP sees after decryption). */
function decrypted(xml: string): string {
  const ea = parse(xml).getElementsByTagNameNS(NS.saml, 'EncryptedAssertion')[0] as unknown as Element;
  const r = decryptEncryptedAssertion(ea, sp.privateKey);
  if (!r.ok) throw new Error(r.reason);
  return r.plaintext;
}
const rootAttr = (xml: string, name: string) => parse(xml).documentElement.getAttribute(name);
/** The element children of `el` named `local` (any namespace). */
const kids = (el: Element, local: string) =>
  Array.from(el.childNodes as unknown as Element[]).filter((c) => c.nodeType === 1 && c.localName === local);
/** The Reference URI of the ds:Signature child of `el`. */
const refOf = (el: Element) =>
  (kids(kids(el, 'Signature')[0] as Element, 'SignedInfo')[0] as Element)
    .getElementsByTagNameNS(NS.ds, 'Reference')[0]
    ?.getAttribute('URI');
/** Every samlp:Response of the document, root first. */
const responses = (xml: string) =>
  Array.from(parse(xml).getElementsByTagNameNS(NS.samlp, 'Response') as unknown as Element[]);
/** The top-level assertions of the decrypted content. */
const topAssertions = (xml: string) => kids(parse(`<w>${decrypted(xml)}</w>`).documentElement, 'Assertion');

/** What each forged Response must show, and the rule our validator names. */
const EXPECT: Record<SamlForgeFault, { rule: string; defect: (xml: string, requestId: string) => void }> = {
  'saml.unsigned-assertion': {
    rule: 'S10',
    defect: (xml) => {
      expect(decrypted(xml)).not.toContain('<ds:Signature');
      expect(xml).toContain('<ds:Signature'); // the Response stays signed
    },
  },
  'saml.wrapped-assertion': {
    rule: 'S3',
    defect: (xml) => {
      const plain = decrypted(xml);
      expect(plain.match(/<saml:Assertion /g)).toHaveLength(2);
      expect(plain.indexOf('mallory-evil-twin')).toBeLessThan(plain.indexOf('<ds:Signature'));
    },
  },
  'saml.wrapped-assertion.xsw1': {
    rule: 'S1',
    defect: (xml) => {
      const [outer, inner] = responses(xml);
      expect(inner?.parentNode).toMatchObject({ localName: 'Signature' });
      expect(outer?.getAttribute('ID')).not.toBe(inner?.getAttribute('ID'));
      expect(refOf(outer as Element)).toBe(`#${inner?.getAttribute('ID')}`);
    },
  },
  'saml.wrapped-assertion.xsw2': {
    rule: 'S2',
    defect: (xml) => {
      const [outer, inner] = responses(xml);
      expect(inner?.parentNode).toBe(outer);
      expect(refOf(outer as Element)).toBe(`#${inner?.getAttribute('ID')}`);
    },
  },
  'saml.wrapped-assertion.xsw4': {
    rule: 'S4',
    defect: (xml) => {
      const [evil, ...more] = topAssertions(xml);
      expect(more).toHaveLength(0);
      expect(evil?.getElementsByTagNameNS(NS.saml, 'NameID')[0]?.textContent).toMatch(/mallory-evil-twin$/);
      const nested = evil?.getElementsByTagNameNS(NS.saml, 'Assertion')[0];
      expect(nested?.parentNode).toBe(evil);
      expect(kids(nested as Element, 'Signature')).toHaveLength(1);
    },
  },
  'saml.wrapped-assertion.xsw5': {
    rule: 'S5',
    defect: (xml) => {
      const [evil, original] = topAssertions(xml);
      expect(refOf(evil as Element)).toBe(`#${original?.getAttribute('ID')}`);
      expect(kids(original as Element, 'Signature')).toHaveLength(0);
    },
  },
  'saml.wrapped-assertion.xsw6': {
    rule: 'S6',
    defect: (xml) => {
      const [evil, ...more] = topAssertions(xml);
      expect(more).toHaveLength(0);
      const sig = kids(evil as Element, 'Signature')[0] as Element;
      const original = Array.from(sig.childNodes as unknown as Element[]).find((c) => c.localName === 'Assertion');
      expect(refOf(evil as Element)).toBe(`#${original?.getAttribute('ID')}`);
    },
  },
  'saml.wrapped-assertion.xsw7': {
    rule: 'S7',
    defect: (xml) => {
      expect(xml).toMatch(
        /<samlp:Extensions><saml:Assertion [^>]*>[\s\S]*mallory-evil-twin[\s\S]*<\/samlp:Extensions>/,
      );
    },
  },
  'saml.wrapped-assertion.xsw8': {
    rule: 'S8',
    defect: (xml) => {
      const [evil, ...more] = topAssertions(xml);
      expect(more).toHaveLength(0);
      const object = kids(kids(evil as Element, 'Signature')[0] as Element, 'Object')[0] as Element;
      const original = Array.from(object.childNodes as unknown as Element[]).find((c) => c.localName === 'Assertion');
      expect(refOf(evil as Element)).toBe(`#${original?.getAttribute('ID')}`);
    },
  },
  'saml.attacker-key': {
    rule: 'S11',
    defect: (xml) => {
      const kiCert = /<ds:X509Certificate>([^<]+)</.exec(xml)?.[1] as string;
      const attacker = new X509Certificate(Buffer.from(kiCert, 'base64'));
      const real = new X509Certificate(idp.certPem);
      expect(attacker.subject).toBe(real.subject);
      expect(attacker.fingerprint256).not.toBe(real.fingerprint256);
    },
  },
  'saml.replayed-assertion': {
    rule: 'S12',
    defect: () => {}, // checked below: the same assertion ID as the Response before
  },
  'saml.wrong-in-response-to': {
    rule: 'S13',
    defect: (xml, requestId) => {
      expect(rootAttr(xml, 'InResponseTo')).not.toBe(requestId);
      expect(decrypted(xml)).toContain(`InResponseTo="${rootAttr(xml, 'InResponseTo')}"`);
    },
  },
  'saml.wrong-destination': {
    rule: 'S14',
    defect: (xml) => {
      expect(rootAttr(xml, 'Destination')).not.toBe(ACS);
      expect(decrypted(xml)).not.toContain(`Recipient="${ACS}"`);
    },
  },
  'saml.wrong-audience': {
    rule: 'S15',
    defect: (xml) => expect(decrypted(xml)).toContain('<saml:Audience>urn:kakehashi:forged:another-sp</saml:Audience>'),
  },
  'saml.expired': {
    rule: 'S16',
    defect: (xml) => {
      const nooa = /<saml:Conditions [^>]*NotOnOrAfter="([^"]+)"/.exec(decrypted(xml))?.[1] as string;
      expect(Date.parse(nooa)).toBeLessThan(clock.nowMs() - 60_000);
    },
  },
  'saml.wrong-issuer': {
    rule: 'S17',
    defect: (xml) => {
      expect(xml).not.toContain(`>${IDP}</saml:Issuer>`);
      expect(decrypted(xml)).not.toContain(`>${IDP}</saml:Issuer>`);
    },
  },
  'saml.loa-too-low': {
    rule: 'S18',
    defect: (xml) => expect(decrypted(xml)).toContain(`<saml:AuthnContextClassRef>${LOA.low}<`),
  },
  'saml.assertion-in-failed-response': {
    rule: 'S19',
    defect: (xml) => {
      expect(xml).toContain(`Value="${STATUS.responder}"`);
      expect(decrypted(xml)).toContain('<ds:Signature');
    },
  },
  'saml.tampered-assertion': {
    rule: 'S10',
    defect: (xml) => expect(decrypted(xml)).toContain('DateOfBirthType">1900-01-01<'),
  },
};

describe('SAML faults: declared, offered, one per S-rule an IdP can break', () => {
  it('each forge fault is per request and names its S-rule; each lenient twin is not', () => {
    for (const f of SAML_FAULTS as readonly FaultDefinition[]) {
      expect(f.block).toBe('eid');
      expect(f.rule).toMatch(/^S\d+ [a-z-]+$/);
      expect(f.perRequest === true).toBe(f.kind === 'forge');
      if (f.kind === 'lenient')
        expect(
          SAML_FORGE_FAULTS.some((n) => `lenient.${n}` === f.name),
          f.name,
        ).toBe(true);
    }
    expect(Object.keys(EXPECT).sort()).toEqual([...SAML_FORGE_FAULTS].sort());
    expect(faults.list().map((f) => f.name)).toEqual(expect.arrayContaining(SAML_FAULTS.map((f) => f.name)));
  });

  it('without a fault the Response is valid', async () => {
    const r = await login(undefined);
    expect(r.status).toBe(200);
    const v = await validate(r.xml, r.requestId);
    expect(v.failure).toBeUndefined();
    expect(v.valid).toBe(true);
  });
});

describe('SAML forge faults asked per request: the Response has exactly that defect, our validator names the rule', () => {
  it.each(SAML_FORGE_FAULTS.filter((f) => f !== 'saml.replayed-assertion'))('%s', async (fault) => {
    const r = await login(fault);
    expect(r.status, r.body.slice(0, 300)).toBe(200);
    EXPECT[fault].defect(r.xml, r.requestId);
    const v = await validate(r.xml, r.requestId);
    expect(v.valid).toBe(false);
    expect(v.failure?.rule).toBe(EXPECT[fault].rule);
    // The defining check names the fault's rule too (the catalogue id before the space).
    expect((SAML_FAULTS.find((f) => f.name === fault)?.rule ?? '').split(' ')[0]).toBe(EXPECT[fault].rule);
    // Per request only: the next login is correct.
    const next = await login(undefined);
    expect((await validate(next.xml, next.requestId)).valid).toBe(true);
  });

  it('saml.replayed-assertion re-sends the ID of the assertion the SP consumed before (S12)', async () => {
    const first = await login(undefined);
    expect((await validate(first.xml, first.requestId)).valid).toBe(true);
    const firstId = /<saml:Assertion [^>]*ID="([^"]+)"/.exec(decrypted(first.xml))?.[1];
    const again = await login('saml.replayed-assertion');
    expect(/<saml:Assertion [^>]*ID="([^"]+)"/.exec(decrypted(again.xml))?.[1]).toBe(firstId);
    expect(rootAttr(again.xml, 'InResponseTo')).toBe(again.requestId); // a fresh envelope for this request
    const v = await validate(again.xml, again.requestId);
    expect(v.failure).toMatchObject({ rule: 'S12', code: 'saml-replay' });
  });

  it('saml.loa-too-low below low states a class that is no eIDAS level', async () => {
    const r = await login('saml.loa-too-low', { loa: LOA.low });
    expect(decrypted(r.xml)).toContain(`<saml:AuthnContextClassRef>${BELOW_LOW}<`);
    expect((await validate(r.xml, r.requestId, { loa: LOA.low })).failure?.rule).toBe('S18');
  });

  it.each(['header', 'post', 'picker'] as const)(
    'is asked for %s too, and kept with the pending request',
    async (via) => {
      const r = await login('saml.wrong-audience', { via });
      expect(r.status, r.body.slice(0, 300)).toBe(200);
      EXPECT['saml.wrong-audience'].defect(r.xml, r.requestId);
      expect((await validate(r.xml, r.requestId)).failure?.rule).toBe('S15');
    },
  );

  it('an unknown fault, or one that cannot be asked per request, is a 400 problem before anything happens', async () => {
    const unknown = await login('saml.no-such-fault');
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.body)).toMatchObject({ code: 'fault-unknown' });
    const lenient = await login('lenient.saml.expired');
    expect(lenient.status).toBe(400);
    expect(JSON.parse(lenient.body)).toMatchObject({ code: 'fault-not-per-request' });
    // Another block's per-request fault would never fire in a SAML login: refused, naming those that do.
    faults.offer([{ name: 'test.other-block', block: 'test', kind: 'forge', description: 'x', perRequest: true }]);
    const other = await login('test.other-block');
    expect(other.status).toBe(400);
    expect(JSON.parse(other.body)).toMatchObject({ code: 'fault-unknown' });
    expect(JSON.parse(other.body).requestable).toEqual([...SAML_FORGE_FAULTS]);
  });

  it('switched on for everyone, every Response has the defect until it is switched off', async () => {
    faults.set({ enable: ['saml.expired'] });
    try {
      for (let i = 0; i < 2; i++) {
        const r = await login(undefined);
        EXPECT['saml.expired'].defect(r.xml, r.requestId);
        expect((await validate(r.xml, r.requestId)).failure?.rule).toBe('S16');
      }
    } finally {
      faults.set({ disable: ['saml.expired'] });
    }
    const r = await login(undefined);
    expect((await validate(r.xml, r.requestId)).valid).toBe(true);
  });
});

describe('lenient twins: a weak validator accepts the forged Response, the strict one beside it refuses', () => {
  const TWINS: [SamlLenientFault, SamlForgeFault, string, Loa?][] = [
    ['lenient.saml.unsigned-assertion', 'saml.unsigned-assertion', 'assertion-signature'],
    ['lenient.saml.wrapped-assertion', 'saml.wrapped-assertion', 'assertion-wrapping'],
    ['lenient.saml.attacker-key', 'saml.attacker-key', 'key'],
    ['lenient.saml.wrong-in-response-to', 'saml.wrong-in-response-to', 'in-response-to'],
    ['lenient.saml.wrong-destination', 'saml.wrong-destination', 'destination'],
    ['lenient.saml.wrong-audience', 'saml.wrong-audience', 'audience'],
    ['lenient.saml.expired', 'saml.expired', 'time'],
    ['lenient.saml.wrong-issuer', 'saml.wrong-issuer', 'issuer'],
    ['lenient.saml.loa-too-low', 'saml.loa-too-low', 'loa'],
    ['lenient.saml.assertion-in-failed-response', 'saml.assertion-in-failed-response', 'status'],
  ];
  it.each(TWINS)('%s lets %s through', async (lenient, forged) => {
    const rule = EXPECT[forged].rule;
    const r = await login(forged);
    const weak = await validate(r.xml, r.requestId, { lenient: [lenient] });
    expect(weak.failure, JSON.stringify(weak.failure)).toBeUndefined();
    expect(weak.valid).toBe(true);
    const relaxed = weak.checks.filter((c) => c.fault);
    expect(relaxed.length).toBeGreaterThan(0);
    for (const c of relaxed) {
      expect(c).toMatchObject({ outcome: 'skipped', fault: lenient, rule });
      expect(c.reason).toContain(lenient);
    }
    // The strict validator beside it (another replay cache: the weak one consumed the assertion) refuses.
    const strict = await validateSamlResponse(
      r.xml,
      {
        issuer: IDP,
        audience: DEMO_SP_ENTITY_ID,
        destination: ACS,
        inResponseTo: r.requestId,
        requestedLoa: LOA.substantial,
      },
      {
        clock,
        clockSkewSeconds: 60,
        resolveIdp: async (i) => (i === IDP ? { country: 'JP', signingCerts: [idp.certPem] } : undefined),
        replay: memoryReplay(),
        decryptionKey: sp.privateKey,
      },
    );
    expect(strict.failure?.rule).toBe(rule);
  });

  it('lenient.saml.wrapped-assertion consumes the evil first assertion (the attack succeeds)', async () => {
    const r = await login('saml.wrapped-assertion');
    const weak = await validate(r.xml, r.requestId, { lenient: ['lenient.saml.wrapped-assertion'] });
    expect(weak.identity?.familyName).toBe('Evil');
    expect(weak.identity?.personIdentifier).toMatch(/mallory-evil-twin$/);
  });

  it('lenient.saml.replayed-assertion accepts an assertion ID consumed before', async () => {
    const first = await login(undefined);
    expect((await validate(first.xml, first.requestId)).valid).toBe(true);
    const again = await login('saml.replayed-assertion');
    const weak = await validate(again.xml, again.requestId, { lenient: ['lenient.saml.replayed-assertion'] });
    expect(weak.valid).toBe(true);
    expect(weak.checks.find((c) => c.fault)).toMatchObject({ rule: 'S12', outcome: 'skipped' });
  });

  it('a lenient twin relaxes only its own rule: another defect is still refused', async () => {
    const r = await login('saml.tampered-assertion');
    const weak = await validate(r.xml, r.requestId, {
      lenient: SAML_FAULTS.filter((f) => f.kind === 'lenient').map((f) => f.name as SamlLenientFault),
    });
    expect(weak.failure?.rule).toBe('S10');
  });
});
