import type { ComponentDeps } from '@kakehashi/core';

/** The kinds of evidence the data service directory lists (`evidenceTypes[].kind` at the hub). */
export type EvidenceKind = 'residence' | 'birth' | 'income';

/** What the provider knows of a person, as its own register holds it (never a national number). */
export interface SubjectRecord {
  familyName: string;
  givenName: string;
  familyNameLatin?: string | undefined;
  givenNameLatin?: string | undefined;
  dateOfBirth: string;
  gender?: string | undefined;
  address?: string | undefined;
  placeOfBirth?: string | undefined;
}

/** The content of one piece of evidence, before it is signed; or why the provider holds none. */
export type EvidenceFacts =
  | { found: true; subject: SubjectRecord; facts: Record<string, string>; issuer: { name: string; nameLocal?: string } }
  | { found: false; reason: string };

/** One exchange, as the provider's records keep it (Japan: the access records the citizen's portal shows). */
export interface ExchangeRecord {
  handle: string;
  provider: { agencyId: string; participantId: string; name: string };
  requester: { participantId: string; name: string; country?: string | undefined };
  procedure: string;
  evidenceType: { classification: string; title: string; kind: EvidenceKind };
  requestId: string;
  requestedAt: string;
  providedAt: string | null;
  outcome: 'provided' | 'refused';
  refusal?: { code: string; reason: string } | undefined;
}

/**
 * The provider's registers, given to the block by the node (a building block does not import another's
 * internals): resolving a person, reading what an agency holds about them, and recording the exchange.
 */
export interface EvidenceSource {
  /**
   * Resolves an eIDAS PersonIdentifier this country issued (for any destination) to an opaque handle that
   * only this node understands; undefined when it names nobody.
   */
  resolve(personIdentifier: string): Promise<string | undefined>;
  /** The person behind a handle, as the register holds them (for matching the request's minimum data set). */
  person(handle: string): Promise<SubjectRecord | undefined>;
  /** What `agencyId` holds about the person for this kind of evidence. */
  facts(input: { handle: string; agencyId: string; kind: EvidenceKind }): Promise<EvidenceFacts>;
  /** Records a provision or a refusal (optional). */
  record?(r: ExchangeRecord): Promise<void>;
}

/** An eDelivery participant of the node (corner 1/4), from its country profile. */
export interface EvidenceParticipant {
  id: string;
  agencyId: string;
  name: string;
  services: readonly string[];
}

export interface EvidenceDeps extends ComponentDeps {
  /** The node's country code. */
  country: string;
  /** The node's origin (its own OIDC issuer, eDelivery backend, signature service). */
  publicUrl: string;
  hubUrl: string;
  participants: readonly EvidenceParticipant[];
  source: EvidenceSource;
  /** How long a preview stays open (virtual clock). Default 1 hour. */
  previewTtlMs?: number;
}
