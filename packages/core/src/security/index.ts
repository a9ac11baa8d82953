export { mountSecurityEvents } from './routes.ts';
export {
  type PatternRule,
  RATE_PATTERN_RULE,
  SecurityEvents,
  type SecurityEventsOptions,
} from './security-events.ts';
export {
  certificateFingerprint,
  currentSecurityEvents,
  INDICATOR_RULE,
  identifiersOf,
  jwkThumbprint,
  noteRefusalError,
  noteRefusedHop,
  type RefusedHop,
  refuseWatched,
  runInSecurityScope,
  sanitised,
  sha256Hex,
} from './security-scope.ts';
export { catalogueIdOf, SEVERITY_BY_CATALOGUE_ID, severityOf } from './severity.ts';
export { WATCHABLE, type Watchable, type WatchEntry, Watchlist } from './watchlist.ts';
export {
  RuleSchema,
  SEVERITIES,
  type SecurityEvent,
  type SecurityEventDetail,
  SecurityEventDetailSchema,
  type SecurityEventInput,
  SecurityEventInputSchema,
  type SecurityEventQuery,
  SecurityEventQuerySchema,
  SecurityEventSchema,
  type Severity,
  SeveritySchema,
  severityRank,
} from './z-security-event.ts';
