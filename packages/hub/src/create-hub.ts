import { createRoute, z } from '@hono/zod-openapi';
import type { ConfigView, CoreOptions } from '@kakehashi/core';
import {
  AuditLog,
  type ComponentApp,
  type ComponentDeps,
  type ComponentInfo,
  createComponentApp,
  documentRoute,
  KakehashiError,
  mountAdmin,
  mountDocs,
  mountHealth,
  NodeMetadataSchema,
  problemResponses,
  RegistrationRequestSchema,
  type RouteDoc,
  requireJson,
  type TraceEvent,
  type TraceSink,
} from '@kakehashi/core';
import type { EidOptions } from '@kakehashi/eid';
import { clearSamlTables, mountIdTokenValidation, mountSamlResponseValidation, resetEidState } from '@kakehashi/eid';
import { mountOcspResponder, mountSignatureService } from '@kakehashi/esig';
import { mountEidProxy } from './eid-proxy/mount-eid-proxy.ts';
import { mountEvidenceBroker } from './evidence/mount-evidence-broker.ts';
import type { HubOptions } from './options.ts';
import { RegistryStore } from './registry/registry-store.ts';
import { verifyRegistration } from './registry/verify-registration.ts';
import { TraceStore } from './traces/trace-store.ts';
import type { HubTrust } from './trust/hub-trust.ts';

export interface HubDeps extends ComponentDeps {
  config: ConfigView<readonly [...CoreOptions, ...EidOptions, ...HubOptions]>;
  trust: HubTrust;
  /** The hub's public origin, e.g. `http://127.0.0.1:7000`. */
  publicUrl: string;
}

export interface Hub {
  app: ComponentApp;
  info: ComponentInfo;
  registry: RegistryStore;
  traces: TraceStore;
  audit: AuditLog;
  /** Polls every registered node's `/health` once. */
  checkHealth(): Promise<void>;
  close(): void;
}

const VERSION = '0.1.0';

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
const CheckSchema = z
  .object({ rule: z.string(), outcome: z.enum(['passed', 'failed']), reason: z.string() })
  .openapi('Check');
const CountryParam = z.object({
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/)
    .openapi({ param: { name: 'country', in: 'path' }, example: 'DE' }),
});

/**
 * The Core Service Platform: node registry with signed metadata, directory and discovery (the SML/SMP
 * role), federation health, publication of the trust fabric, a hash-chained audit log and the trace store.
 */
