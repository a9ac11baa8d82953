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

/** What the trace routes need: the hub's trace store. */
export interface TraceRouteDeps {
  traces: TraceStore;
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
  firstOperation: z.string(),
  hops: z.number(),
  components: z.array(z.string()),
});

const report = createRoute({
  method: 'post',
  path: '/traces/events',
  tags: ['traces'],
  summary: 'Components report their trace events here',
  request: {
    body: {
      required: true,
      content: { 'application/json': { schema: z.object({ events: z.array(TraceEventSchema).max(1000) }) } },
    },
  },
  responses: {
    202: { description: 'Accepted', content: { 'application/json': { schema: z.object({ accepted: z.number() }) } } },
    ...problemResponses(400, 413, 415),
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

/**
 * The trace store's API: components in other processes report their hops here, and the console reads whole
 * traces back (W3C trace context ids).
 * @see https://www.w3.org/TR/trace-context/
 */
export function traceRoutes(deps: TraceRouteDeps): ComponentApp {
  const r = createRouteModule();

  r.openapi(report, (c) => {
    requireJson(c.req.header('content-type'));
    const { events } = c.req.valid('json');
    for (const e of events) deps.traces.record(e as TraceEvent);
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
