/**
 * The rules the requester's verdict on received evidence reports, one per check (`EvidenceVerdict.checks[].rule`).
 * The provider-side faults name the rule a strict requester refuses them with, so these strings are shared.
 */
export const EVIDENCE_CHECK = {
  attachment: 'attachment',
  signature: 'signature (EN 319 102-1)',
  signerCountry: 'signer country',
  referenceBinding: 'reference binding',
  requestBinding: 'request binding',
  personBinding: 'person binding',
  issuer: 'issuer',
  evidenceType: 'evidence type',
  issueTime: 'issue time',
  previewLocation: 'preview location',
} as const;

/** How far an evidence document's IssuedAt may lie before the request was made or after now (clocks differ). */
export const ISSUE_TIME_SKEW_MS = 5 * 60_000;
