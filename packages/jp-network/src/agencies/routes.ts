import { createRoute, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule, KakehashiError, problemResponses } from '@kakehashi/core';
import type { CooperationNetworkParts } from '../network-parts.ts';
import '../error-codes.ts';
import { PartialFactsSchema } from '../registry/four-facts.ts';
import {
  ADMIN_SECURITY,
  AgencyParam,
  AnyJson,
  CardAnswerSchema,
  CardChallengeSchema,
  okJson,
  partyOf,
  SIGNED,
  SubjectRowSchema,
  serverOf,
  signedBy,
} from '../route-support.ts';
import type { IntermediaryServer, ProvisionRequest } from './intermediary-server.ts';
import type { Kiosk } from './kiosk.ts';

/**
 * What the network forwards to a provider (ProvisionRequest). The server checks it against the sealed request
 * after the signature, so the route takes any JSON object; the document gives its members.
 */
const { $schema: _dialect, ...PROVISION_REQUEST } = z.toJSONSchema(
  z.object({
    requestId: z.string(),
    code: z.string().meta({ description: "The provider's own code for the person" }),
    requester: z.object({ id: z.string(), name: z.string() }),
    procedure: z.object({ id: z.string(), name: z.string(), nameLocal: z.string().optional() }),
    legalBasis: z.string(),
    ruleId: z.string(),
    items: z.array(z.string()),
    sealedRequest: z.string().meta({ description: "The requester's request, sealed to the provider's key" }),
    requestedAt: z.string(),
    nonDisclosure: z.boolean(),
  }),
);
const ProvisionRequestDoc = AnyJson.openapi('JpProvisionRequest', PROVISION_REQUEST as never);

/** The outcome of a clerk's query: the items provided (opened end to end), or the refusal. */
const QueryResultSchema = z
  .object({
    requestId: z.string(),
    outcome: z.enum(['provided', 'refused']),
    data: z.record(z.string(), z.unknown()).optional().openapi({ description: 'The items provided, by name' }),
    refusal: z.object({ code: z.string(), reason: z.string() }).optional(),
  })
  .openapi('JpQueryResult');

/** A resident record certificate as the kiosk prints it. */
const ResidentCertificateSchema = z
  .object({
    kind: z.literal('resident-record-certificate'),
    certificateNumber: z.string(),
    issuer: z.string(),
    name: z.string(),
    dateOfBirth: z.string(),
    gender: z.string(),
    address: z.string(),
    issuedAt: z.string(),
  })
  .openapi('JpResidentCertificate');

/** What the agencies' routes need. */
export type AgencyRouteDeps = Pick<CooperationNetworkParts, 'servers' | 'parties' | 'kiosk' | 'ready'>;

/**
 * The agencies' intermediary servers (情報提供ネットワーク中間サーバー): the provider side of an exchange and the
 * network's notifications (signed by the network system), the staff terminal (admin), and the municipality's
 * kiosk. Each server holds only its own codes, in its own store. TEST ONLY.
 */
export function agencyRoutes(p: AgencyRouteDeps): ComponentApp {
  const r = createRouteModule();
  intermediaryRoutes(r, p);
  staffTerminalRoutes(r, p);
  const municipality = p.kiosk ? [...p.servers.values()].find((s) => s.agency.kind === 'municipality') : undefined;
  if (p.kiosk && municipality) kioskRoutes(r, p, p.kiosk, municipality);
  return r;
}

/** What the network system asks of an intermediary server. */
function intermediaryRoutes(r: ComponentApp, p: AgencyRouteDeps): void {
  r.openapi(
    createRoute({
      method: 'post',
      path: '/jp/agencies/{agencyId}/intermediary/provision',
      tags: ['jp-agencies'],
      summary: "The network asks the provider's intermediary server for items (with the provider's own code)",
      description: `${SIGNED} (by the network system).`,
      request: {
        params: AgencyParam,
        body: { required: true, content: { 'application/json': { schema: ProvisionRequestDoc } } },
      },
      responses: {
        200: {
          description: 'OK',
          content: {
            'application/json': { schema: z.object({ sealedResponse: z.string(), providedAt: z.string() }) },
          },
        },
        ...problemResponses(400, 401, 404, 415, 422),
      },
    }),
    async (c) => {
      const server = serverOf(p.servers, c.req.valid('param').agencyId);
      const caller = await signedBy(c, server.authenticator);
      if (caller !== 'network')
        throw new KakehashiError('forbidden', 'Only the network system asks intermediary servers.');
      // The provision request is checked member by member by the server (it must match the sealed request).
      return c.json(await server.provide(c.req.valid('json') as unknown as ProvisionRequest), 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/jp/agencies/{agencyId}/intermediary/notifications',
      tags: ['jp-agencies'],
      summary: 'The network notifies an intermediary server (migration list ready after a key rotation)',
      description: `${SIGNED} (by the network system).`,
      request: {
        params: AgencyParam,
        body: {
          required: true,
          content: { 'application/json': { schema: z.object({ type: z.literal('migration-ready') }).strict() } },
        },
      },
      responses: {
        200: { description: 'OK', content: { 'application/json': { schema: z.object({ applied: z.number() }) } } },
        ...problemResponses(400, 401, 404, 415),
      },
    }),
    async (c) => {
      const party = partyOf(p.parties, c.req.valid('param').agencyId);
      const caller = await signedBy(c, party.authenticator);
      if (caller !== 'network')
        throw new KakehashiError('forbidden', 'Only the network system notifies intermediary servers.');
      return c.json({ applied: await party.applyMigrations() }, 200);
    },
  );
}

