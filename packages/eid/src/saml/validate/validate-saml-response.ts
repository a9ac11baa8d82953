import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { type Clock, type ErrorCode, isKakehashiError } from '@kakehashi/core';
import { loaRank } from '../../loa/loa.ts';
import { ATTRIBUTE_BY_URI, BEARER, NS, STATUS } from '../constants.ts';
import {
  attr,
  childElements,
  decodeBase64Strict,
  descendants,
  ELEMENT_NODE,
  fullText,
  hasCommentOrPi,
  parseSamlInstant,
  pemBody,
} from '../xml/dom.ts';
import { collectIds, parseSamlXml, xmlRuleOf } from '../xml/parse-saml.ts';
import {
  type InspectedSignature,
  inspectSignature,
  type SignatureProblem,
  verifyInspectedSignature,
} from '../xml/verify-signature.ts';
import { decryptEncryptedAssertion } from '../xml/xml-encryption.ts';
import type { ExpectedSamlResponse, SamlCheck, SamlIdentity, SamlRule, SamlVerdict } from './z-saml-validation.ts';

/** The IdP's keys, from its metadata validated against the trust fabric. */
export interface TrustedIdp {
  country: string;
  /** PEM signing certificates. */
  signingCerts: readonly string[];
}

/** Assertion IDs seen, per issuer, until NotOnOrAfter (S12). */
export interface SamlReplayCache {
  seen(issuer: string, assertionId: string): boolean;
  remember(issuer: string, assertionId: string, expiresAtSeconds: number): void;
}

export interface ValidateSamlResponseContext {
  clock: Clock;
  clockSkewSeconds: number;
  /** The registered IdP whose entity ID is `issuer`; undefined when none; throws when its metadata is unusable. */
  resolveIdp: (issuer: string) => Promise<TrustedIdp | undefined>;
  replay: SamlReplayCache;
  /** The key that decrypts the assertion (the SP's encryption key); else `expected.decryptionKeyPem`. */
  decryptionKey?: KeyObject;
}

type CheckId =
  | 'parse'
  | 'structure'
  | 'response-wrapping'
  | 'status'
  | 'decrypt'
  | 'assertion-parse'
  | 'assertion-wrapping'
  | 'comments'
  | 'issuer'
  | 'issuer-registered'
  | 'key'
  | 'assertion-signature'
  | 'envelope'
  | 'response-signature'
  | 'time'
  | 'audience'
  | 'destination'
  | 'in-response-to'
  | 'loa'
  | 'replay';

