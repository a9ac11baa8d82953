import { z } from '@hono/zod-openapi';

/** An organisation in an EDM slot (`sdg:Agent`): evidence requester, provider or error provider. */
export const AgentSchema = z
  .object({
    id: z.string().min(3).max(200).openapi({ example: 'urn:kakehashi:participant:de:koeln-buergeramt' }),
    name: z.string().min(1).max(300),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .optional(),
  })
  .openapi('EvidenceAgent');
export type Agent = z.infer<typeof AgentSchema>;

export const LOA_NAMES = ['Low', 'Substantial', 'High'] as const;

/** The natural person of the request: eIDAS PersonIdentifier and minimum data set, with the LoA reached. */
export const NaturalPersonSchema = z
  .object({
    personIdentifier: z
      .string()
      .regex(/^[A-Z]{2}\/[A-Z]{2}\/[^\s]{1,256}$/, 'an eIDAS PersonIdentifier CC/CC/opaque')
      .openapi({ example: 'JP/DE/3vQ…' }),
    familyName: z.string().min(1).max(200),
    givenName: z.string().min(1).max(200),
    dateOfBirth: z.iso.date(),
    levelOfAssurance: z.enum(LOA_NAMES).default('High'),
  })
  .openapi('EvidenceNaturalPerson');
export type NaturalPerson = z.infer<typeof NaturalPersonSchema>;

/** `sdg:DataServiceEvidenceType`: what is asked for, as the data service directory names it. */
export const EvidenceTypeRefSchema = z.object({
  id: z.string().min(1).max(300),
  classification: z.string().min(1).max(300),
  title: z.string().min(1).max(300),
  format: z.string().min(3).max(100),
});
export type EvidenceTypeRef = z.infer<typeof EvidenceTypeRefSchema>;

export interface QueryRequestModel {
  /** `urn:uuid:…` */
  id: string;
  issueDateTime: string;
  procedure: string;
  possibilityForPreview: boolean;
  explicitRequestGiven: boolean;
  /** Present on the second request, after the user's preview (OOTS TDD ch. 4.9). */
  previewLocation?: string | undefined;
  requirement: { id: string; name: string };
  requester: Agent;
  provider: Agent;
  person: NaturalPerson;
  evidenceType: EvidenceTypeRef;
}

export interface EvidenceMetadata {
  /** `sdg:Evidence/sdg:Identifier` */
  id: string;
  registryObjectId: string;
  classification: string;
  title: string;
  format: string;
  issuingDate: string;
  issuingAuthority: Agent;
  /** `xlink:href` of `rim:RepositoryItemRef`: `cid:<Content-ID of the AS4 attachment>`. */
  repositoryItemRef: string;
}

export interface EdmException {
  type: string;
  code: string;
  message: string;
  detail: string;
  severity: string;
  timestamp: string;
  previewLocation?: string | undefined;
}

export interface QueryResponseModel {
  requestId: string;
  responseId: string;
  issueDateTime: string;
  status: 'success' | 'failure';
  requester: Agent;
  /** EvidenceProvider on success, ErrorProvider on failure. */
  provider: Agent;
  evidence?: EvidenceMetadata | undefined;
  exception?: EdmException | undefined;
}
