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
      return inc.process(node, { ancestorNamespaces: ancestorNamespaces(node) });
    case XMLDSIG.c14nComments:
      return incComments.process(node, { ancestorNamespaces: ancestorNamespaces(node) });
    default:
      throw new Error(`canonicalization ${algorithm} is not supported`);
  }
}
