/**
 * @kakehashi/jp-network — Japan's Cooperation Network (情報提供ネットワークシステム) as Kakehashi mocks it: the key
 * custodian, J-LIS (resident registry, My Number, cards), per-agency codes through the acquisition-number flow,
 * the code index and translation, the authorisation matrix, mediated exchange end-to-end encrypted between
 * intermediary servers, per-agency key rotation, hash-chained access records, the Mynaportal-like citizen
 * portal, identifiers for use abroad, and the incidents as switchable faults. TEST ONLY.
 */

export { agencyDataFor, ITEMS_BY_KIND } from './agencies/agency-data.ts';
export {
  AgencyParty,
  E2E_KEY_TYP,
  type QueryInput,
  type QueryResult,
  type SubjectRow,
} from './agencies/agency-party.ts';
export { IntermediaryServer, type ProvisionRequest } from './agencies/intermediary-server.ts';
export { Kiosk, type ResidentCertificate } from './agencies/kiosk.ts';
export { type CardResponse, signChallengeWithCard, verifyCardResponse } from './crypto/card-auth.ts';
export { certFingerprint, signJws, verifyJwsSignature } from './crypto/jws.ts';
export { RequestAuthenticator, SIGNATURE_HEADER, signRequest } from './crypto/request-auth.ts';
export { type E2eKeyPair, e2eKeyPairFrom, open, seal } from './crypto/seal.ts';
export { computeCodeWithLeakedKeys, KeyCustodian, type KeyName } from './custodian/key-custodian.ts';
export type {
  CardCertificate,
  CertificateValidator,
  CooperationNetworkDeps,
  JpAgency,
  JpCard,
  JpCredential,
} from './deps.ts';
export { JP_NETWORK_ERROR_CODES } from './error-codes.ts';
export { JP_FAULTS, type JpFaultName, JpFaults } from './faults/faults.ts';
export {
  type CooperationNetwork,
  JLIS_AGENCY,
  mountCooperationNetwork,
  PORTAL_AGENCY,
} from './mount-cooperation-network.ts';
export { resolveCode } from './network/code-index.ts';
export type { NetworkContext } from './network/context.ts';
export { ACQUISITION_TTL_MS, createAcquisitionNumber, issueCode } from './network/issuance.ts';
export { authorise, impactAssessmentInForce, loadMatrix, type MatrixFile, type MatrixRule } from './network/matrix.ts';
export { mediate, recordSubject } from './network/mediation.ts';
export { DEFAULT_GRACE_MS, rotateAgencyKey, rotateMasterKey } from './network/rotation.ts';
export { translateCode } from './network/translation.ts';
export { CHALLENGE_TTL_MS, type DisclosedRecord, Portal, SESSION_TTL_MS } from './portal/portal.ts';
export { renderPortalPage } from './portal/render-portal-page.ts';
export { type AccessRecord, AccessRecords, type StoredAccessRecord } from './records/access-records.ts';
export { type FourFacts, FourFactsSchema, normaliseFact } from './registry/four-facts.ts';
export { JlisRegistry, type Resident } from './registry/jlis-registry.ts';
export { createXborderIdentifiers, type XborderIdentifiers } from './xborder/xborder-identifiers.ts';
