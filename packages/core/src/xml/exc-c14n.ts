/**
 * Exclusive XML canonicalization (with or without comments) over a DOM: the output of xml-crypto's
 * `ExclusiveCanonicalization#process` (the implementation every signer and verifier of the project used), byte
 * for byte, including where xml-crypto departs from the letter of the specification — a signature made by an
 * xml-crypto signer must keep verifying, and what xml-crypto refuses is refused here with the same message. The
 * difference is the mechanism: one pass that appends to a string and keeps the rendered namespace bindings on a
 * stack (xml-crypto copies the array of bindings for every child node, text nodes included, and joins an array
 * per element), which makes canonicalizing a signed document several times cheaper.
 *
 * Kept as xml-crypto has them (differential tests in packages/esig/test/exc-c14n-differential.test.ts compare the
 * two on random and adversarial documents):
 * - namespace declarations sorted with `localeCompare` on the prefix, attributes by namespace URI + local name
 *   (attributes without a namespace first);
 * - a node that is not a comment, a processing instruction, an element or a node with non-empty `data` (text,
 *   CDATA) cannot be canonicalized (the same error);
 * Departs from xml-crypto on purpose: a processing instruction is rendered `<?target data?>` as C14N says, not as
 * its data alone (xml-crypto's rendering made PI-split signed texts verify: a forgery, see `pi`).
 * - without an explicit InclusiveNamespaces PrefixList, the PrefixList of a CanonicalizationMethod child of the
 *   apex is used; `ancestorNamespaces` whose prefix is in the list are declared on the apex (`setAttributeNS`, as
 *   xml-crypto does) — unless the apex declares that prefix itself (departs: xml-crypto overwrote the apex's own).
 * @see https://www.w3.org/TR/xml-exc-c14n/
 * @see https://www.w3.org/TR/2001/REC-xml-c14n-20010315#ProcessingModel
 */

/** The options of xml-crypto's `process` that exclusive c14n reads. */
export interface ExcC14nOptions {
  /** Render comments (the `#WithComments` algorithm). */
  withComments?: boolean;
  /** InclusiveNamespaces PrefixList. */
  inclusiveNamespacesPrefixList?: string[];
  /** Namespace bindings of the apex's ancestors (declared on the apex when their prefix is in the list). */
  ancestorNamespaces?: { prefix: string; namespaceURI: string }[];
  defaultNs?: string;
  defaultNsForPrefix?: Record<string, string>;
  /**
   * A node left out with its subtree, as if it had been removed from the document — the enveloped-signature
   * transform without taking the signature out of the tree and putting it back.
   * @see https://www.w3.org/TR/xmldsig-core1/#sec-EnvelopedSignature
   */
  exclude?: Node;
}

const NS_XMLNS = 'http://www.w3.org/2000/xmlns/';

interface Binding {
  prefix: string;
  namespaceURI: string | null | undefined;
}

/** Array#join renders null and undefined as the empty string; so does the output here. */
const str = (v: string | null | undefined) => (v === null || v === undefined ? '' : v);