/** Every check in the order it runs; the rule named for a failure may be more specific (S1…S8, X1…X6). */
const CHECKS: readonly { id: CheckId; rule: SamlRule; name: string; code: ErrorCode }[] = [
  {
    id: 'parse',
    rule: 'X1',
    name: 'safe parse: no DOCTYPE/entities, size, depth, unique IDs, no parser differentials',
    code: 'malformed-xml',
  },
  {
    id: 'structure',
    rule: 'structure',
    name: 'a samlp:Response (version 2.0, ID, IssueInstant, Issuer, Status)',
    code: 'saml-malformed',
  },
  {
    id: 'response-wrapping',
    rule: 'S1',
    name: 'one Response, exactly one EncryptedAssertion, nothing hidden in Signature/Object/Extensions',
    code: 'saml-wrapping',
  },
  { id: 'status', rule: 'S19', name: 'status Success', code: 'saml-status-not-success' },
  {
    id: 'decrypt',
    rule: 'decryption',
    name: 'the assertion decrypts (AES-GCM, RSA-OAEP)',
    code: 'saml-decryption-failed',
  },
  {
    id: 'assertion-parse',
    rule: 'S20',
    name: 'the decrypted assertion parses safely, IDs unique across both',
    code: 'saml-parser-differential',
  },
  { id: 'assertion-wrapping', rule: 'S3', name: 'exactly one assertion, not wrapped or nested', code: 'saml-wrapping' },
  { id: 'comments', rule: 'S9', name: 'no comment or PI inside a consumed value', code: 'saml-comment-injection' },
  {
    id: 'issuer',
    rule: 'S17',
    name: 'Issuer of Response and assertion is the expected IdP',
    code: 'saml-issuer-invalid',
  },
  {
    id: 'issuer-registered',
    rule: 'issuer-registered',
    name: 'the IdP is a registered node with trusted metadata',
    code: 'saml-issuer-unknown',
  },
  {
    id: 'key',
    rule: 'S11',
    name: 'keys from trust: a KeyInfo certificate, if any, is the IdP metadata certificate',
    code: 'saml-untrusted-key',
  },
  {
    id: 'assertion-signature',
    rule: 'S10',
    name: 'the assertion is signed (one Reference to itself) and verifies',
    code: 'saml-signature-invalid',
  },
  {
    id: 'envelope',
    rule: 'S19',
    name: 'the assertion answers the same request as its Response (no swapped assertion)',
    code: 'saml-assertion-swapped',
  },
  {
    id: 'response-signature',
    rule: 'S10',
    name: 'the Response is signed (one Reference to itself) and verifies',
    code: 'saml-signature-invalid',
  },
  {
    id: 'time',
    rule: 'S16',
    name: 'NotBefore, NotOnOrAfter, IssueInstant on the virtual clock',
    code: 'saml-time-invalid',
  },
  { id: 'audience', rule: 'S15', name: 'AudienceRestriction names this SP', code: 'saml-audience-invalid' },
  {
    id: 'destination',
    rule: 'S14',
    name: 'Destination and Recipient are the expected ACS',
    code: 'saml-destination-invalid',
  },
  {
    id: 'in-response-to',
    rule: 'S13',
    name: 'InResponseTo is the outstanding request (no unsolicited response)',
    code: 'saml-in-response-to-invalid',
  },
  { id: 'loa', rule: 'S18', name: 'AuthnContextClassRef at least the requested LoA', code: 'saml-loa-insufficient' },
  { id: 'replay', rule: 'S12', name: 'assertion ID not seen before (kept until NotOnOrAfter)', code: 'saml-replay' },
];

class CheckFailed extends Error {}

interface Recorder {
  pass(id: CheckId, reason: string): void;
  skip(id: CheckId, reason: string): void;
  fail(id: CheckId, reason: string, code?: ErrorCode, rule?: SamlRule): never;
}

/**
 * Validates an eIDAS SAML Response strictly and returns a verdict naming every check (S1–S20, X1–X6 of the attack
 * catalogue). The XML is parsed once with the safe parser; signatures are canonicalised and verified from that
 * same DOM and only the element a signature's single Reference points to — its parent — is consumed; keys come
 * only from the IdP's metadata validated against the trust fabric; values are read as full string values.
 * `samlResponse` is the form value (base64) or the XML, or a Document the caller parsed with `parseSamlXml`.
 * The assertion is checked before its envelope's signature so that a swapped assertion is named as such; both
 * signatures must verify.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-profiles-2.0-os.pdf (§4.1.4.3 Response processing)
 * @see https://www.usenix.org/conference/usenixsecurity12/technical-sessions/presentation/somorovsky (XSW)
 * @see shared/design/attack-catalogue.md (S1–S20, X1–X6)
 */
export async function validateSamlResponse(
  samlResponse: string | Document,
  expected: ExpectedSamlResponse,
  ctx: ValidateSamlResponseContext,
): Promise<SamlVerdict> {
  const results = new Map<CheckId, Omit<SamlCheck, 'name'>>();
  let failed: CheckId | undefined;
  const def = (id: CheckId) => CHECKS.find((c) => c.id === id) as (typeof CHECKS)[number];
  const r: Recorder = {
    pass: (id, reason) => results.set(id, { rule: def(id).rule, outcome: 'passed', reason }),
    skip: (id, reason) => results.set(id, { rule: def(id).rule, outcome: 'skipped', reason }),
    fail: (id, reason, code, rule) => {
      results.set(id, { rule: rule ?? def(id).rule, outcome: 'failed', reason, code: code ?? def(id).code });
      failed = id;
      throw new CheckFailed(reason);
    },
  };
  let identity: SamlIdentity | undefined;
  try {
    identity = await run(samlResponse, expected, ctx, r);
  } catch (e) {
    if (!(e instanceof CheckFailed)) throw e;
  }
  const checks: SamlCheck[] = CHECKS.map((d) => {
    const res = results.get(d.id) ?? {
      rule: d.rule,
      outcome: 'skipped' as const,
      reason: `Not evaluated: an earlier check failed (${failed ? results.get(failed)?.rule : '?'}).`,
    };
    return { name: d.name, ...res };
  });
  if (failed) {
    const f = results.get(failed) as Omit<SamlCheck, 'name'>;
    return { valid: false, checks, failure: { rule: f.rule, code: f.code ?? def(failed).code, reason: f.reason } };
  }
  return { valid: true, checks, ...(identity ? { identity } : {}) };
}

