import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isKakehashiError, parseXml } from '../src/index.ts';
import { parsePlainXml } from '../src/xml/fast-parse.ts';

/** Every property of every node that a reader (c14n, XPath, the signature readers) can see, in document order. */
function dump(n: Node): unknown {
  const named = n as Node & { namespaceURI?: string | null; prefix?: string | null; localName?: string | null };
  const base: Record<string, unknown> = {
    t: n.nodeType,
    name: n.nodeName,
    ns: named.namespaceURI === undefined ? '(undefined)' : named.namespaceURI,
    prefix: named.prefix === undefined ? '(undefined)' : named.prefix,
    local: named.localName === undefined ? '(undefined)' : named.localName,
    value: n.nodeValue,
  };
  if (n.nodeType === 1) {
    const el = n as Element;
    base.attrs = Array.from({ length: el.attributes.length }, (_, i) => {
      const a = el.attributes.item(i) as Attr;
      return [
        a.name,
        a.namespaceURI ?? `(${String(a.namespaceURI)})`,
        a.prefix ?? `(${a.prefix})`,
        a.localName,
        a.value,
        a.nodeValue,
        a.specified,
        a.ownerElement === el,
        a.ownerDocument === el.ownerDocument,
        el.getAttributeNode(a.name) === a,
      ];
    });
    // What xmldom's own methods read: the element's namespace declarations (lookupNamespaceURI), the attribute
    // index, and that these are xmldom's classes.
    const internal = el as unknown as { _nsMap: Record<string, string>; attributes: { _nameIndex: object } };
    base.nsMap = { ...internal._nsMap };
    base.nameIndex = Object.keys(internal.attributes._nameIndex);
    base.tag = el.tagName;
    base.classes = [
      Object.getPrototypeOf(el) === Object.getPrototypeOf(PROBE),
      Object.prototype.isPrototypeOf.call(Object.getPrototypeOf(PROBE.attributes), el.attributes),
      Object.getPrototypeOf(el.childNodes) === Object.getPrototypeOf(PROBE.childNodes),
    ];
  }
  if (n.nodeType === 7) base.data = (n as ProcessingInstruction).data;
  base.kids = n.childNodes ? Array.from(n.childNodes as unknown as ArrayLike<Node>, dump) : null;
  base.links = links(n);
  return base;
}

/** An element made by xmldom's own API, to compare the classes of the reader's nodes with. */
const PROBE = parseXml('<probe/>').documentElement;

/** Whether the parent, sibling and first/last links agree with `childNodes` (the fast path writes them itself). */
function links(n: Node): boolean {
  const kids = n.childNodes ? Array.from(n.childNodes as unknown as ArrayLike<Node>) : [];
  if ((n.firstChild ?? null) !== (kids[0] ?? null) || (n.lastChild ?? null) !== (kids.at(-1) ?? null)) return false;
  return kids.every(
    (k, i) =>
      k.parentNode === n &&
      (k.previousSibling ?? null) === (kids[i - 1] ?? null) &&
      (k.nextSibling ?? null) === (kids[i + 1] ?? null) &&
      k.ownerDocument === (n.ownerDocument ?? n),
  );
}

type Outcome = { tree: unknown; root: string } | { error: string };
function outcome(text: string, fast: boolean): Outcome {
  try {
    const doc = parseXml(text, { fast, maxDepth: 8 });
    return { tree: dump(doc), root: doc.documentElement.nodeName };
  } catch (e) {
    if (isKakehashiError(e)) return { error: e.code };
    throw e;
  }
}

