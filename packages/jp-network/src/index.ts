/**
 * @kakehashi/jp-network — Japan's Cooperation Network (情報提供ネットワークシステム) as Kakehashi mocks it: the key
 * custodian, J-LIS (resident registry, My Number, cards), per-agency codes through the acquisition-number flow,
 * the code index and translation, the authorisation matrix, mediated exchange end-to-end encrypted between
 * intermediary servers, per-agency key rotation, hash-chained access records, the Mynaportal-like citizen
 * portal, identifiers for use abroad, and the incidents as switchable faults. TEST ONLY.
 *
 * The public face is what Japan's node uses: the mount entry point, its handle and deps types, and the two
 * index lookups the evidence source is wired with. Tests import feature files directly.
 */

export type { CooperationNetworkDeps } from './deps.ts';
export { JP_NETWORK_ERROR_CODES } from './error-codes.ts';
export { JP_FAULT_DEFS, JP_FAULTS, type JpFaultName, type JpIncident } from './faults/faults.ts';
export { mountCooperationNetwork } from './mount-cooperation-network.ts';
export { resolveCode } from './network/code-index.ts';
export { recordSubject } from './network/mediation.ts';
export type { CooperationNetwork } from './network-parts.ts';
