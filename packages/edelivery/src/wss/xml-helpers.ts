import { exclusiveC14n } from '@kakehashi/core';
import { EbmsError } from '../errors/ebms-error.ts';
import { allElements } from '../message/dom.ts';
import { NS } from '../message/ns.ts';

/** Creates `qname` in `ns` with attributes and children (elements or a text). */
export function el(
  doc: Document,
  ns: string,
  qname: string,
  attrs: Record<string, string> = {},
  children: (Element | string)[] = [],
): Element {
  const e = doc.createElementNS(ns, qname);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('wsu:')) e.setAttributeNS(NS.wsu, k, v);
    else if (k.startsWith('env:')) e.setAttributeNS(NS.soap, k, v);
    else if (k.startsWith('wsse11:')) e.setAttributeNS(NS.wsse11, k, v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.appendChild(typeof c === 'string' ? doc.createTextNode(c) : c);
  return e;
}

/**
 * Exclusive XML canonicalization (without comments) of one element, as the signature references and SignedInfo
 * use it; `prefixes` is the InclusiveNamespaces PrefixList when the reference names one.
 * @see https://www.w3.org/TR/xml-exc-c14n/
 */
export function excC14n(element: Element, prefixes: string[] = []): string {
  const ancestorNamespaces: { prefix: string; namespaceURI: string }[] = [];
  if (prefixes.length > 0) {
    for (let p = element.parentNode; p && p.nodeType === 1; p = p.parentNode) {
      const attrs = (p as Element).attributes;
      for (let i = 0; i < attrs.length; i++) {
        const a = attrs.item(i) as Attr;
        if (a.prefix === 'xmlns' && !ancestorNamespaces.some((x) => x.prefix === a.localName))
          ancestorNamespaces.push({ prefix: a.localName as string, namespaceURI: a.value });
      }
    }
  }
  return exclusiveC14n(element, { inclusiveNamespacesPrefixList: prefixes, ancestorNamespaces });
}

const ID_ATTRS: [string | null, string][] = [
  [NS.wsu, 'Id'],
  [null, 'Id'],
  [null, 'id'],
  [null, 'ID'],
];

/** The identifier an element carries (wsu:Id, Id, id or ID), if any. */
export function idOf(e: Element): string | undefined {
  for (const [ns, name] of ID_ATTRS) {
    const v = ns ? e.getAttributeNS(ns, name) : e.getAttribute(name);
    if (v) return v;
  }
  return undefined;
}

/**
 * The one element of `doc` with a given identifier (any of wsu:Id, Id, id, ID), for the several references of one
 * signature over a document that does not change while they are resolved: the elements are indexed by every
 * identifier they carry in one walk (at the first call), not one walk per reference. Two elements with the same
 * identifier — the shape of a signature-wrapping attack — are refused, never resolved to "the first".
 * @see shared/design/attack-catalogue.md X5, E8
 */
export function idResolver(doc: Document): (id: string) => Element {
  let index: Map<string, Element[]> | undefined;
  return (id) => {
    if (!index) {
      index = new Map();
      for (const e of allElements(doc.documentElement as Element)) {
        // The attributes read once, as the ID_ATTRS lookups match them: wsu:Id by namespace and local name, the
        // others by name (getAttribute).
        const seen: string[] = [];
        const attrs = e.attributes;
        for (let i = 0; i < attrs.length; i++) {
          const a = attrs[i] as Attr;
          const isId =
            (a.namespaceURI === NS.wsu && a.localName === 'Id') ||
            a.name === 'Id' ||
            a.name === 'id' ||
            a.name === 'ID';
          const v = a.value;
          if (!isId || v === '' || seen.includes(v)) continue;
          seen.push(v);
          const list = index.get(v);
          if (list) list.push(e);
          else index.set(v, [e]);
        }
      }
    }
    return theOne(index.get(id) ?? [], id);
  };
}

function theOne(found: Element[], id: string): Element {
  if (found.length === 0)
    throw new EbmsError('EBMS:0101', `The signature references #${id.slice(0, 80)}, which no element carries.`, {
      rule: 'XML-DSig §4.4.3.3 (same-document reference)',
    });
  if (found.length > 1)
    throw new EbmsError(
      'EBMS:0101',
      `${found.length} elements carry the identifier ${id.slice(0, 80)}: refused (signature wrapping).`,
      {
        rule: 'attack-catalogue E8/X5: identifiers must be unique',
      },
    );
  return found[0] as Element;
}
