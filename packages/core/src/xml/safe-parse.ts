import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { KakehashiError } from '../errors/index.ts';

export interface SafeXmlLimits {
  /** Maximum document size in bytes (UTF-8). Default 1 MiB. */
  maxBytes?: number;
  /** Maximum element nesting depth. Default 64. */
  maxDepth?: number;
}

export const DEFAULT_XML_LIMITS: Required<SafeXmlLimits> = { maxBytes: 1024 * 1024, maxDepth: 64 };

const PREDEFINED = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

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
export function parseXml(input: string | Uint8Array, limits: SafeXmlLimits = {}): Document {
  const { maxBytes, maxDepth } = { ...DEFAULT_XML_LIMITS, ...limits };
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > maxBytes) {
    throw new KakehashiError('xml-too-large', `The XML document is ${size} bytes; the limit is ${maxBytes} bytes.`, {
      extra: { limit: maxBytes, size },
    });
  }
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: false }).decode(input);
  if (text.trim() === '') throw new KakehashiError('malformed-xml', 'The XML document is empty.');

  // Comments and CDATA sections may mention "<!DOCTYPE" or "&x;" harmlessly: look only outside them.
  const markup = text.replace(/<!--[\s\S]*?-->/g, '').replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  if (/<!DOCTYPE/i.test(markup) || /<!ENTITY/i.test(markup)) {
    throw new KakehashiError(
      'xml-doctype-forbidden',
      'The XML document contains a DOCTYPE or entity declaration; remove it (DTDs are never processed here).',
      {
        rule: 'OWASP XXE prevention: DTDs disabled',
      },
    );
  }
  for (const m of markup.matchAll(/&([^;\s<&]{0,64});/g)) {
    const name = m[1] ?? '';
    if (!name.startsWith('#') && !PREDEFINED.has(name)) {
      throw new KakehashiError(
        'xml-entity-forbidden',
        `The XML document references the undeclared entity "&${name.slice(0, 32)};".`,
      );
    }
  }

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
  checkDepth(doc.documentElement, maxDepth);
  return doc;
}

function checkDepth(root: Element, maxDepth: number): void {
  const stack: Array<[Node, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [Node, number];
    if (depth > maxDepth) {
      throw new KakehashiError('xml-too-deep', `The XML document nests elements deeper than ${maxDepth} levels.`, {
        extra: { limit: maxDepth },
      });
    }
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === 1) stack.push([child, depth + 1]);
    }
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0]!.slice(0, 200) : 'parse error';
}

/** Serialises a DOM node back to text. */
export function serializeXml(node: Node): string {
  return new XMLSerializer().serializeToString(node as never);
}
