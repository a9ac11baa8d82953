/**
 * @kakehashi/evidence — once-only evidence exchange (OOTS-style) at every national node: RegRep 4
 * QueryRequest/QueryResponse over AS4, the hub's evidence broker and data service directory, identity matching,
 * preview and explicit consent at the provider, evidence signed with XAdES and validated by the requester. TEST ONLY.
 */

export { type PreviewRow, type PreviewStatus, PreviewStore } from './consent/preview-store.ts';
export type {
  EvidenceDeps,
  EvidenceFacts,
  EvidenceKind,
  EvidenceParticipant,
  EvidenceSource,
  ExchangeRecord,
  SubjectRecord,
} from './deps.ts';
export { EVIDENCE_ERROR_CODES } from './error-codes.ts';
export {
  buildEvidenceDocument,
  EVIDENCE_DOC_NS,
  readEvidenceContent,
  readSignedEvidence,
} from './evidence-doc/evidence-document.ts';
export { type EvidenceBlock, mountEvidence } from './mount-evidence.ts';
export { matchesMinimumDataSet } from './provider/handle-query-request.ts';
export { buildQueryRequest, buildQueryResponse, edmException } from './regrep/build-regrep.ts';
export { EDM_ERRORS, type EdmErrorName, SEVERITY } from './regrep/edm-errors.ts';
export {
  ACTION_REQUEST,
  ACTION_RESPONSE,
  EVIDENCE_SERVICE,
  NS,
  RESPONSE_STATUS,
  SPECIFICATION_IDENTIFIER,
} from './regrep/ns.ts';
export { parseQueryRequest, parseQueryResponse } from './regrep/parse-regrep.ts';
export type {
  Agent,
  EdmException,
  EvidenceMetadata,
  NaturalPerson,
  QueryRequestModel,
  QueryResponseModel,
} from './regrep/z-regrep.ts';
export { type RequestStatus, RequestStore } from './requester/request-store.ts';
export {
  type CooperationNetworkLike,
  createCooperationNetworkSource,
} from './sources/cooperation-network-source.ts';
export { createPersonaSource, type PersonaLike } from './sources/persona-source.ts';
