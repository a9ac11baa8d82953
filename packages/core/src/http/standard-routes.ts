import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { parseDuration } from '../clock/index.ts';
import { KakehashiError } from '../errors/index.ts';
import type { ComponentApp, ComponentDeps, ComponentInfo } from './component-app.ts';
import { requireJson } from './component-app.ts';

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'urn:kakehashi:error:validation-failed' }),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string(),
    instance: z.string().optional(),
    rule: z.string().optional(),
  })
  .passthrough()
  .openapi('Problem');

/** The problem+json responses every route may give. */
export function problemResponses(...statuses: number[]) {
  const out: Record<
    number,
    { description: string; content: { 'application/problem+json': { schema: typeof ProblemSchema } } }
  > = {};
  for (const s of statuses)
    out[s] = { description: 'RFC 9457 problem', content: { 'application/problem+json': { schema: ProblemSchema } } };
  return out;
}

export const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    component: z.enum(['hub', 'node']),
    country: z.string().optional(),
    name: z.string(),
    version: z.string(),
    time: z.string().openapi({ description: 'Virtual clock time' }),
    uptimeSeconds: z.number(),
    testOnly: z.literal(true),
  })
  .passthrough()
  .openapi('Health');

/** One entry of a hash-chained audit log (core's `AuditLog`), as the hub's and Japan's audit routes list them. */
export const AuditEntrySchema = z
  .object({
    seq: z.number().int(),
    time: z.string(),
    actor: z.string(),
    action: z.string(),
    subject: z.string().nullable(),
    outcome: z.enum(['success', 'refused', 'error']),
    details: z.record(z.string(), z.unknown()),
    traceId: z.string().nullable(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .openapi('AuditEntry');

/** The verification of an audit log's hash chain (`AuditLog.verify()`). */
export const AuditVerificationSchema = z
  .object({
    valid: z.boolean(),
    count: z.number().int(),
    head: z.string(),
    brokenAt: z.number().int().optional(),
    reason: z.string().optional(),
  })
  .openapi('AuditVerification');

/** `GET /health` as the conventions require: `{"status":"ok","component":…,"country":…}`. */
export function mountHealth(
  app: ComponentApp,
  info: ComponentInfo,
  deps: ComponentDeps,
  extra: () => Record<string, unknown> = () => ({}),
): void {
  const started = Date.now();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/health',
      tags: ['operations'],
      summary: 'Liveness and state of this component',
      responses: { 200: { description: 'Healthy', content: { 'application/json': { schema: HealthSchema } } } },
    }),
    (c) =>
      c.json({
        status: 'ok' as const,
        component: info.component,
        ...(info.country ? { country: info.country } : {}),
        name: info.name,
        version: info.version,
        time: deps.clock.now().toISOString(),
        uptimeSeconds: Math.round((Date.now() - started) / 1000),
        testOnly: true as const,
        ...extra(),
      }),
  );
}

let swaggerAssets: { css: string; bundle: string } | undefined;
function loadSwaggerAssets() {
  if (!swaggerAssets) {
    const dir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
    swaggerAssets = {
      css: readFileSync(join(dir, 'swagger-ui.css'), 'utf8'),
      bundle: readFileSync(join(dir, 'swagger-ui-bundle.js'), 'utf8'),
    };
  }
  return swaggerAssets;
}

/** `GET /openapi.json` (OpenAPI 3.1) and `GET /docs` (Swagger UI served locally: works offline). */
export function mountDocs(app: ComponentApp, info: ComponentInfo, description: string): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'The admin token (option adminToken)',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: `${info.name} — Kakehashi (TEST ONLY)`, version: info.version, description },
  });
  app.get('/docs/swagger-ui.css', (c) =>
    c.body(loadSwaggerAssets().css, 200, {
      'content-type': 'text/css; charset=utf-8',
      'cache-control': 'max-age=3600',
    }),
  );
  app.get('/docs/swagger-ui-bundle.js', (c) =>
    c.body(loadSwaggerAssets().bundle, 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'max-age=3600',
    }),
  );
  app.get('/docs/swagger-init.js', (c) =>
    c.body(SWAGGER_INIT, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'max-age=3600' }),
  );
  app.get('/docs', (c) => {
    c.header('content-security-policy', DOCS_CSP);
    return c.html(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(info.name)} API — Kakehashi (TEST ONLY)</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<style>.kk-watermark{background:#b00020;color:#fff;font:600 14px system-ui;padding:6px 12px;text-align:center}</style></head>
<body><div class="kk-watermark" data-testid="test-only-banner">KAKEHASHI — TEST ONLY. Synthetic data and test keys; not a real government service.</div>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-init.js"></script>
</body></html>`);
  });
}

/** Swagger UI's start-up, a file of its own so that the page's policy allows no inline script. */
const SWAGGER_INIT =
  "window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });\n";

/**
 * The policy of `/docs`: scripts and the style sheet from the component itself (Swagger UI is served locally), inline
 * styles (Swagger UI sets style attributes), its images inline, requests to its own origin only ("Try it out"),
 * never framed.
 */
const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Bearer-token check for `/admin/*`. Compares in constant time; never echoes the token. */
export function adminAuth(deps: ComponentDeps): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const expected = deps.config.get('adminToken');
    const given = header.startsWith('Bearer ') ? header.slice(7) : '';
    const a = Buffer.from(given);
    const b = Buffer.from(expected);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw new KakehashiError(
        'unauthorized',
        'The admin API needs "Authorization: Bearer <admin token>" (option adminToken; the test-only default is in the README).',
      );
    }
    await next();
  };
}

