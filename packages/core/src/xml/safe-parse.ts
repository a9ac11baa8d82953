import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { KakehashiError } from '../errors/index.ts';
import { isXmlChar, parsePlainXml } from './fast-parse.ts';

export interface SafeXmlLimits {
  /** Maximum document size in bytes (UTF-8). Default 1 MiB. */
  maxBytes?: number;
  /** Maximum element nesting depth. Default 64. */
  maxDepth?: number;
}

/** Options of {@link parseXml}: the limits, and whether to try the fast path first. */
export interface ParseXmlOptions extends SafeXmlLimits {
  /**
   * Read the plain subset of XML (declaration, elements, attributes, text, comments, predefined entities and
   * character references) with the strict single-pass reader of `fast-parse.ts` first, falling back to the full
   * path for anything else: the same tree, the same refusals, several times faster on signed documents.
   */
  fast?: boolean;
}

export const DEFAULT_XML_LIMITS: Required<SafeXmlLimits> = { maxBytes: 1024 * 1024, maxDepth: 64 };

const PREDEFINED = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);
/** A code unit XML 1.0 never allows raw: C0 controls but tab, LF, CR; U+FFFE, U+FFFF; an unpaired surrogate. */
const NON_XML_CHAR =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The one XML parsing entry point of the project. Every XML that enters a component goes through here.
 *
 * - the size limit is enforced before parsing;
 * - a DOCTYPE (internal or external subset) is refused, so no entity can be declared, expanded or fetched
 *   (XXE, billion laughs); references to anything but the five predefined entities are refused;
 * - nothing is ever loaded from the network (the parser has no resolver);
 * - the nesting depth is bounded;
 * - any well-formedness error is a `malformed-xml` error naming the line and column.
 *
 * @see https://cheatsheetseries.owasp.org/cheatsheets/XML_External_Entity_Prevention_Cheat_Sheet.html
 */
export function parseXml(input: string | Uint8Array, limits: ParseXmlOptions = {}): Document {
  const { maxBytes, maxDepth } = { ...DEFAULT_XML_LIMITS, ...limits };
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > maxBytes) {
    throw new KakehashiError('xml-too-large', `The XML document is ${size} bytes; the limit is ${maxBytes} bytes.`, {
      extra: { limit: maxBytes, size },
    });
  }
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: false }).decode(input);
  if (text.trim() === '') throw new KakehashiError('malformed-xml', 'The XML document is empty.');
  const fast = limits.fast ? parsePlainXml(text, maxDepth) : undefined;
  if (fast) return fast;

  // Comments, CDATA sections and processing instructions may mention "<!DOCTYPE" or "&x;" harmlessly: look only
  // outside them. One left-to-right pass, as the parser reads them (a "<!--" inside a PI opens no comment).
  const markup = text.replace(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>/g, '');
  if (/<!DOCTYPE/i.test(markup) || /<!ENTITY/i.test(markup)) {
    throw new KakehashiError(
      'xml-doctype-forbidden',
      'The XML document contains a DOCTYPE or entity declaration; remove it (DTDs are never processed here).',
      {
        rule: 'OWASP XXE prevention: DTDs disabled',
      },
    );
  }
  // Characters XML does not allow (NUL, C0 controls, U+FFFE/U+FFFF, a lone surrogate), raw or as a reference: xmldom
  // took them, so &#xD800; and &#xFFFD; digested alike in UTF-8 (the fast path and libxml2 refuse them).
  const raw = NON_XML_CHAR.exec(text);
  if (raw)
    throw new KakehashiError(
      'malformed-xml',
      `The XML document is not well-formed: the character U+${(raw[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')} at offset ${raw.index} is not allowed in XML.`,
    );
  for (const m of markup.matchAll(/&([^;\s<&]{0,64});/g)) {
    const name = m[1] ?? '';
    if (name.startsWith('#')) {
      const cp = /^#x[0-9a-fA-F]{1,8}$/.test(name)
        ? Number.parseInt(name.slice(2), 16)
        : /^#[0-9]{1,10}$/.test(name)
          ? Number.parseInt(name.slice(1), 10)
          : -1;
      if (!isXmlChar(cp))
        throw new KakehashiError(
          'malformed-xml',
          `The XML document is not well-formed: the character reference "&${name.slice(0, 16)};" names no character XML allows.`,
        );
    } else if (!PREDEFINED.has(name)) {
      throw new KakehashiError(
        'xml-entity-forbidden',
        `The XML document references the undeclared entity "&${name.slice(0, 32)};".`,
      );
    }
  }

  checkStructure(markup, maxDepth);

  const problems: string[] = [];
  const record = (level: string) => (msg: string) => {
    problems.push(`${level}: ${String(msg).split('\n')[0]}`);
  };
  const parser = new DOMParser({
    locator: {},
    // xmldom reports some well-formedness violations (mismatched end tags) only as warnings: all count.
    errorHandler: { warning: record('warning'), error: record('error'), fatalError: record('fatal') },
  });
  let doc: Document;
  try {
    doc = parser.parseFromString(text, 'application/xml') as unknown as Document;
  } catch (cause) {
    throw new KakehashiError('malformed-xml', `The XML document is not well-formed: ${describe(cause)}`, { cause });
  }
  if (problems.length > 0 || !doc?.documentElement) {
    throw new KakehashiError(
      'malformed-xml',
      `The XML document is not well-formed: ${problems[0] ?? 'no root element'}`,
    );
  }
  if (doc.doctype) throw new KakehashiError('xml-doctype-forbidden', 'The XML document contains a DOCTYPE.');
  checkDepth(doc.documentElement, maxDepth);
  return doc;
}

