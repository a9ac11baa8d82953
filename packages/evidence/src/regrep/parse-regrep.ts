import { KakehashiError, parseXml } from '@kakehashi/core';
import { edmErrorByCode, SEVERITY } from './edm-errors.ts';
import { NS, RESPONSE_STATUS } from './ns.ts';
import {
  type Agent,
  type EdmException,
  type EvidenceMetadata,
  NaturalPersonSchema,
  type QueryRequestModel,
  type QueryResponseModel,
} from './z-regrep.ts';

/** RegRep messages are small: 256 KiB and depth 24 are far above what the EDM needs. */
const LIMITS = { maxBytes: 256 * 1024, maxDepth: 24 };

const invalid = (why: string) =>
  new KakehashiError('evidence-regrep-invalid', `The RegRep message is not an OOTS EDM message: ${why}.`, {
    rule: 'OOTS EDM (RegRep 4 QueryRequest/QueryResponse)',
  });

function elements(el: Element): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}
function is(el: Element, ns: string, local: string): boolean {
  return el.namespaceURI === ns && el.localName === local;
}
/** The single direct child `ns:local` (undefined if absent; two are refused: no "first one wins"). */
function child(el: Element, ns: string, local: string, what: string): Element | undefined {
  const found = elements(el).filter((c) => is(c, ns, local));
  if (found.length > 1) throw invalid(`${what} appears ${found.length} times`);
  return found[0];
}
function must(el: Element, ns: string, local: string, what: string): Element {
  const c = child(el, ns, local, what);
  if (!c) throw invalid(`${what} is missing`);
  return c;
}
/** The full string value; comments or processing instructions inside a value are refused (no truncation games). */
function text(el: Element, what: string): string {
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 8 || n.nodeType === 7) throw invalid(`${what} contains a comment or processing instruction`);
    if (n.nodeType === 1) throw invalid(`${what} must be text only`);
  }
  const t = (el.textContent ?? '').trim();
  if (!t) throw invalid(`${what} is empty`);
  if (t.length > 2000) throw invalid(`${what} is longer than 2000 characters`);
  return t;
}

/** Direct `rim:Slot` children by name; a name given twice is refused. Returns each slot's `rim:SlotValue`. */
function slots(el: Element): Map<string, Element> {
  const map = new Map<string, Element>();
  for (const s of elements(el).filter((c) => is(c, NS.rim, 'Slot'))) {
    const name = s.getAttribute('name') ?? '';
    if (!name) throw invalid('a rim:Slot has no name');
    if (map.has(name)) throw invalid(`slot ${name.slice(0, 60)} appears twice`);
    map.set(name, must(s, NS.rim, 'SlotValue', `slot ${name} rim:SlotValue`));
  }
  return map;
}
function slotValue(map: Map<string, Element>, name: string): Element {
  const v = map.get(name);
  if (!v) throw invalid(`slot ${name} is missing`);
  return v;
}
function slotText(map: Map<string, Element>, name: string): string {
  return text(must(slotValue(map, name), NS.rim, 'Value', `slot ${name} rim:Value`), `slot ${name}`);
}
function optionalSlotText(map: Map<string, Element>, name: string): string | undefined {
  return map.has(name) ? slotText(map, name) : undefined;
}
function booleanSlot(map: Map<string, Element>, name: string): boolean {
  const t = slotText(map, name);
  if (t !== 'true' && t !== 'false') throw invalid(`slot ${name} must be true or false`);
  return t === 'true';
}
/** An `sdg:Agent` directly in the slot value, or in its single collection element. */
function agentIn(value: Element, what: string): Agent {
  const direct = child(value, NS.sdg, 'Agent', what);
  const holder = direct
    ? value
    : (() => {
        const els = elements(value).filter((c) => is(c, NS.rim, 'Element'));
        if (els.length !== 1) throw invalid(`${what} must name exactly one agent`);
        return els[0] as Element;
      })();
  const a = must(holder, NS.sdg, 'Agent', what);
  const address = child(a, NS.sdg, 'Address', `${what} address`);
  const country = address ? child(address, NS.sdg, 'AdminUnitLevel1', `${what} country`) : undefined;
  const cc = country ? text(country, `${what} country`) : undefined;
  if (cc !== undefined && !/^[A-Z]{2}$/.test(cc)) throw invalid(`${what} country must be a two-letter code`);
  return {
    id: text(must(a, NS.sdg, 'Identifier', `${what} identifier`), `${what} identifier`),
    name: text(must(a, NS.sdg, 'Name', `${what} name`), `${what} name`),
    ...(cc ? { country: cc } : {}),
  };
}

