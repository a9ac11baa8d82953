import { KakehashiError, parseXml } from '@kakehashi/core';
import { create } from 'xmlbuilder2';
import type { EvidenceKind, SubjectRecord } from '../deps.ts';

export const EVIDENCE_DOC_NS = 'urn:kakehashi:evidence:v1';
const DSIG = 'http://www.w3.org/2000/09/xmldsig#';

/** What goes into an evidence document (the certificate the provider issues and signs). */
export interface EvidenceDocumentInput {
  id: string;
  kind: EvidenceKind;
  classification: string;
  title: string;
  titleLocal: string;
  issuer: { participantId: string; name: string; nameLocal?: string | undefined; country: string };
  subject: SubjectRecord & { personIdentifier: string };
  facts: Record<string, string>;
  /** The request it answers (its first id): the requester checks this binding. */
  requestId: string;
  issuedAt: string;
}

/**
 * Builds the evidence as an XML document (`ev:Evidence`, namespace `urn:kakehashi:evidence:v1`) with an `Id` on
 * the root, ready for an enveloped XAdES signature by the issuing agency. It names the request it answers and the
 * person by the PersonIdentifier the requester knows, so the requester can bind it to its request.
 */
export function buildEvidenceDocument(d: EvidenceDocumentInput): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(EVIDENCE_DOC_NS, 'ev:Evidence', {
    'xmlns:ev': EVIDENCE_DOC_NS,
    Id: d.id,
    kind: d.kind,
  });
  root.ele(EVIDENCE_DOC_NS, 'ev:TestOnly').txt('true — synthetic data issued by a Kakehashi mock agency');
  root.ele(EVIDENCE_DOC_NS, 'ev:EvidenceType').txt(d.classification);
  root.ele(EVIDENCE_DOC_NS, 'ev:Title', { lang: 'en' }).txt(d.title);
  root.ele(EVIDENCE_DOC_NS, 'ev:Title', { lang: 'local' }).txt(d.titleLocal);
  const issuer = root.ele(EVIDENCE_DOC_NS, 'ev:IssuingAuthority', {
    participant: d.issuer.participantId,
    country: d.issuer.country,
  });
  issuer.ele(EVIDENCE_DOC_NS, 'ev:Name').txt(d.issuer.name);
  if (d.issuer.nameLocal) issuer.ele(EVIDENCE_DOC_NS, 'ev:NameLocal').txt(d.issuer.nameLocal);
  const s = root.ele(EVIDENCE_DOC_NS, 'ev:Subject');
  s.ele(EVIDENCE_DOC_NS, 'ev:PersonIdentifier').txt(d.subject.personIdentifier);
  s.ele(EVIDENCE_DOC_NS, 'ev:FamilyName').txt(d.subject.familyName);
  s.ele(EVIDENCE_DOC_NS, 'ev:GivenName').txt(d.subject.givenName);
  if (d.subject.familyNameLatin) s.ele(EVIDENCE_DOC_NS, 'ev:FamilyNameLatin').txt(d.subject.familyNameLatin);
  if (d.subject.givenNameLatin) s.ele(EVIDENCE_DOC_NS, 'ev:GivenNameLatin').txt(d.subject.givenNameLatin);
  s.ele(EVIDENCE_DOC_NS, 'ev:DateOfBirth').txt(d.subject.dateOfBirth);
  const facts = root.ele(EVIDENCE_DOC_NS, 'ev:Facts');
  for (const [name, value] of Object.entries(d.facts)) facts.ele(EVIDENCE_DOC_NS, 'ev:Fact', { name }).txt(value);
  root.ele(EVIDENCE_DOC_NS, 'ev:RequestId').txt(d.requestId);
  root.ele(EVIDENCE_DOC_NS, 'ev:IssuedAt').txt(d.issuedAt);
  return root.end({ prettyPrint: true });
}

export interface EvidenceDocumentView {
  id: string;
  kind: string;
  classification: string;
  requestId: string;
  /** When the provider issued it (`ev:IssuedAt`, ISO 8601). */
  issuedAt: string;
  personIdentifier: string;
  issuerParticipant: string;
  issuerCountry: string;
  facts: Record<string, string>;
  subject: Record<string, string>;
}

/**
 * Reads a signed evidence document and checks the reference binding ourselves (what is signed is what is
 * consumed): exactly one `ds:Signature`, a direct child of the root `ev:Evidence`, with exactly one
 * non-SignedProperties `ds:Reference` whose URI is `""` or `#<root Id>` — so the signature the validator checked
 * covers this very root, not a wrapped copy.
 */