/** Maps a parse error (thrown by the safe parser or the differential checks) to its rule. */
function parseFailure(e: unknown, raw: string, r: Recorder, id: CheckId, what: string): never {
  if (!isKakehashiError(e)) throw e;
  const rule: SamlRule =
    e.code === 'saml-parser-differential'
      ? 'S20'
      : (xmlRuleOf(e.code, raw) ?? (e.code === 'malformed-xml' ? 'structure' : 'S20'));
  return r.fail(id, `${what}: ${e.message}`, e.code, rule);
}

/** The Response text from the SAMLResponse form value (base64) or raw XML. */
function responseText(input: string, r: Recorder): string {
  const t = input.trim();
  if (t.startsWith('<')) return t;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(decodeBase64Strict(t, 'SAMLResponse'));
  } catch (e) {
    return r.fail(
      'parse',
      e instanceof Error ? e.message : 'SAMLResponse is not base64 of UTF-8 XML.',
      'saml-binding-invalid',
      'structure',
    );
  }
}

function hasAncestor(el: Element, stop: Element, ns: string, local: string): boolean {
  for (let n = el.parentNode; n && n !== stop && n.nodeType === ELEMENT_NODE; n = n.parentNode) {
    const e = n as Element;
    if (e.namespaceURI === ns && e.localName === local) return true;
  }
  return false;
}

/** Names the XSW variant from where an extra or nested assertion sits. */
function placeOfAssertion(a: Element, root: Element): { rule: SamlRule; where: string } | undefined {
  if (hasAncestor(a, root, NS.ds, 'Object')) return { rule: 'S8', where: 'inside a ds:Object of a signature' };
  if (hasAncestor(a, root, NS.samlp, 'Extensions')) return { rule: 'S7', where: 'inside samlp:Extensions' };
  if (hasAncestor(a, root, NS.ds, 'Signature')) return { rule: 'S6', where: 'inside a ds:Signature' };
  if (hasAncestor(a, root, NS.saml, 'Assertion') || hasAncestor(a, root, NS.saml, 'Advice'))
    return { rule: 'S4', where: 'nested inside another assertion' };
  return undefined;
}

/** Two sibling assertions: XSW3 (an unsigned one first) or XSW5 (the first carries a signature pointing at the other). */
function siblingWrapping(first: Element): SamlRule {
  const sig = childElements(first, NS.ds, 'Signature')[0];
  if (!sig) return 'S3';
  const ref = descendants(sig, NS.ds, 'Reference')[0];
  return ref && ref.getAttribute('URI') !== `#${attr(first, 'ID') ?? ''}` ? 'S5' : 'S3';
}

function trustedKey(pem: string): KeyObject {
  return createPublicKey(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'pem' }));
}

function signatureRule(kind: SignatureProblem['kind'], level: 'response' | 'assertion'): SamlRule {
  if (kind === 'forbidden') return 'X4';
  if (kind === 'differential') return 'S20';
  if (kind === 'reference') return level === 'response' ? 'S1' : 'S5';
  return 'S10';
}

