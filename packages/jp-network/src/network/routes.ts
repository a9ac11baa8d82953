import { createRoute, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule, KakehashiError, problemResponses } from '@kakehashi/core';
import type { Context } from 'hono';
import { verifyE2eRegistration } from '../agencies/agency-party.ts';
import { open, seal } from '../crypto/seal.ts';
import { type CooperationNetworkParts, JLIS_AGENCY, PORTAL_AGENCY } from '../network-parts.ts';
import '../error-codes.ts';
import { AccessRecordSchema } from '../records/access-records.ts';
import { AgencyParam, SIGNED, signedBy } from '../route-support.ts';
import { resolveCode } from './code-index.ts';
import { createAcquisitionNumber, issueCode } from './issuance.ts';
import { MatrixFileSchema } from './matrix.ts';
import { mediate, QueryRequestSchema, QueryResponseSchema, recordSubject } from './mediation.ts';
import { collectMigrations } from './rotation.ts';

/** What the network system's routes need. */
export type NetworkRouteDeps = Pick<
  CooperationNetworkParts,
  'deps' | 'network' | 'networkAuth' | 'networkE2e' | 'directory' | 'transport' | 'trace'
>;

/**
 * The network system's API (情報提供ネットワークシステム): the authorisation matrix, the acquisition-number flow
 * (steps 1 and 3), end-to-end key registration, the mediated query, migration lists and the portal's disclosure.
 * Every write is a request signed by a party. TEST ONLY.
 * @see https://laws.e-gov.go.jp/law/425AC0000000027 (My Number Act art. 19(8), 21, 21-2, 23)
 */
export function networkRoutes(p: NetworkRouteDeps): ComponentApp {
  const r = createRouteModule();
  issuanceRoutes(r, p);
  e2eKeyRoutes(r, p);
  mediationRoutes(r, p);
  return r;
}

/** The matrix and the acquisition-number flow, network side (steps 1 and 3). */
function issuanceRoutes(r: ComponentApp, p: NetworkRouteDeps): void {
  r.openapi(
    createRoute({
      method: 'get',
      path: '/jp/network/matrix',
      tags: ['jp-network'],
      summary: 'The authorisation matrix (rules, items, impact assessments)',
      responses: { 200: { description: 'OK', content: { 'application/json': { schema: MatrixFileSchema } } } },
    }),
    (c) => c.json(p.network.matrix, 200),
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/jp/network/acquisition-numbers',
      tags: ['jp-network'],
      summary: 'Acquisition-number flow, step 1: a one-time number for the calling agency (art. 21-2)',
      description: SIGNED,
      request: { body: { required: true, content: { 'application/json': { schema: z.object({}).strict() } } } },
      responses: {
        200: {
          description: 'OK',
          content: {
            'application/json': { schema: z.object({ acquisitionNumber: z.string(), expiresAt: z.string() }) },
          },
        },
        ...problemResponses(400, 401, 415),
      },
    }),
    async (c) => {
      const agencyId = await signedBy(c, p.networkAuth);
      return c.json(createAcquisitionNumber(p.network, agencyId), 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/jp/network/issuance',
      tags: ['jp-network'],
      summary: 'Acquisition-number flow, step 3 (J-LIS only): the code, sealed to the agency',
      description: `${SIGNED} The resident record code arrives sealed to the network and is dropped after the link id is computed.`,
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z
                .object({
                  agencyId: z.string().max(60),
                  acquisitionNumber: z.string().max(100),
                  sealedResidentRecordCode: z.string().max(2000),
                })
                .strict(),
            },
          },
        },
      },
      responses: {
        200: { description: 'OK', content: { 'application/json': { schema: z.object({ sealedCode: z.string() }) } } },
        ...problemResponses(400, 401, 403, 415, 422),
      },
    }),
    async (c) => {
      const caller = await signedBy(c, p.networkAuth);
      if (caller !== JLIS_AGENCY) throw new KakehashiError('forbidden', 'Only J-LIS forwards acquisition numbers.');
      const b = c.req.valid('json');
      const party = partyKey(p, b.agencyId);
      const rrc = open(b.sealedResidentRecordCode, p.networkE2e, `issuance/${b.acquisitionNumber}`);
      const code = issueCode(p.network, b.agencyId, b.acquisitionNumber, rrc);
      p.trace(
        'code issued',
        { agencyId: b.agencyId, acquisitionNumber: '[used and purged]', code: '[sealed to the agency]' },
        true,
      );
      const sealedCode = seal(JSON.stringify({ code }), party, `code/${b.agencyId}/${b.acquisitionNumber}`);
      return c.json({ sealedCode }, 200);
    },
  );
}