export function createHub(deps: HubDeps): Hub {
  const info: ComponentInfo = { component: 'hub', name: 'Kakehashi hub (Core Service Platform)', version: VERSION };
  const registry = new RegistryStore(deps.store);
  const traces = new TraceStore(deps.store);
  const audit = new AuditLog(deps.store, deps.clock);
  const log = deps.logger;
  // The hub records its own hops straight into its trace store (and into the federation's sink).
  const sink: TraceSink = {
    record: (e) => {
      traces.record(e);
      deps.traces.record(e);
    },
  };
  const app = createComponentApp(info, {
    ...deps,
    traces: sink,
  });

  /** Posts an admin call to every registered node (clock changes, trust refresh); failures are logged. */
  const pushToNodes = (path: string, body: unknown) =>
    Promise.all(
      registry.list().map((n) =>
        deps
          .fetch(`${n.metadata.url}${path}`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${deps.config.get('adminToken')}`,
              'x-kakehashi-caller': 'hub',
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
            signal: AbortSignal.timeout(5000),
          })
          .then((r) =>
            r.ok ? undefined : log.warn('a node refused an admin push', { country: n.country, path, status: r.status }),
          )
          .catch((e: unknown) =>
            log.warn('a node did not take an admin push', {
              country: n.country,
              path,
              reason: e instanceof Error ? e.message : String(e),
            }),
          ),
      ),
    );

  mountHealth(app, info, deps, () => ({ nodes: registry.list().length, countries: deps.trust.countries() }));
  mountDocs(
    app,
    info,
    'Registry, discovery, trust fabric, audit and traces of the Kakehashi federation. Every error is RFC 9457 problem+json with a stable `code`.',
  );
  mountAdmin(app, deps, {
    // One virtual clock for the federation: nodes in other processes get the hub's time as an absolute,
    // idempotent `set` (nodes sharing the hub's clock object are unaffected by it).
    clockChanged: (state) => pushToNodes('/admin/clock', { action: 'set', at: state.now, frozen: state.frozen }),
    reset: () => {
      registry.clear();
      traces.clear();
      resetEidState(deps.store);
      clearSamlTables(deps.store);
      audit.append({ actor: 'admin', action: 'reset', outcome: 'success' });
    },
  });

  // ---- eID: the ID-token validation service (issuers = the registry's oidcIssuer endpoints) ------------
  mountIdTokenValidation(app, {
    ...deps,
    traces: sink,
    component: 'hub',
    resolveIssuer: async (issuer) => {
      const node = registry.list().find((n) => n.metadata.endpoints.oidcIssuer === issuer);
      return node ? { country: node.country, jwksUri: `${issuer}/oidc/jwks` } : undefined;
    },
    validateCertificate: (pem, chain, opts) => deps.trust.validateCertificate(pem, chain, opts),
  });

  // ---- eID: the SAML response validation service (IdPs = the registry's nodes, their /saml/idp/metadata) -----
  mountSamlResponseValidation(app, {
    ...deps,
    traces: sink,
    component: 'hub',
    registeredNodes: async () => registry.list().map((n) => n.metadata),
    validateCertificate: (pem, chain, opts) => deps.trust.validateCertificate(pem, chain, opts),
  });

  // ---- eID: the cross-border relay between connectors and proxy services -------------------------------
  mountEidProxy(app, {
    registry,
    clock: deps.clock,
    traces: sink,
  });

  // ---- once-only: the evidence broker and the data service directory ----------------------------------
  mountEvidenceBroker(app, { registry });

  // ---- eSignature: the validation service (against the hub's own verified lists and CRLs) -------------
  mountSignatureService(app, {
    ...deps,
    traces: sink,
    component: 'hub',
    validateCertificate: (pem, chain, opts) => deps.trust.validateCertificate(pem, chain, opts),
    // The hub publishes the CRLs itself: read them directly (only its own CRL URLs).
    loadCrl: async (crlUrl) => {
      const prefix = `${deps.publicUrl}/trust/crl/`;
      if (!crlUrl.startsWith(prefix) || !crlUrl.endsWith('.crl')) return undefined;
      return deps.trust.crlDer(crlUrl.slice(prefix.length, -4));
    },
    // …and runs the OCSP responders: ask them in process (only its own responder URLs).
    loadOcsp: async (url, requestDer) => {
      const prefix = `${deps.publicUrl}/trust/ocsp/`;
      if (!url.startsWith(prefix)) return undefined;
      return deps.trust.ocspResponder?.(url.slice(prefix.length))?.respond(requestDer).der;
    },
  });

  // ---- OCSP responders (RFC 6960), one per CA, from the same revocation records as the CRLs ----------
  mountOcspResponder(app, {
    ...deps,
    traces: sink,
    component: 'hub',
    responderFor: (caName) => deps.trust.ocspResponder?.(caName),
  });

  // ---- trust fabric publication -------------------------------------------------------------------
  const xml = (body: string) => new Response(body, { headers: { 'content-type': 'application/xml; charset=utf-8' } });
  app.get('/trust', (c) =>
    c.json({
      testOnly: true,
      lotl: `${deps.publicUrl}/trust/lotl.xml`,
      trustedLists: Object.fromEntries(
        deps.trust.countries().map((cc) => [cc, `${deps.publicUrl}/trust/tl/${cc}.xml`]),
      ),
      crls: deps.trust.crlNames().map((n) => `${deps.publicUrl}/trust/crl/${n}.crl`),
      ...(deps.trust.ocspResponder
        ? { ocspResponders: deps.trust.crlNames().map((n) => `${deps.publicUrl}/trust/ocsp/${n}`) }
        : {}),
      lotlSignerCertificate: deps.trust.lotlSignerPem(),
      certificates: deps.trust.certificates(),
    }),
  );
  app.get('/trust/lotl.xml', () => xml(deps.trust.lotlXml()));
  app.get('/trust/tl/:file', (c) => {
    const m = /^([A-Za-z]{2})\.xml$/.exec(c.req.param('file'));
    const body = m ? deps.trust.trustedListXml((m[1] as string).toUpperCase()) : undefined;
    if (!body)
      throw new KakehashiError(
        'unknown-country',
        `No trusted list ${c.req.param('file').slice(0, 20)}; known: ${deps.trust
          .countries()
          .map((cc) => `${cc}.xml`)
          .join(', ')}.`,
      );
    return xml(body);
  });
  app.get('/trust/crl/:file', (c) => {
    const m = /^([\w.-]+)\.crl$/.exec(c.req.param('file'));
    const der = m ? deps.trust.crlDer(m[1] as string) : undefined;
    if (!der)
      throw new KakehashiError('not-found', `No CRL ${c.req.param('file').slice(0, 40)}; see GET /trust for the list.`);
    return new Response(new Uint8Array(der), { headers: { 'content-type': 'application/pkix-crl' } });
  });

  // ---- registry -----------------------------------------------------------------------------------
  app.openapi(
    createRoute({
      method: 'post',
      path: '/registry/nodes',
      tags: ['registry'],
      summary: 'Register (or update) a national node with signed metadata',
      description:
        'The body carries a compact JWS (RS256/PS256) whose x5c is the node signing certificate chain; it must validate against the trust fabric.',
      request: { body: { required: true, content: { 'application/json': { schema: RegistrationRequestSchema } } } },
      responses: {
        201: {
          description: 'Registered',
          content: {
            'application/json': {
              schema: z.object({ country: z.string(), created: z.boolean(), checks: z.array(CheckSchema) }),
            },
          },
        },
        200: {
          description: 'Updated',
          content: {
            'application/json': {
              schema: z.object({ country: z.string(), created: z.boolean(), checks: z.array(CheckSchema) }),
            },
          },
        },
        ...problemResponses(400, 404, 413, 415, 422),
      },
    }),
    async (c) => {
      requireJson(c.req.header('content-type'));
      const { signedMetadata } = c.req.valid('json');
      const traceId = c.get('trace').traceId;
      try {
        const v = await verifyRegistration(signedMetadata, {
          trust: deps.trust,
          nowMs: deps.clock.nowMs(),
          maxAgeSeconds: deps.config.get('registrationMaxAgeSeconds'),
          skewSeconds: deps.config.get('clockSkewSeconds'),
        });
        const { created } = registry.upsert(
          v.metadata,
          signedMetadata,
          v.certificate.serialHex ?? 'unknown',
          deps.clock.now().toISOString(),
        );
        audit.append({
          actor: `node:${v.metadata.country}`,
          action: created ? 'node.registered' : 'node.updated',
          subject: v.metadata.country,
          outcome: 'success',
          details: { url: v.metadata.url },
          traceId,
        });
        deps.traces.record(
          hop(
            c.get('trace'),
            deps,
            'registry.verify',
            { valid: true, checks: v.checks },
            { country: v.metadata.country, url: v.metadata.url, capabilities: v.metadata.capabilities },
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
          traceId,
        });
        deps.traces.record(
          hop(c.get('trace'), deps, 'registry.verify', { valid: false, checks: (k?.extra.checks as unknown[]) ?? [] }),
        );
        log.warn('registration refused', { code: k?.code, reason: k?.message });
        throw e;
      }
    },
  );
  app.openapi(
    createRoute({
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
    }),
    (c) => c.json({ nodes: registry.list() }, 200),
  );
  app.openapi(
    createRoute({
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
    }),
    (c) => {
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
    },
  );

  // ---- discovery (SML/SMP role) -------------------------------------------------------------------
  app.openapi(
    createRoute({
      method: 'get',
      path: '/discovery/services',
      tags: ['discovery'],
      summary: 'Which node offers which building block and service, at which endpoint',
      request: {
        query: z.object({
          block: z.enum(['eid', 'esig', 'edelivery', 'jp-network']).optional(),
          country: z
            .string()
            .regex(/^[A-Za-z]{2}$/)
            .optional(),
        }),
      },
      responses: {
        200: {
          description: 'Matching services',
          content: {
            'application/json': {
              schema: z.object({
                services: z.array(
                  z.object({
                    country: z.string(),
                    nodeUrl: z.string(),
                    id: z.string(),
                    name: z.string(),
                    block: z.string(),
                    endpoint: z.string(),
                    signingCertificate: z.string(),
                  }),
                ),
              }),
            },
          },
        },
        ...problemResponses(400),
      },
    }),
    (c) => {
      const q = c.req.valid('query');
      const services = registry
        .list()
        .filter((n) => !q.country || n.country === q.country.toUpperCase())
        .flatMap((n) =>
          n.metadata.services
            .filter((s) => !q.block || s.block === q.block)
            .map((s) => ({
              country: n.country,
              nodeUrl: n.metadata.url,
              ...s,
              signingCertificate: n.metadata.certificates.signing,
            })),
        );
      return c.json({ services }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/discovery/participants/{participantId}',
      tags: ['discovery'],
      summary: 'Resolve a participant and service to its access point URL and certificate (SML + SMP)',
      request: {
        params: z.object({
          participantId: z
            .string()
            .min(3)
            .max(200)
            .openapi({ param: { name: 'participantId', in: 'path' }, example: 'urn:kakehashi:participant:de:bzst' }),
        }),
        query: z.object({ service: z.string().min(1).max(200).openapi({ example: 'urn:kakehashi:service:evidence' }) }),
      },
      responses: {
        200: {
          description: 'Endpoint',
          content: {
            'application/json': {
              schema: z.object({
                participantId: z.string(),
                service: z.string(),
                country: z.string(),
                endpoint: z.string(),
                certificate: z.string(),
                encryptionCertificate: z.string(),
              }),
            },
          },
        },
        ...problemResponses(400, 404),
      },
    }),
    (c) => {
      const { participantId } = c.req.valid('param');
      const { service } = c.req.valid('query');
      const cc = registry.findParticipant(participantId, service);
      const node = cc ? registry.get(cc) : undefined;
      if (!node) {
        throw new KakehashiError(
          'participant-not-found',
          `No registered node serves participant "${participantId.slice(0, 100)}" for service "${service.slice(0, 100)}". Check the identifier and the service, or GET /registry/nodes for what is registered.`,
        );
      }
      return c.json(
        {
          participantId,
          service,
          country: node.country,
          endpoint: node.metadata.endpoints.as4 ?? node.metadata.url,
          certificate: node.metadata.certificates.signing,
          encryptionCertificate: node.metadata.certificates.encryption,
        },
        200,
      );
    },
  );

  // ---- federation health ----------------------------------------------------------------------------
  const checkHealth = async () => {
    await Promise.all(
      registry.list().map(async (n) => {
        const at = deps.clock.now().toISOString();
        try {
          const res = await deps.fetch(n.metadata.endpoints.health, {
            signal: AbortSignal.timeout(3000),
            headers: { 'x-kakehashi-caller': 'hub' },
          });
          const body = (await res.json()) as { status?: string };
          registry.setHealth(
            n.country,
            res.ok && body.status === 'ok' ? 'ok' : 'unreachable',
            at,
            res.ok ? undefined : `HTTP ${res.status}`,
          );
        } catch (e) {
          registry.setHealth(n.country, 'unreachable', at, e instanceof Error ? e.message.slice(0, 120) : 'error');
        }
      }),
    );
  };
  app.openapi(
    createRoute({
      method: 'get',
      path: '/federation/health',
      tags: ['operations'],
      summary: 'Health of the hub and every registered node (checked now)',
      responses: {
        200: {
          description: 'Federation health',
          content: {
            'application/json': {
              schema: z.object({
                status: z.enum(['ok', 'degraded']),
                hub: z.literal('ok'),
                nodes: z.array(
                  z.object({
                    country: z.string(),
                    url: z.string(),
                    status: z.string(),
                    checkedAt: z.string().nullable(),
                  }),
                ),
              }),
            },
          },
        },
      },
    }),
    async (c) => {
      await checkHealth();
      const nodes = registry.list().map((n) => ({
        country: n.country,
        url: n.metadata.url,
        status: n.health.status,
        checkedAt: n.health.checkedAt,
      }));
      return c.json(
        {
          status: nodes.every((n) => n.status === 'ok') ? ('ok' as const) : ('degraded' as const),
          hub: 'ok' as const,
          nodes,
        },
        200,
      );
    },
  );

  // ---- audit -----------------------------------------------------------------------------------------
  app.get('/audit', (c) => {
    const after = Number(c.req.query('after') ?? 0);
    const limit = Number(c.req.query('limit') ?? 100);
    if (!Number.isInteger(after) || !Number.isInteger(limit) || after < 0 || limit < 1)
      throw new KakehashiError('bad-request', 'after and limit must be non-negative integers.');
    return c.json({ entries: audit.list({ afterSeq: after, limit }) });
  });
  app.get('/audit/verify', (c) => c.json(audit.verify()));

  // ---- traces ----------------------------------------------------------------------------------------
  const TraceEventSchema = z.object({
    traceId: z.string().regex(/^[0-9a-f]{32}$/),
    spanId: z.string().regex(/^[0-9a-f]{16}$/),
    parentSpanId: z
      .string()
      .regex(/^[0-9a-f]{16}$/)
      .optional(),
    time: z.string(),
    component: z.string().max(20),
    country: z.string().max(2).optional(),
    operation: z.string().max(300),
    direction: z.enum(['inbound', 'outbound', 'internal']),
    status: z.number().int().optional(),
    durationMs: z.number().optional(),
    peer: z.string().max(300).optional(),
    artefact: z.unknown().optional(),
    verdict: z.object({ valid: z.boolean(), checks: z.array(z.unknown()).optional() }).optional(),
  });
  app.openapi(
    createRoute({
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
        202: {
          description: 'Accepted',
          content: { 'application/json': { schema: z.object({ accepted: z.number() }) } },
        },
        ...problemResponses(400, 413, 415),
      },
    }),
    (c) => {
      requireJson(c.req.header('content-type'));
      const { events } = c.req.valid('json');
      for (const e of events) traces.record(e as TraceEvent);
      return c.json({ accepted: events.length }, 202);
    },
  );
  app.get('/traces', (c) => c.json({ traces: traces.recent(Number(c.req.query('limit') ?? 50) || 50) }));
  app.get('/traces/:traceId', (c) => {
    const events = traces.events(c.req.param('traceId').toLowerCase());
    if (events.length === 0)
      throw new KakehashiError(
        'not-found',
        'No events for this trace id (traces are kept for the most recent 50,000 events).',
      );
    return c.json({ traceId: c.req.param('traceId'), events });
  });

  // ---- admin: revocation ----------------------------------------------------------------------------
  app.post('/admin/trust/revoke', async (c) => {
    requireJson(c.req.header('content-type'));
    const body = z
      .object({
        serialHex: z
          .string()
          .regex(/^[0-9a-fA-F]+$/)
          .optional(),
        name: z.string().max(200).optional(),
        issuer: z.string().max(200).optional(),
        reason: z
          .enum([
            'keyCompromise',
            'cACompromise',
            'affiliationChanged',
            'superseded',
            'cessationOfOperation',
            'unspecified',
          ])
          .optional(),
        at: z.string().datetime().optional(),
      })
      .refine((b) => b.serialHex || b.name, 'give serialHex or name')
      .safeParse(await c.req.json());
    if (!body.success)
      throw new KakehashiError('validation-failed', `Revocation request: ${body.error.issues[0]?.message}.`);
    const r = deps.trust.revoke({ ...body.data, at: body.data.at ? new Date(body.data.at) : deps.clock.now() });
    // Relying parties would poll the CRL; here the hub also tells every node to reload at once.
    await pushToNodes('/admin/trust/refresh', undefined);
    audit.append({
      actor: 'admin',
      action: 'certificate.revoked',
      subject: r.serialHex,
      outcome: 'success',
      details: { crl: r.crl, reason: body.data.reason ?? 'unspecified' },
    });
    log.warn('certificate revoked', { serialHex: r.serialHex, crl: r.crl });
    return c.json(r);
  });

  // ---- routes with XML, binary or free-form responses, described for /openapi.json ----------------------
  const routeDocs: RouteDoc[] = [
    {
      method: 'get',
      path: '/trust',
      tags: ['trust'],
      summary:
        'Index of the trust fabric: LOTL, trusted lists, CRLs, the pinned LOTL signer certificate and every certificate by name',
    },
    {
      method: 'get',
      path: '/trust/lotl.xml',
      tags: ['trust'],
      summary: 'The signed list of trusted lists (ETSI TS 119 612)',
      produces: 'application/xml',
    },
    {
      method: 'get',
      path: '/trust/tl/{file}',
      tags: ['trust'],
      summary: "A country's signed trusted list, e.g. JP.xml",
      produces: 'application/xml',
      params: { file: '<CC>.xml' },
      problems: [404],
    },
    {
      method: 'get',
      path: '/trust/crl/{file}',
      tags: ['trust'],
      summary: 'The CRL of one CA, e.g. DE-issuing-ca.crl (DER)',
      produces: 'application/pkix-crl',
      params: { file: '<ca name>.crl' },
      problems: [404],
    },
    {
      method: 'get',
      path: '/audit',
      tags: ['audit'],
      summary: 'Audit log entries (query: after = sequence, limit ≤ 1000)',
      problems: [400],
    },
    { method: 'get', path: '/audit/verify', tags: ['audit'], summary: 'Verify the hash chain of the audit log' },
    { method: 'get', path: '/traces', tags: ['traces'], summary: 'The most recent traces (query: limit)' },
    {
      method: 'get',
      path: '/traces/{traceId}',
      tags: ['traces'],
      summary: 'Every hop of one trace',
      params: { traceId: '32 hex digits' },
      problems: [404],
    },
    {
      method: 'post',
      path: '/admin/trust/revoke',
      tags: ['admin'],
      summary: 'Revoke a certificate by name or serial (body: name | serialHex, reason, at); the CRL is re-issued',
      admin: true,
      problems: [400, 401, 404, 415],
    },
  ];
  for (const d of routeDocs) documentRoute(app, d);

  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    clearInterval(timer);
    const every = deps.config.get('healthIntervalMs');
    if (every > 0) timer = setInterval(() => void checkHealth(), every).unref();
  };
  schedule();
  const unsubscribe = deps.config.onChange((k) => k === 'healthIntervalMs' && schedule());

  return {
    app,
    info,
    registry,
    traces,
    audit,
    checkHealth,
    close: () => {
      clearInterval(timer);
      unsubscribe();
    },
  };
}

function hop(
  span: { traceId: string; spanId: string },
  deps: HubDeps,
  operation: string,
  verdict: TraceEvent['verdict'],
  artefact?: unknown,
): TraceEvent {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    time: deps.clock.now().toISOString(),
    component: 'hub',
    operation,
    direction: 'internal',
    verdict,
    artefact,
  };
}
