import { type Hook, OpenAPIHono } from '@hono/zod-openapi';
import type { VirtualClock } from '../clock/index.ts';
import type { ConfigView, CoreOptions } from '../config/index.ts';
import { KakehashiError } from '../errors/index.ts';
import { FAULT_HEADER, FAULT_PARAM, type FaultSwitchboard } from '../faults/index.ts';
import type { Logger } from '../log/index.ts';
import type { SeededRandom } from '../random/index.ts';
import type { SecurityEvents } from '../security/security-events.ts';
import { securityScope } from '../security/security-scope.ts';
import type { Store } from '../store/index.ts';
import { childSpan, formatTraceparent, parseTraceparent, type TraceContext, type TraceSink } from '../trace/index.ts';
import { currentRequestScope, runInRequestScope } from '../trace/request-scope.ts';
import { hasBody } from './in-process-request.ts';
import { answerInProcessLightly } from './in-process-response.ts';
import { problemErrorHandler, problemResponse } from './problem.ts';
import { securityHeaders } from './security-headers.ts';

/** Who a component is. */
export interface ComponentInfo {
  component: 'hub' | 'node';
  /** ISO 3166 code for a national node. */
  country?: string | undefined;
  /** Display name, e.g. `Kakehashi hub` or `National node DE (Germany)`. */
  name: string;
  version: string;
}

/** The explicit dependencies every component factory receives. */
export interface ComponentDeps {
  store: Store;
  clock: VirtualClock;
  random: SeededRandom;
  logger: Logger;
  /** The configuration; a package whose options extend the core's narrows this to its own view. */
  config: ConfigView<CoreOptions>;
  /** Outbound HTTP. In-process mode routes it straight into the target app (no sockets). */
  fetch: typeof fetch;
  traces: TraceSink;
  /**
   * The component's fault switches (`GET`/`PUT /admin/faults`): its blocks offer their faults here and ask it
   * whether one is on. All off by default.
   */
  faults: FaultSwitchboard;
  /**
   * The component's security events (`GET /security/events`): while it serves a request, every refused verdict
   * on a trace hop and every refusal thrown as a problem with a named rule is recorded here. Without it (a block
   * tested alone) refusals are traced and answered as ever, and recorded nowhere.
   */
  security?: SecurityEvents | undefined;
}

/**
 * The trace context of the request this code runs for (undefined outside a request): lets a building block's
 * internal calls and trace events join the caller's trace without threading the context through every function.
 */
export function currentTrace(): TraceContext | undefined {
  return currentRequestScope()?.trace;
}

/** The query parameter that carries a W3C traceparent across browser redirects. */
export const TRACE_QUERY_PARAM = 'kakehashi_trace';

export type AppEnv = {
  Variables: {
    trace: TraceContext;
    /** `fetch` that propagates this request's trace context to the callee. */
    fetch: typeof fetch;
  };
};

export type ComponentApp = OpenAPIHono<AppEnv>;

/**
 * zod validation failures as RFC 9457 `validation-failed` problems naming the first failing path (the one hook
 * every route module shares, so a route answers the same whichever module declares it).
 */
const validationHook: Hook<unknown, AppEnv, string, unknown> = (result, c) => {
  if (result.success) return;
  const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = issues[0];
  return problemResponse(
    c,
    new KakehashiError(
      'validation-failed',
      `The ${result.target} does not match the schema${first ? `: ${first.path || '(root)'}: ${first.message}` : ''}.`,
    ),
    { issues },
  );
};

/**
 * A route module: a small sub-app for one feature group, its routes declared with `createRoute` beside their
 * handlers, mounted on a component with `app.route('/', module)` (its OpenAPI paths join the component's).
 * The component's middleware (traces, body limit, JSON checks, problem+json errors) applies to its routes.
 * @see https://hono.dev/docs/api/routing#grouping
 */