function root(xml: string | Uint8Array, local: 'QueryRequest' | 'QueryResponse'): Element {
  const doc = parseXml(xml, LIMITS);
  const r = doc.documentElement as Element;
  if (!is(r, NS.query, local))
    throw invalid(`the root is {${r.namespaceURI ?? ''}}${r.localName}, expected query:${local} in ${NS.query}`);
  return r;
}

const UUID_URN = /^urn:uuid:[0-9a-fA-F-]{36}$/;

/**
 * Parses an evidence request with core's safe parser (no DOCTYPE, size and depth limits) and checks its EDM
 * structure strictly: namespaces, one of each slot, the NaturalPerson against its schema. Throws
 * `evidence-regrep-invalid` (the provider answers it with `EDM:ERR:0003`).
 */
export function parseQueryRequest(xml: string | Uint8Array): QueryRequestModel {
  const r = root(xml, 'QueryRequest');
  const id = r.getAttribute('id') ?? '';
  if (!UUID_URN.test(id)) throw invalid('the QueryRequest id must be a urn:uuid');
  const s = slots(r);
  const procedureValue = must(slotValue(s, 'Procedure'), NS.rim, 'Value', 'slot Procedure rim:Value');
  const procedure = must(procedureValue, NS.rim, 'LocalizedString', 'Procedure').getAttribute('value') ?? '';
  if (!procedure) throw invalid('the Procedure has no value');
  const reqEls = elements(slotValue(s, 'Requirements')).filter((c) => is(c, NS.rim, 'Element'));
  if (reqEls.length !== 1) throw invalid('exactly one requirement is supported');
  const requirement = must(reqEls[0] as Element, NS.sdg, 'Requirement', 'Requirement');
  const query = must(r, NS.query, 'Query', 'query:Query');
  if (query.getAttribute('queryDefinition') !== 'DocumentQuery')
    throw invalid('the queryDefinition must be DocumentQuery');
  const q = slots(query);
  const person = must(slotValue(q, 'NaturalPerson'), NS.sdg, 'Person', 'NaturalPerson');
  const pid = must(person, NS.sdg, 'Identifier', 'NaturalPerson identifier');
  if (pid.getAttribute('schemeID') !== 'eidas') throw invalid('the person identifier scheme must be eidas');
  const parsedPerson = NaturalPersonSchema.safeParse({
    personIdentifier: text(pid, 'person identifier'),
    familyName: text(must(person, NS.sdg, 'FamilyName', 'FamilyName'), 'FamilyName'),
    givenName: text(must(person, NS.sdg, 'GivenName', 'GivenName'), 'GivenName'),
    dateOfBirth: text(must(person, NS.sdg, 'DateOfBirth', 'DateOfBirth'), 'DateOfBirth'),
    levelOfAssurance: text(must(person, NS.sdg, 'LevelOfAssurance', 'LevelOfAssurance'), 'LevelOfAssurance'),
  });
  if (!parsedPerson.success)
    throw invalid(
      `the NaturalPerson is invalid (${parsedPerson.error.issues[0]?.path.join('.')}: ${parsedPerson.error.issues[0]?.message})`,
    );
  const et = must(slotValue(q, 'EvidenceRequest'), NS.sdg, 'DataServiceEvidenceType', 'EvidenceRequest');
  const spec = slotText(s, 'SpecificationIdentifier');
  if (!spec.startsWith('oots-edm:')) throw invalid(`unknown SpecificationIdentifier ${spec.slice(0, 40)}`);
  return {
    id,
    issueDateTime: slotText(s, 'IssueDateTime'),
    procedure,
    possibilityForPreview: booleanSlot(s, 'PossibilityForPreview'),
    explicitRequestGiven: booleanSlot(s, 'ExplicitRequestGiven'),
    previewLocation: optionalSlotText(s, 'PreviewLocation'),
    requirement: {
      id: text(must(requirement, NS.sdg, 'Identifier', 'Requirement identifier'), 'Requirement identifier'),
      name: text(must(requirement, NS.sdg, 'Name', 'Requirement name'), 'Requirement name'),
    },
    requester: agentIn(slotValue(s, 'EvidenceRequester'), 'EvidenceRequester'),
    provider: agentIn(slotValue(s, 'EvidenceProvider'), 'EvidenceProvider'),
    person: parsedPerson.data,
    evidenceType: {
      id: text(must(et, NS.sdg, 'Identifier', 'evidence type identifier'), 'evidence type identifier'),
      classification: text(
        must(et, NS.sdg, 'EvidenceTypeClassification', 'EvidenceTypeClassification'),
        'EvidenceTypeClassification',
      ),
      title: text(must(et, NS.sdg, 'Title', 'evidence type title'), 'evidence type title'),
      format: text(
        must(must(et, NS.sdg, 'DistributedAs', 'DistributedAs'), NS.sdg, 'Format', 'DistributedAs format'),
        'format',
      ),
    },
  };
}

