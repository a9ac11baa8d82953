/**
 * The generic error codes, owned by core: the HTTP boundary, configuration and clock, the store and audit chain,
 * and the federation protocol between nodes and the hub. Building blocks own their codes and register them with
 * {@link defineErrorCodes} (see `registry.ts`); the problem document's status and title come from the registry.
 *
 * Codes are kebab-case and never renamed.
 * @see https://www.rfc-editor.org/rfc/rfc9457#section-3.1
 */
export const CORE_ERROR_CODES = {
  // generic HTTP boundary
  'bad-request': { status: 400, title: 'The request is malformed' },
  'validation-failed': { status: 400, title: 'The request does not match its schema' },
  'malformed-json': { status: 400, title: 'The request body is not valid JSON' },
  'malformed-xml': { status: 400, title: 'The XML document is not well-formed' },
  'xml-doctype-forbidden': { status: 400, title: 'XML documents with a DOCTYPE are refused' },
  'xml-entity-forbidden': { status: 400, title: 'XML entity references other than the predefined ones are refused' },
  'xml-too-deep': { status: 400, title: 'The XML document nests deeper than allowed' },
  'xml-too-large': { status: 413, title: 'The XML document is larger than allowed' },
  'payload-too-large': { status: 413, title: 'The request body is larger than allowed' },
  'unsupported-media-type': { status: 415, title: 'The request has the wrong content type' },
  'not-found': { status: 404, title: 'No such resource' },
  'method-not-allowed': { status: 405, title: 'The method is not allowed on this resource' },
  unauthorized: { status: 401, title: 'Authentication is required' },
  forbidden: { status: 403, title: 'The caller may not do this' },
  conflict: { status: 409, title: 'The request conflicts with the current state' },
  'internal-error': { status: 500, title: 'Internal error' },
  'upstream-unavailable': { status: 502, title: 'A component this request depends on did not answer' },
  'upstream-timeout': { status: 504, title: 'A component this request depends on answered too late' },
  // configuration and clock
  'config-invalid': { status: 400, title: 'The configuration is invalid' },
  'config-unknown-option': { status: 400, title: 'No such configuration option' },
  'config-not-runtime': { status: 409, title: 'This option cannot be changed at runtime' },
  'clock-invalid': { status: 400, title: 'The clock operation is invalid' },
  // fault switches (GET/PUT /admin/faults, kakehashi_fault)
  'fault-unknown': { status: 400, title: 'No such fault on this component' },
  'fault-not-per-request': { status: 400, title: 'This fault cannot be asked for by one request' },
  // store and audit chain
  'store-migration-failed': { status: 500, title: 'A storage migration failed' },
  'store-corrupt': { status: 500, title: 'The store file is damaged' },
  'store-write-failed': {
    status: 507,
    title: 'The store could not save the change (disk full, read-only or failing); reads go on',
  },
  'data-dir-unusable': { status: 500, title: 'The data directory cannot be created or written' },
  'audit-chain-broken': { status: 500, title: 'The audit chain does not verify' },
  // security events (GET /security/events)
  'security-event-invalid': {
    status: 500,
    title: 'A security event carried something other than identifiers and codes (never personal data)',
  },
  'security-indicator-match': {
    status: 403,
    title: 'Refused on the strength of an indicator the CSIRT network shared (a key, issuer or participant it names)',
  },
  // the federation protocol between nodes and the hub (node metadata, registration, discovery)
  'unknown-country': { status: 404, title: 'No such country in the federation' },
  'registration-unsigned': { status: 400, title: 'Node metadata must be signed' },
  'registration-signature-invalid': { status: 422, title: 'The node metadata signature does not verify' },
  'registration-cert-invalid': {
    status: 422,
    title: 'The node certificate does not validate against the trust fabric',
  },
  'registration-country-mismatch': { status: 422, title: 'The metadata country differs from the certificate country' },
  'registration-stale': { status: 422, title: 'The node metadata is too old or from the future' },
  'registration-endpoint-invalid': {
    status: 422,
    title: "A URL in the node metadata is not an http(s) URL on the node's own origin",
  },
  'registration-refused': { status: 422, title: "The hub refused this node's registration" },
  'participant-not-found': { status: 404, title: 'No node serves this participant and service' },
  'discovery-answer-invalid': {
    status: 422,
    title: "Discovery answered with a malformed endpoint: the participant's registered metadata is malformed",
  },
} as const satisfies Record<string, { status: number; title: string }>;
