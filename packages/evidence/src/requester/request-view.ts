import { z } from '@hono/zod-openapi';
import { VerdictSchema } from '@kakehashi/core';
import { readEvidenceContent, readSignedEvidence } from '../evidence-doc/evidence-document.ts';
import { AgentSchema, NaturalPersonSchema } from '../regrep/z-regrep.ts';
import type { RequestRow } from './request-store.ts';

/** The body of `POST /evidence/requests`: who asks, for what, about whom. */
export const CreateRequestSchema = z
  .object({
    requester: z.string().min(3).max(200).openapi({
      description: "This node's eDelivery participant that asks",
      example: 'urn:kakehashi:participant:de:koeln-buergeramt',
    }),
    requirement: z.string().min(3).max(200).openapi({ example: 'proof-of-residence' }),
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/)
      .openapi({ description: 'Country of the evidence provider', example: 'JP' }),
    procedure: z.string().min(1).max(200).openapi({ example: 'Registration of residence (Wohnsitzanmeldung)' }),
    person: NaturalPersonSchema,
    evidenceType: z.string().max(300).optional().openapi({ description: 'A classification, to choose among several' }),
    provider: z
      .string()
      .max(200)
      .optional()
      .openapi({ description: 'A provider participant, to choose among several' }),
  })
  .strict()
  .openapi('EvidenceRequestInput');
export type CreateRequestInput = z.infer<typeof CreateRequestSchema>;

/** The EDM exception a provider answered with (e.g. a preview is required, or the evidence was refused). */
const EdmExceptionSchema = z
  .object({
    type: z.string(),
    code: z.string(),
    message: z.string(),
    detail: z.string(),
    severity: z.string(),
    timestamp: z.string(),
    previewLocation: z.string().optional(),
  })
  .openapi('EvidenceException');

/** The metadata of the evidence in the provider's QueryResponse (the document itself travels as an attachment). */
const EvidenceMetadataSchema = z
  .object({
    id: z.string(),
    registryObjectId: z.string(),
    classification: z.string(),
    title: z.string(),
    format: z.string(),
    issuingDate: z.string(),
    issuingAuthority: AgentSchema,
    repositoryItemRef: z.string().openapi({ description: 'cid:<Content-ID of the AS4 attachment>' }),
  })
  .openapi('EvidenceMetadata');

/** The requester's verification of the evidence document's signature (AdES indication and the checks). */
const EvidenceVerdictSchema = VerdictSchema.extend({
  indication: z.string(),
  subIndication: z.string().optional(),
  signer: z.object({ subject: z.string().optional(), country: z.string().optional() }).optional(),
}).openapi('EvidenceVerdict');

/** What the evidence document says, read from its signed XML (null when it does not read). */
const EvidenceDocumentSchema = z.object({
  subject: z.record(z.string(), z.string()),
  facts: z.record(z.string(), z.string()),
  requestId: z.string(),
  issuer: z.string().openapi({ description: 'The issuing participant' }),
});

/** An evidence request as the requester's API shows it. */
export const RequestViewSchema = z
  .object({
    id: z.string(),
    status: z.enum(['submitted', 'preview-required', 'resubmitted', 'received', 'rejected', 'failed']),
    requester: z.string(),
    provider: z.string(),
    providerCountry: z.string(),
    requirement: z.object({ id: z.string(), name: z.string() }),
    evidenceType: z.object({ classification: z.string(), title: z.string() }),
    procedure: z.string(),
    personIdentifier: z.string(),
    previewLocation: z.string().nullable(),
    previewUrl: z.string().nullable().openapi({ description: 'Send the citizen here (adds the return URL)' }),
    exception: EdmExceptionSchema.nullable(),
    evidence: z
      .object({
        metadata: EvidenceMetadataSchema,
        verdict: EvidenceVerdictSchema.nullable(),
        document: EvidenceDocumentSchema.nullable(),
        url: z.string().openapi({ description: 'The signed evidence document (XML)' }),
      })
      .nullable(),
    history: z.array(z.object({ status: z.string(), at: z.string(), detail: z.string().optional() })),
    conversationId: z.string(),
    traceId: z.string(),
  })
  .openapi('EvidenceRequest');
export type RequestView = z.infer<typeof RequestViewSchema>;

/** The request's own URL on this node (its preview, return and evidence routes hang below it). */
export const requestUrl = (publicUrl: string, id: string) => `${publicUrl}/evidence/requests/${encodeURIComponent(id)}`;

/** A stored request as the API shows it: the evidence document decoded when it arrived, the preview link. */
export function viewRequest(r: RequestRow, publicUrl: string): RequestView {
  let document: z.infer<typeof EvidenceDocumentSchema> | null = null;
  if (r.evidenceXml) {
    try {
      // What the node accepted: a weak node (lenient.evidence.unsigned-document) accepts a document without a
      // signature, and shows what it says; otherwise only a document whose signature covers what is read.
      const lenient = r.verdict?.valid === true && r.verdict.checks.some((c) => c.outcome === 'skipped');
      const d = lenient ? readEvidenceContent(r.evidenceXml) : readSignedEvidence(r.evidenceXml);
      document = { subject: d.subject, facts: d.facts, requestId: d.requestId, issuer: d.issuerParticipant };
    } catch {
      document = null;
    }
  }
  const base = requestUrl(publicUrl, r.id);
  return {
    id: r.id,
    status: r.status,
    requester: r.requester,
    provider: r.provider,
    providerCountry: r.providerCountry,
    requirement: r.model.requirement,
    evidenceType: { classification: r.model.evidenceType.classification, title: r.model.evidenceType.title },
    procedure: r.model.procedure,
    personIdentifier: r.model.person.personIdentifier,
    previewLocation: r.previewLocation,
    previewUrl: r.status === 'preview-required' ? `${base}/preview` : null,
    exception: r.exception,
    evidence: r.evidenceMeta
      ? { metadata: r.evidenceMeta, verdict: r.verdict, document, url: `${base}/evidence` }
      : null,
    history: r.history,
    conversationId: r.conversationId,
    traceId: r.traceId,
  };
}