/**
 * Parses an evidence response (success with evidence metadata, or failure with one `rs:Exception`), with the
 * same strictness. The `rs:Exception` type and code must be a pair of the EDM error list.
 */
export function parseQueryResponse(xml: string | Uint8Array): QueryResponseModel {
  const r = root(xml, 'QueryResponse');
  const requestId = r.getAttribute('requestId') ?? '';
  if (!UUID_URN.test(requestId)) throw invalid('the requestId must be a urn:uuid');
  const statusUri = r.getAttribute('status');
  const status =
    statusUri === RESPONSE_STATUS.success ? 'success' : statusUri === RESPONSE_STATUS.failure ? 'failure' : undefined;
  if (!status) throw invalid('the status must be the RegRep Success or Failure URI');
  const s = slots(r);
  const base = {
    requestId,
    responseId: slotText(s, 'EvidenceResponseIdentifier'),
    issueDateTime: slotText(s, 'IssueDateTime'),
    requester: agentIn(slotValue(s, 'EvidenceRequester'), 'EvidenceRequester'),
  };
  if (status === 'failure') {
    const x = must(r, NS.rs, 'Exception', 'rs:Exception');
    const type = x.getAttributeNS(NS.xsi, 'type') ?? '';
    const code = x.getAttribute('code') ?? '';
    const known = edmErrorByCode(code);
    if (!known || known.type !== type)
      throw invalid(`the exception ${code.slice(0, 20)} / ${type.slice(0, 60)} is not an EDM error`);
    const severity = x.getAttribute('severity') ?? '';
    if (severity !== SEVERITY.error && severity !== SEVERITY.previewRequired)
      throw invalid('unknown exception severity');
    const xs = slots(x);
    const exception: EdmException = {
      type,
      code,
      message: x.getAttribute('message') ?? known.message,
      detail: (x.getAttribute('detail') ?? '').slice(0, 500),
      severity,
      timestamp: slotText(xs, 'Timestamp'),
      previewLocation: optionalSlotText(xs, 'PreviewLocation'),
    };
    if (severity === SEVERITY.previewRequired && !exception.previewLocation)
      throw invalid('a PreviewRequired exception must carry a PreviewLocation');
    return { ...base, status, provider: agentIn(slotValue(s, 'ErrorProvider'), 'ErrorProvider'), exception };
  }
  const list = must(r, NS.rim, 'RegistryObjectList', 'rim:RegistryObjectList');
  const objects = elements(list).filter((c) => is(c, NS.rim, 'RegistryObject'));
  if (objects.length !== 1) throw invalid('exactly one evidence RegistryObject is supported');
  const ro = objects[0] as Element;
  const ev = must(slotValue(slots(ro), 'EvidenceMetadata'), NS.sdg, 'Evidence', 'sdg:Evidence');
  const ia = must(ev, NS.sdg, 'IssuingAuthority', 'IssuingAuthority');
  const ct = must(ev, NS.sdg, 'IsConformantTo', 'IsConformantTo');
  const ref = must(ro, NS.rim, 'RepositoryItemRef', 'rim:RepositoryItemRef');
  const href = ref.getAttributeNS(NS.xlink, 'href') ?? '';
  if (!/^cid:[^\s<>]{1,200}$/.test(href)) throw invalid('the RepositoryItemRef must point at an attachment (cid:)');
  const evidence: EvidenceMetadata = {
    id: text(must(ev, NS.sdg, 'Identifier', 'evidence identifier'), 'evidence identifier'),
    registryObjectId: ro.getAttribute('id') ?? '',
    classification: text(
      must(ct, NS.sdg, 'EvidenceTypeClassification', 'EvidenceTypeClassification'),
      'EvidenceTypeClassification',
    ),
    title: text(must(ct, NS.sdg, 'Title', 'evidence title'), 'evidence title'),
    format: text(must(must(ev, NS.sdg, 'Distribution', 'Distribution'), NS.sdg, 'Format', 'format'), 'format'),
    issuingDate: text(must(ev, NS.sdg, 'IssuingDate', 'IssuingDate'), 'IssuingDate'),
    issuingAuthority: {
      id: text(must(ia, NS.sdg, 'Identifier', 'issuing authority identifier'), 'issuing authority identifier'),
      name: text(must(ia, NS.sdg, 'Name', 'issuing authority name'), 'issuing authority name'),
    },
    repositoryItemRef: href,
  };
  return {
    ...base,
    status,
    provider: agentIn(slotValue(s, 'EvidenceProvider'), 'EvidenceProvider'),
    evidence,
  };
}
