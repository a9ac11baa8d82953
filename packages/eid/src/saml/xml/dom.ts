import { randomBytes } from 'node:crypto';
import { KakehashiError } from '@kakehashi/core';

export const ELEMENT_NODE = 1;
export const TEXT_NODE = 3;
export const CDATA_NODE = 4;
export const PI_NODE = 7;
export const COMMENT_NODE = 8;

/** The element children of `parent`, optionally only those with namespace `ns` and local name `local`. */
export function childElements(parent: Node, ns?: string, local?: string): Element[] {
  const out: Element[] = [];
  for (let c = parent.firstChild; c; c = c.nextSibling) {
    if (c.nodeType !== ELEMENT_NODE) continue;
    const e = c as Element;
    if (ns !== undefined && e.namespaceURI !== ns) continue;
    if (local !== undefined && e.localName !== local) continue;
    out.push(e);
  }
  return out;
}

/** The single child `ns:local` of `parent`, undefined when absent; `many` when there are several. */
export function onlyChild(parent: Node, ns: string, local: string): Element | undefined | 'many' {
  const list = childElements(parent, ns, local);
  if (list.length > 1) return 'many';
  return list[0];
}

/** Every descendant element (document order), optionally filtered by namespace and local name. */
export function descendants(root: Node, ns?: string, local?: string): Element[] {
  const out: Element[] = [];
  const walk = (n: Node) => {
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.nodeType !== ELEMENT_NODE) continue;
      const e = c as Element;
      if ((ns === undefined || e.namespaceURI === ns) && (local === undefined || e.localName === local)) out.push(e);
      walk(e);
    }
  };
  walk(root);
  return out;
}

/** Every descendant element including `root` itself when it is an element. */
export function selfAndDescendants(root: Element): Element[] {
  return [root, ...descendants(root)];
}

/**
 * The full string value of an element: every text and CDATA descendant concatenated, comments and processing
 * instructions skipped — never the first text node only (S9: `alice<!---->.evil` reads `alice.evil`).
 * @see https://www.w3.org/TR/xpath-10/#element-nodes (string-value)
 */
export function fullText(el: Node): string {
  let s = '';
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === TEXT_NODE || c.nodeType === CDATA_NODE) s += (c as Text).data;
    else if (c.nodeType === ELEMENT_NODE) s += fullText(c);
  }
  return s;
}

/** True when a comment or processing instruction sits anywhere inside `el`. */
export function hasCommentOrPi(el: Node): boolean {
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === COMMENT_NODE || c.nodeType === PI_NODE) return true;
    if (c.nodeType === ELEMENT_NODE && hasCommentOrPi(c)) return true;
  }
  return false;
}

/** An attribute without namespace; undefined when absent. */
export function attr(el: Element, name: string): string | undefined {
  return el.hasAttribute(name) ? (el.getAttribute(name) ?? undefined) : undefined;
}

/** An xsd:ID for a SAML message: `_` + 32 hex characters from the OS CSPRNG (ids need not be reproducible). */
export function newSamlId(): string {
  return `_${randomBytes(16).toString('hex')}`;
}

/** xs:dateTime in UTC as SAML requires (`…Z`). */
export function samlInstant(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Parses an xs:dateTime that SAML requires in UTC: `YYYY-MM-DDThh:mm:ss(.s+)?Z`. Undefined when the value has
 * another form (no zone, an offset, junk).
 * @see SAML Core §1.3.3
 */
export function parseSamlInstant(value: string | undefined): number | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/.test(value)) return undefined;
  const ms = Date.parse(value.replace(/(\.\d{3})\d+Z$/, '$1Z'));
  return Number.isFinite(ms) ? ms : undefined;
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Strict base64 (the SAML bindings use the standard alphabet; line breaks and spaces are tolerated as MIME
 * allows): anything else, a wrong length or non-canonical padding bits is refused.
 */
export function decodeBase64Strict(text: string, what: string): Buffer {
  const compact = text.replace(/[\r\n\t ]+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !B64.test(compact))
    throw new KakehashiError('saml-binding-invalid', `${what} is not base64 (standard alphabet, padded).`, {
      rule: 'SAML Bindings §3.4.4.1 / §3.5.4',
    });
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.toString('base64') !== compact)
    throw new KakehashiError('saml-binding-invalid', `${what} is not canonical base64.`, {
      rule: 'SAML Bindings §3.5.4',
    });
  return bytes;
}

export const escapeXml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch] as string,
  );

/** PEM certificate → base64 DER body (for ds:X509Certificate). */
export function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

/** base64 DER (ds:X509Certificate text) → PEM. */
export function derB64ToPem(b64: string): string {
  const body = b64.replace(/\s+/g, '');
  return `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END CERTIFICATE-----\n`;
}
