import { randomBytes } from 'node:crypto';
import { type HubClient, type TraceEvent, tracingFetch } from '@kakehashi/core';
import type { PreviewStore } from './consent/preview-store.ts';
import type { EvidenceDeps, EvidenceParticipant } from './deps.ts';
import type { DirectoryClient } from './hub/directory-client.ts';
import type { NodeApi } from './node-api/node-api.ts';
import { EVIDENCE_SERVICE } from './regrep/ns.ts';
import type { RequestStore } from './requester/request-store.ts';

/** What the requester and provider halves share. */
export interface EvidenceContext {
  deps: EvidenceDeps;
  /** The node's own public APIs (eDelivery backend, signature service, OIDC). */
  api: NodeApi;
  /** The hub: discovery (core's typed client). */
  hub: HubClient;
  /** The hub's evidence broker and data service directory. */
  directory: DirectoryClient;
  previews: PreviewStore;
  requests: RequestStore;
  participant(id: string | null | undefined): EvidenceParticipant | undefined;
  /** The origin of the node that serves a participant's evidence service (discovery's AS4 endpoint, at the hub). */
  participantOrigin(participantId: string, fetcher: typeof fetch): Promise<string>;
  /** A `fetch` whose calls join trace `traceId` (background work after an AS4 message). */
  fetchFor(traceId: string): typeof fetch;
  /** Records an `internal` hop of this block, with the decoded artefact, the verdict and the faults that fired. */
  trace(
    traceId: string,
    operation: string,
    artefact?: unknown,
    verdict?: TraceEvent['verdict'],
    faults?: readonly string[],
  ): void;
  now(): string;
}

/**
 * The AS4 ConversationId of an exchange carries the trace id of the run that started it, so both sides'
 * hops join one trace: `evidence-<32 hex>`.
 */
export const conversationIdFor = (traceId: string) => `evidence-${traceId}`;
/** The trace id an AS4 ConversationId carries, or a fresh one (a conversation another system started). */
export function traceIdOfConversation(conversationId: string | null | undefined): string {
  const m = /^evidence-([0-9a-f]{32})$/.exec(conversationId ?? '');
  return m?.[1] ?? randomBytes(16).toString('hex');
}

/** Builds the context the requester and provider halves share. */
export function createContext(
  deps: EvidenceDeps,
  parts: Pick<EvidenceContext, 'api' | 'hub' | 'directory' | 'previews' | 'requests'>,
): EvidenceContext {
  return {
    deps,
    ...parts,
    participant: (id) => (id ? deps.participants.find((p) => p.id === id) : undefined),
    participantOrigin: async (participantId, fetcher) =>
      new URL((await parts.hub.discover(participantId, EVIDENCE_SERVICE, fetcher)).endpoint).origin,
    fetchFor: (traceId) => tracingFetch(deps.fetch, { traceId, spanId: randomBytes(8).toString('hex'), sampled: true }),
    trace: (traceId, operation, artefact, verdict, faults) =>
      deps.traces.record({
        traceId,
        spanId: randomBytes(8).toString('hex'),
        time: deps.clock.now().toISOString(),
        component: 'node',
        country: deps.country,
        operation: `evidence: ${operation}`,
        direction: 'internal',
        ...(artefact !== undefined ? { artefact } : {}),
        ...(verdict ? { verdict } : {}),
        ...(faults && faults.length > 0 ? { faults: [...faults] } : {}),
      }),
    now: () => deps.clock.now().toISOString(),
  };
}
