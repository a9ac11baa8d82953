import { create } from 'xmlbuilder2';
import { EDM_ERRORS, SEVERITY } from './edm-errors.ts';
import { EIDAS_SCHEME, NS, PARTICIPANT_SCHEME, RESPONSE_STATUS, SPECIFICATION_IDENTIFIER } from './ns.ts';
import type { Agent, EdmException, EvidenceMetadata, QueryRequestModel, QueryResponseModel } from './z-regrep.ts';

type XMLBuilder = ReturnType<typeof create>;

const ROOT_NS = {
  'xmlns:query': NS.query,
  'xmlns:rim': NS.rim,
  'xmlns:rs': NS.rs,
  'xmlns:sdg': NS.sdg,
  'xmlns:xsi': NS.xsi,
  'xmlns:xlink': NS.xlink,
};

/** `<rim:Slot name=…><rim:SlotValue xsi:type=…>…` and returns the SlotValue for its content. */
function slot(parent: XMLBuilder, name: string, valueType: string): XMLBuilder {
  return parent.ele(NS.rim, 'rim:Slot', { name }).ele(NS.rim, 'rim:SlotValue').att(NS.xsi, 'xsi:type', valueType);
}
function stringSlot(parent: XMLBuilder, name: string, value: string): void {
  slot(parent, name, 'rim:StringValueType').ele(NS.rim, 'rim:Value').txt(value);
}
function dateTimeSlot(parent: XMLBuilder, name: string, value: string): void {
  slot(parent, name, 'rim:DateTimeValueType').ele(NS.rim, 'rim:Value').txt(value);
}
function booleanSlot(parent: XMLBuilder, name: string, value: boolean): void {
  slot(parent, name, 'rim:BooleanValueType').ele(NS.rim, 'rim:Value').txt(String(value));
}
function agent(parent: XMLBuilder, a: Agent, classification?: string): void {
  const el = parent.ele(NS.sdg, 'sdg:Agent');
  el.ele(NS.sdg, 'sdg:Identifier', { schemeID: PARTICIPANT_SCHEME }).txt(a.id);
  el.ele(NS.sdg, 'sdg:Name', { lang: 'EN' }).txt(a.name);
  if (a.country) el.ele(NS.sdg, 'sdg:Address').ele(NS.sdg, 'sdg:AdminUnitLevel1').txt(a.country);
  if (classification) el.ele(NS.sdg, 'sdg:Classification').txt(classification);
}
/** EvidenceRequester is a collection in EDM 1.1 (one element here). */
function requesterSlot(parent: XMLBuilder, a: Agent): void {
  const coll = slot(parent, 'EvidenceRequester', 'rim:CollectionValueType').att(
    'collectionType',
    'urn:oasis:names:tc:ebxml-regrep:CollectionType:Set',
  );
  agent(coll.ele(NS.rim, 'rim:Element').att(NS.xsi, 'xsi:type', 'rim:AnyValueType'), a, 'ER');
}

/**
 * Builds the OOTS evidence request: a RegRep 4 `query:QueryRequest` with the EDM slots (SpecificationIdentifier,
 * IssueDateTime, Procedure, PossibilityForPreview, ExplicitRequestGiven, Requirements, EvidenceRequester,
 * EvidenceProvider, PreviewLocation on the second request), `query:ResponseOption` and a `DocumentQuery` whose
 * slots carry the NaturalPerson (eIDAS identifier and minimum data set) and the requested evidence type.
 * It travels as the payload of an AS4 UserMessage with Service `urn:kakehashi:service:evidence` (the EU one is
 * `QueryManager`) and Action `ExecuteQueryRequest`.
 * @see https://docs.oasis-open.org/regrep/regrep-core/v4.0/os/regrep-core-rs-v4.0-os.html#__RefHeading__32747_422331343 (QueryRequest)
 */