const TEXT_SPECIAL = /[&<>\r]/;
const TEXT_SPECIAL_G = /[&<>\r]/g;
const TEXT_ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };
const ATTR_SPECIAL = /[&<"\r\n\t]/;
const ATTR_SPECIAL_G = /[&<"\r\n\t]/g;
const ATTR_ENTITY: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '"': '&quot;',
  '\r': '&#xD;',
  '\n': '&#xA;',
  '\t': '&#x9;',
};
const encodeText = (t: string) =>
  TEXT_SPECIAL.test(t) ? t.replace(TEXT_SPECIAL_G, (c) => TEXT_ENTITY[c] as string) : t;
const encodeAttr = (t: string) =>
  ATTR_SPECIAL.test(t) ? t.replace(ATTR_SPECIAL_G, (c) => ATTR_ENTITY[c] as string) : t;

function attrCompare(a: Attr, b: Attr): number {
  if (!a.namespaceURI && b.namespaceURI) return -1;
  if (!b.namespaceURI && a.namespaceURI) return 1;
  const left = `${a.namespaceURI}${a.localName}`;
  const right = `${b.namespaceURI}${b.localName}`;
  return left === right ? 0 : left < right ? -1 : 1;
}
const nsCompare = (a: Binding, b: Binding) => (a.prefix === b.prefix ? 0 : a.prefix.localeCompare(b.prefix));

/** Whether the innermost rendered binding of `prefix` is `uri` (xml-crypto's isPrefixInScope). */
function inScope(scope: Binding[], prefix: string | null, uri: string | null | undefined): boolean {
  for (let i = scope.length - 1; i >= 0; i--) {
    const b = scope[i] as Binding;
    if (b.prefix === prefix) return b.namespaceURI === uri;
  }
  return false;
}

function elementChildren(node: Element, localName: string, exclude: Node | undefined): Element[] {
  const out: Element[] = [];
  const kids = node.childNodes;
  for (let i = 0; i < kids.length; i++) {
    const k = kids[i] as Node;
    if (k !== exclude && k.nodeType === 1 && (k as Element).localName === localName) out.push(k as Element);
  }
  return out;
}

class Canonicalizer {
  out = '';
  readonly scope: Binding[] = [];
  readonly comments: boolean;
  readonly prefixList: string[];
  readonly defaultNsForPrefix: Record<string, string>;
  readonly exclude: Node | undefined;
  constructor(
    comments: boolean,
    prefixList: string[],
    defaultNsForPrefix: Record<string, string>,
    exclude: Node | undefined,
  ) {
    this.comments = comments;
    this.prefixList = prefixList;
    this.defaultNsForPrefix = defaultNsForPrefix;
    this.exclude = exclude;
  }

  comment(node: Comment): void {
    if (!this.comments) return;
    this.out += this.outsideRoot(node, `<!--${encodeText(node.data)}-->`);
  }

  /**
   * A processing instruction as C14N renders it: `<?target data?>` (the space only when there is data; nothing
   * escaped). xml-crypto renders the data alone, as if it were text — which lets part of a signed text be moved into
   * a PI, unseen by every DOM reader, with the digest unchanged (a forgery): here the PI keeps its markup.
   * @see https://www.w3.org/TR/2001/REC-xml-c14n-20010315#ProcessingModel
   */
  pi(node: ProcessingInstruction): void {
    // `<??>` is no XML (a PI needs a target name), though a lenient parser may have let it through.
    if (!node.target) throw new Error('Unable to exclusive canonicalize a processing instruction without a target');
    this.out += this.outsideRoot(node, `<?${node.target}${node.data ? ` ${node.data}` : ''}?>`);
  }

  /** `text` with the line break C14N puts between a node outside the document element and that element. */
  outsideRoot(node: Node, text: string): string {
    const doc = node.ownerDocument;
    let before = false;
    let after = false;
    if (doc && doc === (node.parentNode as unknown)) {
      for (let n: Node | null = node; n; n = n.nextSibling)
        if (n === doc.documentElement) {
          before = true;
          break;
        }
      for (let n: Node | null = node; n; n = n.previousSibling)
        if (n === doc.documentElement) {
          after = true;
          break;
        }
    }
    return `${after ? '\n' : ''}${text}${before ? '\n' : ''}`;
  }

  node(node: Node, defaultNs: string | null | undefined): void {
    if (node.nodeType === 8) {
      this.comment(node as Comment);
      return;
    }
    if (node.nodeType === 7) {
      this.pi(node as ProcessingInstruction);
      return;
    }
    const data = (node as CharacterData).data;
    if (data) {
      this.out += encodeText(data);
      return;
    }
    if (node.nodeType !== 1) throw new Error(`Unable to exclusive canonicalize node type: ${node.nodeType}`);
    const el = node as Element;
    const scope = this.scope;
    const depth = scope.length;
    const attrs = el.attributes;
    // Namespaces: the element's own, then those its attributes use or declare (xml-crypto's renderNs).
    let nsOut = '';
    let newDefault = defaultNs;
    const toRender: Binding[] = [];
    const prefix = el.prefix;
    if (prefix) {
      const uri = el.namespaceURI || this.defaultNsForPrefix[prefix];
      if (!inScope(scope, prefix, uri)) {
        const b = { prefix, namespaceURI: uri };
        toRender.push(b);
        scope.push(b);
      }
    } else if (defaultNs !== (el.namespaceURI || '')) {
      newDefault = el.namespaceURI;
      nsOut = ` xmlns="${str(newDefault)}"`;
    }
    const plain: Attr[] = [];
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs[i] as Attr;
      const ap = a.prefix;
      if (ap) {
        const local = a.localName as string;
        if (!inScope(scope, local, a.value) && this.prefixList.indexOf(local) >= 0) {
          const b = { prefix: local, namespaceURI: a.value };
          toRender.push(b);
          scope.push(b);
        }
        if (!inScope(scope, ap, a.namespaceURI) && ap !== 'xmlns' && ap !== 'xml') {
          const b = { prefix: ap, namespaceURI: a.namespaceURI };
          toRender.push(b);
          scope.push(b);
        }
      }
      if (a.name.indexOf('xmlns') !== 0) plain.push(a);
    }
    if (toRender.length > 1) toRender.sort(nsCompare);
    for (const b of toRender) nsOut += ` xmlns:${b.prefix}="${str(b.namespaceURI)}"`;
    let attrOut = '';
    if (plain.length > 1) plain.sort(attrCompare);
    for (const a of plain) attrOut += ` ${a.name}="${encodeAttr(a.value)}"`;
    const tag = el.tagName;
    this.out += `<${tag}${nsOut}${attrOut}>`;
    // The children in order (xmldom keeps the sibling links and childNodes in step), each seeing the bindings of
    // this element's scope; `length` is written only when a child left bindings (a write is not free in V8).
    const keep = depth + toRender.length;
    const exclude = this.exclude;
    for (let k = el.firstChild; k; k = k.nextSibling) {
      if (k === exclude) continue;
      this.node(k, newDefault);
      if (scope.length !== keep) scope.length = keep;
    }
    this.out += `</${tag}>`;
    if (scope.length !== depth) scope.length = depth;
  }
}