async function run(
  input: string | Document,
  expected: ExpectedSamlResponse,
  ctx: ValidateSamlResponseContext,
  r: Recorder,
): Promise<SamlIdentity> {
  // ---- X1–X6, S20: one safe parse ------------------------------------------------------------------------------
  let doc: Document;
  if (typeof input === 'string') {
    const text = responseText(input, r);
    try {
      doc = parseSamlXml(text);
    } catch (e) {
      return parseFailure(e, text, r, 'parse', 'The Response is refused by the safe parser');
    }
  } else doc = input; // parsed by the caller with parseSamlXml (the ACS), the same checks
  r.pass(
    'parse',
    'Parsed once: no DOCTYPE or entity, within size and depth limits, unique IDs, no namespace confusion.',
  );

  // ---- structure ----------------------------------------------------------------------------------------------
  const resp = doc.documentElement;
  if (resp.namespaceURI !== NS.samlp || resp.localName !== 'Response')
    r.fail('structure', `The root is <${resp.nodeName.slice(0, 60)}>, not samlp:Response.`);
  if (attr(resp, 'Version') !== '2.0') r.fail('structure', 'Version must be 2.0.');
  const responseId = attr(resp, 'ID');
  if (!responseId) r.fail('structure', 'The Response has no ID.');
  const responseIssuers = childElements(resp, NS.saml, 'Issuer');
  if (responseIssuers.length !== 1) r.fail('structure', 'The Response needs exactly one saml:Issuer (eIDAS).');
  const statuses = childElements(resp, NS.samlp, 'Status');
  if (statuses.length !== 1) r.fail('structure', 'The Response needs exactly one samlp:Status.');
  r.pass('structure', 'samlp:Response version 2.0 with ID, Issuer and Status.');

  // ---- S1–S8 at the Response level ------------------------------------------------------------------------------
  const innerResponses = descendants(resp, NS.samlp, 'Response');
  if (innerResponses.length > 0) {
    const inSig = innerResponses.some((x) => hasAncestor(x, resp, NS.ds, 'Signature'));
    r.fail(
      'response-wrapping',
      inSig
        ? 'A second samlp:Response is hidden inside ds:Signature (XSW1): only the root Response may be consumed.'
        : 'A second samlp:Response is nested in the Response (XSW2): only the root Response may be consumed.',
      'saml-wrapping',
      inSig ? 'S1' : 'S2',
    );
  }
  const outer = [...descendants(resp, NS.saml, 'Assertion'), ...descendants(resp, NS.saml, 'EncryptedAssertion')];
  for (const a of outer) {
    const place = placeOfAssertion(a, resp);
    if (place)
      r.fail(
        'response-wrapping',
        `An assertion sits ${place.where}: never consumed, refused.`,
        'saml-wrapping',
        place.rule,
      );
  }
  const status = statuses[0] as Element;
  const code = childElements(status, NS.samlp, 'StatusCode')[0];
  const statusValue = code ? attr(code, 'Value') : undefined;
  if (outer.length > 1)
    r.fail(
      'response-wrapping',
      `The Response carries ${outer.length} assertions; exactly one is allowed (evil sibling assertion).`,
      'saml-wrapping',
      siblingWrapping(outer[0] as Element),
    );
  if (outer.length === 1 && (outer[0] as Element).localName === 'Assertion')
    r.fail(
      'response-wrapping',
      'The assertion is not encrypted: the eIDAS profile requires an EncryptedAssertion.',
      'saml-malformed',
      'structure',
    );
  if (outer.length === 0 && statusValue === STATUS.success)
    r.fail('response-wrapping', 'A Success Response without an assertion.', 'saml-malformed', 'structure');
  r.pass(
    'response-wrapping',
    outer.length === 1 ? 'One EncryptedAssertion, a direct child of the Response.' : 'No assertion.',
  );

  // ---- S19: status --------------------------------------------------------------------------------------------
  if (statusValue !== STATUS.success) {
    const second = code ? childElements(code, NS.samlp, 'StatusCode')[0] : undefined;
    const message = childElements(status, NS.samlp, 'StatusMessage')[0];
    r.fail(
      'status',
      `Status ${statusValue ?? 'missing'}${second ? ` / ${attr(second, 'Value') ?? ''}` : ''}${message ? `: ${fullText(message).slice(0, 200)}` : ''} — an assertion is consumed only from a Success response.`,
    );
  }
  r.pass('status', 'StatusCode Success.');

  // ---- decryption ---------------------------------------------------------------------------------------------
  let key = ctx.decryptionKey;
  if (!key && expected.decryptionKeyPem) {
    try {
      key = createPrivateKey(expected.decryptionKeyPem);
    } catch {
      r.fail('decrypt', 'decryptionKeyPem is not a PEM private key.');
    }
  }
  if (!key)
    return r.fail('decrypt', 'The assertion is encrypted and no decryption key was given (expected.decryptionKeyPem).');
  const decrypted = decryptEncryptedAssertion(outer[0] as Element, key);
  if (!decrypted.ok)
    r.fail(
      'decrypt',
      decrypted.reason,
      decrypted.kind === 'forbidden' ? 'saml-algorithm-forbidden' : undefined,
      decrypted.kind === 'forbidden' ? 'X4' : undefined,
    );
  const plaintext = (decrypted as { plaintext: string }).plaintext.replace(/^\s*<\?xml[^>]*\?>/, '');
  r.pass('decrypt', 'Decrypted with AES-GCM; the content key was transported with RSA-OAEP.');

  // ---- the assertion: parsed once, wrapping -------------------------------------------------------------------
  const WRAP = 'urn:kakehashi:decrypted';
  let wrapper: Element;
  try {
    wrapper = parseSamlXml(
      `<k:decrypted xmlns:k="${WRAP}">${plaintext}</k:decrypted>`,
      collectIds(resp),
    ).documentElement;
  } catch (e) {
    return parseFailure(e, plaintext, r, 'assertion-parse', 'The decrypted assertion is refused');
  }
  r.pass('assertion-parse', 'The decrypted content parses safely; its IDs are unique across the message.');
  const tops = childElements(wrapper);
  const topAssertions = tops.filter((t) => t.namespaceURI === NS.saml && t.localName === 'Assertion');
  if (topAssertions.length > 1)
    r.fail(
      'assertion-wrapping',
      `The encrypted content holds ${topAssertions.length} assertions; exactly one is allowed.`,
      'saml-wrapping',
      siblingWrapping(topAssertions[0] as Element),
    );
  if (tops.length !== 1 || topAssertions.length !== 1)
    r.fail(
      'assertion-wrapping',
      'The encrypted content must be exactly one saml:Assertion element.',
      'saml-malformed',
      'structure',
    );
  const assertion = topAssertions[0] as Element;
  for (const nested of descendants(assertion, NS.saml, 'Assertion')) {
    const place = placeOfAssertion(nested, wrapper) ?? { rule: 'S4' as SamlRule, where: 'nested inside the assertion' };
    r.fail(
      'assertion-wrapping',
      `A second assertion sits ${place.where}: only the signed one may be consumed.`,
      'saml-wrapping',
      place.rule,
    );
  }
  r.pass('assertion-wrapping', 'Exactly one assertion, nothing nested.');

  // ---- S9: consumed values are whole strings -----------------------------------------------------------------
  const consumed = [
    ...responseIssuers,
    ...childElements(assertion, NS.saml, 'Issuer'),
    ...descendants(assertion, NS.saml, 'NameID'),
    ...descendants(assertion, NS.saml, 'AttributeValue'),
    ...descendants(assertion, NS.saml, 'Audience'),
    ...descendants(assertion, NS.saml, 'AuthnContextClassRef'),
  ];
  const split = consumed.find((e) => hasCommentOrPi(e));
  if (split)
    r.fail(
      'comments',
      `<${split.nodeName}> contains a comment or processing instruction: a value split this way is read differently by naive consumers (full value ${JSON.stringify(fullText(split).slice(0, 80))}).`,
    );
  r.pass('comments', 'No comment or PI inside Issuer, NameID, AttributeValue, Audience or AuthnContextClassRef.');

  // ---- S17: issuer (before anything is fetched) ----------------------------------------------------------------
  const responseIssuer = fullText(responseIssuers[0] as Element).trim();
  const assertionIssuers = childElements(assertion, NS.saml, 'Issuer');
  const assertionIssuer = assertionIssuers.length === 1 ? fullText(assertionIssuers[0] as Element).trim() : undefined;
  if (responseIssuer !== expected.issuer)
    r.fail(
      'issuer',
      `The Response Issuer is ${JSON.stringify(responseIssuer.slice(0, 100))}, expected ${expected.issuer}.`,
    );
  if (assertionIssuer !== expected.issuer)
    r.fail(
      'issuer',
      `The assertion Issuer is ${JSON.stringify((assertionIssuer ?? 'missing').slice(0, 100))}, expected ${expected.issuer}.`,
    );
  r.pass('issuer', `Issuer ${expected.issuer} (verified with the signatures below).`);

  let idp: TrustedIdp | undefined;
  try {
    idp = await ctx.resolveIdp(expected.issuer);
  } catch (e) {
    r.fail(
      'issuer-registered',
      `The metadata of ${expected.issuer} is not usable: ${e instanceof Error ? e.message.slice(0, 200) : 'error'}`,
      'saml-issuer-metadata-unavailable',
    );
  }
  if (!idp) return r.fail('issuer-registered', `${expected.issuer} is not the IdP metadata URL of a registered node.`);
  r.pass(
    'issuer-registered',
    `The IdP of node ${idp.country}; ${idp.signingCerts.length} signing certificate(s) validated against the trust fabric.`,
  );

  // ---- signatures: structure, key from trust, then crypto from the same DOM -----------------------------------
  const aSig = inspectSignature(assertion);
  if (!aSig.ok)
    r.fail(
      aSig.kind === 'absent' ? 'assertion-signature' : 'assertion-wrapping',
      `Assertion signature: ${aSig.reason}`,
      aSig.kind === 'absent'
        ? 'saml-unsigned'
        : aSig.kind === 'forbidden'
          ? 'saml-algorithm-forbidden'
          : aSig.kind === 'differential'
            ? 'saml-parser-differential'
            : 'saml-wrapping',
      signatureRule(aSig.kind, 'assertion'),
    );
  const rSig = inspectSignature(resp);
  if (!rSig.ok)
    r.fail(
      rSig.kind === 'absent' ? 'response-signature' : 'response-wrapping',
      `Response signature: ${rSig.reason}`,
      rSig.kind === 'absent'
        ? 'saml-unsigned'
        : rSig.kind === 'forbidden'
          ? 'saml-algorithm-forbidden'
          : rSig.kind === 'differential'
            ? 'saml-parser-differential'
            : 'saml-wrapping',
      signatureRule(rSig.kind, 'response'),
    );
  const trusted = new Set(idp.signingCerts.map(pemBody));
  for (const [what, sig] of [
    ['assertion', aSig],
    ['Response', rSig],
  ] as const)
    for (const c of (sig as InspectedSignature).keyInfoCertificates)
      if (!trusted.has(c))
        r.fail(
          'key',
          `The ${what} signature's KeyInfo carries a certificate that is not the IdP's metadata certificate (same name or not): keys come from trust, never from KeyInfo.`,
        );
  r.pass(
    'key',
    `Verification keys: the ${trusted.size} signing certificate(s) of the IdP's trusted metadata; KeyInfo ignored.`,
  );

  const verifyWith = (el: Element, sig: InspectedSignature) => {
    let last: SignatureProblem | undefined;
    for (const pem of idp.signingCerts) {
      const v = verifyInspectedSignature(el, sig, trustedKey(pem));
      if (v.ok) return undefined;
      last = v;
    }
    return last;
  };
  const aBad = verifyWith(assertion, aSig as InspectedSignature);
  if (aBad) r.fail('assertion-signature', `Assertion: ${aBad.reason}`);
  r.pass('assertion-signature', 'The assertion signature verifies; its Reference is the assertion consumed.');

  // ---- S19: the assertion belongs to this envelope (swap) ------------------------------------------------------
  const subject = childElements(assertion, NS.saml, 'Subject')[0];
  const bearer = subject
    ? childElements(subject, NS.saml, 'SubjectConfirmation').filter((s) => attr(s, 'Method') === BEARER)
    : [];
  const scd =
    bearer.length === 1 ? childElements(bearer[0] as Element, NS.saml, 'SubjectConfirmationData')[0] : undefined;
  if (!subject || !scd)
    r.fail(
      'envelope',
      'The assertion needs a Subject with one bearer SubjectConfirmationData.',
      'saml-malformed',
      'structure',
    );
  const scData = scd as Element;
  const responseInResponseTo = attr(resp, 'InResponseTo');
  if (attr(scData, 'InResponseTo') !== responseInResponseTo || attr(scData, 'Recipient') !== attr(resp, 'Destination'))
    r.fail(
      'envelope',
      'The assertion answers another request or recipient than the Response that carries it (InResponseTo/Recipient differ): a swapped assertion.',
    );
  r.pass('envelope', 'The assertion and its Response answer the same request for the same recipient.');

  const rBad = verifyWith(resp, rSig as InspectedSignature);
  if (rBad) r.fail('response-signature', `Response: ${rBad.reason}`);
  r.pass('response-signature', 'The Response signature verifies; its Reference is the Response consumed.');

  // ---- S16: time ---------------------------------------------------------------------------------------------
  const now = ctx.clock.nowMs();
  const skew = ctx.clockSkewSeconds * 1000;
  const conditions = childElements(assertion, NS.saml, 'Conditions')[0];
  if (!conditions) r.fail('time', 'The assertion has no Conditions.', 'saml-malformed', 'structure');
  const cond = conditions as Element;
  const notBefore = parseSamlInstant(attr(cond, 'NotBefore'));
  const notOnOrAfter = parseSamlInstant(attr(cond, 'NotOnOrAfter'));
  const scdNotOnOrAfter = parseSamlInstant(attr(scData, 'NotOnOrAfter'));
  const issued = parseSamlInstant(attr(assertion, 'IssueInstant'));
  if (notOnOrAfter === undefined || scdNotOnOrAfter === undefined || issued === undefined)
    r.fail(
      'time',
      'IssueInstant, Conditions/@NotOnOrAfter and SubjectConfirmationData/@NotOnOrAfter are required UTC instants.',
    );
  if ((notOnOrAfter as number) <= now - skew)
    r.fail('time', `Expired: Conditions NotOnOrAfter ${attr(cond, 'NotOnOrAfter')} (skew ${ctx.clockSkewSeconds} s).`);
  if ((scdNotOnOrAfter as number) <= now - skew)
    r.fail('time', `Expired: SubjectConfirmationData NotOnOrAfter ${attr(scData, 'NotOnOrAfter')}.`);
  if (notBefore !== undefined && notBefore > now + skew)
    r.fail('time', `Not yet valid: NotBefore ${attr(cond, 'NotBefore')}.`);
  if ((issued as number) > now + skew) r.fail('time', 'The assertion was issued in the future.');
  r.pass(
    'time',
    `Valid for ${Math.round(((notOnOrAfter as number) - now) / 1000)} s more (skew ${ctx.clockSkewSeconds} s).`,
  );

  // ---- S15: audience -----------------------------------------------------------------------------------------
  const restrictions = childElements(cond, NS.saml, 'AudienceRestriction');
  if (restrictions.length === 0) r.fail('audience', 'The assertion has no AudienceRestriction.');
  for (const ar of restrictions) {
    const audiences = childElements(ar, NS.saml, 'Audience').map((a) => fullText(a).trim());
    if (!audiences.includes(expected.audience))
      r.fail(
        'audience',
        `AudienceRestriction ${JSON.stringify(audiences.map((a) => a.slice(0, 80)))} does not name ${expected.audience}.`,
      );
  }
  r.pass('audience', `Audience ${expected.audience}.`);

  // ---- S14: destination and recipient -------------------------------------------------------------------------
  const destination = attr(resp, 'Destination');
  if (destination !== expected.destination)
    r.fail(
      'destination',
      `Destination is ${JSON.stringify((destination ?? 'missing').slice(0, 120))}, expected ${expected.destination}.`,
    );
  if (attr(scData, 'Recipient') !== expected.destination)
    r.fail(
      'destination',
      `Recipient is ${JSON.stringify((attr(scData, 'Recipient') ?? 'missing').slice(0, 120))}, expected ${expected.destination}.`,
    );
  r.pass('destination', `Destination and Recipient are ${expected.destination}.`);

  // ---- S13: InResponseTo ---------------------------------------------------------------------------------------
  if (!responseInResponseTo) r.fail('in-response-to', 'No InResponseTo: unsolicited responses are refused.');
  if (responseInResponseTo !== expected.inResponseTo)
    r.fail(
      'in-response-to',
      `InResponseTo ${JSON.stringify((responseInResponseTo ?? '').slice(0, 80))} is not the outstanding request ${expected.inResponseTo}.`,
    );
  r.pass('in-response-to', `Answers ${expected.inResponseTo}.`);

  // ---- S18: LoA ---------------------------------------------------------------------------------------------------
  const authn = childElements(assertion, NS.saml, 'AuthnStatement');
  const classRefs = authn
    .flatMap((a) => descendants(a, NS.saml, 'AuthnContextClassRef'))
    .map((e) => fullText(e).trim());
  if (authn.length !== 1 || classRefs.length !== 1)
    r.fail('loa', 'The assertion needs exactly one AuthnStatement with one AuthnContextClassRef.');
  const loa = classRefs[0] as string;
  if (expected.requestedLoa) {
    if (loaRank(loa) === 0)
      r.fail('loa', `AuthnContextClassRef ${JSON.stringify(loa.slice(0, 80))} is not an eIDAS LoA URI.`);
    if (loaRank(loa) < loaRank(expected.requestedLoa))
      r.fail('loa', `${loa} is below the requested minimum ${expected.requestedLoa} (LoA downgrade).`);
    r.pass('loa', `${loa} meets the minimum ${expected.requestedLoa}.`);
  } else r.skip('loa', `No minimum given (the assertion states ${loa.slice(0, 80)}).`);

  // ---- S12: replay, recorded only when everything else passed -------------------------------------------------
  const assertionId = attr(assertion, 'ID') as string;
  if (ctx.replay.seen(expected.issuer, assertionId))
    r.fail('replay', `Assertion ${assertionId.slice(0, 80)} was already consumed; it is remembered until it expires.`);
  ctx.replay.remember(expected.issuer, assertionId, Math.ceil(((notOnOrAfter as number) + skew) / 1000));
  r.pass('replay', 'First use; remembered until NotOnOrAfter.');

  return extractIdentity(assertion, expected.issuer, idp.country, loa);
}