const ClockSchema = z.object({ now: z.string(), frozen: z.boolean(), offsetMs: z.number() }).openapi('ClockState');
const ClockActionSchema = z
  .object({
    action: z.enum(['freeze', 'advance', 'resume', 'reset', 'set']),
    at: z
      .string()
      .datetime()
      .optional()
      .openapi({ description: 'freeze: the instant (default now); set: the instant' }),
    frozen: z.boolean().optional().openapi({ description: 'set: whether the clock stays frozen at `at`' }),
    by: z
      .union([z.string(), z.number()])
      .optional()
      .openapi({ description: 'advance: a duration such as 30d, 2h, 90s or milliseconds', example: '30d' }),
  })
  .openapi('ClockAction');
/** An option's value: options are strings, numbers, booleans or lists of strings (secrets read `[redacted]`). */
const OPTION_VALUE = {
  anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'array', items: { type: 'string' } }],
} as const;
const OptionValueSchema = z.unknown().openapi(OPTION_VALUE as never);
const ConfigSchema = z
  .object({
    faults: z
      .array(z.string())
      .optional()
      .openapi({ description: 'The faults switched on (deliberate weaknesses: GET /admin/faults)' }),
    options: z.array(
      z.object({
        key: z.string(),
        value: OptionValueSchema,
        source: z.enum(['default', 'file', 'env', 'cli', 'runtime']),
        env: z.string(),
        flag: z.string().optional(),
        runtime: z.boolean().openapi({ description: 'Changeable with PATCH /admin/config' }),
        description: z.string(),
        default: OptionValueSchema,
      }),
    ),
  })
  .openapi('EffectiveConfig');

/** The JSON type of an option, from its default value (what PATCH /admin/config takes for it). */
function optionValueSchema(value: unknown): Record<string, unknown> {
  if (Array.isArray(value)) return { type: 'array', items: { type: 'string' } };
  if (typeof value === 'number') return { type: Number.isInteger(value) ? 'integer' : 'number' };
  if (typeof value === 'boolean') return { type: 'boolean' };
  return { type: 'string' };
}

/**
 * The body of PATCH /admin/config: the options this component can change at runtime, each optional. The
 * configuration validates the values (the option's own schema, all-or-nothing), so the route takes any object
 * and the document lists the options.
 */
function runtimeOptionsSchema(deps: ComponentDeps) {
  const runtime = deps.config.effective().filter((o) => o.runtime);
  const properties = Object.fromEntries(
    // No `default` member: generators read it as "always present", and each option here is optional.
    runtime.map((o) => [
      o.key,
      { ...optionValueSchema(o.default), description: `${o.description} Default: ${JSON.stringify(o.default)}.` },
    ]),
  );
  const example = Object.fromEntries(runtime.slice(0, 1).map((o) => [o.key, o.default]));
  return z.record(z.string(), z.unknown()).openapi('RuntimeOptions', {
    type: 'object',
    properties,
    additionalProperties: false,
    description:
      'Runtime options to change (GET /admin/config lists every option; those with `runtime: true` are here). ' +
      'An unknown key or a value its option refuses changes nothing (400 / 409).',
    example,
  } as never);
}

const FaultSchema = z
  .object({
    name: z.string().openapi({ example: 'id-token.alg-none' }),
    block: z.string().openapi({ example: 'eid' }),
    kind: z.enum(['forge', 'lenient', 'outage', 'incident']),
    description: z.string(),
    rule: z.string().optional().openapi({ description: 'The rule a strict peer names when it refuses the result' }),
    perRequest: z
      .boolean()
      .optional()
      .openapi({ description: 'One request may ask for it (kakehashi_fault or X-Kakehashi-Fault)' }),
    enabled: z.boolean(),
  })
  .openapi('Fault');
const FaultsSchema = z.object({ faults: z.array(FaultSchema) }).openapi('Faults');
const FaultSwitchSchema = z
  .object({
    enable: z
      .array(z.string().min(1).max(200))
      .max(500)
      .optional()
      .openapi({ description: 'Names or patterns (`id-token.*`, `lenient.*`, `*`) to switch on' }),
    disable: z
      .array(z.string().min(1).max(200))
      .max(500)
      .optional()
      .openapi({ description: 'Names or patterns to switch off' }),
  })
  .strict()
  .openapi('FaultSwitch', { example: { enable: ['id-token.alg-none'], disable: [] } });