/** The agency clerk's terminal: a query through the network, the agency's own table (add and link, list). */
function staffTerminalRoutes(r: ComponentApp, p: AgencyRouteDeps): void {
  r.openapi(
    createRoute({
      method: 'post',
      path: '/admin/jp/agencies/{agencyId}/queries',
      tags: ['jp-agencies', 'admin'],
      summary: "An agency clerk's request through the network (the intermediary server signs, seals and records)",
      security: ADMIN_SECURITY,
      request: {
        params: AgencyParam,
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z
                .object({
                  internalId: z.string().min(1).max(60),
                  procedure: z.string().min(1).max(80),
                  provider: z.string().min(1).max(80),
                  items: z.array(z.string().min(1).max(80)).min(1).max(20),
                  purpose: z.string().max(200).optional(),
                  nonDisclosure: z.boolean().optional(),
                })
                .strict(),
            },
          },
        },
      },
      responses: { ...okJson(QueryResultSchema), ...problemResponses(400, 401, 404, 415) },
    }),
    async (c) => {
      await p.ready();
      const server = serverOf(p.servers, c.req.valid('param').agencyId);
      return c.json(await server.query(c.req.valid('json')), 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/admin/jp/agencies/{agencyId}/subjects',
      tags: ['jp-agencies', 'admin'],
      summary: "Add a record to an agency's own table and link it through J-LIS (strict four facts)",
      security: ADMIN_SECURITY,
      request: {
        params: AgencyParam,
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z
                .object({
                  internalId: z.string().regex(/^[A-Z0-9-]{3,40}$/),
                  facts: PartialFactsSchema,
                  data: AnyJson.optional(),
                })
                .strict(),
            },
          },
        },
      },
      responses: {
        ...okJson(z.object({ internalId: z.string(), linked: z.literal(true) }), 'Added and linked'),
        ...problemResponses(400, 401, 404, 409, 415, 422),
      },
    }),
    async (c) => {
      await p.ready();
      const server = serverOf(p.servers, c.req.valid('param').agencyId);
      const b = c.req.valid('json');
      if (server.subject(b.internalId)) throw new KakehashiError('conflict', `${b.internalId} exists already.`);
      server.addSubject(b.internalId, b.facts, b.data ?? {});
      try {
        await server.link(b.internalId);
      } catch (e) {
        // Linking failed (no strict four-fact match at J-LIS): the record is not kept half-linked.
        server.store.run('DELETE FROM ag_data WHERE internal_id = ?', b.internalId);
        server.store.run('DELETE FROM ag_subjects WHERE internal_id = ?', b.internalId);
        throw e;
      }
      return c.json({ internalId: b.internalId, linked: true as const }, 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/admin/jp/agencies/{agencyId}/subjects',
      tags: ['jp-agencies', 'admin'],
      summary: "An agency's own table (internal ids, its codes, the facts it holds) — staff view",
      security: ADMIN_SECURITY,
      request: { params: AgencyParam },
      responses: {
        ...okJson(z.object({ agencyId: z.string(), subjects: z.array(SubjectRowSchema) })),
        ...problemResponses(401, 404),
      },
    }),
    async (c) => {
      await p.ready();
      const party = partyOf(p.parties, c.req.valid('param').agencyId);
      return c.json({ agencyId: party.agency.id, subjects: party.subjects() }, 200);
    },
  );
}

/** The municipality's convenience-store kiosk (resident record certificates for the card holder). */
function kioskRoutes(r: ComponentApp, p: AgencyRouteDeps, kiosk: Kiosk, municipality: IntermediaryServer): void {
  r.openapi(
    createRoute({
      method: 'post',
      path: `/jp/agencies/${municipality.agency.id}/kiosk/challenge`,
      tags: ['jp-agencies'],
      summary: 'Kiosk (convenience-store printer): a challenge for the card',
      request: { body: { required: true, content: { 'application/json': { schema: z.object({}).strict() } } } },
      responses: { ...okJson(CardChallengeSchema), ...problemResponses(400, 415) },
    }),
    async (c) => {
      await p.ready();
      return c.json(kiosk.challenge(), 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: `/jp/agencies/${municipality.agency.id}/kiosk/certificates`,
      tags: ['jp-agencies'],
      summary: 'Kiosk: print the resident record certificate of the card holder',
      request: { body: { required: true, content: { 'application/json': { schema: CardAnswerSchema.strict() } } } },
      responses: { ...okJson(ResidentCertificateSchema), ...problemResponses(400, 401, 404, 409, 415) },
    }),
    async (c) => {
      await p.ready();
      const b = c.req.valid('json');
      return c.json(await kiosk.issue(b.challengeId, b), 200);
    },
  );
}
