import { randomBytes } from 'node:crypto';
import { type TraceEvent, tracingFetch } from '@kakehashi/core';
import type { PreviewStore } from './consent/preview-store.ts';
import type { EvidenceDeps, EvidenceParticipant } from './deps.ts';
import type { NodeApi } from './node-api/node-api.ts';
import type { RequestStore } from './requester/request-store.ts';

/** What the requester and provider halves share. */
export interface EvidenceContext {
  deps: EvidenceDeps;
  api: NodeApi;
  previews: PreviewStore;
  requests: RequestStore;
  participant(id: string | null | undefined): EvidenceParticipant | undefined;
  /** A `fetch` whose calls join trace `traceId` (background work after an AS4 message). */
  fetchFor(traceId: string): typeof fetch;
  /** Records an `internal` hop of this block, with the decoded artefact and the verdict. */
  trace(traceId: string, operation: string, artefact?: unknown, verdict?: TraceEvent['verdict']): void;
  now(): string;
}

/**
 * The AS4 ConversationId of an exchange carries the trace id of the run that started it, so both sides'
 * hops join one trace: `evidence-<32 hex>`.
 */
export const conversationIdFor = (traceId: string) => `evidence-${traceId}`;
export function traceIdOfConversation(conversationId: string | null | undefined): string {
  const m = /^evidence-([0-9a-f]{32})$/.exec(conversationId ?? '');
  return m?.[1] ?? randomBytes(16).toString('hex');
}

export function createContext(
  deps: EvidenceDeps,
  parts: { api: NodeApi; previews: PreviewStore; requests: RequestStore },
): EvidenceContext {
  return {
    deps,
    ...parts,
    participant: (id) => (id ? deps.participants.find((p) => p.id === id) : undefined),
    fetchFor: (traceId) => tracingFetch(deps.fetch, { traceId, spanId: randomBytes(8).toString('hex'), sampled: true }),
    trace: (traceId, operation, artefact, verdict) =>
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
      }),
    now: () => deps.clock.now().toISOString(),
  };
}