export interface AdminHooks {
  /**
   * Clears this component's runtime state (stores back to their seeded contents). What it returns is added to the
   * answer (the hub says what it did across the federation), described by `resetSchema`.
   */
  reset?: () => void | Record<string, unknown> | Promise<void | Record<string, unknown>>;
  /** The members `reset` adds to the answer of `POST /admin/reset` (for the OpenAPI document). */
  resetSchema?: z.ZodObject<z.ZodRawShape>;
  /** Called after every clock change (the hub pushes its clock to the nodes). */
  clockChanged?: (state: ReturnType<ComponentDeps['clock']['state']>) => Promise<unknown>;
}

/**
 * The admin surface every component has: effective configuration (and runtime changes), the virtual clock,
 * reset. All under bearer authentication.
 */
export function mountAdmin(app: ComponentApp, deps: ComponentDeps, hooks: AdminHooks = {}): void {
  app.use('/admin/*', adminAuth(deps));
  const security = [{ adminToken: [] }];
  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/config',
      tags: ['admin'],
      security,
      summary: 'Effective configuration, with the layer each value comes from',
      responses: {
        200: { description: 'Options', content: { 'application/json': { schema: ConfigSchema } } },
        ...problemResponses(401),
      },
    }),
    (c) => c.json({ options: deps.config.effective(), faults: deps.faults.enabled() }, 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/faults',
      tags: ['admin', 'faults'],
      security,
      summary: "The faults this component offers (its blocks' deliberate misbehaviours), each with its switch",
      responses: {
        200: { description: 'Faults', content: { 'application/json': { schema: FaultsSchema } } },
        ...problemResponses(401),
      },
    }),
    (c) => c.json({ faults: deps.faults.list() }, 200),
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/admin/faults',
      tags: ['admin', 'faults'],
      security,
      summary:
        'Switch faults on and off (disable first, then enable; names or patterns such as `lenient.*`). All or nothing: an unknown name changes nothing.',
      request: { body: { required: true, content: { 'application/json': { schema: FaultSwitchSchema } } } },
      responses: {
        200: { description: 'Every fault after the switch', content: { 'application/json': { schema: FaultsSchema } } },
        ...problemResponses(400, 401, 415),
      },
    }),
    (c) => {
      requireJson(c.req.header('content-type'));
      return c.json({ faults: deps.faults.set(c.req.valid('json')) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'patch',
      path: '/admin/config',
      tags: ['admin'],
      security,
      summary: 'Change runtime options (the highest configuration layer)',
      request: {
        body: { required: true, content: { 'application/json': { schema: runtimeOptionsSchema(deps) } } },
      },
      responses: {
        200: { description: 'Options after the change', content: { 'application/json': { schema: ConfigSchema } } },
        ...problemResponses(400, 401, 409, 415),
      },
    }),
    (c) => {
      requireJson(c.req.header('content-type'));
      deps.config.setRuntime(c.req.valid('json'));
      deps.logger.info('configuration changed at runtime', { keys: Object.keys(c.req.valid('json')) });
      return c.json({ options: deps.config.effective() }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/clock',
      tags: ['admin'],
      security,
      summary: 'The virtual clock',
      responses: {
        200: { description: 'Clock', content: { 'application/json': { schema: ClockSchema } } },
        ...problemResponses(401),
      },
    }),
    (c) => c.json(deps.clock.state(), 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin/clock',
      tags: ['admin'],
      security,
      summary:
        'Freeze, advance, resume, set or reset the virtual clock (the hub pushes the result to every registered node)',
      request: { body: { required: true, content: { 'application/json': { schema: ClockActionSchema } } } },
      responses: {
        200: { description: 'Clock after the action', content: { 'application/json': { schema: ClockSchema } } },
        ...problemResponses(400, 401, 415),
      },
    }),
    async (c) => {
      requireJson(c.req.header('content-type'));
      const body = c.req.valid('json');
      if (body.action === 'freeze') deps.clock.freeze(body.at ? new Date(body.at) : undefined);
      else if (body.action === 'advance') {
        if (body.by === undefined)
          throw new KakehashiError('clock-invalid', 'advance needs "by", e.g. {"action":"advance","by":"30d"}.');
        deps.clock.advance(parseDuration(body.by));
      } else if (body.action === 'set') {
        if (!body.at)
          throw new KakehashiError(
            'clock-invalid',
            'set needs "at", e.g. {"action":"set","at":"2027-01-01T00:00:00Z","frozen":true}.',
          );
        deps.clock.set(new Date(body.at), body.frozen === true);
      } else if (body.action === 'resume') deps.clock.resume();
      else deps.clock.reset();
      deps.logger.warn('virtual clock changed', { action: body.action, ...deps.clock.state() });
      await hooks.clockChanged?.(deps.clock.state());
      return c.json(deps.clock.state(), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin/reset',
      tags: ['admin'],
      security,
      summary: 'Reset runtime state and runtime configuration',
      responses: {
        200: {
          description: 'Reset done',
          content: {
            'application/json': {
              schema: (hooks.resetSchema ?? z.object({})).extend({ reset: z.literal(true) }),
            },
          },
        },
        ...problemResponses(401),
      },
    }),
    async (c) => {
      deps.config.clearRuntime();
      deps.faults.reset();
      const done = (await hooks.reset?.()) ?? {};
      deps.logger.warn('component reset');
      return c.json({ ...done, reset: true as const }, 200);
    },
  );
}
