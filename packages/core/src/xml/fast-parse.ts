import { DOMImplementation } from '@xmldom/xmldom';

/**
 * The fast path of {@link parseXml} (opt-in with `fast: true`): a strict, single-pass reader of the plain subset
 * of XML that signed documents use — the XML declaration, elements, attributes, text, comments, the five
 * predefined entities and character references, ASCII names — that builds the DOM with xmldom's own node API,
 * making the same calls in the same order as xmldom's parser does, so the tree is the one xmldom would build.
 *
 * It never decides that a document is bad: anything outside the subset or not well-formed (a DOCTYPE, CDATA, a
 * processing instruction other than the XML declaration, any other entity, a non-ASCII name, an unbound or empty
 * namespace prefix, a carriage return or control character, a duplicate attribute, nesting deeper than the limit,
 * a mismatched or unclosed tag…) returns `undefined`, and the caller runs the full path (size, DOCTYPE and entity
 * refusal, structure checks, xmldom), which then accepts or refuses with its own error. So every document it
 * accepts is one the full path accepts with the same tree, and the safety limits hold unchanged.
 * @see https://www.w3.org/TR/xml/#sec-well-formed
 * @see https://www.w3.org/TR/xml-names/#ns-decl
 */
export function parsePlainXml(text: string, maxDepth: number): Document | undefined {
  try {
    return new PlainReader(text, maxDepth).read();
  } catch (e) {
    if (e === OUTSIDE) return undefined;
    throw e;
  }
}

/** Thrown inside the reader when the input leaves the subset: the caller falls back to the full path. */
const OUTSIDE = Symbol('outside the plain subset');
const out = (): never => {
  throw OUTSIDE;
};

const NS_XML = 'http://www.w3.org/XML/1998/namespace';
const NS_XMLNS = 'http://www.w3.org/2000/xmlns/';
/** Characters that send the document to the full path: CR and the other line breaks xmldom rewrites, controls. */
const LEAVE = /[\r\u0085\u2028\0-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/;
/**
 * The namespace bindings in scope: each element that declares some links its own to its parent's (a walk of a few
 * links, comparing short strings, instead of copying a map per declaring element and hashing every fresh prefix).
 */
interface Scope {
  readonly prefix: string;
  readonly uri: string;
  readonly up: Scope | undefined;
}
const ROOT_NS: Scope = { prefix: 'xml', uri: NS_XML, up: undefined };
/** The namespace bound to `prefix` ('' the default namespace) in `scope`, if any. */
function lookup(scope: Scope, prefix: string): string | undefined {
  for (let b: Scope | undefined = scope; b; b = b.up) if (b.prefix === prefix) return b.uri;
  return undefined;
}
/** Whitespace outside the root element (xmldom keeps it as text nodes of the document). */
const DOC_SPACE = /^[ \t\n]*$/;
const TAB_LF = /[\t\n]/;
/** The five predefined entities (a Map: "&constructor;" must find nothing, as in the full path). */
const PREDEFINED: ReadonlyMap<string, string> = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
]);

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x09;
const isNameStart = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
const isNameChar = (c: number) => isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d;

/**
 * The end of the ASCII name `[A-Za-z_][A-Za-z0-9._-]*(:[A-Za-z_][A-Za-z0-9._-]*)?` starting at `from`; leaves the
 * subset when there is none.
 */
function nameEnd(s: string, from: number): number {
  let p = from;
  if (!isNameStart(s.charCodeAt(p))) out();
  p++;
  while (isNameChar(s.charCodeAt(p))) p++;
  if (s.charCodeAt(p) === 0x3a /* : */) {
    p++;
    if (!isNameStart(s.charCodeAt(p))) out();
    p++;
    while (isNameChar(s.charCodeAt(p))) p++;
  }
  return p;
}
/** A character XML 1.0 allows (production [2] Char). @see https://www.w3.org/TR/xml/#charsets */
export const isXmlChar = (cp: number): boolean =>
  cp === 0x9 ||
  cp === 0xa ||
  cp === 0xd ||
  (cp >= 0x20 && cp <= 0xd7ff) ||
  (cp >= 0xe000 && cp <= 0xfffd) ||
  (cp >= 0x10000 && cp <= 0x10ffff);

