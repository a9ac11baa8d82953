import { createRoute, z } from '@hono/zod-openapi';
import {
  type AuditLog,
  type Check,
  CheckSchema,
  type Clock,
  type ComponentApp,
  type ConfigView,
  type CoreOptions,
  createRouteModule,
  KakehashiError,
  type Logger,
  NodeMetadataSchema,
  problemResponses,
  RegistrationRequestSchema,
  requireJson,
  type TraceContext,
  type TraceEvent,
  type TraceSink,
} from '@kakehashi/core';
import type { HubOptions } from '../options.ts';
import type { HubTrust } from '../trust/hub-trust.ts';
import type { RegistryStore } from './registry-store.ts';
import { verifyRegistration } from './verify-registration.ts';

/** What the registry routes need. */
export interface RegistryRouteDeps {
  registry: RegistryStore;
  audit: AuditLog;
  trust: HubTrust;
  clock: Clock;
  config: ConfigView<readonly [...CoreOptions, ...HubOptions]>;
  logger: Logger;
  /** Where the `registry.verify` hop of each registration goes. */
  traces: TraceSink;
}

const RegisteredNodeSchema = z
  .object({
    country: z.string(),
    metadata: NodeMetadataSchema,
    registeredAt: z.string(),
    updatedAt: z.string(),
    signerSerial: z.string(),
    health: z.object({
      status: z.enum(['ok', 'unreachable', 'unknown']),
      checkedAt: z.string().nullable(),
      detail: z.string().optional(),
    }),
  })
  .openapi('RegisteredNode');
const RegistrationAnswerSchema = z.object({ country: z.string(), created: z.boolean(), checks: z.array(CheckSchema) });
const CountryParam = z.object({
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/)
    .openapi({ param: { name: 'country', in: 'path' }, example: 'DE' }),
});

const register = createRoute({
  method: 'post',
  path: '/registry/nodes',
  tags: ['registry'],
  summary: 'Register (or update) a national node with signed metadata',
  description:
    'The body carries a compact JWS (RS256/PS256) whose x5c is the node signing certificate chain; it must validate against the trust fabric.',
  request: { body: { required: true, content: { 'application/json': { schema: RegistrationRequestSchema } } } },
  responses: {
    201: { description: 'Registered', content: { 'application/json': { schema: RegistrationAnswerSchema } } },
    200: { description: 'Updated', content: { 'application/json': { schema: RegistrationAnswerSchema } } },
    ...problemResponses(400, 404, 413, 415, 422),
  },
});

const list = createRoute({
  method: 'get',
  path: '/registry/nodes',
  tags: ['registry'],
  summary: 'Registered nodes',
  responses: {
    200: {
      description: 'Nodes',
      content: { 'application/json': { schema: z.object({ nodes: z.array(RegisteredNodeSchema) }) } },
    },
  },
});

const one = createRoute({
  method: 'get',
  path: '/registry/nodes/{country}',
  tags: ['registry'],
  summary: 'One registered node, with its signed metadata',
  request: { params: CountryParam },
  responses: {
    200: {
      description: 'Node',
      content: { 'application/json': { schema: RegisteredNodeSchema.extend({ signedMetadata: z.string() }) } },
    },
    ...problemResponses(400, 404),
  },
});

/**
 * The node registry: a node registers with metadata it signed with its node signing certificate, which the
 * hub validates against the trust fabric before listing it; every registration and refusal is audited.
 */
export function registryRoutes(deps: RegistryRouteDeps): ComponentApp {
  const r = createRouteModule();
  const { registry, audit, clock, logger: log } = deps;

  r.openapi(register, async (c) => {
    requireJson(c.req.header('content-type'));
    const { signedMetadata } = c.req.valid('json');
    const trace = c.get('trace');
    try {
      const v = await verifyRegistration(signedMetadata, {
        trust: deps.trust,
        nowMs: clock.nowMs(),
        maxAgeSeconds: deps.config.get('registrationMaxAgeSeconds'),
        skewSeconds: deps.config.get('clockSkewSeconds'),
      });
      const { created } = registry.upsert(
        v.metadata,
        signedMetadata,
        v.certificate.serialHex ?? 'unknown',
        clock.now().toISOString(),
      );
      audit.append({
        actor: `node:${v.metadata.country}`,
        action: created ? 'node.registered' : 'node.updated',
        subject: v.metadata.country,
        outcome: 'success',
        details: { url: v.metadata.url },
        traceId: trace.traceId,
      });
      deps.traces.record(
        verifyHop(
          trace,
          clock,
          { valid: true, checks: v.checks },
          {
            country: v.metadata.country,
            url: v.metadata.url,
            capabilities: v.metadata.capabilities,
          },
        ),
      );
      log.info(created ? 'node registered' : 'node metadata updated', {
        country: v.metadata.country,
        url: v.metadata.url,
      });
      return c.json({ country: v.metadata.country, created, checks: v.checks }, created ? 201 : 200);
    } catch (e) {
      const k = e instanceof KakehashiError ? e : undefined;
      audit.append({
        actor: 'unknown',
        action: 'node.registration-refused',
        outcome: 'refused',
        details: { code: k?.code ?? 'internal-error', reason: k?.message },
        traceId: trace.traceId,
      });
      deps.traces.record(verifyHop(trace, clock, { valid: false, checks: (k?.extra.checks as Check[]) ?? [] }));
      log.warn('registration refused', { code: k?.code, reason: k?.message });
      throw e;
    }
  });

  r.openapi(list, (c) => c.json({ nodes: registry.list() }, 200));

  r.openapi(one, (c) => {
    const cc = c.req.valid('param').country.toUpperCase();
    const node = registry.get(cc);
    if (!node)
      throw new KakehashiError(
        'not-found',
        `Node ${cc} is not registered; registered: ${
          registry
            .list()
            .map((n) => n.country)
            .join(', ') || 'none'
        }.`,
      );
    return c.json({ ...node, signedMetadata: registry.signedMetadata(cc) as string }, 200);
  });

  return r;
}

/** The hub's verification of a registration, as a hop of the registration's trace (same span). */
function verifyHop(span: TraceContext, clock: Clock, verdict: TraceEvent['verdict'], artefact?: unknown): TraceEvent {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    time: clock.now().toISOString(),
    component: 'hub',
    operation: 'registry.verify',
    direction: 'internal',
    verdict,
    artefact,
  };
}
