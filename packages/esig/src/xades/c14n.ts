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

/** Namespace declarations in scope from the ancestors of `node` (inclusive c14n renders them on the apex). */
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
 * c14n 1.0 (xml-crypto's), with or without comments.
 * @see https://www.w3.org/TR/xml-exc-c14n/
 * @see https://www.w3.org/TR/2001/REC-xml-c14n-20010315
 */
export function canonicalize(node: Element, algorithm: string, prefixList: string[] = []): string {
  switch (algorithm) {
    case XMLDSIG.excC14n:
      return exclusiveC14n(node, { inclusiveNamespacesPrefixList: prefixList });
    case XMLDSIG.excC14nComments:
      return exclusiveC14n(node, { inclusiveNamespacesPrefixList: prefixList, withComments: true });
    case XMLDSIG.c14n:
      refuseProcessingInstructions(node);
      return inc.process(node, { ancestorNamespaces: ancestorNamespaces(node) });
    case XMLDSIG.c14nComments:
      refuseProcessingInstructions(node);
      return incComments.process(node, { ancestorNamespaces: ancestorNamespaces(node) });
    default:
      throw new Error(`canonicalization ${algorithm} is not supported`);
  }
}