export function createRouteModule(): ComponentApp {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

/**
 * A Hono app with what every component shares: security headers (see {@link securityHeaders}), W3C trace
 * context in and out (one trace event per hop), a body size limit, JSON bodies checked before validation, zod
 * validation failures and every error as RFC 9457 problem+json, and a problem+json 404.
 */
export function createComponentApp(info: ComponentInfo, deps: ComponentDeps): ComponentApp {
  const app = createRouteModule();
  const who = { component: info.component, country: info.country };
  deps.faults.useLogger(deps.logger);

  // nosniff on every answer; CSP, frame protection and no referrer on every HTML page that sets none itself.
  app.use('*', securityHeaders());

  app.use('*', async (c, next) => {
    const started = performance.now();
    // A hop from another component of this process gets its answer without a body stream (read from the text).
    answerInProcessLightly(c);
    // A browser hop carries no traceparent header; a redirect may carry it as `kakehashi_trace` instead, so a
    // cross-border login through several origins stays one trace (trace ids are not secrets).
    const incoming = parseTraceparent(c.req.header('traceparent') ?? c.req.query(TRACE_QUERY_PARAM));
    const span = childSpan(incoming);
    c.set('trace', span);
    c.set('fetch', tracingFetch(deps.fetch, span));
    c.header('traceparent', formatTraceparent(span));
    // A request may ask for one fault (`kakehashi_fault`, `X-Kakehashi-Fault`); the blocks that honour it check it
    // is offered and requestable. The faults that fire while it is served go on its trace hop.
    const asked = c.req.header(FAULT_HEADER) ?? c.req.query(FAULT_PARAM);
    const scope = { requested: new Set(asked ? [asked.trim()] : []), fired: [] as string[] };
    // The span, the fault scope and the security scope in one async context (a component without security events
    // keeps the caller's, as a hop from another component of this process runs inside the caller's request).
    const security = deps.security
      ? securityScope(deps.security, { peer: c.req.header('x-kakehashi-caller'), traceId: span.traceId })
      : currentRequestScope()?.security;
    try {
      await runInRequestScope({ trace: span, faults: scope, security }, next);
    } finally {
      const path = c.req.path;
      if (!path.startsWith('/docs') && path !== '/health' && !path.startsWith('/traces')) {
        recordHop(deps, {
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId,
          time: deps.clock.now().toISOString(),
          ...who,
          operation: `${c.req.method} ${path}`,
          direction: 'inbound',
          status: c.res.status,
          durationMs: Math.round((performance.now() - started) * 100) / 100,
          peer: c.req.header('x-kakehashi-caller'),
          ...(scope.fired.length > 0 ? { faults: scope.fired } : {}),
        });
      }
    }
  });

  // The body, read once: its size checked against maxBodyBytes (a declared length before reading, else while
  // reading, so an unbounded stream stops at the limit), and a JSON body parsed once — a wrong content type or
  // broken JSON gets its own code before schema validation runs, and the route's validator reads the same parse.
  app.use('*', async (c, next) => {
    const raw = c.req.raw;
    // Not `raw.body`: an in-process request would build the stream its body does without.
    if (!hasBody(raw)) return next();
    const max = deps.config.get('maxBodyBytes');
    const declared = raw.headers.get('content-length');
    let bytes: ArrayBuffer | undefined;
    if (declared !== null && !raw.headers.has('transfer-encoding')) {
      if (Number.parseInt(declared, 10) > max) throw payloadTooLarge(max);
    } else {
      // No declared length: a stream (an in-process request always declares its length).
      const stream = raw.body;
      if (!stream) return next();
      bytes = await readLimited(stream, max);
      // The body is kept where HonoRequest's readers (text, json, formData, arrayBuffer) find it.
      bodyCacheOf(c.req).arrayBuffer = Promise.resolve(bytes);
    }
    if (!BODY_METHODS.has(c.req.method)) return next();
    if (/[/+]json\b/i.test(raw.headers.get('content-type') ?? '')) {
      let text: string;
      if (bytes) {
        // As Response#text() decodes: UTF-8, a leading BOM dropped, malformed sequences replaced.
        text = UTF8.decode(bytes);
        bodyCacheOf(c.req).text = Promise.resolve(text);
      } else text = await c.req.text();
      // An empty body with a JSON content type is "no body" (clients send it for bodiless POSTs).
      if (text.trim() !== '') {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          throw new KakehashiError('malformed-json', 'The request body is not valid JSON.');
        }
        // Parsed once: the route's validator (and any later c.req.json()) reads this value.
        c.req.json = <T>() => Promise.resolve(parsed as T);
      }
    }
    return next();
  });

  app.onError(problemErrorHandler(deps.logger));
  app.notFound((c) =>
    problemResponse(
      c,
      new KakehashiError(
        'not-found',
        `No route ${c.req.method} ${new URL(c.req.url).pathname} on ${info.name}; the API is listed at /docs.`,
      ),
    ),
  );
  return app;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const UTF8 = new TextDecoder('utf-8');

/**
 * HonoRequest's body cache as it is at run time: each reader's promise, by reader name (its declared type names the
 * resolved values).
 * @see https://github.com/honojs/hono/blob/main/src/request.ts (#cachedBody)
 */
function bodyCacheOf(req: { bodyCache: object }): Record<string, Promise<unknown>> {
  return req.bodyCache as Record<string, Promise<unknown>>;
}

function payloadTooLarge(max: number): KakehashiError {
  return new KakehashiError('payload-too-large', `The request body exceeds ${max} bytes.`);
}

/** Reads a body of unknown length, refusing it as soon as it passes `max` bytes. */
async function readLimited(body: ReadableStream<Uint8Array>, max: number): Promise<ArrayBuffer> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw payloadTooLarge(max);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) {
    const only = chunks[0] as Uint8Array;
    if (only.byteOffset === 0 && only.byteLength === only.buffer.byteLength && only.buffer instanceof ArrayBuffer)
      return only.buffer;
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out.buffer;
}

/**
 * Records a hop's trace event. Tracing is an observer: a sink that cannot keep the event (a full disk) costs the
 * event, logged, never the request it describes.
 */
function recordHop(deps: ComponentDeps, event: Parameters<TraceSink['record']>[0]): void {
  try {
    deps.traces.record(event);
  } catch (e) {
    deps.logger.warn('trace event not recorded', {
      operation: event.operation,
      reason: e instanceof Error ? e.message : String(e),
    });
  }
}

/** Wraps `fetch` so every call carries a child `traceparent` of `span`. */
export function tracingFetch(base: typeof fetch, span: TraceContext): typeof fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    if (!headers.has('traceparent')) headers.set('traceparent', formatTraceparent(span));
    return base(input, { ...init, headers });
  };
}

/**
 * Refuses a request whose content type is not JSON (routes with a JSON body call this first, so the
 * caller learns it sent the wrong type rather than a schema error).
 */
export function requireJson(contentType: string | undefined): void {
  if (!/^application\/([\w.+-]+\+)?json\b/i.test((contentType ?? '').trim())) {
    throw new KakehashiError(
      'unsupported-media-type',
      `Send the body as application/json (got ${contentType ? `"${contentType.slice(0, 60)}"` : 'no content type'}).`,
    );
  }
}
