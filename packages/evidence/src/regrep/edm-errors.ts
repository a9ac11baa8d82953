/**
 * The OOTS `EDMErrorCodes` code list: each `rs:Exception` carries an `xsi:type`, a fixed `message` and a `code`.
 * `EDM:ERR:0002` alone uses the `PreviewRequired` severity (the provider asks for the user's preview); the
 * others are plain errors.
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/OOTS/Technical+Design+Documents (EDM, §3.4 errors)
 */
export const EDM_ERRORS = {
  authentication: { code: 'EDM:ERR:0001', type: 'rs:AuthenticationExceptionType', message: 'Failed Authentication' },
  authorization: { code: 'EDM:ERR:0002', type: 'rs:AuthorizationExceptionType', message: 'Missing Authorization' },
  invalidRequest: {
    code: 'EDM:ERR:0003',
    type: 'rs:InvalidRequestExceptionType',
    message: 'Syntactically or semantically invalid request',
  },
  objectNotFound: { code: 'EDM:ERR:0004', type: 'rs:ObjectNotFoundExceptionType', message: 'Object not found' },
  timeout: { code: 'EDM:ERR:0005', type: 'rs:TimeoutExceptionType', message: 'Exceeding timeout period' },
  unresolvedReference: {
    code: 'EDM:ERR:0006',
    type: 'rs:UnresolvedReferenceExceptionType',
    message: 'Referenced object that cannot be resolved',
  },
  unsupportedCapability: {
    code: 'EDM:ERR:0007',
    type: 'rs:UnsupportedCapabilityExceptionType',
    message: 'Optional feature or capability is not supported',
  },
  query: {
    code: 'EDM:ERR:0008',
    type: 'query:QueryExceptionType',
    message: 'Invalid query syntax or semantics that must be corrected',
  },
} as const;

export type EdmErrorName = keyof typeof EDM_ERRORS;

export const SEVERITY = {
  error: 'urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error',
  previewRequired: 'urn:sr.oots.tech.ec.europa.eu:codes:ErrorSeverity:EDMErrorResponse:PreviewRequired',
} as const;

/**
 * How this block reports the outcomes the issue names (a choice documented in the README):
 * - preview needed → `EDM:ERR:0002` with severity PreviewRequired and a `PreviewLocation` slot;
 * - the citizen refused at the preview → `EDM:ERR:0002` with severity Error (no authorisation given);
 * - the person could not be matched (no such person, minimum data set differs, or someone else logged in at
 *   the preview) → `EDM:ERR:0001`;
 * - the provider holds no such evidence for the person → `EDM:ERR:0004`;
 * - a request this provider cannot read → `EDM:ERR:0003`; an evidence type it does not serve → `EDM:ERR:0007`.
 */
export function edmErrorByCode(code: string): (typeof EDM_ERRORS)[EdmErrorName] | undefined {
  return Object.values(EDM_ERRORS).find((e) => e.code === code);
}