export function buildQueryRequest(m: QueryRequestModel): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(NS.query, 'query:QueryRequest', {
    ...ROOT_NS,
    id: m.id,
  });
  stringSlot(root, 'SpecificationIdentifier', SPECIFICATION_IDENTIFIER);
  dateTimeSlot(root, 'IssueDateTime', m.issueDateTime);
  slot(root, 'Procedure', 'rim:InternationalStringValueType')
    .ele(NS.rim, 'rim:Value')
    .ele(NS.rim, 'rim:LocalizedString')
    .att(NS.xml, 'xml:lang', 'EN')
    .att('value', m.procedure);
  if (m.previewLocation) stringSlot(root, 'PreviewLocation', m.previewLocation);
  booleanSlot(root, 'PossibilityForPreview', m.possibilityForPreview);
  booleanSlot(root, 'ExplicitRequestGiven', m.explicitRequestGiven);
  const req = slot(root, 'Requirements', 'rim:CollectionValueType')
    .att('collectionType', 'urn:oasis:names:tc:ebxml-regrep:CollectionType:Set')
    .ele(NS.rim, 'rim:Element')
    .att(NS.xsi, 'xsi:type', 'rim:AnyValueType')
    .ele(NS.sdg, 'sdg:Requirement');
  req.ele(NS.sdg, 'sdg:Identifier').txt(m.requirement.id);
  req.ele(NS.sdg, 'sdg:Name', { lang: 'EN' }).txt(m.requirement.name);
  requesterSlot(root, m.requester);
  agent(slot(root, 'EvidenceProvider', 'rim:AnyValueType'), m.provider);
  root.ele(NS.query, 'query:ResponseOption', { returnType: 'LeafClassWithRepositoryItem' });
  const q = root.ele(NS.query, 'query:Query', { queryDefinition: 'DocumentQuery' });
  const p = slot(q, 'NaturalPerson', 'rim:AnyValueType').ele(NS.sdg, 'sdg:Person');
  p.ele(NS.sdg, 'sdg:LevelOfAssurance').txt(m.person.levelOfAssurance);
  p.ele(NS.sdg, 'sdg:Identifier', { schemeID: EIDAS_SCHEME }).txt(m.person.personIdentifier);
  p.ele(NS.sdg, 'sdg:FamilyName').txt(m.person.familyName);
  p.ele(NS.sdg, 'sdg:GivenName').txt(m.person.givenName);
  p.ele(NS.sdg, 'sdg:DateOfBirth').txt(m.person.dateOfBirth);
  const et = slot(q, 'EvidenceRequest', 'rim:AnyValueType').ele(NS.sdg, 'sdg:DataServiceEvidenceType');
  et.ele(NS.sdg, 'sdg:Identifier').txt(m.evidenceType.id);
  et.ele(NS.sdg, 'sdg:EvidenceTypeClassification').txt(m.evidenceType.classification);
  et.ele(NS.sdg, 'sdg:Title', { lang: 'EN' }).txt(m.evidenceType.title);
  et.ele(NS.sdg, 'sdg:DistributedAs').ele(NS.sdg, 'sdg:Format').txt(m.evidenceType.format);
  return root.end({ prettyPrint: true });
}

