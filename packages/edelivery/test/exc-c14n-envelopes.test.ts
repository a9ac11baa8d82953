import { parseXml, serializeXml } from '@kakehashi/core';
import { describe, expect, it } from 'vitest';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { buildSignalDocument } from '../src/message/build-signal.ts';
import { buildUserMessageDocument } from '../src/message/build-user-message.ts';
import type { UserMessage } from '../src/message/z-user-message.ts';
import { excC14n } from '../src/wss/xml-helpers.ts';

/**
 * The WS-Security signer and verifier canonicalize with core's exclusiveC14n (through `excC14n`): on AS4
 * envelopes — a UserMessage with escapes and non-ASCII text, a Receipt — every element, with and without an
 * InclusiveNamespaces PrefixList (whose prefixes are declared on ancestors, as `excC14n` passes them), gives the
 * string xml-crypto's ExclusiveCanonicalization gives, and leaves the same DOM. Random and adversarial documents:
 * packages/esig/test/exc-c14n-differential.test.ts.
 */
const ids = { messaging: '_msg-1', body: '_body-1' };
const um: UserMessage = {
  messageId: 'm1@de.kakehashi',
  timestamp: '2026-06-01T00:00:00.000Z',
  refToMessageId: `r&<>"'`,
  mpc: 'urn:kakehashi:mpc:other',
  from: {
    partyId: 'urn:kakehashi:ap:DE',
    partyIdType: 'urn:oasis:names:tc:ebcore:partyid-type:unregistered',
    role: 'i',
  },
  to: { partyId: 'urn:kakehashi:ap:JP', role: 'r' },
  service: { value: 'urn:kakehashi:service:evidence', type: 'urn:t' },
  action: 'ExecuteQueryRequest',
  conversationId: 'c1',
  properties: [
    { name: 'originalSender', value: 'a<&>"\'b\r\n', type: 't"<&' },
    { name: 'finalRecipient', value: '日本 \t tab' },
  ],
  parts: [{ href: 'cid:payload-1@x', properties: [{ name: 'MimeType', value: 'application/xml' }] }],
};
const receipt = {
  messageId: 's1@jp.kakehashi',
  timestamp: '2026-06-01T00:00:01.000Z',
  refToMessageId: 'm1@de.kakehashi',
  receipt: {
    references: [
      {
        uri: '#_msg-1',
        transforms: ['http://www.w3.org/2001/10/xml-exc-c14n#'],
        digestMethod: 'sha256',
        digestValue: 'AAA=',
      },
      { uri: 'cid:payload-1@x', transforms: [], digestMethod: 'sha256', digestValue: 'BBB=' },
    ],
  },
};

/** What excC14n passes xml-crypto for a prefix list: the namespaces the ancestors declare (nearest first). */
function ancestorNamespaces(element: Element) {
  const out: { prefix: string; namespaceURI: string }[] = [];
  for (let p = element.parentNode; p && p.nodeType === 1; p = p.parentNode) {
    const attrs = (p as Element).attributes;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs.item(i) as Attr;
      if (a.prefix === 'xmlns' && !out.some((x) => x.prefix === a.localName))
        out.push({ prefix: a.localName as string, namespaceURI: a.value });
    }
  }
  return out;
}

function elements(doc: Document): Element[] {
  const out: Element[] = [];
  const walk = (e: Element) => {
    out.push(e);
    for (let n = e.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) walk(n as Element);
  };
  walk(doc.documentElement);
  return out;
}

describe('excC14n on AS4 envelopes, against xml-crypto', () => {
  for (const [name, make] of [
    ['a UserMessage', () => buildUserMessageDocument(um, ids)],
    ['a Receipt', () => buildSignalDocument(receipt, ids)],
    [
      'a UserMessage read back from its bytes (fast path)',
      () => parseXml(serializeXml(buildUserMessageDocument(um, ids)), { fast: true }),
    ],
  ] as const)
    it(`${name}: every element, with and without a prefix list`, () => {
      const n = elements(make()).length;
      expect(n).toBeGreaterThan(10);
      for (const prefixes of [[], ['env', 'wsu'], ['eb', 'ds', 'xenc', 'ebbp', 'none']])
        for (let i = 0; i < n; i++) {
          const ours = make();
          const theirs = make();
          const a = elements(ours)[i] as Element;
          const b = elements(theirs)[i] as Element;
          const expected = new ExclusiveCanonicalization().process(b, {
            inclusiveNamespacesPrefixList: prefixes,
            ancestorNamespaces: prefixes.length > 0 ? ancestorNamespaces(b) : [],
          });
          expect(excC14n(a, prefixes), `${a.tagName} ${prefixes.join(' ')}`).toBe(expected);
          expect(serializeXml(ours)).toBe(serializeXml(theirs));
        }
    });
});
