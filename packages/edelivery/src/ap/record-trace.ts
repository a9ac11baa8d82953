import { parseTraceparent, recordHop as record, type TraceContext, type TraceEvent } from '@kakehashi/core';
import type { UserMessage } from '../message/z-user-message.ts';
import type { ApContext } from './context.ts';

/** The ebMS header in the decoded form a console shows. */
export function decodedHeader(um: UserMessage) {
  return {
    type: 'ebms:UserMessage',
    messageId: um.messageId,
    timestamp: um.timestamp,
    from: um.from,
    to: um.to,
    service: um.service,
    action: um.action,
    conversationId: um.conversationId,
    agreementRef: um.agreementRef,
    properties: um.properties,
    parts: um.parts,
  };
}

/** Records one eDelivery hop as a trace event under `parent` (or a new trace). Returns the span used. */
export function recordHop(
  ctx: ApContext,
  parent: TraceContext | string | undefined | null,
  event: Pick<TraceEvent, 'operation' | 'direction' | 'artefact' | 'verdict' | 'peer' | 'status' | 'faults'>,
): TraceContext {
  const p = typeof parent === 'string' || parent === null ? parseTraceparent(parent) : parent;
  return record(ctx.deps.traces, ctx.deps.clock, p, {
    component: 'node',
    country: ctx.deps.country,
    ...event,
  });
}
