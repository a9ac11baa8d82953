import { type FuzzRandom, nastyString } from './fuzz-random.ts';
import type { Mutated } from './mutate-json.ts';

interface StartTag {
  index: number;
  end: number;
  qname: string;
  attrs: string;
  selfClosing: boolean;
}

const START_TAG = /<([A-Za-z_][\w.-]*(?::[\w.-]+)?)((?:\s[^<>]*?)?)(\/?)>/g;

function startTags(xml: string): StartTag[] {
  const out: StartTag[] = [];
  for (const m of xml.matchAll(START_TAG)) {
    out.push({
      index: m.index,
      end: m.index + m[0].length,
      qname: m[1] as string,
      attrs: m[2] ?? '',
      selfClosing: m[3] === '/',
    });
    if (out.length > 5000) break;
  }
  return out;
}

/** The end of the element that starts with `tag` (after its close tag), counting nested elements of its name. */
function elementEnd(xml: string, tag: StartTag): number {
  if (tag.selfClosing) return tag.end;
  const q = tag.qname.replace(/[.]/g, '\\.');
  const re = new RegExp(`<(/?)${q}(?=[\\s/>])[^>]*?(/?)>`, 'g');
  re.lastIndex = tag.end;
  let depth = 1;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    if (m[1] === '/') depth--;
    else if (m[2] !== '/') depth++;
    if (depth === 0) return m.index + m[0].length;
  }
  return xml.length;
}

