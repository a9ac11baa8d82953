import { randomFillSync } from 'node:crypto';
import { noteRefusedHop } from '../security/security-scope.ts';
import type { TraceContext } from './trace-context.ts';

/**
 * One hop of a cross-component interaction, as the console draws it.
 * @see https://www.w3.org/TR/trace-context/
 */
export interface TraceEvent {
  traceId: string;
  spanId: string;
  parentSpanId?: string | undefined;
  time: string;
  component: string;
  country?: string | undefined;
  /** What happened, e.g. `POST /registry/nodes`. */
  operation: string;
  /** `inbound` (a request this component served) or `outbound` (a call it made). */
  direction: 'inbound' | 'outbound' | 'internal';
  status?: number | undefined;
  durationMs?: number | undefined;
  /** The peer: caller or callee origin, when known. */
  peer?: string | undefined;
  /** The artefact in decoded form (a token's claims, a metadata document …), never a secret. */
  artefact?: unknown;
  /** The verdict of the checks made on this hop, when any. */
  verdict?: { valid: boolean; checks?: unknown[] } | undefined;
  /** The faults that fired on this hop (deliberate misbehaviour, `GET /admin/faults`): never silent. */
  faults?: string[] | undefined;
}

/** Where trace events go (the hub's trace store; a buffer that forwards to the hub). */
export interface TraceSink {
  record(event: TraceEvent): void;
}

export type { TraceContext } from './trace-context.ts';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * Parses a W3C `traceparent` header; undefined when absent or invalid (all-zero ids and uppercase hex are invalid).
 * @see https://www.w3.org/TR/trace-context/#traceparent-header-field-values
 */
export function parseTraceparent(header: string | null | undefined): TraceContext | undefined {
  const m = TRACEPARENT.exec((header ?? '').trim());
  if (!m) return undefined;
  const [, traceId, spanId, flags] = m as unknown as [string, string, string, string];
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

export function formatTraceparent(ctx: TraceContext): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${ctx.sampled ? '01' : '00'}`;
}

/**
 * A new span under `parent` (or a new trace when there is none). Ids come from the OS CSPRNG, not from the
 * seed: a seeded stream restarts with the process (and a fork per request repeats itself), which would merge
 * unrelated requests into one trace.
 * @see https://www.w3.org/TR/trace-context/#trace-id
 */
export function childSpan(parent?: TraceContext): TraceContext {
  return {
    traceId: parent?.traceId ?? randomHex(16),
    spanId: randomHex(8),
    parentSpanId: parent?.spanId,
    sampled: parent?.sampled ?? true,
  };
}

/** CSPRNG bytes taken in blocks (one call into the OS generator per 512 span ids, not one per id). */
const ID_POOL = Buffer.allocUnsafe(4096);
let idPoolOffset = ID_POOL.length;

/** `bytes` fresh CSPRNG bytes as lower-case hex, each byte handed out once. */
function randomHex(bytes: number): string {
  if (idPoolOffset + bytes > ID_POOL.length) {
    randomFillSync(ID_POOL);
    idPoolOffset = 0;
  }
  const hex = ID_POOL.toString('hex', idPoolOffset, idPoolOffset + bytes);
  idPoolOffset += bytes;
  return hex;
}

/** A sink that keeps the most recent events in memory (bounded) — for tests and single components. */
export class MemoryTraceSink implements TraceSink {
  readonly events: TraceEvent[] = [];
  readonly #max: number;
  constructor(max = 10_000) {
    this.#max = max;
  }
  record(event: TraceEvent): void {
    this.events.push(event);
    if (this.events.length > this.#max) this.events.splice(0, this.events.length - this.#max);
  }
}

/** A trace event as a building block describes it: what happened; the ids and the time are filled in. */
export type HopEvent = Omit<TraceEvent, 'traceId' | 'spanId' | 'parentSpanId' | 'time'>;

/**
 * Records one hop as a child span of `parent` (the request's trace context), stamped with the virtual clock's
 * time: the one way building blocks add a decoded artefact and a verdict to the trace the console draws. A
 * failed verdict naming a rule also becomes a security event of the component (`GET /security/events`).
 */
export function recordHop(
  sink: TraceSink,
  clock: { now(): Date },
  parent: TraceContext | undefined,
  event: HopEvent,
): TraceContext {
  const span = childSpan(parent);
  sink.record({
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    time: clock.now().toISOString(),
    ...event,
  });
  // A refused verdict is a security event of the component serving the request (core's security scope).
  if (event.verdict?.valid === false) noteRefusedHop(event, span.traceId);
  return span;
}

/** Fans events out to several sinks. */
export function teeSinks(...sinks: TraceSink[]): TraceSink {
  return {
    record: (e) => {
      for (const s of sinks) s.record(e);
    },
  };
}
