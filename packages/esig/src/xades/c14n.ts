import { exclusiveC14n } from '@kakehashi/core';
import { C14nCanonicalization, C14nCanonicalizationWithComments } from 'xml-crypto';
import { XMLDSIG } from '../common/algorithms.ts';

/** Canonicalization algorithms accepted (as CanonicalizationMethod and as Reference transforms). */
export const C14N_ALGORITHMS: ReadonlySet<string> = new Set([
  XMLDSIG.excC14n,
  XMLDSIG.excC14nComments,
  XMLDSIG.c14n,
  XMLDSIG.c14nComments,
]);

const inc = new C14nCanonicalization();
const incComments = new C14nCanonicalizationWithComments();

/** Namespace declarations in scope from the ancestors of `node`, the nearest first ('' is the default namespace). */
function ancestorNamespaces(node: Element): { prefix: string; namespaceURI: string }[] {
  const seen = new Map<string, string>();
  for (let p = node.parentNode; p && p.nodeType === 1; p = p.parentNode) {
    const attrs = (p as Element).attributes;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs.item(i) as Attr;
      if (a.name === 'xmlns' && !seen.has('')) seen.set('', a.value);
      else if (a.name.startsWith('xmlns:') && !seen.has(a.name.slice(6))) seen.set(a.name.slice(6), a.value);
    }
  }
  return [...seen.entries()].map(([prefix, namespaceURI]) => ({ prefix, namespaceURI }));
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/**
 * Inclusive c14n 1.0 of an element as the subset standing alone: every namespace in scope on the apex once, and the
 * ancestors' `xml:*` attributes the apex lacks inherited onto it (C14N 1.0 §2.4). xml-crypto renders the apex's own
 * default namespace and the ancestors' again (`xmlns` twice, not even well-formed) and inherits no `xml:*`: it gets
 * an unprefixed apex's ancestors without the default namespace (the apex renders the one in scope itself), and a
 * copy of the apex carrying the inherited attributes (the document is not changed).
 * @see https://www.w3.org/TR/2001/REC-xml-c14n-20010315#DocSubsets
 */
function inclusiveSubset(node: Element): {
  apex: Element;
  ancestorNamespaces: { prefix: string; namespaceURI: string }[];
} {
  const ns = ancestorNamespaces(node);
  const inherited = new Map<string, string>();
  for (let p = node.parentNode; p && p.nodeType === 1; p = p.parentNode) {
    const attrs = (p as Element).attributes;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs.item(i) as Attr;
      if (a.namespaceURI === XML_NS && !inherited.has(a.name) && !node.hasAttributeNS(XML_NS, a.localName as string))
        inherited.set(a.name, a.value);
    }
  }
  let apex = node;
  if (inherited.size > 0) {
    apex = node.cloneNode(true) as Element;
    for (const [name, value] of inherited) apex.setAttributeNS(XML_NS, name, value);
  }
  return { apex, ancestorNamespaces: node.prefix ? ns : ns.filter((b) => b.prefix !== '') };
}

/**
 * xml-crypto's inclusive c14n renders a processing instruction as its data alone, as if it were text: part of a
 * signed text moved into a PI would digest the same while every reader of the DOM skips it (a forgery). Until it
 * renders `<?target data?>` as C14N says, content holding a PI is refused for the inclusive algorithms (the
 * exclusive ones, core's, render PIs correctly).
 * @see https://www.w3.org/TR/2001/REC-xml-c14n-20010315#ProcessingModel
 */
function refuseProcessingInstructions(node: Node): void {
  for (let n = node.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 7)
      throw new Error('a processing instruction inside content signed with inclusive c14n is refused');
    if (n.nodeType === 1) refuseProcessingInstructions(n);
  }
}