const TAG = /<(\/?)([^\s/>"'<=!?][^\s/>"'<=]*)((?:[^"'<>]|"[^"<]*"|'[^'<]*')*)>/y;

/**
 * Well-formedness checks xmldom 0.8 does not make (it silently drops an end tag that does not match, and accepts
 * text after the root element or a bare "&"): every "<" outside comments, CDATA and PIs starts a tag, tags nest,
 * there is one root and no text outside it, and nesting stays within maxDepth. Linear: no match runs past the
 * next "<".
 */
function checkStructure(markup: string, maxDepth: number): void {
  const malformed = (why: string) => new KakehashiError('malformed-xml', `The XML document is not well-formed: ${why}`);
  const bareAmp = /&(?![^;\s<&]{1,64};)/.exec(markup);
  if (bareAmp) throw malformed(`a "&" at offset ${bareAmp.index} starts no entity or character reference`);
  const stack: string[] = [];
  let roots = 0;
  let last = 0;
  for (let i = markup.indexOf('<'); i !== -1; i = markup.indexOf('<', last)) {
    if (stack.length === 0 && markup.slice(last, i).trim() !== '') throw malformed('text outside the root element');
    TAG.lastIndex = i;
    const m = TAG.exec(markup);
    if (!m) throw malformed(`"${markup.slice(i, i + 20)}" is not a tag`);
    const [, slash, name = '', rest = ''] = m;
    last = TAG.lastIndex;
    if (slash) {
      const open = stack.pop();
      if (open !== name || rest.trim() !== '')
        throw malformed(
          `end tag </${name.slice(0, 40)}> does not match ${open ? `<${open.slice(0, 40)}>` : 'any open tag'}`,
        );
    } else {
      if (stack.length === 0 && ++roots > 1) throw malformed('more than one root element');
      if (!rest.trimEnd().endsWith('/')) stack.push(name);
      if (stack.length > maxDepth) throw tooDeep(maxDepth); // before xmldom builds a deep tree
    }
  }
  if (stack.length > 0) throw malformed(`<${stack.at(-1)?.slice(0, 40)}> is not closed`);
  if (markup.slice(last).trim() !== '') throw malformed(roots ? 'text after the root element' : 'no root element');
}

function checkDepth(root: Element, maxDepth: number): void {
  const stack: Array<[Node, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [Node, number];
    if (depth > maxDepth) throw tooDeep(maxDepth);
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === 1) stack.push([child, depth + 1]);
    }
  }
}

function tooDeep(maxDepth: number): KakehashiError {
  return new KakehashiError('xml-too-deep', `The XML document nests elements deeper than ${maxDepth} levels.`, {
    extra: { limit: maxDepth },
  });
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0]!.slice(0, 200) : 'parse error';
}

/** Serialises a DOM node back to text. */
export function serializeXml(node: Node): string {
  return new XMLSerializer().serializeToString(node as never);
}
