/**
 * How a node in another process reports its trace events to the hub (`POST /traces/events`): a compact JWS with
 * this `typ`, signed (RS256 or PS256) with the key of the node's signing certificate, the one it registered, over
 * `{ iss: "node:<CC>", events: [...] }`. The hub verifies it with the registered certificate and stores the
 * events only when every one is that node's own (`component: "node"`, `country: CC`).
 */
export const TRACE_EVENTS_JWS_TYPE = 'kakehashi-trace-events+jwt';

/** The `iss` of a node's signed trace events. */
export const traceEventsIssuer = (country: string) => `node:${country}`;