/**
 * Canonicalizes an element with one of the accepted algorithms: exclusive XML c14n (with an optional
 * InclusiveNamespaces PrefixList; core's one-pass `exclusiveC14n`, byte for byte xml-crypto's output) or inclusive
 * c14n 1.0 (xml-crypto's), with or without comments. `exclude` (a descendant of `node`: the signature under the
 * enveloped-signature transform) is left out with its subtree, as if removed: the exclusive algorithms skip it in
 * their walk, xml-crypto's gets the document with it taken out and put back.
 * @see https://www.w3.org/TR/xml-exc-c14n/
 * @see https://www.w3.org/TR/2001/REC-xml-c14n-20010315
 */
export function canonicalize(node: Element, algorithm: string, prefixList: string[] = [], exclude?: Node): string {
  switch (algorithm) {
    case XMLDSIG.excC14n:
    case XMLDSIG.excC14nComments:
      return exclusiveC14n(node, {
        inclusiveNamespacesPrefixList: prefixList,
        withComments: algorithm === XMLDSIG.excC14nComments,
        // A listed prefix declared above the apex is rendered on it (exc-c14n §3: it is in scope there).
        ...(prefixList.length > 0
          ? { ancestorNamespaces: ancestorNamespaces(node).filter((b) => b.prefix !== '') }
          : {}),
        ...(exclude ? { exclude } : {}),
      });
    case XMLDSIG.c14n:
    case XMLDSIG.c14nComments: {
      const parent = exclude?.parentNode;
      if (!exclude || !parent) return inclusiveC14n(node, algorithm);
      const next = exclude.nextSibling;
      parent.removeChild(exclude);
      try {
        return inclusiveC14n(node, algorithm);
      } finally {
        parent.insertBefore(exclude, next);
      }
    }
    default:
      throw new Error(`canonicalization ${algorithm} is not supported`);
  }
}

/** Inclusive c14n 1.0 of `node` (xml-crypto's, with the subset fixes of {@link inclusiveSubset}). */
function inclusiveC14n(node: Element, algorithm: string): string {
  refuseProcessingInstructions(node);
  const subset = inclusiveSubset(node);
  return (algorithm === XMLDSIG.c14n ? inc : incComments).process(subset.apex, {
    ancestorNamespaces: subset.ancestorNamespaces,
  });
}

/** The algorithm without comments: a same-document reference's node-set has none (XML-DSig §4.4.3.3). */
const WITHOUT_COMMENTS: Record<string, string> = {
  [XMLDSIG.excC14nComments]: XMLDSIG.excC14n,
  [XMLDSIG.c14nComments]: XMLDSIG.c14n,
};

/**
 * Canonicalizes the node-set of `URI=""` — the whole document without comments: the processing instructions
 * outside the document element, each on its own line before or after it (C14N 1.0 §2.1: a line break between a
 * node outside the document element and that element), and the document element. A stylesheet PI added to a signed
 * document therefore changes the digest (canonicalizing the root alone left it out).
 * @see https://www.w3.org/TR/xmldsig-core1/#sec-Same-Document
 * @see https://www.w3.org/TR/2001/REC-xml-c14n-20010315#DocumentOrder
 */
export function canonicalizeDocument(
  doc: Document,
  algorithm: string,
  prefixList: string[] = [],
  exclude?: Node,
): string {
  const root = doc.documentElement;
  if (!root) throw new Error('the document has no document element');
  let before = '';
  let after = '';
  let seenRoot = false;
  for (let n = doc.firstChild; n; n = n.nextSibling) {
    if (n === root) seenRoot = true;
    // xmldom keeps the XML declaration as a PI with target `xml`: it is no node of the data model, not signed.
    else if (n.nodeType === 7 && (n as ProcessingInstruction).target !== 'xml') {
      const pi = n as ProcessingInstruction;
      if (!pi.target) throw new Error('a processing instruction without a target cannot be canonicalized');
      const text = `<?${pi.target}${pi.data ? ` ${pi.data}` : ''}?>`;
      if (seenRoot) after += `\n${text}`;
      else before += `${text}\n`;
    }
  }
  return `${before}${canonicalize(root, WITHOUT_COMMENTS[algorithm] ?? algorithm, prefixList, exclude)}${after}`;
}