/**
 * Canonicalizes `elem` with exclusive c14n — the string xml-crypto's `ExclusiveCanonicalization` (or
 * `…WithComments` with `withComments`) returns for `process(elem, options)` (see the module comment).
 */
export function exclusiveC14n(elem: Element, options: ExcC14nOptions = {}): string {
  let list = options.inclusiveNamespacesPrefixList || [];
  if (!Array.isArray(list) || list.length === 0) {
    const method = elementChildren(elem, 'CanonicalizationMethod', options.exclude)[0];
    const inclusive = method ? elementChildren(method, 'InclusiveNamespaces', options.exclude)[0] : undefined;
    if (inclusive) list = (inclusive.getAttribute('PrefixList') || '').split(' ');
  }
  const ancestors = options.ancestorNamespaces || [];
  // An ancestor's binding of a listed prefix is declared on the apex unless the apex declares that prefix itself:
  // the binding in scope at the apex is its own (xml-crypto overwrote it with the ancestor's, so the apex's binding
  // was not covered by the digest — urn:own and urn:evil canonicalized alike; libxml2 renders the apex's own).
  if (Array.isArray(list) && list.length > 0)
    for (const prefix of list)
      for (const a of ancestors)
        if (prefix === a.prefix && !elem.hasAttributeNS(NS_XMLNS, prefix))
          elem.setAttributeNS(NS_XMLNS, `xmlns:${prefix}`, a.namespaceURI);
  if (options.exclude === elem) throw new Error('Unable to exclusive canonicalize a node left out of the node-set');
  const c = new Canonicalizer(options.withComments === true, list, options.defaultNsForPrefix || {}, options.exclude);
  c.node(elem, options.defaultNs || '');
  return c.out;
}