function extractIdentity(assertion: Element, issuer: string, country: string, loa: string): SamlIdentity {
  const nameIdEl = descendants(assertion, NS.saml, 'NameID')[0];
  const identity: SamlIdentity = {
    issuer,
    country,
    assertionId: attr(assertion, 'ID') as string,
    nameId: nameIdEl ? fullText(nameIdEl) : '',
    loa,
  };
  const keys: Record<string, keyof SamlIdentity> = {
    PersonIdentifier: 'personIdentifier',
    FamilyName: 'familyName',
    FirstName: 'firstName',
    DateOfBirth: 'dateOfBirth',
    BirthName: 'birthName',
    PlaceOfBirth: 'placeOfBirth',
    CurrentAddress: 'currentAddress',
    Gender: 'gender',
  };
  for (const a of descendants(assertion, NS.saml, 'Attribute')) {
    const friendly = ATTRIBUTE_BY_URI.get(attr(a, 'Name') ?? '');
    if (!friendly) continue;
    for (const v of childElements(a, NS.saml, 'AttributeValue')) {
      const latin = v.getAttributeNS(NS.eidasNatural, 'LatinScript');
      const value = fullText(v);
      const k = keys[friendly] as keyof SamlIdentity;
      if (latin === 'true' && (friendly === 'FamilyName' || friendly === 'FirstName'))
        identity[friendly === 'FamilyName' ? 'familyNameLatin' : 'firstNameLatin'] = value;
      else (identity as unknown as Record<string, string>)[k] = value;
    }
  }
  return identity;
}