/** Replaces the predefined entities and character references (as xmldom does); anything else leaves the subset. */
function decodeRefs(s: string): string {
  let amp = s.indexOf('&');
  if (amp === -1) return s;
  let res = '';
  let last = 0;
  while (amp !== -1) {
    const semi = s.indexOf(';', amp + 1);
    if (semi === -1 || semi - amp > 10) out();
    const name = s.slice(amp + 1, semi);
    let rep = PREDEFINED.get(name);
    if (rep === undefined) {
      const m = /^#(?:([0-9]{1,7})|x([0-9a-fA-F]{1,6}))$/.exec(name);
      if (!m) out();
      const cp = m?.[1] !== undefined ? Number.parseInt(m[1], 10) : Number.parseInt(m?.[2] ?? '', 16);
      if (!isXmlChar(cp)) out();
      rep = String.fromCodePoint(cp);
    }
    res += s.slice(last, amp) + rep;
    last = semi + 1;
    amp = s.indexOf('&', last);
  }
  return res + s.slice(last);
}

/** The prototypes of xmldom's elements, attributes and their lists (its constructors are not exported). */
const PROTO = (() => {
  const doc = new DOMImplementation().createDocument(null as never, null as never, null);
  const el = doc.createElementNS(null as never, 'x');
  return {
    element: Object.getPrototypeOf(el) as object,
    attr: Object.getPrototypeOf(doc.createAttributeNS(null as never, 'x')) as object,
    namedNodeMap: Object.getPrototypeOf(el.attributes) as object,
    nodeList: Object.getPrototypeOf(el.childNodes) as object,
  };
})();

/** An xmldom node's fields as the reader writes them (plain properties in xmldom 0.8). */
type Fields = Record<string, unknown>;

/**
 * An xmldom element as `Document.createElementNS(uri, qName)` makes it — `new Element()` (its `_nsMap`), then the
 * attribute map, child list, owner, names and namespace in that order — without splitting the name again: the
 * reader knows where its colon is (`colon` ≤ 0: no prefix). The lists carry their `length` from the start, so
 * appending writes an own property of one shape (xmldom's read 0 from the prototype first; the value is the same).
 */
const XElement = function (this: Fields, doc: Document, uri: string | undefined, qName: string, colon: number) {
  this._nsMap = {};
  const attrs = new XNamedNodeMap();
  this.attributes = attrs;
  this.childNodes = new XNodeList();
  this.ownerDocument = doc;
  this.nodeName = qName;
  this.tagName = qName;
  this.namespaceURI = uri;
  if (colon > 0) {
    this.prefix = qName.slice(0, colon);
    this.localName = qName.slice(colon + 1);
  } else this.localName = qName;
  (attrs as unknown as Fields)._ownerElement = this;
} as unknown as new (
  doc: Document,
  uri: string | undefined,
  qName: string,
  colon: number,
) => Element;
/**
 * xmldom's `NamedNodeMap` with its length, whose name index (`_nameIndex`, by `nodeName`: what xmldom's own
 * constructor creates and its `setNamedItem` writes) is made at its first use from the attributes the map holds —
 * by xmldom's methods when an attribute is set or removed after parsing; the reader never reads it. Most elements
 * of a signed document have no attribute, and a prototype-less object is ~185 bytes: a third of what parsing a
 * XAdES document allocated beside the nodes themselves.
 */
const XNamedNodeMap = function (this: Fields) {
  this.length = 0;
} as unknown as new () => NamedNodeMap;
/** xmldom's `NodeList` (its constructor writes nothing), with its length. */
const XNodeList = function (this: Fields) {
  this.length = 0;
} as unknown as new () => NodeList;
/**
 * An xmldom attribute as `createAttributeNS(uri, qName)` makes it, with the value the reader then writes (`value`
 * and `nodeValue`, as the full path's parser does).
 */
const XAttr = function (
  this: Fields,
  doc: Document,
  uri: string | undefined,
  qName: string,
  colon: number,
  value: string,
) {
  this.ownerDocument = doc;
  this.nodeName = qName;
  this.name = qName;
  this.namespaceURI = uri;
  this.specified = true;
  if (colon > 0) {
    this.prefix = qName.slice(0, colon);
    this.localName = qName.slice(colon + 1);
  } else this.localName = qName;
  this.value = value;
  this.nodeValue = value;
} as unknown as new (
  doc: Document,
  uri: string | undefined,
  qName: string,
  colon: number,
  value: string,
) => Attr;
(XElement as unknown as { prototype: object }).prototype = PROTO.element;
(XNamedNodeMap as unknown as { prototype: object }).prototype = Object.create(PROTO.namedNodeMap, {
  _nameIndex: {
    get(this: Fields & { length: number; [i: number]: Attr }) {
      const index: Record<string, Attr> = Object.create(null);
      for (let i = 0; i < this.length; i++) {
        const attr = this[i] as Attr;
        index[attr.nodeName] = attr;
      }
      Object.defineProperty(this, '_nameIndex', { value: index, writable: true, enumerable: true, configurable: true });
      return index;
    },
    set(this: Fields, index: unknown) {
      Object.defineProperty(this, '_nameIndex', { value: index, writable: true, enumerable: true, configurable: true });
    },
    configurable: true,
  },
});
(XNodeList as unknown as { prototype: object }).prototype = PROTO.nodeList;
(XAttr as unknown as { prototype: object }).prototype = PROTO.attr;