/** Text nodes with something other than white space: [start, end) offsets. */
function textNodes(xml: string): [number, number][] {
  const out: [number, number][] = [];
  // Linear: a run of text, then the test for something other than white space (`[^<]*[^<\s][^<]*` backtracks
  // quadratically on a long text with no '<' after it).
  for (const m of xml.matchAll(/>([^<]+)</g)) {
    if (!/\S/.test(m[1] as string)) continue;
    out.push([m.index + 1, m.index + 1 + (m[1] as string).length]);
    if (out.length > 5000) break;
  }
  return out;
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
const splice = (s: string, start: number, end: number, insert: string) => s.slice(0, start) + insert + s.slice(end);
/** Where a prolog item (DOCTYPE, PI) goes: after the XML declaration, or at the start. */
const afterDecl = (xml: string) => {
  const m = /^\s*<\?xml[^?]*\?>/.exec(xml);
  return m ? m[0].length : 0;
};

const DOCTYPES = [
  '<!DOCTYPE r [<!ENTITY e "entity">]>',
  '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY e "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>',
  '<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
  '<!DOCTYPE r [<!ENTITY % p SYSTEM "http://169.254.169.254/x.dtd"> %p;]>',
  '<!DOCTYPE r SYSTEM "http://127.0.0.1:1/evil.dtd">',
  '<!DOCTYPE r [<!ATTLIST Assertion ID ID #IMPLIED>]>',
];

const NAMESPACES = [
  'urn:oasis:names:tc:SAML:2.0:assertion',
  'urn:oasis:names:tc:SAML:2.0:protocol',
  'http://www.w3.org/2000/09/xmldsig#',
  'http://uri.etsi.org/01903/v1.3.2#',
  'http://www.w3.org/2003/05/soap-envelope',
  'http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/',
  'http://evil.example/ns',
  '',
];

/**
 * Structure-aware operations on XML text (SAML messages, XAdES signatures, SOAP envelopes): duplicated attributes
 * and elements, namespace swaps, comments and processing instructions, DOCTYPE and entities, deep nesting, duplicated
 * IDs (signature wrapping), moved signature elements and text edits. Text-level, so they also produce documents no
 * DOM would (unbalanced tags, entity bombs).
 * @see https://www.w3.org/TR/xml/ (well-formedness), https://www.w3.org/TR/xmldsig-bestpractices/
 */
export const XML_OPS: Record<string, (xml: string, rng: FuzzRandom) => string> = {
  'xml.duplicate-attribute': (xml, rng) => {
    const tags = startTags(xml).filter((t) => /\s[\w:.-]+\s*=\s*"/.test(t.attrs));
    if (tags.length === 0) return xml;
    const t = rng.pick(tags);
    const attrs = [...t.attrs.matchAll(/\s([\w:.-]+)\s*=\s*"([^"]*)"/g)];
    const a = rng.pick(attrs);
    const value = rng.chance(0.5) ? (a[2] as string) : escapeAttr(nastyString(rng));
    const at = t.index + 1 + t.qname.length;
    return splice(xml, at, at, ` ${a[1]}="${value}"`);
  },
  'xml.attribute-value': (xml, rng) => {
    const all = [...xml.matchAll(/(\s[\w:.-]+\s*=\s*")([^"]*)"/g)];
    if (all.length === 0) return xml;
    const a = rng.pick(all);
    const start = a.index + (a[1] as string).length;
    const v = nastyString(rng);
    return splice(xml, start, start + (a[2] as string).length, rng.chance(0.7) ? escapeAttr(v) : v);
  },
  'xml.duplicate-element': (xml, rng) => {
    const tags = startTags(xml);
    if (tags.length < 2) return xml;
    const t = rng.pick(tags.slice(1));
    const end = elementEnd(xml, t);
    const copy = xml.slice(t.index, end);
    return splice(xml, end, end, copy);
  },
  'xml.remove-element': (xml, rng) => {
    const tags = startTags(xml);
    if (tags.length < 2) return xml;
    const t = rng.pick(tags.slice(1));
    return splice(xml, t.index, elementEnd(xml, t), '');
  },
  'xml.namespace-swap': (xml, rng) => {
    const decls = [...xml.matchAll(/(xmlns(?::[\w.-]+)?\s*=\s*")([^"]*)"/g)];
    if (decls.length === 0) return xml;
    const d = rng.pick(decls);
    const start = d.index + (d[1] as string).length;
    return splice(xml, start, start + (d[2] as string).length, rng.pick(NAMESPACES));
  },
  'xml.prefix-swap': (xml, rng) => {
    const tags = startTags(xml).filter((t) => t.qname.includes(':'));
    if (tags.length === 0) return xml;
    const t = rng.pick(tags);
    const [, local] = t.qname.split(':');
    return splice(
      xml,
      t.index + 1,
      t.index + 1 + t.qname.length,
      `${rng.pick(['x', 'ds', 'saml', 'samlp', 'S12', 'eb'])}:${local}`,
    );
  },
  'xml.comment-inject': (xml, rng) => {
    const texts = textNodes(xml);
    if (texts.length === 0) return splice(xml, afterDecl(xml), afterDecl(xml), '<!-- c -->');
    const [s, e] = rng.pick(texts);
    const at = s + rng.int(e - s + 1);
    return splice(xml, at, at, rng.pick(['<!---->', '<!-- x -->', '<!-- -- -->', '<!--']));
  },
  'xml.pi-inject': (xml, rng) => {
    const tags = startTags(xml);
    const at = tags.length && rng.chance(0.7) ? rng.pick(tags).index : afterDecl(xml);
    return splice(
      xml,
      at,
      at,
      rng.pick(['<?xml version="1.0"?>', '<?xml-stylesheet href="http://127.0.0.1:1/x.xsl"?>', '<?php x ?>', '<??>']),
    );
  },
  'xml.doctype': (xml, rng) => {
    let out = splice(xml, afterDecl(xml), afterDecl(xml), rng.pick(DOCTYPES));
    const texts = textNodes(out);
    if (texts.length && rng.chance(0.7)) {
      const [s, e] = rng.pick(texts);
      out = splice(out, s, e, '&e;');
    }
    return out;
  },
  'xml.deep-nesting': (xml, rng) => {
    const tags = startTags(xml).filter((t) => !t.selfClosing);
    if (tags.length === 0) return xml;
    const t = rng.pick(tags);
    const depth = rng.pick([50, 500, 5_000, 50_000]);
    return splice(xml, t.end, t.end, `${'<n>'.repeat(depth)}${'</n>'.repeat(depth)}`);
  },
  'xml.id-duplicate': (xml, rng) => {
    const ids = [...xml.matchAll(/\s(ID|Id|id|wsu:Id)\s*=\s*"([^"]*)"/g)];
    if (ids.length === 0) return xml;
    const id = rng.pick(ids);
    const tags = startTags(xml).filter((t) => !/\s(ID|Id|id|wsu:Id)\s*=/.test(t.attrs));
    if (tags.length === 0 || rng.chance(0.5)) {
      // Signature wrapping: a copy of the identified element, text altered, beside or inside the original.
      const owner = startTags(xml).find((t) => t.index <= id.index && id.index < t.end);
      if (!owner) return xml;
      const end = elementEnd(xml, owner);
      const copy = xml.slice(owner.index, end).replace(/>([^<\s][^<]*)</, `>${escapeAttr('wrapped')}<`);
      const at = rng.chance(0.5) ? owner.index : end;
      return splice(xml, at, at, copy);
    }
    const t = rng.pick(tags);
    const at = t.index + 1 + t.qname.length;
    return splice(xml, at, at, ` ${id[1]}="${id[2]}"`);
  },
  'xml.signature-move': (xml, rng) => {
    const sigs = startTags(xml).filter((t) => /(^|:)Signature$/.test(t.qname));
    if (sigs.length === 0) return xml;
    const s = rng.pick(sigs);
    const end = elementEnd(xml, s);
    const sig = xml.slice(s.index, end);
    const without = splice(xml, s.index, end, '');
    const k = rng.int(3);
    if (k === 0) return without; // removed
    const tags = startTags(without).filter((t) => !t.selfClosing);
    if (tags.length === 0) return without;
    const t = rng.pick(tags);
    return k === 1 ? splice(without, t.end, t.end, sig) : splice(xml, t.end, t.end, sig); // moved, or duplicated
  },
  'xml.text-mutate': (xml, rng) => {
    const texts = textNodes(xml);
    if (texts.length === 0) return xml;
    const [s, e] = rng.pick(texts);
    const v = nastyString(rng);
    return splice(xml, s, e, rng.chance(0.7) ? escapeAttr(v) : v);
  },
  'xml.cdata': (xml, rng) => {
    const texts = textNodes(xml);
    if (texts.length === 0) return xml;
    const [s, e] = rng.pick(texts);
    return splice(xml, s, e, `<![CDATA[${xml.slice(s, e)}${rng.chance(0.3) ? ']]>' : ''}]]>`);
  },
  'xml.rename-element': (xml, rng) => {
    const tags = startTags(xml);
    if (tags.length === 0) return xml;
    const t = rng.pick(tags);
    return splice(xml, t.index + 1, t.index + 1 + t.qname.length, `${t.qname}${rng.pick(['x', '-', '.1', ':y'])}`);
  },
  'xml.truncate': (xml, rng) => xml.slice(0, rng.int(xml.length)),
  'xml.declaration': (xml, rng) => {
    const decl = rng.pick([
      '<?xml version="1.0" encoding="UTF-16"?>',
      '<?xml version="1.1"?>',
      '<?xml version="1.0" encoding="x-bogus"?>',
      '<?xml version="2.0"?>',
      ' <?xml version="1.0"?>',
    ]);
    return decl + xml.slice(afterDecl(xml));
  },
};

/** One to three XML operations on `xml`. */
export function mutateXml(xml: string, rng: FuzzRandom): Mutated {
  const ops: string[] = [];
  let value = xml;
  const n = 1 + (rng.chance(0.25) ? rng.int(3) : 0);
  for (let i = 0; i < n; i++) {
    const op = rng.pick(Object.keys(XML_OPS));
    value = (XML_OPS[op] as (x: string, r: FuzzRandom) => string)(value, rng);
    ops.push(op);
  }
  return { value, ops };
}
