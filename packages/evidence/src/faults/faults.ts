import { defineFaults } from '@kakehashi/core';
import { EVIDENCE_CHECK as C } from '../requester/checks.ts';

/**
 * The once-only exchange's faults, all off by default, switched with `PUT /admin/faults`. The provider's (`forge`)
 * make the data service misbehave towards a requester: the evidence it sends back after the citizen approved is
 * unsigned, altered after signing, about another person, bound to another request, stale, from another issuer or
 * of another type; or its preview link
 * points off the provider node; or it is down. The document faults can be asked for by one approval alone: the
 * citizen's decision (`POST /evidence/preview/{id}/decision`) with `X-Kakehashi-Fault` or `kakehashi_fault`.
 * `rule` names the check a strict requester refuses the result with (its verdict's `checks[].rule`).
 *
 * The requester's (`lenient.*`, the weak node mode) skip that check — reported `skipped` with the fault in the
 * verdict — so a class sees a weak requester accept what a strict one beside it refuses.
 * @see ../../../../../shared/design/attack-catalogue.md (C8 content tampering)
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/OOTS/Technical+Design+Documents (evidence response)
 */
export const EVIDENCE_PROVIDER_FAULTS = defineFaults('evidence', [
  {
    name: 'evidence.unsigned-document',
    kind: 'forge',
    rule: C.signature,
    perRequest: true,
    description: 'The evidence document is sent without its XAdES signature (the issuing agency never signs it).',
  },
  {
    name: 'evidence.tampered-document',
    kind: 'forge',
    rule: `C8 ${C.signature}`,
    perRequest: true,
    description:
      'A fact of the evidence document is changed after the issuing agency signed it: the signed digest no longer matches (HASH_FAILURE).',
  },
  {
    name: 'evidence.wrong-subject',
    kind: 'forge',
    rule: C.personBinding,
    perRequest: true,
    description:
      'The signed evidence is about another person (another PersonIdentifier, names and date of birth) than the request names.',
  },
  {
    name: 'evidence.wrong-request',
    kind: 'forge',
    rule: C.requestBinding,
    perRequest: true,
    description:
      'The signed evidence names another request (RequestId) than the one it answers, as a replayed document would.',
  },
  {
    name: 'evidence.stale-document',
    kind: 'forge',
    rule: C.issueTime,
    perRequest: true,
    description:
      'The signed evidence was issued a year before the request was made (IssuedAt), as an old document would be.',
  },
  {
    name: 'evidence.wrong-issuer',
    kind: 'forge',
    rule: C.issuer,
    perRequest: true,
    description:
      'The signed evidence names another issuing authority (IssuingAuthority participant) than the provider the request went to.',
  },
  {
    name: 'evidence.wrong-evidence-type',
    kind: 'forge',
    rule: C.evidenceType,
    perRequest: true,
    description:
      'The signed evidence is of another evidence type (EvidenceType classification) than the one requested.',
  },
  {
    name: 'evidence.foreign-preview-location',
    kind: 'forge',
    rule: C.previewLocation,
    description:
      'The PreviewRequired answer sends the citizen to a PreviewLocation off the provider node (https://evidence-preview.invalid/…): a consent page an attacker would host.',
  },
  {
    name: 'evidence.provider-unavailable',
    kind: 'outage',
    description:
      'The data service answers every QueryRequest with EDM:ERR:0005 (timeout), as a provider whose registers are down: the request fails.',
  },
]);

/** The requester's lenient twins (weak node): each skips the check its forged twin breaks. */
export const EVIDENCE_REQUESTER_FAULTS = defineFaults('evidence', [
  {
    name: 'lenient.evidence.unsigned-document',
    kind: 'lenient',
    rule: C.signature,
    description:
      'The requester accepts evidence without a signature: the signature, signer-country and reference-binding checks are skipped for it.',
  },
  {
    name: 'lenient.evidence.tampered-document',
    kind: 'lenient',
    rule: `C8 ${C.signature}`,
    description: 'The requester accepts evidence whose signature fails with HASH_FAILURE (data changed after signing).',
  },
  {
    name: 'lenient.evidence.wrong-subject',
    kind: 'lenient',
    rule: C.personBinding,
    description: 'The requester accepts evidence about another person than the request names.',
  },
  {
    name: 'lenient.evidence.wrong-request',
    kind: 'lenient',
    rule: C.requestBinding,
    description: 'The requester accepts evidence that names another request.',
  },
  {
    name: 'lenient.evidence.stale-document',
    kind: 'lenient',
    rule: C.issueTime,
    description: 'The requester accepts evidence issued before the request was made (or in the future).',
  },
  {
    name: 'lenient.evidence.wrong-issuer',
    kind: 'lenient',
    rule: C.issuer,
    description: 'The requester accepts evidence that names another issuing authority than the provider it asked.',
  },
  {
    name: 'lenient.evidence.wrong-evidence-type',
    kind: 'lenient',
    rule: C.evidenceType,
    description: 'The requester accepts evidence of another type than the one it asked for.',
  },
  {
    name: 'lenient.evidence.foreign-preview-location',
    kind: 'lenient',
    rule: C.previewLocation,
    description: "The requester follows a PreviewLocation off the provider node's origin.",
  },
]);

export const EVIDENCE_FAULTS = [...EVIDENCE_PROVIDER_FAULTS, ...EVIDENCE_REQUESTER_FAULTS];

/** The name of one of the exchange's faults. */
export type EvidenceFaultName = (typeof EVIDENCE_FAULTS)[number]['name'];
export type EvidenceLenientFault = (typeof EVIDENCE_REQUESTER_FAULTS)[number]['name'];

/** The faults one approval may ask for: they change the evidence document the provider sends. */
export const DOCUMENT_FAULTS = [
  'evidence.unsigned-document',
  'evidence.tampered-document',
  'evidence.wrong-subject',
  'evidence.wrong-request',
  'evidence.stale-document',
  'evidence.wrong-issuer',
  'evidence.wrong-evidence-type',
] as const satisfies readonly EvidenceFaultName[];
export type DocumentFault = (typeof DOCUMENT_FAULTS)[number];