/**
 * Adds a fresh attribute to a fresh element as xmldom's `setAttributeNode` does when the element has no attribute
 * of that name (the reader has refused duplicates): the map's entry and length (its name index is made at first
 * use), the owner element, the document's change counter, and for a namespace declaration the element's `_nsMap`
 * entry.
 */
function addAttribute(doc: Document, el: Element, attr: Attr): void {
  const list = el.attributes as unknown as Fields & { length: number; [i: number]: Attr };
  list[list.length++] = attr;
  (attr as unknown as Fields).ownerElement = el;
  (doc as unknown as { _inc: number })._inc++;
  if (attr.namespaceURI === NS_XMLNS)
    ((el as unknown as Fields)._nsMap as Record<string, string>)[attr.prefix ? (attr.localName as string) : ''] =
      attr.value;
}

/** The fields of xmldom's nodes that its `appendChild` writes (xmldom 0.8: plain properties). */
interface Linked {
  parentNode: Node | null;
  previousSibling: Node | null;
  nextSibling: Node | null;
  firstChild: Node | null;
  lastChild: Node | null;
  childNodes: { length: number; [i: number]: Node };
}

/**
 * Appends a node the reader has just created (of this document, no parent yet) to an element, writing what
 * xmldom's `Element.appendChild` writes for such a node — the sibling and parent links, the element's `childNodes`,
 * the document's change counter — without its checks for nodes that have a parent or another owner document (a
 * fresh node has neither). The differential tests compare every link with the full path's tree.
 */
function append(doc: Document, parent: Element, node: Node): void {
  const p = parent as unknown as Linked;
  const n = node as unknown as Linked;
  const last = p.lastChild;
  n.parentNode = parent;
  n.previousSibling = last;
  n.nextSibling = null;
  if (last) (last as unknown as Linked).nextSibling = node;
  else p.firstChild = node;
  p.lastChild = node;
  const cs = p.childNodes;
  cs[cs.length++] = node;
  (doc as unknown as { _inc: number })._inc++;
}

/** Whether `s` has `qName` then ">" at `at` (the end tag of the open element; no substring made). */
function closes(s: string, at: number, qName: string): boolean {
  const n = qName.length;
  for (let i = 0; i < n; i++) if (s.charCodeAt(at + i) !== qName.charCodeAt(i)) return false;
  return s.charCodeAt(at + n) === 0x3e;
}

interface Open {
  qName: string;
  el: Element;
  ns: Scope;
}

class PlainReader {
  readonly #s: string;
  readonly #maxDepth: number;
  #p = 0;
  readonly #doc: Document;

  constructor(text: string, maxDepth: number) {
    this.#s = text;
    this.#maxDepth = maxDepth;
    this.#doc = new DOMImplementation().createDocument(null as never, null as never, null) as unknown as Document;
  }

