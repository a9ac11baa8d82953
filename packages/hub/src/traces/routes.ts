import { timingSafeEqual } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import {
  CheckSchema,
  type ComponentApp,
  createRouteModule,
  KakehashiError,
  problemResponses,
  requireJson,
  type TraceEvent,
} from '@kakehashi/core';
import type { TraceStore } from './trace-store.ts';
import { type TraceEventsVerification, verifyTraceEvents } from './verify-trace-events.ts';

/** What the trace routes need: the hub's trace store, and what tells a registered reporter from anyone else. */
export interface TraceRouteDeps extends TraceEventsVerification {
  traces: TraceStore;
  /** The admin token (the operator may report events too). */
  adminToken: () => string;
}

const Hex = (n: number) => new RegExp(`^[0-9a-f]{${n}}$`);

// Documented, not enforced: the hub stores what components report (a check's members are theirs to fill).
const { $schema: _dialect, ...CHECK } = z.toJSONSchema(CheckSchema);

const TraceEventSchema = z
  .object({
    traceId: z.string().regex(Hex(32)),
    spanId: z.string().regex(Hex(16)),
    parentSpanId: z.string().regex(Hex(16)).optional(),
    time: z.string(),
    component: z.string().max(20),
    country: z.string().max(2).optional(),
    operation: z.string().max(300),
    direction: z.enum(['inbound', 'outbound', 'internal']),
    status: z.number().int().optional(),
    durationMs: z.number().optional(),
    peer: z.string().max(300).optional(),
    artefact: z
      .unknown()
      .optional()
      .openapi({ description: 'What crossed the hop, decoded for reading (a token, a message, a request: any JSON)' }),
    verdict: z
      .object({ valid: z.boolean(), checks: z.array(z.unknown().openapi(CHECK as never)).optional() })
      .optional(),
  })
  .openapi('TraceEvent');

const TraceSummarySchema = z.object({
  traceId: z.string(),
  started: z.string(),
  firstOperation: z
    .string()
    .openapi({ description: 'The first event recorded (often a lookup inside the first request)' }),
  firstRequest: z.string().openapi({
    description:
      "The trace's first request from outside (its first inbound event whose parent span is not in the trace): what the trace is",
  }),
  hops: z.number(),
  components: z.array(z.string()),
});

const report = createRoute({
  method: 'post',
  path: '/traces/events',
  tags: ['traces'],
  summary: 'Registered components report their trace events here (signed by a node, or with the admin token)',
  description:
    'A node in another process sends `{ signedEvents }`: a compact JWS (typ `kakehashi-trace-events+jwt`, RS256 or PS256) over `{ iss: "node:<CC>", events }`, signed with the key of the certificate it registered (which must still validate); every event must be its own (`component: "node"`, `country: <CC>`), else 403. The operator may send `{ events }` with the admin token. Anything else: 401.',
  security: [{ adminToken: [] }],
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({
            events: z.array(TraceEventSchema).max(1000).optional().openapi({ description: 'With the admin token' }),
            signedEvents: z
              .string()
              .max(4_000_000)
              .optional()
              .openapi({ description: "A node's signed batch (compact JWS)" }),
          }),
        },
      },
    },
  },
  responses: {
    202: { description: 'Accepted', content: { 'application/json': { schema: z.object({ accepted: z.number() }) } } },
    ...problemResponses(400, 401, 403, 413, 415),
  },
});

const recent = createRoute({
  method: 'get',
  path: '/traces',
  tags: ['traces'],
  summary: 'The most recent traces (query: limit)',
  request: {
    query: z.object({
      // Lenient on purpose (the console polls it): anything that is not a positive number means the default, 50.
      limit: z.string().max(12).optional().openapi({ description: 'How many traces (default 50, at most 500)' }),
    }),
  },
  responses: {
    200: {
      description: 'Traces, newest first',
      content: { 'application/json': { schema: z.object({ traces: z.array(TraceSummarySchema) }) } },
    },
    ...problemResponses(400),
  },
});

const one = createRoute({
  method: 'get',
  path: '/traces/{traceId}',
  tags: ['traces'],
  summary: 'Every hop of one trace',
  request: {
    params: z.object({
      traceId: z.string().openapi({ param: { name: 'traceId', in: 'path' }, description: '32 hex digits' }),
    }),
  },
  responses: {
    200: {
      description: 'The trace',
      content: {
        'application/json': { schema: z.object({ traceId: z.string(), events: z.array(TraceEventSchema) }) },
      },
    },
    ...problemResponses(404),
  },
});

/** Compares a bearer token in constant time. */
function isAdminToken(header: string | undefined, expected: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const want = Buffer.from(expected);
  return given.length === want.length && timingSafeEqual(given, want);
}

/**
 * The trace store's API: components in other processes report their hops here, and the console reads whole
 * traces back (W3C trace context ids).
 * @see https://www.w3.org/TR/trace-context/
 */
export function traceRoutes(deps: TraceRouteDeps): ComponentApp {
  const r = createRouteModule();

  r.openapi(report, async (c) => {
    requireJson(c.req.header('content-type'));
    const body = c.req.valid('json');
    let events: TraceEvent[];
    if (body.signedEvents !== undefined && body.events === undefined) {
      const parsed = z
        .array(TraceEventSchema)
        .max(1000)
        .safeParse(await verifyTraceEvents(body.signedEvents, deps));
      if (!parsed.success)
        throw new KakehashiError('validation-failed', 'The signed events do not match the TraceEvent schema.');
      events = parsed.data as TraceEvent[];
    } else if (body.events !== undefined && body.signedEvents === undefined) {
      if (!isAdminToken(c.req.header('authorization'), deps.adminToken()))
        throw new KakehashiError(
          'unauthorized',
          'Trace events are accepted from registered components only: a node sends { signedEvents } (a JWS signed with its registered key), the operator { events } with "Authorization: Bearer <admin token>".',
          { rule: 'trace-signer' },
        );
      events = body.events as TraceEvent[];
    } else {
      throw new KakehashiError(
        'validation-failed',
        'Send either { signedEvents } (a node) or { events } (the operator).',
      );
    }
    for (const e of events) deps.traces.record(e);
    return c.json({ accepted: events.length }, 202);
  });

  r.openapi(recent, (c) => c.json({ traces: deps.traces.recent(Number(c.req.valid('query').limit ?? 50) || 50) }, 200));

  r.openapi(one, (c) => {
    const traceId = c.req.valid('param').traceId;
    const events = deps.traces.events(traceId.toLowerCase());
    if (events.length === 0)
      throw new KakehashiError(
        'not-found',
        'No events for this trace id (traces are kept for the most recent 50,000 events).',
      );
    return c.json({ traceId, events: events as z.infer<typeof TraceEventSchema>[] }, 200);
  });

  return r;
}