function metadata(parent: XMLBuilder, e: EvidenceMetadata): void {
  const ro = parent
    .ele(NS.rim, 'rim:RegistryObjectList')
    .ele(NS.rim, 'rim:RegistryObject', { id: e.registryObjectId })
    .att(NS.xsi, 'xsi:type', 'rim:ExtrinsicObjectType');
  const ev = slot(ro, 'EvidenceMetadata', 'rim:AnyValueType').ele(NS.sdg, 'sdg:Evidence');
  ev.ele(NS.sdg, 'sdg:Identifier').txt(e.id);
  const ia = ev.ele(NS.sdg, 'sdg:IssuingAuthority');
  ia.ele(NS.sdg, 'sdg:Identifier', { schemeID: PARTICIPANT_SCHEME }).txt(e.issuingAuthority.id);
  ia.ele(NS.sdg, 'sdg:Name', { lang: 'EN' }).txt(e.issuingAuthority.name);
  const ct = ev.ele(NS.sdg, 'sdg:IsConformantTo');
  ct.ele(NS.sdg, 'sdg:EvidenceTypeClassification').txt(e.classification);
  ct.ele(NS.sdg, 'sdg:Title', { lang: 'EN' }).txt(e.title);
  ev.ele(NS.sdg, 'sdg:IssuingDate').txt(e.issuingDate);
  ev.ele(NS.sdg, 'sdg:Distribution').ele(NS.sdg, 'sdg:Format').txt(e.format);
  ro.ele(NS.rim, 'rim:RepositoryItemRef')
    .att(NS.xlink, 'xlink:href', e.repositoryItemRef)
    .att(NS.xlink, 'xlink:title', e.title);
}

function exception(parent: XMLBuilder, x: EdmException): void {
  const el = parent
    .ele(NS.rs, 'rs:Exception')
    .att(NS.xsi, 'xsi:type', x.type)
    .att('severity', x.severity)
    .att('message', x.message)
    .att('detail', x.detail)
    .att('code', x.code);
  dateTimeSlot(el, 'Timestamp', x.timestamp);
  if (x.previewLocation) stringSlot(el, 'PreviewLocation', x.previewLocation);
}

/**
 * Builds the OOTS evidence response (`query:QueryResponse`, Action `ExecuteQueryResponse`): on success the
 * evidence metadata in a `rim:ExtrinsicObjectType` whose `rim:RepositoryItemRef` points at the AS4 attachment
 * that carries the signed evidence; on failure one `rs:Exception` from the EDM error list.
 * @see https://docs.oasis-open.org/regrep/regrep-core/v4.0/os/regrep-core-rs-v4.0-os.html (QueryResponse, RegistryExceptionType)
 */
export function buildQueryResponse(m: QueryResponseModel): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(NS.query, 'query:QueryResponse', {
    ...ROOT_NS,
    status: m.status === 'success' ? RESPONSE_STATUS.success : RESPONSE_STATUS.failure,
    requestId: m.requestId,
  });
  stringSlot(root, 'SpecificationIdentifier', SPECIFICATION_IDENTIFIER);
  stringSlot(root, 'EvidenceResponseIdentifier', m.responseId);
  dateTimeSlot(root, 'IssueDateTime', m.issueDateTime);
  if (m.status === 'success') {
    requesterSlot(root, m.requester);
    const coll = slot(root, 'EvidenceProvider', 'rim:CollectionValueType').att(
      'collectionType',
      'urn:oasis:names:tc:ebxml-regrep:CollectionType:Set',
    );
    agent(coll.ele(NS.rim, 'rim:Element').att(NS.xsi, 'xsi:type', 'rim:AnyValueType'), m.provider, 'EP');
    if (m.evidence) metadata(root, m.evidence);
  } else {
    requesterSlot(root, m.requester);
    agent(slot(root, 'ErrorProvider', 'rim:AnyValueType'), m.provider, 'ERRP');
    if (m.exception) exception(root, m.exception);
  }
  return root.end({ prettyPrint: true });
}

/** An `rs:Exception` of the EDM list, timestamped on the virtual clock. */
export function edmException(
  name: keyof typeof EDM_ERRORS,
  detail: string,
  timestamp: string,
  opts: { previewRequired?: boolean; previewLocation?: string } = {},
): EdmException {
  const e = EDM_ERRORS[name];
  return {
    ...e,
    detail: detail.slice(0, 500),
    severity: opts.previewRequired ? SEVERITY.previewRequired : SEVERITY.error,
    timestamp,
    ...(opts.previewLocation ? { previewLocation: opts.previewLocation } : {}),
  };
}
