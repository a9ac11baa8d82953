import { exclusiveC14n, parseXml, serializeXml } from '@kakehashi/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExclusiveCanonicalization, ExclusiveCanonicalizationWithComments } from 'xml-crypto';

/**
 * Differential tests of core's exclusive c14n against xml-crypto's (the implementation it replaces on the signature
 * paths): on random and adversarial documents — comments, processing instructions, CDATA, predefined entities and
 * character references (CR, TAB, LF in text and attributes), namespaces declared, redeclared and undeclared,
 * mixed-case prefixes, attribute order, whitespace — every element as the apex, with and without comments, with
 * InclusiveNamespaces prefix lists and ancestor namespaces, the output (or the refusal) is the same, and so is the
 * DOM afterwards (xml-crypto declares ancestor namespaces on the apex).
 */

type Opts = {
  withComments: boolean;
  inclusiveNamespacesPrefixList?: string[];
  ancestorNamespaces?: { prefix: string; namespaceURI: string }[];
};

function elements(doc: Document): Element[] {
  const out: Element[] = [];
  const walk = (e: Element) => {
    out.push(e);
    for (let n = e.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) walk(n as Element);
  };
  walk(doc.documentElement);
  return out;
}

/** The namespaces in scope from the ancestors (as the AS4 verifier computes them for a prefix list). */
function ancestorsOf(el: Element): { prefix: string; namespaceURI: string }[] {
  const out: { prefix: string; namespaceURI: string }[] = [];
  for (let p = el.parentNode; p && p.nodeType === 1; p = p.parentNode) {
    const attrs = (p as Element).attributes;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs.item(i) as Attr;
      if (a.prefix === 'xmlns' && !out.some((x) => x.prefix === a.localName))
        out.push({ prefix: a.localName as string, namespaceURI: a.value });
    }
  }
  return out;
}

/**
 * xml-crypto with the deliberate differences of core's (the other: ancestors and the apex's own declarations, in
 * `run`): a processing instruction rendered `<?target data?>` as C14N
 * says (xml-crypto renders its data alone, as text: a forgery, tests/e2e/xml-pi-c14n-forgery.test.ts). Inside the
 * apex, so no line breaks around it.
 */
class XmlCryptoPlain extends ExclusiveCanonicalization {
  // biome-ignore lint/suspicious/noExplicitAny: xml-crypto's processInner is untyped beyond its node
  override processInner(node: Node, ...rest: any[]): string {
    // biome-ignore lint/suspicious/noExplicitAny: forwarding xml-crypto's own arguments
    return node.nodeType === 7 ? specPi(node) : (super.processInner as any).call(this, node, ...rest);
  }
}
class XmlCryptoComments extends ExclusiveCanonicalizationWithComments {
  // biome-ignore lint/suspicious/noExplicitAny: xml-crypto's processInner is untyped beyond its node
  override processInner(node: Node, ...rest: any[]): string {
    // biome-ignore lint/suspicious/noExplicitAny: forwarding xml-crypto's own arguments
    return node.nodeType === 7 ? specPi(node) : (super.processInner as any).call(this, node, ...rest);
  }
}
function specPi(node: Node): string {
  const pi = node as ProcessingInstruction;
  return `<?${pi.target}${pi.data ? ` ${pi.data}` : ''}?>`;
}

function run(which: 'ours' | 'theirs', text: string, index: number, opts: Opts, fast: boolean) {
  const doc = parseXml(text, { fast });
  const el = elements(doc)[index] as Element;
  // The second deliberate difference: an ancestor binding of a prefix the apex declares itself does not overwrite
  // the apex's own (xml-crypto's process overwrote it, leaving the apex's binding uncovered by the digest); xml-crypto
  // gets only the ancestors the apex does not redeclare.
  const ancestors = opts.ancestorNamespaces ? ancestorsOf(el) : undefined;
  const options = {
    ...opts,
    ancestorNamespaces:
      which === 'theirs'
        ? ancestors?.filter((a) => !el.hasAttributeNS('http://www.w3.org/2000/xmlns/', a.prefix))
        : ancestors,
  };
  let out: string;
  try {
    if (which === 'ours') out = exclusiveC14n(el, options);
    else {
      const c = opts.withComments ? new XmlCryptoComments() : new XmlCryptoPlain();
      out = c.process(el, options) as string;
    }
  } catch (e) {
    out = `error: ${(e as Error).message}`;
  }
  return { out, after: serializeXml(doc) };
}

function same(text: string, opts: Opts) {
  const n = elements(parseXml(text)).length;
  for (let i = 0; i < n; i++)
    for (const fast of [false, true])
      expect(run('ours', text, i, opts, fast), `${text} #${i}`).toEqual(run('theirs', text, i, opts, fast));
}