const SIGNED = `<?xml version="1.0" encoding="UTF-8"?>
<Decision xmlns="urn:kakehashi:bench" xml:lang="en"><Case>AT-2026-001</Case><Line a="x &amp; y&#10;z">The applicant &lt;is&gt; entitled &#x263A;.</Line><!-- note --><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="sig-1"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></ds:Transforms><ds:DigestValue>MH5cPIiaydtaLoenrewme3tOVGQrDutoGZfC3kYtIaE=</ds:DigestValue></ds:Reference></ds:SignedInfo><ds:Object><xades:QualifyingProperties xmlns:xades="http://uri.etsi.org/01903/v1.3.2#" Target="#sig-1"><xades:SignedProperties Id="xades-1"><xades:SigningTime>2026-06-01T00:00:00Z</xades:SigningTime></xades:SignedProperties></xades:QualifyingProperties></ds:Object></ds:Signature></Decision>
`;
const SAML = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0"><saml:Issuer>https://idp.example</saml:Issuer><saml:Assertion ID="_a1"><saml:Subject><saml:NameID Format='urn:x'>jane</saml:NameID></saml:Subject><saml:AttributeStatement><saml:Attribute Name="given"><saml:AttributeValue>Jane	Q.</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion></samlp:Response>`;
const PLAIN = [
  '<a/>',
  '\n<a b = "1"\tc=\'2\' />\n',
  '<p:a xmlns:p="urn:p" p:x="1" y="2"><b xmlns="urn:d"><c/></b></p:a>',
];

/** Edits that push a document in and out of the subset: markup, references, declarations, line breaks. */
const PIECES = [
  '<',
  '>',
  '/',
  '&',
  ';',
  '"',
  "'",
  '=',
  ':',
  ' ',
  '\n',
  '\r\n',
  '\t',
  '-',
  '!',
  '?',
  '&amp;',
  '&lt;',
  '&foo;',
  '&constructor;',
  '&__proto__;',
  '&#0;',
  '&#65;',
  '&#x1F600;',
  '&#X41;',
  '<!--c-->',
  '<!-- a -- b -->',
  '<![CDATA[x]]>',
  '<!DOCTYPE a>',
  '<?pi x?>',
  '<x/>',
  '<x>',
  '</x>',
  '</a>',
  ' xmlns="urn:n"',
  ' xmlns:q="urn:q"',
  ' xmlns:q=""',
  ' q:z="1"',
  ' b="1"',
  '\u0085',
  '\u2028',
  '\u00e9',
  '\uFEFF',
  '\u0001',
];