export function readSignedEvidence(xml: string): EvidenceDocumentView {
  const doc = parseXml(xml, { maxBytes: 512 * 1024, maxDepth: 24 });
  const root = doc.documentElement as Element;
  const bad = (why: string) =>
    new KakehashiError('evidence-regrep-invalid', `The evidence document is not acceptable: ${why}.`, {
      rule: 'reference binding: the signed element is the one consumed',
    });
  if (root.namespaceURI !== EVIDENCE_DOC_NS || root.localName !== 'Evidence') throw bad('the root is not ev:Evidence');
  const sigs = doc.getElementsByTagNameNS(DSIG, 'Signature');
  if (sigs.length !== 1) throw bad(`${sigs.length} ds:Signature elements (exactly one expected)`);
  const sig = sigs.item(0) as Element;
  if (sig.parentNode !== root) throw bad('the signature is not a direct child of the root');
  const rootId = root.getAttribute('Id') ?? '';
  const signedInfo = Array.from({ length: sig.childNodes.length }, (_, i) => sig.childNodes.item(i)).find(
    (n) => n.nodeType === 1 && (n as Element).localName === 'SignedInfo',
  ) as Element | undefined;
  if (!signedInfo) throw bad('no ds:SignedInfo');
  const refs = Array.from({ length: signedInfo.childNodes.length }, (_, i) => signedInfo.childNodes.item(i))
    .filter((n) => n.nodeType === 1 && (n as Element).localName === 'Reference')
    .map((n) => n as Element)
    .filter((r) => !(r.getAttribute('Type') ?? '').endsWith('#SignedProperties'));
  if (refs.length !== 1) throw bad(`${refs.length} data references (exactly one expected)`);
  const uri = refs[0]?.getAttribute('URI') ?? '<none>';
  if (uri !== '' && uri !== `#${rootId}`) throw bad(`the reference ${uri.slice(0, 60)} does not point at the root`);
  const content = contentOf(root, bad);
  return { id: rootId, ...content };
}

/** The subject and facts of an evidence document, signed or not (parsed with the safe parser). */
export function readEvidenceContent(xml: string): Omit<EvidenceDocumentView, 'id'> {
  const root = parseXml(xml, { maxBytes: 512 * 1024, maxDepth: 24 }).documentElement as Element;
  return contentOf(
    root,
    (why) => new KakehashiError('evidence-regrep-invalid', `The evidence document is not acceptable: ${why}.`),
  );
}

function contentOf(root: Element, bad: (why: string) => KakehashiError): Omit<EvidenceDocumentView, 'id'> {
  if (root.namespaceURI !== EVIDENCE_DOC_NS || root.localName !== 'Evidence') throw bad('the root is not ev:Evidence');
  const direct = (local: string): Element[] =>
    Array.from({ length: root.childNodes.length }, (_, i) => root.childNodes.item(i)).filter(
      (n) => n.nodeType === 1 && (n as Element).namespaceURI === EVIDENCE_DOC_NS && (n as Element).localName === local,
    ) as Element[];
  const one = (parent: Element[], what: string): Element => {
    if (parent.length !== 1) throw bad(`${what} must appear once`);
    return parent[0] as Element;
  };
  const subjectEl = one(direct('Subject'), 'ev:Subject');
  const subject: Record<string, string> = {};
  for (let n = subjectEl.firstChild; n; n = n.nextSibling)
    if (n.nodeType === 1) subject[(n as Element).localName] = (n.textContent ?? '').trim();
  const facts: Record<string, string> = {};
  const factsEl = one(direct('Facts'), 'ev:Facts');
  for (let n = factsEl.firstChild; n; n = n.nextSibling)
    if (n.nodeType === 1) facts[(n as Element).getAttribute('name') ?? ''] = (n.textContent ?? '').trim();
  const issuer = one(direct('IssuingAuthority'), 'ev:IssuingAuthority');
  return {
    kind: root.getAttribute('kind') ?? '',
    classification: (one(direct('EvidenceType'), 'ev:EvidenceType').textContent ?? '').trim(),
    requestId: (one(direct('RequestId'), 'ev:RequestId').textContent ?? '').trim(),
    issuedAt: (one(direct('IssuedAt'), 'ev:IssuedAt').textContent ?? '').trim(),
    personIdentifier: subject.PersonIdentifier ?? '',
    issuerParticipant: issuer.getAttribute('participant') ?? '',
    issuerCountry: issuer.getAttribute('country') ?? '',
    facts,
    subject,
  };
}
