import { create } from 'xmlbuilder2';
import { NS } from '../constants.ts';

export type Builder = ReturnType<typeof create>;

const PREFIX_NS: Readonly<Record<string, string>> = {
  saml: NS.saml,
  samlp: NS.samlp,
  md: NS.md,
  ds: NS.ds,
  xenc: NS.xenc,
  eidas: NS.eidas,
  mdattr: NS.mdattr,
};

/** A new document whose root is the prefixed element `qname` (its namespace from the prefix). */
export function root(qname: string, attrs: Record<string, string | undefined> = {}): Builder {
  return el(create(), qname, attrs);
}

/** Appends the prefixed element `qname` (namespace from its prefix) with attributes (undefined ones skipped) and text. */
export function el(
  parent: Builder,
  qname: string,
  attrs: Record<string, string | undefined> = {},
  text?: string,
): Builder {
  const prefix = qname.split(':')[0] as string;
  const ns = PREFIX_NS[prefix];
  if (!ns) throw new Error(`unknown prefix ${prefix}`);
  const e = parent.ele(ns, qname);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.att(k, v);
  if (text !== undefined) e.txt(text);
  return e;
}

/** Declares a namespace prefix on an element. */
export function xmlns(e: Builder, prefix: string, uri: string): Builder {
  return e.att('http://www.w3.org/2000/xmlns/', `xmlns:${prefix}`, uri);
}

/** Serialises without an XML declaration. */
export function serialize(b: Builder): string {
  return b.doc().end({ headless: true });
}
