import { type ErrorCode, KakehashiError, parseXml } from '@kakehashi/core';
import { MAX_SAML_DEPTH, MAX_SAML_MESSAGE_BYTES, NS } from '../constants.ts';
import { ELEMENT_NODE } from './dom.ts';

/** The XML-parsing rules of the attack catalogue. */
export type XmlRule = 'X1' | 'X2' | 'X3' | 'X4' | 'X5' | 'X6';

/** Where each element of the SAML vocabulary lives: the same local name elsewhere is namespace confusion (S20). */
const HOME: Readonly<Record<string, string>> = {
  Response: NS.samlp,
  AuthnRequest: NS.samlp,
  StatusCode: NS.samlp,
  Assertion: NS.saml,
  EncryptedAssertion: NS.saml,
  Issuer: NS.saml,
  NameID: NS.saml,
  Subject: NS.saml,
  SubjectConfirmationData: NS.saml,
  Conditions: NS.saml,
  Audience: NS.saml,
  AuthnContextClassRef: NS.saml,
  Signature: NS.ds,
  SignedInfo: NS.ds,
  Reference: NS.ds,
  DigestValue: NS.ds,
  SignatureValue: NS.ds,
};
/** The conventional prefixes: bound to another namespace they mislead readers and naive consumers. */
const PREFIXES: Readonly<Record<string, string>> = { saml: NS.saml, samlp: NS.samlp, ds: NS.ds, xenc: NS.xenc };
const ID_NAMES = new Set(['id']);

/**
 * Parses a SAML message with the project's safe parser (no DOCTYPE, no entities, size and depth limits), then
 * refuses what lets two parsers read it differently: a repeated ID value anywhere (X5), an element with two
 * ID attributes (`ID` and `Id`, or a namespaced `x:ID`), a prefix bound to two namespaces or a conventional
 * prefix (saml, samlp, ds, xenc) bound to a foreign one, and SAML/DSig element names in a foreign namespace
 * (S20). Throws KakehashiError: `xml-*` codes (X1–X6) or `saml-parser-differential` (S20).
 * @see shared/design/attack-catalogue.md (S20, X1–X6)
 */
export function parseSamlXml(text: string | Uint8Array, extraIds: ReadonlySet<string> = new Set()): Document {
  const doc = parseXml(text, { maxBytes: MAX_SAML_MESSAGE_BYTES, maxDepth: MAX_SAML_DEPTH });
  checkDifferentials(doc.documentElement, extraIds);
  return doc;
}

/** The ID values found in a document (for checking a decrypted assertion against its envelope). */
export function collectIds(root: Element): Set<string> {
  const ids = new Set<string>();
  walk(root, (e) => {
    for (let i = 0; i < e.attributes.length; i++) {
      const a = e.attributes[i] as Attr;
      if (ID_NAMES.has(a.localName.toLowerCase()) && !a.name.startsWith('xmlns')) ids.add(a.value);
    }
  });
  return ids;
}

function walk(root: Element, fn: (e: Element) => void): void {
  const stack: Element[] = [root];
  while (stack.length > 0) {
    const e = stack.pop() as Element;
    fn(e);
    for (let c = e.lastChild; c; c = c.previousSibling) if (c.nodeType === ELEMENT_NODE) stack.push(c as Element);
  }
}

function differential(reason: string): KakehashiError {
  return new KakehashiError('saml-parser-differential', reason, { rule: 'S20' });
}

function checkDifferentials(root: Element, extraIds: ReadonlySet<string>): void {
  const ids = new Set<string>(extraIds);
  const bindings = new Map<string, string>();
  walk(root, (e) => {
    let idAttrs = 0;
    for (let i = 0; i < e.attributes.length; i++) {
      const a = e.attributes[i] as Attr;
      if (a.name === 'xmlns' || a.name.startsWith('xmlns:')) {
        const prefix = a.name === 'xmlns' ? '' : a.localName;
        if (prefix && PREFIXES[prefix] && PREFIXES[prefix] !== a.value)
          throw differential(
            `The prefix ${prefix}: is bound to ${JSON.stringify(a.value.slice(0, 80))}, not ${PREFIXES[prefix]} (namespace confusion).`,
          );
        const before = bindings.get(prefix);
        if (prefix && before !== undefined && before !== a.value)
          throw differential(`The prefix ${prefix}: is bound to two namespaces in one message (namespace confusion).`);
        bindings.set(prefix, a.value);
        continue;
      }
      if (!ID_NAMES.has(a.localName.toLowerCase())) continue;
      if (++idAttrs > 1)
        throw differential(
          `<${e.localName}> has more than one ID attribute (attribute pollution): which one a parser reads differs.`,
        );
      if (ids.has(a.value))
        throw new KakehashiError(
          'xml-duplicate-id',
          `The ID ${JSON.stringify(a.value.slice(0, 80))} appears twice: IDs must be unique.`,
          {
            rule: 'X5',
          },
        );
      ids.add(a.value);
    }
    const home = HOME[e.localName];
    if (home && e.namespaceURI !== home)
      throw differential(
        `<${e.nodeName}> is in namespace ${JSON.stringify(e.namespaceURI ?? '')}, not ${home} (namespace confusion).`,
      );
  });
}

/**
 * Which X rule a parsing failure breaks, from its code and the raw text: a DOCTYPE with an external subset or
 * parameter entities is X3, an external entity X1, internal entities (the billion laughs) X2; size and depth X6;
 * duplicate IDs X5.
 */
export function xmlRuleOf(code: ErrorCode, raw: string): XmlRule | undefined {
  if (code === 'xml-too-large' || code === 'xml-too-deep' || code === 'payload-too-large') return 'X6';
  if (code === 'xml-duplicate-id') return 'X5';
  if (code === 'saml-algorithm-forbidden') return 'X4';
  if (code === 'xml-doctype-forbidden' || code === 'xml-entity-forbidden') {
    const head = raw.slice(0, 4096);
    if (/<!DOCTYPE[^[>]*\b(SYSTEM|PUBLIC)\b/i.test(head) || /<!ENTITY\s+%/i.test(head)) return 'X3';
    if (/<!ENTITY\s+\S+\s+(SYSTEM|PUBLIC)\b/i.test(head)) return 'X1';
    if (/<!ENTITY/i.test(head)) return 'X2';
    return 'X1';
  }
  return undefined;
}
