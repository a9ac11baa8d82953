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

/**
 * A relying party the block registers at its own node's OIDC provider (OIDC Dynamic Client Registration
 * metadata names, so the node can hand it to its client registry as it is).
 * @see https://openid.net/specs/openid-connect-registration-1_0.html#ClientMetadata
 */
export interface EvidenceOidcClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  token_endpoint_auth_method: 'client_secret_basic';
}

/**
 * What the block needs from its own node beyond the node's public APIs, given in-process by the node (never
 * an HTTP call to the node's admin API with its token): the other blocks' admin functions it relies on.
 */
export interface EvidenceNodePort {
  /** Sends what the node's eDelivery access point has due now (after a submission; best effort). */
  pumpDelivery(): Promise<void>;
  /** Registers (or replaces) a relying party at the node's OIDC provider: the preview's re-authentication. */
  registerOidcClient(client: EvidenceOidcClient): Promise<void>;
}

export interface EvidenceDeps extends ComponentDeps {
  /** The node's country code. */
  country: string;
  /** The node's origin (its own OIDC issuer, eDelivery backend, signature service). */
  publicUrl: string;
  hubUrl: string;
  participants: readonly EvidenceParticipant[];
  source: EvidenceSource;
  /** The node's own admin functions the block uses (eDelivery pump, OIDC client registration). */
  node: EvidenceNodePort;
  /** How long a preview stays open (virtual clock). Default 1 hour. */
  previewTtlMs?: number;
}