/** An agency's registered end-to-end key, verified against its certificate (409 when none is registered yet). */
function partyKey(p: NetworkRouteDeps, agencyId: string): string {
  const row = p.network.store.get<{ registration: string }>(
    'SELECT registration FROM nws_e2e_keys WHERE agency_id = ?',
    agencyId,
  );
  if (!row) throw new KakehashiError('conflict', `${agencyId.slice(0, 60)} has registered no end-to-end key yet.`);
  return verifyE2eRegistration(row.registration, agencyId, {
    directory: p.directory,
    trust: p.deps.trust,
    clock: p.deps.clock,
  });
}

/** End-to-end key registration (a JWS by the agency certificate, so the network cannot substitute its own key). */
function e2eKeyRoutes(r: ComponentApp, p: NetworkRouteDeps): void {
  r.openapi(
    createRoute({
      method: 'put',
      path: '/jp/network/agencies/{agencyId}/e2e-key',
      tags: ['jp-network'],
      summary: "Register an intermediary server's end-to-end key (a JWS by the agency certificate)",
      description: SIGNED,
      request: {
        params: AgencyParam,
        body: {
          required: true,
          content: { 'application/json': { schema: z.object({ registration: z.string().max(20_000) }).strict() } },
        },
      },
      responses: {
        200: {
          description: 'OK',
          content: {
            'application/json': { schema: z.object({ agencyId: z.string(), registered: z.literal(true) }) },
          },
        },
        ...problemResponses(400, 401, 403, 415, 422),
      },
    }),
    async (c) => {
      const caller = await signedBy(c, p.networkAuth);
      const { agencyId } = c.req.valid('param');
      if (caller !== agencyId) throw new KakehashiError('forbidden', 'An agency registers only its own key.');
      const { registration } = c.req.valid('json');
      const publicKey = verifyE2eRegistration(registration, agencyId, {
        directory: p.directory,
        trust: p.deps.trust,
        clock: p.deps.clock,
      });
      p.network.store.run(
        'INSERT OR REPLACE INTO nws_e2e_keys (agency_id, registration, public_key, registered_at) VALUES (?,?,?,?)',
        agencyId,
        registration,
        publicKey,
        p.deps.clock.now().toISOString(),
      );
      return c.json({ agencyId, registered: true as const }, 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/jp/network/agencies/{agencyId}/e2e-key',
      tags: ['jp-network'],
      summary: "An agency's end-to-end key registration (verify it against that agency's certificate)",
      request: { params: AgencyParam },
      responses: {
        200: {
          description: 'OK',
          content: { 'application/json': { schema: z.object({ agencyId: z.string(), registration: z.string() }) } },
        },
        ...problemResponses(404),
      },
    }),
    (c) => {
      const { agencyId } = c.req.valid('param');
      const row = p.network.store.get<{ registration: string }>(
        'SELECT registration FROM nws_e2e_keys WHERE agency_id = ?',
        agencyId,
      );
      if (!row) throw new KakehashiError('not-found', `No end-to-end key registered for ${agencyId.slice(0, 60)}.`);
      return c.json({ agencyId, registration: row.registration }, 200);
    },
  );
}