const ADVERSARIAL = [
  '<a/>',
  '<a xmlns="urn:d"><b xmlns=""><c/><d xmlns="urn:e"/></b></a>',
  '<a xmlns="urn:d"><b xmlns=""><c><e/></c></b></a>',
  '<p:a xmlns:p="urn:p" xmlns:q="urn:q" q:x="1" b="2" a="3" p:y="4"><p:b xmlns:p="urn:p2"><q:c/></p:b></p:a>',
  '<Z:a xmlns:Z="urn:z" xmlns:a="urn:a" xmlns:B="urn:b" a:x="1" B:y="2" Z:z="3"/>',
  '<a xmlns:b="urn:b" xmlns:B="urn:B"><c b:x="1" B:x="2"/></a>',
  '<a>x &amp; y &lt; z &gt; w &#13; &#9; &#10; "q" \'s\'</a>',
  '<a t="&#13;&#9;&#10;&amp;&lt;&gt;&quot;\'" u=\'"\'>\n\t</a>',
  '<a><![CDATA[<not> & markup]]>tail</a>',
  '<a><!-- c1 --><b><!--c2--></b><!---->x</a>',
  '<!-- before --><a><?pi data?><?empty?></a><!-- after -->',
  '<?pi before?><a>y<?target data & <stuff?></a>',
  '<a xml:lang="en" xml:space="preserve" xmlnsfoo="1" xmlns:xmlnsbar="urn:x"><b/></a>',
  '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"><ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="soap wsu"/></ds:CanonicalizationMethod></ds:SignedInfo></ds:Signature>',
  '<soap:Envelope xmlns:soap="urn:s" xmlns:wsu="urn:u" xmlns:eb="urn:e"><soap:Header><eb:Messaging wsu:Id="m"><eb:X/></eb:Messaging></soap:Header><soap:Body wsu:Id="b"><p xmlns="urn:p">t</p></soap:Body></soap:Envelope>',
  '<a xmlns="urn:x"><x:b xmlns:x="urn:x"><c/></x:b></a>',
];

