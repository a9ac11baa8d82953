import { defineErrorCodes, type ErrorCodeInfo } from '@kakehashi/core';

/**
 * The error codes this package raises (national CSIRTs at the nodes, the CSIRT network at the hub), registered
 * with core's catalogue so that problem documents get their status and title, and `ErrorCode` includes them.
 */
export const CSIRT_ERROR_CODES = defineErrorCodes('csirt', {
  'csirt-incident-not-found': { status: 404, title: 'No incident with this id at this CSIRT' },
  'csirt-report-not-applicable': {
    status: 409,
    title: "This report is not part of this CSIRT's reporting process, or not yet (the order of NIS2 art. 23(4))",
  },
  'csirt-report-duplicate': { status: 409, title: 'This report of the incident was already sent' },
  'csirt-bundle-invalid': { status: 400, title: 'The STIX bundle is not a STIX 2.1 bundle this network accepts' },
  'csirt-sharing-refused': {
    status: 403,
    title: "The sharing policy refuses this: the TLP or the sender's policy does not allow the recipient",
  },
  'taxii-collection-not-found': { status: 404, title: 'No TAXII collection with this id' },
  'taxii-not-acceptable': {
    status: 406,
    title: 'TAXII 2.1 answers application/taxii+json;version=2.1 (or application/json)',
  },
});

declare module '@kakehashi/core' {
  interface ErrorCatalogue extends Record<keyof typeof CSIRT_ERROR_CODES, ErrorCodeInfo> {}
}