describe('parseXml fast path (parsePlainXml)', () => {
  it('builds the same tree as xmldom for signed documents, SAML and plain XML', () => {
    for (const text of [SIGNED, SAML, ...PLAIN]) {
      expect(parsePlainXml(text, 64), text.slice(0, 40)).toBeDefined();
      expect(outcome(text, true)).toEqual(outcome(text, false));
    }
  });

  it('leaves DOCTYPEs, CDATA, processing instructions, unknown entities and carriage returns to the full path', () => {
    for (const text of [
      '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>',
      '<a><![CDATA[x]]></a>',
      '<?pi x?><a/>',
      '<a>&nbsp;</a>',
      '<a>&constructor;</a>',
      '<a b="&toString;"/>',
      '<a>\r\n</a>',
      '<a b="1" b="2"/>',
      '<p:a/>',
      '<a xmlns:p="urn:p" xmlns:q="urn:p" p:x="1" q:x="2"/>',
      '<a></b>',
      '<a/><b/>',
      `${'<e>'.repeat(9)}${'</e>'.repeat(9)}`,
    ]) {
      expect(parsePlainXml(text, 8), text).toBeUndefined();
    }
    expect(outcome('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', true)).toEqual({ error: 'xml-doctype-forbidden' });
    expect(outcome(`<r>${'<e>'.repeat(8)}${'</e>'.repeat(8)}</r>`, true)).toEqual({ error: 'xml-too-deep' });
    expect(outcome(`<r>${'<e>'.repeat(7)}<e/>${'</e>'.repeat(7)}</r>`, true)).toEqual({ error: 'xml-too-deep' });
  });

  it('agrees with the full path on every mutated document: the same tree, or the same refusal', () => {
    const seeds = [SIGNED, SAML, ...PLAIN];
    let fastAccepted = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.constantFrom(...PIECES)), { minLength: 1, maxLength: 4 }),
        (seed, edits) => {
          let text = seed;
          for (const [at, del, piece] of edits) {
            const i = at % (text.length + 1);
            text = text.slice(0, i) + piece + text.slice(i + del);
          }
          if (parsePlainXml(text, 8)) fastAccepted++;
          expect(outcome(text, true)).toEqual(outcome(text, false));
        },
      ),
      { numRuns: 3000, seed: 15 },
    );
    // The property is only meaningful if many mutants take the fast path.
    expect(fastAccepted).toBeGreaterThan(50);
  });

  it("keeps xmldom's attribute methods working on its elements: set, replace, remove, then the same tree", () => {
    const text = '<a xmlns:p="urn:p" p:x="1" y="2" Id="i"><b z="3"/><c/></a>';
    const edit = (doc: Document) => {
      const a = doc.documentElement;
      const [b, c] = [a.firstChild as Element, a.lastChild as Element];
      a.setAttribute('y', 'two'); // replaces: found through the name index
      a.setAttributeNS('urn:p', 'p:x', 'one');
      a.removeAttribute('Id');
      a.setAttribute('w', '4');
      b.setAttribute('z', 'three');
      b.removeAttribute('z');
      c.setAttribute('v', '5');
      c.setAttribute('v', '6');
      return { tree: dump(doc), ids: [a.getAttribute('Id'), a.getAttribute('y'), c.getAttribute('v')] };
    };
    expect(parsePlainXml(text, 64)).toBeDefined();
    expect(edit(parseXml(text, { fast: true }))).toEqual(edit(parseXml(text)));
    expect(edit(parseXml(text, { fast: true })).ids).toEqual(['', 'two', '6']); // xmldom: '' for none
  });

  it('agrees with the full path on generated documents: namespaces, attributes, references, comments', () => {
    const name = fc.constantFrom('a', 'b', 'ds:Sig', 'p:x', 'q:y', 'xml:z', 'Ref.1', '_r-2');
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
          '&#65;',
          '&#x263A;',
          '>',
          'é',
        ),
        {
          maxLength: 6,
        },
      )
      .map((xs) => xs.join(''));
    const attr = fc.tuple(
      fc.constantFrom('Id', 'URI', 'p:at', 'xmlns', 'xmlns:p', 'xmlns:q', 'xml:lang', 'q:at'),
      fc.constantFrom('urn:p', 'urn:q', '#x', ''),
      text,
      fc.constantFrom('"', "'"),
    );
    const tree: fc.Memo<string> = fc.memo((n) =>
      fc
        .tuple(
          name,
          fc.array(attr, { maxLength: 3 }),
          n <= 1
            ? fc.constant([] as string[])
            : fc.array(fc.oneof(text, tree(n - 1), fc.constant('<!-- c -->')), { maxLength: 4 }),
        )
        .map(([el, attrs, kids]) => {
          const as = attrs.map(([k, v, t, q]) => ` ${k}=${q}${v}${t.replaceAll(q, '')}${q}`).join('');
          return kids.length ? `<${el}${as}>${kids.join('')}</${el}>` : `<${el}${as}/>`;
        }),
    );
    let fastAccepted = 0;
    let total = 0;
    fc.assert(
      fc.property(fc.constantFrom('', '<?xml version="1.0"?>\n', '<!-- lead -->'), tree(4), (lead, doc) => {
        const xml = `${lead}<root xmlns:p="urn:p">${doc}</root>\n`;
        total++;
        if (parsePlainXml(xml, 8)) fastAccepted++;
        expect(outcome(xml, true)).toEqual(outcome(xml, false));
      }),
      { numRuns: 2000, seed: 15 },
    );
    expect(fastAccepted).toBeGreaterThan(total / 4);
  });
});