describe('core exclusiveC14n against xml-crypto', () => {
  it('renders adversarial documents as xml-crypto does (every apex, comments or not, prefix lists, ancestors)', () => {
    for (const text of ADVERSARIAL)
      for (const withComments of [false, true])
        for (const inclusiveNamespacesPrefixList of [
          undefined,
          [],
          ['soap', 'wsu'],
          ['p', 'q', 'Z', 'a', 'B', 'x'],
          [''],
        ])
          for (const anc of [false, true])
            same(text, {
              withComments,
              inclusiveNamespacesPrefixList,
              ancestorNamespaces: anc ? [] : undefined,
            });
  });

  it('renders a processing instruction as C14N says, not as its data (the one deliberate difference)', () => {
    expect(run('ours', '<a>54<?x 00000?><?pi?></a>', 0, { withComments: false }, false).out).toBe(
      '<a>54<?x 00000?><?pi?></a>',
    );
    const plain = new ExclusiveCanonicalization().process(parseXml('<a>54<?x 00000?></a>').documentElement, {});
    expect(plain).toBe('<a>5400000</a>');
  });

  it('agrees on generated documents: namespaces, attributes, references, comments, PIs, CDATA, whitespace', () => {
    const prefix = fc.constantFrom('p', 'q', 'P', 'a', 'Z', 'ds');
    const uri = fc.constantFrom('urn:p', 'urn:q', 'urn:P', '');
    const name = fc.oneof(
      fc.constantFrom('a', 'b', 'Ref.1', '_r-2', 'xml:z'),
      fc.tuple(prefix, fc.constantFrom('x', 'y')).map(([p, l]) => `${p}:${l}`),
    );
    const text = fc
      .array(
        fc.constantFrom(
          't',
          ' ',
          '\n',
          '\t',
          '&amp;',
          '&lt;',
          '&gt;',
          '&quot;',
          '&apos;',
          '&#13;',
          '&#9;',
          '&#10;',
          '&#x263A;',
          '>',
          'é',
          '"',
          "'",
        ),
        { maxLength: 6 },
      )
      .map((xs) => xs.join(''));
    const attr = fc.oneof(
      fc.tuple(fc.constantFrom('Id', 'URI', 'b', 'A', 'xml:lang', 'p:at', 'q:at', 'P:at', 'a:at', 'Z:at'), text),
      fc.tuple(fc.constantFrom('xmlns', 'xmlns:p', 'xmlns:q', 'xmlns:P', 'xmlns:a', 'xmlns:Z', 'xmlns:ds'), uri),
    );
    const tree: fc.Memo<string> = fc.memo((n) =>
      fc
        .tuple(
          name,
          fc.uniqueArray(attr, { maxLength: 4, selector: ([k]) => k }),
          n <= 1
            ? fc.constant([] as string[])
            : fc.array(
                fc.oneof(
                  text,
                  tree(n - 1),
                  fc.constantFrom('<!-- c -->', '<!---->', '<?pi x?>', '<![CDATA[a<&]]>', '<![CDATA[]]>'),
                ),
                { maxLength: 4 },
              ),
        )
        .map(([el, attrs, kids]) => {
          const as = attrs.map(([k, v]) => ` ${k}="${v.replaceAll('"', '&quot;')}"`).join('');
          return kids.length ? `<${el}${as}>${kids.join('')}</${el}>` : `<${el}${as}/>`;
        }),
    );
    // Every prefix is declared on a wrapper so most documents are namespace-well-formed.
    const doc = tree(4).map(
      (t) =>
        `<w xmlns:p="urn:p" xmlns:q="urn:q" xmlns:P="urn:P" xmlns:a="urn:a" xmlns:Z="urn:z" xmlns:ds="urn:ds">${t}</w>`,
    );
    let compared = 0;
    fc.assert(
      fc.property(
        doc,
        fc.boolean(),
        fc.option(fc.subarray(['p', 'q', 'P', 'a', 'Z', 'ds', 'xml'])),
        fc.boolean(),
        (text, withComments, list, anc) => {
          try {
            parseXml(text);
          } catch {
            return; // not well-formed (an undeclared prefix): nothing to canonicalize
          }
          compared++;
          same(text, {
            withComments,
            inclusiveNamespacesPrefixList: list ?? undefined,
            ancestorNamespaces: anc ? [] : undefined,
          });
        },
      ),
      { numRuns: 400, seed: 1501 },
    );
    expect(compared).toBeGreaterThan(200);
  });

  it('agrees on an enveloped XAdES document with the signature removed, as the verifier canonicalizes it', () => {
    const text = `<?xml version="1.0" encoding="UTF-8"?>\n<Decision xmlns="urn:kakehashi:bench"><Case>AT</Case><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="s"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:SignedInfo><ds:Object><xades:QualifyingProperties xmlns:xades="http://uri.etsi.org/01903/v1.3.2#" Target="#s"><xades:SignedProperties Id="p"><xades:SigningTime>2026-06-01T00:00:00Z</xades:SigningTime></xades:SignedProperties></xades:QualifyingProperties></ds:Object></ds:Signature><Line>x</Line></Decision>`;
    for (const fast of [false, true]) {
      const a = parseXml(text, { fast });
      const b = parseXml(text, { fast });
      for (const d of [a, b]) {
        const sig = d.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0] as Element;
        d.documentElement.removeChild(sig);
      }
      expect(exclusiveC14n(a.documentElement)).toBe(new ExclusiveCanonicalization().process(b.documentElement, {}));
      // The signature left out by `exclude` (the verifier's way), the document untouched.
      const c = parseXml(text, { fast });
      const before = serializeXml(c);
      const sig = c.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0] as Element;
      expect(exclusiveC14n(c.documentElement, { exclude: sig })).toBe(exclusiveC14n(a.documentElement));
      expect(serializeXml(c)).toBe(before);
    }
  });

  it('renders with a descendant excluded as xml-crypto renders the document with that descendant removed', () => {
    let compared = 0;
    for (const text of ADVERSARIAL) {
      const n = elements(parseXml(text)).length;
      for (let apex = 0; apex < n; apex++)
        for (let gone = apex + 1; gone < n; gone++)
          for (const withComments of [false, true])
            for (const list of [undefined, ['p', 'q', 'Z', 'a', 'B', 'x', 'soap', 'wsu']]) {
              const opts = { withComments, ...(list ? { inclusiveNamespacesPrefixList: list } : {}) };
              const ours = parseXml(text, { fast: true });
              const [oursApex, oursGone] = [elements(ours)[apex] as Element, elements(ours)[gone] as Element];
              let inside = false;
              for (let p = oursGone.parentNode; p; p = p.parentNode) if (p === oursApex) inside = true;
              if (!inside) continue;
              const theirs = parseXml(text);
              const [theirsApex, theirsGone] = [elements(theirs)[apex] as Element, elements(theirs)[gone] as Element];
              theirsGone.parentNode?.removeChild(theirsGone);
              const c = withComments ? new XmlCryptoComments() : new XmlCryptoPlain();
              expect(exclusiveC14n(oursApex, { ...opts, exclude: oursGone }), `${text} #${apex} -#${gone}`).toBe(
                c.process(theirsApex, opts),
              );
              compared++;
            }
    }
    expect(compared).toBeGreaterThan(40);
  });
});
