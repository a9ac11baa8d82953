/**
 * @kakehashi/csirt — cybersecurity duties: a national CSIRT at every node (an inbox grouping the node's security
 * events into incidents, NIS2 art. 23 reporting with deadlines on the virtual clock at EU nodes, Japan's voluntary
 * reporting and sharing at JP's) and the CSIRT network at the hub (STIX 2.1 bundles with TLP 2.0 markings,
 * `GET /csirt/feed`, a TAXII 2.1 collection), whose indicators the nodes act on.
 */
export { CSIRT_ERROR_CODES } from './error-codes.ts';
export { type Incident, IncidentStore } from './national/incident-store.ts';
export { NationalCsirt, type NationalCsirtDeps, type ReceivedIndicator } from './national/national-csirt.ts';
export {
  JP_REPORTS,
  NIS2_OTHER_REPORTS,
  NIS2_REPORTS,
  nis2Deadlines,
  oneMonthAfter,
  type ProcessStep,
  processOf,
  REPORT_KINDS,
  type ReportInput,
  ReportInputSchema,
  type ReportKind,
  type SentReport,
} from './national/reporting.ts';
export { mountNationalCsirt } from './national/routes.ts';
export {
  CsirtNetwork,
  type CsirtNetworkDeps,
  type Delivery,
  type FeedEntry,
  type FeedQuery,
} from './network/csirt-network.ts';
export { mountCsirtNetwork, TAXII_COLLECTION_ID, TAXII_MEDIA_TYPE } from './network/routes.ts';
export {
  CORRELATION_KEYS,
  type CsirtPolicy,
  CsirtPolicySchema,
  JP_VOLUNTARY_POLICY,
  NIS2_POLICY,
  type SignificanceCriterion,
} from './policy/z-policy.ts';
export {
  type IndicatorKind,
  readIndicatorPattern,
  type StixBundle,
  type StixObject,
  stixBundle,
  stixIdentity,
  stixIncident,
  stixIndicator,
  stixRelationship,
  stixSighting,
  tlpOf,
} from './stix/build-stix.ts';
export {
  TLP_2_EXTENSION,
  TLP_LEVELS,
  TLP_MARKING_IDS,
  type Tlp,
  tlpAllows,
  tlpMarkingDefinition,
  tlpOfMarking,
} from './stix/tlp.ts';
export { StixBundleSchema, StixObjectSchema } from './stix/z-stix.ts';
