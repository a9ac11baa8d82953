import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_XML_LIMITS, type ErrorCode, isKakehashiError, parseXml, serializeXml } from '../src/index.ts';

function codeOf(fn: () => unknown): ErrorCode | 'no error' {
  try {
    fn();
  } catch (e) {
    if (isKakehashiError(e)) return e.code;
    throw e;
  }
  return 'no error';
}

const nest = (depth: number) => '<e>'.repeat(depth) + '</e>'.repeat(depth);

describe('parseXml: well-formed documents', () => {
  it('parses elements, attributes, text, predefined entities and character references', () => {
    const doc = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?>\n<order id="7" note="a&gt;b"><item qty="2">Tea &amp; cake &lt;3 &#65;&#x42; &quot;&apos;</item></order>',
    );
    const root = doc.documentElement;
    expect(root.nodeName).toBe('order');
    expect(root.getAttribute('id')).toBe('7');
    expect(root.getAttribute('note')).toBe('a>b');
    const item = root.getElementsByTagName('item')[0]!;
    expect(item.getAttribute('qty')).toBe('2');
    expect(item.textContent).toBe('Tea & cake <3 AB "\'');
  });

  it('accepts comments, CDATA, processing instructions and ">" in attribute values', () => {
    const doc = parseXml('<!-- c --><?pi x?><r a="x>y" b=\'q"\'><![CDATA[<not-a-tag> & ]]><!-- </r> --></r>');
    expect(doc.documentElement.getAttribute('a')).toBe('x>y');
    expect(doc.documentElement.getAttribute('b')).toBe('q"');
    expect(doc.documentElement.textContent).toBe('<not-a-tag> & ');
  });

  it('preserves namespaces and prefixes', () => {
    const doc = parseXml(
      '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns="urn:default">' +
        '<env:Body><Payload xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:Signature/></Payload></env:Body></env:Envelope>',
    );
    const root = doc.documentElement;
    expect(root.namespaceURI).toBe('http://www.w3.org/2003/05/soap-envelope');
    expect(root.localName).toBe('Envelope');
    expect(root.prefix).toBe('env');
    const payload = doc.getElementsByTagNameNS('urn:default', 'Payload')[0];
    expect(payload?.localName).toBe('Payload');
    const sig = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature');
    expect(sig).toHaveLength(1);
    expect(sig[0]!.prefix).toBe('ds');
  });

  it('accepts Uint8Array input, decoded as UTF-8', () => {
    const doc = parseXml(new TextEncoder().encode('<名前 lang="ja">日本語 — é</名前>'));
    expect(doc.documentElement.nodeName).toBe('名前');
    expect(doc.documentElement.textContent).toBe('日本語 — é');
  });

  it('serializeXml round-trips a parsed document', () => {
    const src = '<a xmlns:p="urn:p"><p:b c="1">x &amp; y</p:b><d/></a>';
    expect(serializeXml(parseXml(src))).toBe(src);
    expect(serializeXml(parseXml(serializeXml(parseXml(src))))).toBe(src);
  });
});