  read(): Document {
    const s = this.#s;
    if (LEAVE.test(s) || s.charCodeAt(0) === 0xfeff) out();
    const doc = this.#doc;
    if (s.startsWith('<?xml')) {
      const end = s.indexOf('?>');
      const decl = end === -1 ? out() : s.slice(5, end);
      if (!/^\s[^<>?]*$/.test(decl)) out();
      // xmldom: target "xml", data the declaration's content after the whitespace.
      doc.appendChild(doc.createProcessingInstruction('xml', decl.replace(/^\s+/, '')));
      this.#p = end + 2;
    }
    const stack: Open[] = [];
    let rootSeen = false;
    for (;;) {
      const lt = s.indexOf('<', this.#p);
      const top = stack.length > 0 ? stack[stack.length - 1] : undefined;
      if (lt === -1) {
        // After the last markup only whitespace (xmldom drops it), and the root must be closed.
        if (top || !rootSeen || !DOC_SPACE.test(s.slice(this.#p))) out();
        return doc;
      }
      if (lt > this.#p) {
        const raw = s.slice(this.#p, lt);
        if (top) append(doc, top.el, doc.createTextNode(decodeRefs(raw)));
        else if (DOC_SPACE.test(raw)) doc.appendChild(doc.createTextNode(raw));
        else out();
      }
      const c = s.charCodeAt(lt + 1);
      if (c === 0x21 /* ! */) {
        if (!s.startsWith('<!--', lt)) out();
        const end = s.indexOf('-->', lt + 4);
        if (end === -1) out();
        const body = s.slice(lt + 4, end);
        if (body.includes('--') || body.endsWith('-')) out();
        if (top) append(doc, top.el, doc.createComment(body));
        else doc.appendChild(doc.createComment(body));
        this.#p = end + 3;
      } else if (c === 0x2f /* / */) {
        if (!top || !closes(s, lt + 2, top.qName)) out();
        stack.pop();
        this.#p = lt + 3 + (top as Open).qName.length;
      } else {
        if (!top && rootSeen) out();
        rootSeen = true;
        // Every element counts towards the depth, a self-closed leaf too (as parseXml's checkDepth counts it).
        if (stack.length + 1 > this.#maxDepth) out();
        const opened = this.#startTag(lt + 1, top?.ns ?? ROOT_NS);
        if (top) append(doc, top.el, opened.el);
        else doc.appendChild(opened.el);
        if (!opened.closed) stack.push(opened);
      }
    }
  }

  /** Reads a start tag from just after "<"; sets the position after ">". */
  #startTag(from: number, inherited: Scope): Open & { closed: boolean } {
    const s = this.#s;
    const doc = this.#doc;
    let p = nameEnd(s, from);
    const qName = s.slice(from, p);
    const attrs: { qName: string; value: string }[] = [];
    let closed = false;
    for (;;) {
      const before = p;
      while (isSpace(s.charCodeAt(p))) p++;
      const c = s.charCodeAt(p);
      if (c === 0x3e /* > */) {
        p++;
        break;
      }
      if (c === 0x2f /* / */) {
        if (s.charCodeAt(p + 1) !== 0x3e) out();
        p += 2;
        closed = true;
        break;
      }
      if (p === before) out(); // attributes are separated by whitespace
      const nameFrom = p;
      p = nameEnd(s, p);
      const name = s.slice(nameFrom, p);
      while (isSpace(s.charCodeAt(p))) p++;
      if (s.charCodeAt(p) !== 0x3d /* = */) out();
      p++;
      while (isSpace(s.charCodeAt(p))) p++;
      const q = s.charCodeAt(p);
      if (q !== 0x22 && q !== 0x27) out();
      const end = s.indexOf(q === 0x22 ? '"' : "'", p + 1);
      if (end === -1) out();
      const raw = s.slice(p + 1, end);
      if (raw.includes('<')) out();
      if (attrs.some((a) => a.qName === name)) out();
      // xmldom: tab and line feed become spaces first, then references are replaced (AV normalization, CDATA type).
      attrs.push({ qName: name, value: decodeRefs(TAB_LF.test(raw) ? raw.replace(/[\t\n]/g, ' ') : raw) });
      p = end + 1;
    }
    this.#p = p;

    // Namespace declarations of this element, then the names (xmldom's appendElement, in its order).
    let ns: Scope = inherited;
    for (const a of attrs) {
      const decl = a.qName === 'xmlns' ? '' : a.qName.startsWith('xmlns:') ? a.qName.slice(6) : undefined;
      if (decl === undefined) continue;
      if (a.value === '' || decl === 'xml' || decl === 'xmlns') out();
      ns = { prefix: decl, uri: a.value, up: ns };
    }
    const colon = qName.indexOf(':');
    const prefix = colon > 0 ? qName.slice(0, colon) : '';
    if (prefix === 'xmlns') out();
    const elUri = prefix ? (lookup(ns, prefix) ?? out()) : lookup(ns, '');
    const el = new XElement(doc, elUri, qName, colon);
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs[i] as { qName: string; value: string };
      const ac = a.qName.indexOf(':');
      const ap = ac > 0 ? a.qName.slice(0, ac) : '';
      const uri = a.qName === 'xmlns' || ap === 'xmlns' ? NS_XMLNS : ap ? (lookup(ns, ap) ?? out()) : undefined;
      // Two attributes with the same namespace and local name are not namespace-well-formed.
      if (ap) {
        const local = a.qName.slice(ac + 1);
        for (let j = 0; j < i; j++) {
          const b = (attrs[j] as { qName: string }).qName;
          const bc = b.indexOf(':');
          if (bc > 0 && b.slice(bc + 1) === local && b !== a.qName) {
            const bp = b.slice(0, bc);
            if ((bp === 'xmlns' ? NS_XMLNS : lookup(ns, bp)) === uri) out();
          }
        }
      }
      addAttribute(doc, el, new XAttr(doc, uri, a.qName, ac, a.value));
    }
    return { qName, el, ns, closed };
  }
}