/** The mediated query, migration lists and the portal's disclosure request. */
function mediationRoutes(r: ComponentApp, p: NetworkRouteDeps): void {
  r.openapi(
    createRoute({
      method: 'post',
      path: '/jp/network/queries',
      tags: ['jp-network'],
      summary: 'Mediated query: own code, procedure, provider, items, and a request sealed to the provider',
      description: `${SIGNED} The network checks the authorisation matrix and impact assessments, translates the code, forwards only the provider's code, and relays the sealed answer. Every request leaves one network access record.`,
      request: { body: { required: true, content: { 'application/json': { schema: QueryRequestSchema } } } },
      responses: {
        200: { description: 'OK', content: { 'application/json': { schema: QueryResponseSchema } } },
        ...problemResponses(400, 401, 403, 404, 409, 415, 422, 502),
      },
    }),
    async (c) => {
      const raw = await c.req.text();
      let requester: string;
      try {
        requester = await signedBy(c, p.networkAuth);
      } catch (e) {
        recordUnauthenticated(p, raw, e);
        throw e;
      }
      const q = c.req.valid('json');
      const answer = await mediate(
        p.network,
        requester,
        q,
        (provider, req) =>
          p.transport.call<{ sealedResponse: string; providedAt: string }>(
            { id: 'network', cred: p.deps.credentials.signing },
            provider,
            'POST',
            `/jp/agencies/${provider}/intermediary/provision`,
            req,
          ),
        c.get('trace')?.traceId,
      );
      p.trace(
        'exchange mediated',
        {
          requestId: answer.requestId,
          requester,
          provider: q.provider,
          procedure: q.procedure,
          items: q.items,
          payload: '[sealed end to end]',
        },
        true,
      );
      return c.json(answer, 200);
    },
    // A malformed query is refused like any other, and leaves its network record too.
    (result, c) => (result.success ? undefined : refuseMalformedQuery(p, c)),
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/jp/network/migrations/collect',
      tags: ['jp-network'],
      summary: "Collect the calling agency's pending migration lists (sealed to it; deleted once delivered)",
      description: SIGNED,
      request: { body: { required: true, content: { 'application/json': { schema: z.object({}).strict() } } } },
      responses: {
        200: {
          description: 'OK',
          content: {
            'application/json': {
              schema: z.object({ migrations: z.array(z.object({ id: z.string(), sealed: z.string() })) }),
            },
          },
        },
        ...problemResponses(400, 401, 415),
      },
    }),
    async (c) => c.json({ migrations: collectMigrations(p.network, await signedBy(c, p.networkAuth)) }, 200),
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/jp/network/disclosure',
      tags: ['jp-network'],
      summary: "The portal asks for the network's access records about a person (by the portal's own code)",
      description: `${SIGNED} Only the portal (${PORTAL_AGENCY}); records flagged non-disclosable are withheld.`,
      request: {
        body: {
          required: true,
          content: { 'application/json': { schema: z.object({ code: z.string().min(4).max(80) }).strict() } },
        },
      },
      responses: {
        200: {
          description: 'OK',
          content: { 'application/json': { schema: z.object({ records: z.array(AccessRecordSchema) }) } },
        },
        ...problemResponses(400, 401, 403, 415),
      },
    }),
    async (c) => {
      const caller = await signedBy(c, p.networkAuth);
      if (caller !== PORTAL_AGENCY)
        throw new KakehashiError('forbidden', 'Only the portal discloses records to citizens.');
      const { linkId } = resolveCode(p.network, caller, c.req.valid('json').code);
      const records = p.network.records.bySubject(recordSubject(p.network, linkId)).filter((x) => !x.nonDisclosure);
      return c.json({ records }, 200);
    },
  );
}

/** Records a schema-invalid query (requester unknown: the schema is checked before the signature), then refuses it. */
async function refuseMalformedQuery(p: NetworkRouteDeps, c: Context): Promise<never> {
  recordUnauthenticated(
    p,
    await c.req.text(),
    new KakehashiError('validation-failed', 'The query does not match its schema.'),
  );
  throw new KakehashiError(
    'validation-failed',
    'The query does not match its schema (requestId, code, procedure, provider, items, sealedRequest).',
  );
}

/**
 * The network record of a query refused before its requester was known (bad signature or schema): the caller is
 * `unauthenticated`, and only bounded, stringified members of the body are kept.
 */
function recordUnauthenticated(p: NetworkRouteDeps, raw: string, e: unknown): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  // Any JSON may arrive (null, an array, objects whose toString is no function, arrays nested past the stack):
  // members are kept only when they are strings or numbers, never String()-ed.
  const b =
    parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  const text = (v: unknown, max: number) =>
    typeof v === 'string' ? v.slice(0, max) : typeof v === 'number' ? String(v).slice(0, max) : '';
  p.network.records.append('network', 'unauthenticated', null, {
    requestId: typeof b.requestId === 'string' ? b.requestId.slice(0, 60) : 'none',
    requester: { id: 'unauthenticated', name: 'unauthenticated caller' },
    provider: { id: text(b.provider, 60), name: text(b.provider, 60) },
    procedure: { id: text(b.procedure, 80), name: text(b.procedure, 80) },
    items: Array.isArray(b.items) ? b.items.slice(0, 20).map((i) => text(i, 80)) : [],
    requestedAt: p.deps.clock.now().toISOString(),
    providedAt: null,
    outcome: 'refused',
    refusal: {
      code: e instanceof KakehashiError ? e.code : 'internal-error',
      reason: e instanceof Error ? e.message : 'refused',
    },
    nonDisclosure: false,
  });
}
