import type { KeyObject } from 'node:crypto';
import { TRACE_EVENTS_JWS_TYPE, type TraceEvent, traceEventsIssuer } from '@kakehashi/core';
import { CompactSign } from 'jose';

/**
 * Signs a batch of the node's trace events for the hub's `POST /traces/events` (`{ signedEvents }`): a compact JWS
 * (RS256) with the key of the signing certificate the node registered; the hub finds that certificate in its
 * registry from `iss`.
 */
export async function signTraceEvents(country: string, events: readonly TraceEvent[], key: KeyObject): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify({ iss: traceEventsIssuer(country), events })))
    .setProtectedHeader({ alg: 'RS256', typ: TRACE_EVENTS_JWS_TYPE })
    .sign(key);
}
