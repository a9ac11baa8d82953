/** Types of ./trace-model.js (plain JavaScript, because the browser loads it as it is: no build step). */

export interface ConsoleTraceEvent {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  time?: string;
  component?: string;
  country?: string;
  operation?: string;
  direction?: 'inbound' | 'outbound' | 'internal' | string;
  status?: number;
  durationMs?: number;
  peer?: string;
  artefact?: unknown;
  verdict?: { valid?: boolean; checks?: unknown[] };
  /** The faults that fired on this hop (deliberate misbehaviour). */
  faults?: unknown;
}

export interface Origins {
  hub?: string;
  nodes?: Record<string, string>;
}

export interface Hop {
  /** 1-based position in the diagram (`data-testid="hop-<n>"`). */
  n: number;
  /** Position in the events as the hub returned them. */
  index: number;
  event: ConsoleTraceEvent;
  depth: number;
  tone: 'ok' | 'fail' | 'neutral';
  parent: number | undefined;
  /** The faults that fired on this hop (names), empty when none. */
  faults: string[];
  kind: 'arrow' | 'note';
  from: string;
  to: string;
  label: string;
}

export interface Sequence {
  lifelines: { key: string; label: string }[];
  hops: Hop[];
}

export function lifelineKey(event: ConsoleTraceEvent): string;
export function lifelineLabel(key: string, lang?: string): string;
export function lifelineOfPeer(peer: unknown, origins: Origins): string | undefined;
export function toneOf(event: ConsoleTraceEvent): 'ok' | 'fail' | 'neutral';
export function faultsOf(event: ConsoleTraceEvent): string[];
export function buildSequence(events: unknown, origins?: Origins, options?: { lang?: string }): Sequence;
export const TIME_CLAIMS: string[];
export function artefactSections(
  artefact: unknown,
): { key: string; title: string; rows: { name: string; value: string; note: string | undefined }[] }[];
export function verdictRows(
  verdict: unknown,
): { rule: string; name: string; outcome: string; reason: string; code: string }[];
export const RULE_FAMILIES: { prefix: string; about: string }[];
export function explainOperation(event: ConsoleTraceEvent): string;
