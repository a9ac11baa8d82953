import { createPrivateKey } from 'node:crypto';
import { isKakehashiError } from '@kakehashi/core';
import { NS, STATUS } from '../constants.ts';
import {
  attr,
  childElements,
  decodeBase64Strict,
  descendants,
  ELEMENT_NODE,
  fullText,
  hasCommentOrPi,
} from '../xml/dom.ts';
import { collectIds, parseSamlXml, xmlRuleOf } from '../xml/parse-saml.ts';
import { decryptEncryptedAssertion } from '../xml/xml-encryption.ts';
import type { CheckId, Recorder } from './saml-checks.ts';
import type { ValidateSamlResponseContext } from './validation-context.ts';
import type { ExpectedSamlResponse, SamlRule } from './z-saml-validation.ts';

/** The Response and its one decrypted assertion, once the message checks passed. */
export interface CheckedMessage {
  /** The samlp:Response element. */
  resp: Element;
  /** Its one saml:Issuer. */
  responseIssuers: Element[];
  /** The decrypted saml:Assertion. */
  assertion: Element;
  /**
   * The assertion whose signature is verified: the consumed one — except on a weak node with
   * `lenient.saml.wrapped-assertion` on, which verifies the signed assertion and consumes the first (XSW).
   */
  signedAssertion: Element;
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

/**
 * The message checks, in order: the envelope ({@link checkEnvelope}), then its one assertion
 * ({@link checkAssertion}). The first failure stops the run.
 */
export function checkMessage(
  input: string | Document,
  expected: ExpectedSamlResponse,
  ctx: ValidateSamlResponseContext,
  r: Recorder,
): CheckedMessage {
  const { resp, responseIssuers, encrypted } = checkEnvelope(input, r);
  return { resp, responseIssuers, ...checkAssertion(resp, responseIssuers, encrypted, expected, ctx, r) };
}

/**
 * The envelope, in order: one safe parse (X1–X6, S20), the Response structure, wrapping at the Response level
 * (S1–S8: exactly one EncryptedAssertion, a direct child), status Success (S19). A linear rule list: each check
 * records its outcome and the first failure stops the run.
 * @see https://www.usenix.org/conference/usenixsecurity12/technical-sessions/presentation/somorovsky (XSW)
 */
function checkEnvelope(
  input: string | Document,
  r: Recorder,
): { resp: Element; responseIssuers: Element[]; encrypted: Element } {
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
    r.failUnless(
      'lenient.saml.assertion-in-failed-response',
      'status',
      `Status ${statusValue ?? 'missing'}${second ? ` / ${attr(second, 'Value') ?? ''}` : ''}${message ? `: ${fullText(message).slice(0, 200)}` : ''} — an assertion is consumed only from a Success response.`,
    );
  }
  r.pass('status', 'StatusCode Success.');
  return { resp, responseIssuers, encrypted: outer[0] as Element };
}

/**
 * The assertion, in order: decryption (AES-GCM, RSA-OAEP; X4 refuses the rest), the decrypted content parsed once
 * with IDs unique across the message (S20), exactly one assertion, not wrapped or nested (S3–S8), and no comment
 * or PI inside a consumed value (S9). A linear rule list.
 * @see https://www.w3.org/TR/xmlenc-core1/ (XML Encryption 1.1)
 */
function checkAssertion(
  resp: Element,
  responseIssuers: Element[],
  encrypted: Element,
  expected: ExpectedSamlResponse,
  ctx: ValidateSamlResponseContext,
  r: Recorder,
): { assertion: Element; signedAssertion: Element } {
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
  const decrypted = decryptEncryptedAssertion(encrypted, key);
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
  // A weak node (lenient.saml.wrapped-assertion) consumes the first assertion and verifies the signed one.
  let signedAssertion: Element | undefined;
  if (topAssertions.length > 1) {
    r.failUnless(
      'lenient.saml.wrapped-assertion',
      'assertion-wrapping',
      `The encrypted content holds ${topAssertions.length} assertions; exactly one is allowed.`,
      'saml-wrapping',
      siblingWrapping(topAssertions[0] as Element),
    );
    signedAssertion = topAssertions.find((a) => childElements(a, NS.ds, 'Signature').length > 0);
  }
  if (
    tops.length !== topAssertions.length ||
    topAssertions.length === 0 ||
    (topAssertions.length > 1 && !signedAssertion)
  )
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

  return { assertion, signedAssertion: signedAssertion ?? assertion };
}