describe('parseXml: DTDs and entities are refused (XXE, billion laughs)', () => {
  it.each([
    ['internal subset', '<!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>'],
    ['external SYSTEM', '<!DOCTYPE r SYSTEM "file:///etc/passwd"><r/>'],
    ['external PUBLIC', '<!DOCTYPE r PUBLIC "-//X//DTD X//EN" "http://example.test/x.dtd"><r/>'],
    ['harmless bare DOCTYPE', '<!DOCTYPE r><r/>'],
    ['lowercase doctype', '<!doctype r><r/>'],
    ['parameter entities', '<!DOCTYPE r [<!ENTITY % p SYSTEM "http://example.test/p.dtd"> %p;]><r/>'],
    [
      'billion laughs',
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>',
    ],
    [
      'XXE file read',
      '<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>',
    ],
    ['a lone <!ENTITY', '<r><!ENTITY x "y"></r>'],
    [
      'DOCTYPE hidden behind "<!--" inside a processing instruction',
      '<?x <!-- ?><!DOCTYPE r SYSTEM "x.dtd"><r/><!-- -->',
    ],
    ['DOCTYPE after a comment that mentions CDATA', '<!-- <![CDATA[ --><!DOCTYPE r SYSTEM "x"><r><![CDATA[ ]]></r>'],
  ])('%s → xml-doctype-forbidden', (_name, xml) => {
    expect(codeOf(() => parseXml(xml))).toBe('xml-doctype-forbidden');
  });

  it('names the OWASP rule in the error', () => {
    try {
      parseXml('<!DOCTYPE r><r/>');
      expect.unreachable();
    } catch (e) {
      expect(isKakehashiError(e, 'xml-doctype-forbidden')).toBe(true);
      expect((e as { rule?: string }).rule).toMatch(/OWASP/);
    }
  });

  it.each([
    ['in text', '<r>&xxe;</r>'],
    ['in an attribute', '<r a="&xxe;"/>'],
    ['a parameter-entity-looking name', '<r>&%p;</r>'],
    ['an HTML entity', '<r>&nbsp;</r>'],
  ])('an undeclared entity reference %s → xml-entity-forbidden', (_name, xml) => {
    expect(codeOf(() => parseXml(xml))).toBe('xml-entity-forbidden');
  });

  it('DOCTYPE, ENTITY and entity text inside comments or CDATA are harmless', () => {
    const doc = parseXml(
      '<!-- <!DOCTYPE x [<!ENTITY y "z">]> &y; --><r><![CDATA[<!DOCTYPE r [<!ENTITY a "b">]> &a; &nbsp;]]><!-- <!ENTITY e "f"> --></r>',
    );
    expect(doc.documentElement.textContent).toBe('<!DOCTYPE r [<!ENTITY a "b">]> &a; &nbsp;');
  });
});

describe('parseXml: limits', () => {
  it('refuses a document over maxBytes before parsing it (even a malformed or hostile one)', () => {
    const big = `<r>${'x'.repeat(100)}</r>`;
    expect(codeOf(() => parseXml(big, { maxBytes: 50 }))).toBe('xml-too-large');
    expect(codeOf(() => parseXml(`<!DOCTYPE r>${'<'.repeat(100)}`, { maxBytes: 50 }))).toBe('xml-too-large');
    expect(codeOf(() => parseXml(big, { maxBytes: big.length }))).toBe('no error');
  });

  it('counts UTF-8 bytes, not characters, for strings and bytes alike', () => {
    const xml = `<r>${'é'.repeat(30)}</r>`; // 37 characters, 67 bytes
    expect(codeOf(() => parseXml(xml, { maxBytes: 60 }))).toBe('xml-too-large');
    expect(codeOf(() => parseXml(new TextEncoder().encode(xml), { maxBytes: 60 }))).toBe('xml-too-large');
    expect(codeOf(() => parseXml(xml, { maxBytes: 67 }))).toBe('no error');
  });

  it('reports the limit and the size as problem members', () => {
    try {
      parseXml('<r>0123456789</r>', { maxBytes: 10 });
      expect.unreachable();
    } catch (e) {
      expect(isKakehashiError(e, 'xml-too-large')).toBe(true);
      expect((e as { toProblem(): Record<string, unknown> }).toProblem()).toMatchObject({
        limit: 10,
        size: 17,
        status: 413,
      });
    }
  });

  it('defaults to 1 MiB and 64 levels', () => {
    expect(DEFAULT_XML_LIMITS).toEqual({ maxBytes: 1024 * 1024, maxDepth: 64 });
    const justOver = `<r>${'x'.repeat(1024 * 1024)}</r>`;
    expect(codeOf(() => parseXml(justOver))).toBe('xml-too-large');
    expect(codeOf(() => parseXml(nest(64)))).toBe('no error');
    expect(codeOf(() => parseXml(nest(65)))).toBe('xml-too-deep');
  });

  it('refuses nesting deeper than maxDepth, anywhere in the tree', () => {
    expect(codeOf(() => parseXml(nest(3), { maxDepth: 3 }))).toBe('no error');
    expect(codeOf(() => parseXml(nest(4), { maxDepth: 3 }))).toBe('xml-too-deep');
    expect(codeOf(() => parseXml(`<r><a/><b>${nest(3)}</b></r>`, { maxDepth: 4 }))).toBe('xml-too-deep');
    expect(codeOf(() => parseXml(`<r><a/><b>${nest(2)}</b></r>`, { maxDepth: 4 }))).toBe('no error');
  });

  it('handles a deeply nested document within the size limit without a stack overflow', () => {
    expect(codeOf(() => parseXml(nest(20_000)))).toBe('xml-too-deep');
  });
});

