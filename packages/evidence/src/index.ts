/**
 * @kakehashi/evidence — once-only evidence exchange (OOTS-style) at every national node: RegRep 4
 * QueryRequest/QueryResponse over AS4, the hub's evidence broker and data service directory, identity matching,
 * preview and explicit consent at the provider, evidence signed with XAdES and validated by the requester. TEST ONLY.
 *
 * The node mounts the block (`mountEvidence`) with the country's registers as an `EvidenceSource` and its own
 * admin functions as an `EvidenceNodePort`; the block's own tests import its feature files directly.
 */

import './error-codes.ts';

export type {
  EvidenceDeps,
  EvidenceFacts,
  EvidenceKind,
  EvidenceNodePort,
  EvidenceOidcClient,
  EvidenceParticipant,
  EvidenceSource,
  ExchangeRecord,
  SubjectRecord,
} from './deps.ts';
export { type EvidenceBlock, mountEvidence } from './mount-evidence.ts';
export {
  type CooperationNetworkLike,
  createCooperationNetworkSource,
} from './sources/cooperation-network-source.ts';
export { createPersonaSource, type PersonaLike } from './sources/persona-source.ts';
