/**
 * @kakehashi/msw — Kakehashi inside an application's own tests. `createTestFederation()` runs the hub and the
 * national nodes in the test process and returns msw request handlers that answer every request to their origins
 * (no sockets, no ports), the personas, the virtual clock, the fault switches, and helpers in the spirit of
 * mock-oauth2-server: issue an ID token, sign a document, deliver an AS4 message. TEST ONLY.
 */
export { FederationCallError } from './admin-api.ts';
export type { TestClock } from './clock.ts';
export {
  type CountryCode,
  createTestFederation,
  DEMO_CLIENT,
  type IdTokenFault,
  type IssueIdTokenOptions,
  type TestFederation,
  type TestFederationOptions,
} from './create-test-federation.ts';
export type { DeliveredMessage, DeliverOptions, Delivery } from './deliver.ts';
export {
  type ComponentFault,
  EDELIVERY_FAULT_NAMES,
  type EdeliveryFaultName,
  type FaultState,
  type FaultSwitch,
  type Faults,
  JP_FAULT_NAMES,
  type JpFaultName,
} from './faults.ts';
export { createFederationHandlers } from './handlers.ts';
export type { SignDocumentOptions, SignedDocument } from './sign-document.ts';