describe('parseXml: malformed documents', () => {
  it.each([
    ['empty', ''],
    ['whitespace only', ' \n\t '],
    ['text only', 'hello'],
    ['mismatched tags', '<a><b></a></b>'],
    ['wrong end tag', '<a><b></c></a>'],
    ['end tag in other case', '<a></A>'],
    ['an element left open', '<a><b></a>'],
    ['unclosed root', '<a>'],
    ['stray end tag', '</a>'],
    ['two roots', '<a/><b/>'],
    ['two roots with content', '<a>1</a><b>2</b>'],
    ['text after the root', '<a/>trailing'],
    ['text before the root', 'leading<a/>'],
    ['attribute without quotes', '<a b=c/>'],
    ['attribute without quotes, not self-closing', '<a b=c></a>'],
    ['duplicate attribute', '<a x="1" x="2"/>'],
    ['"<" in an attribute value', '<a x="<"/>'],
    ['bare "&"', '<a>fish & chips</a>'],
    ['invalid element name', '<1a/>'],
    ['unterminated tag', '<a'],
    ['garbage', '<<<>>>'],
    ['end tag with junk', '<a></a junk>'],
  ])('%s → malformed-xml', (_name, xml) => {
    expect(codeOf(() => parseXml(xml))).toBe('malformed-xml');
  });

  it('never throws anything but a KakehashiError with an XML code, whatever the input', () => {
    const fragment = fc.constantFrom(
      '<a>',
      '</a>',
      '<b x="1">',
      '</b>',
      '<c/>',
      '<!--',
      '-->',
      '<![CDATA[',
      ']]>',
      '&amp;',
      '&x;',
      '&#65;',
      '<!DOCTYPE a>',
      '<?p ?>',
      'text',
      '<',
      '>',
      '"',
      '&',
      ' ',
    );
    const input = fc.oneof(
      fc.array(fragment, { maxLength: 12 }).map((a) => a.join('')),
      fc.string({ maxLength: 40 }),
    );
    const allowed = new Set([
      'malformed-xml',
      'xml-doctype-forbidden',
      'xml-entity-forbidden',
      'xml-too-deep',
      'no error',
    ]);
    fc.assert(
      fc.property(input, (xml) => {
        expect(allowed.has(codeOf(() => parseXml(xml)))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('parses every well-formed tree it is given (generated documents)', () => {
    type Tree = { name: string; attr: string; children: Tree[]; text: string };
    const name = fc.constantFrom('a', 'b', 'p:c', 'd-e', 'f.g', 'h_1');
    const treeOf = (depth: number): fc.Arbitrary<Tree> =>
      fc.record({
        name,
        attr: fc.string({ maxLength: 6 }),
        text: fc.string({ maxLength: 6 }),
        children: depth <= 0 ? fc.constant([]) : fc.array(treeOf(depth - 1), { maxLength: 3 }),
      });
    const tree = treeOf(4);
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
    const render = (t: Tree): string =>
      `<${t.name} v="${esc(t.attr)}">${esc(t.text)}${t.children.map(render).join('')}</${t.name}>`;
    const controls = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/;
    fc.assert(
      fc.property(tree, (t) => {
        const xml = `<root xmlns:p="urn:p">${render(t)}</root>`;
        fc.pre(!controls.test(xml));
        const doc = parseXml(xml);
        expect(doc.documentElement.firstChild?.nodeName).toBe(t.name);
        expect((doc.documentElement.firstChild as Element).getAttribute('v')).toBe(t.attr.replace(/[\t\n\r]/g, ' '));
      }),
      { numRuns: 500 },
    );
  });
});
