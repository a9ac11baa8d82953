import { hkdfSync, X509Certificate } from 'node:crypto';
import { dirname } from 'node:path';
import { createRoute, z } from '@hono/zod-openapi';
import {
  type ComponentApp,
  currentTrace,
  KakehashiError,
  openStore,
  problemResponses,
  recordHop,
  type Store,
} from '@kakehashi/core';
import type { Context } from 'hono';
import { type AgencyParty, verifyE2eRegistration } from './agencies/agency-party.ts';
import { IntermediaryServer, type ProvisionRequest } from './agencies/intermediary-server.ts';
import { Kiosk } from './agencies/kiosk.ts';
import { signChallengeWithCard } from './crypto/card-auth.ts';
import { RequestAuthenticator, SIGNATURE_HEADER } from './crypto/request-auth.ts';
import { e2eKeyPairFrom, open, seal } from './crypto/seal.ts';
import { KeyCustodian } from './custodian/key-custodian.ts';
import type { CooperationNetworkDeps, JpCredential } from './deps.ts';
import { JP_FAULTS, JpFaults } from './faults/faults.ts';
import { resolveCode, revokeCode } from './network/code-index.ts';
import { NETWORK_MIGRATIONS, type NetworkContext } from './network/context.ts';
import { createAcquisitionNumber, issueCode } from './network/issuance.ts';
import { loadMatrix, MatrixFileSchema } from './network/matrix.ts';
import {
  impactAssessmentOf,
  mediate,
  QueryRequestSchema,
  QueryResponseSchema,
  recordSubject,
} from './network/mediation.ts';
import { collectMigrations, DEFAULT_GRACE_MS, rotateAgencyKey, rotateMasterKey } from './network/rotation.ts';
import { Portal } from './portal/portal.ts';
import { renderPortalPage } from './portal/render-portal-page.ts';
import { AccessRecordSchema, AccessRecords } from './records/access-records.ts';
import { FourFactsSchema, PartialFactsSchema } from './registry/four-facts.ts';
import { JlisRegistry } from './registry/jlis-registry.ts';
import { createTransport } from './transport.ts';
import { createXborderIdentifiers, type XborderIdentifiers } from './xborder/xborder-identifiers.ts';

/** Agency kinds that run an intermediary server holding data copies. */
const PROVIDER_KINDS = new Set(['municipality', 'pension', 'tax', 'health-insurer']);
export const PORTAL_AGENCY = 'digital-agency';
export const JLIS_AGENCY = 'j-lis';

/** Everything the Cooperation Network is made of, for the node and for tests. */
export interface CooperationNetwork {
  faults: JpFaults;
  custodian: KeyCustodian;
  registry: JlisRegistry;
  network: NetworkContext;
  servers: ReadonlyMap<string, IntermediaryServer>;
  portal: Portal;
  kiosk: Kiosk | undefined;
  /** Every store, by component name (`custodian`, `jlis`, `network`, `agency-<id>`). */
  stores: Record<string, Store>;
  xborderIdentifiers: XborderIdentifiers;
  /** Seeds the agencies' data copies and links them through the network (once; the routes call it lazily). */
  ready(): Promise<void>;
  /** Back to the seeded state: every JP table emptied, faults off, then re-seeded on next use. */
  reset(): void;
  close(): void;
}

const CardResponseSchema = z.object({
  certificate: z.string().min(50).max(20_000),
  chain: z.array(z.string().max(20_000)).max(4).default([]),
  signature: z.string().min(16).max(2_000),
});
const AgencyParam = z.object({
  agencyId: z
    .string()
    .regex(/^[a-z0-9-]{1,60}$/)
    .openapi({ param: { name: 'agencyId', in: 'path' } }),
});
const Any = z.record(z.string(), z.unknown());

interface RouteSpec {
  method: 'get' | 'post' | 'put';
  path: string;
  tags: string[];
  summary: string;
  description?: string;
  body?: z.ZodType;
  params?: z.ZodObject;
  query?: z.ZodObject;
  response?: z.ZodType;
  produces?: string;
  admin?: boolean;
  problems: number[];
}

/**
 * Mounts Japan's Cooperation Network on Japan's node: the key custodian, J-LIS (resident registry, My Number,
 * card ↔ resident), the network system (acquisition-number issuance, code index, translation, the authorisation
 * matrix, mediation, per-agency key rotation), the agencies' intermediary servers (each with its own store),
 * the hash-chained access records, the Mynaportal-like citizen portal, the kiosk, and the incident faults.
 * Every route is in the node's OpenAPI document. TEST ONLY.
 * @see ../../../shared/design/jp-cooperation-network.md
 */
export function mountCooperationNetwork(app: ComponentApp, deps: CooperationNetworkDeps): CooperationNetwork {
  const stores: Record<string, Store> = {};
  const openOne = (name: string): Store => {
    const s =
      deps.openStore?.(name) ??
      openStore({
        name: `${deps.store.name}-${name}`,
        dataDir: deps.store.location === ':memory:' ? ':memory:' : dirname(deps.store.location),
      });
    stores[name] = s;
    return s;
  };
  const cred = (id: string): JpCredential => {
    const c = deps.credentials.agencies[id];
    if (!c) throw new KakehashiError('config-invalid', `Japan's node has no certificate for agency ${id}.`);
    return c;
  };
  const faults = new JpFaults();
  const matrix = loadMatrix();
  const agencies = new Map(deps.agencies.map((a) => [a.id, a]));
  const directory: Record<string, string> = { network: deps.credentials.signing.certPem };
  for (const a of deps.agencies) if (deps.credentials.agencies[a.id]) directory[a.id] = cred(a.id).certPem;
  const transport = createTransport(deps);

  const custodian = new KeyCustodian(deps.seed, openOne('custodian'), deps.clock);
  const registry = new JlisRegistry({ store: openOne('jlis'), clock: deps.clock, seed: deps.seed, faults });
  registry.enrolPersonas(deps.personas);
  const networkStore = openOne('network');
  networkStore.migrate(NETWORK_MIGRATIONS);
  const network: NetworkContext = {
    store: networkStore,
    clock: deps.clock,
    custodian,
    faults,
    matrix,
    agencies,
    records: new AccessRecords(networkStore, deps.clock, 'nws_access_records'),
  };
  const networkE2e = e2eKeyPairFrom(
    Buffer.from(hkdfSync('sha256', Buffer.from(deps.seed), 'kakehashi/jp-network/e2e', 'network', 32)),
  );
  const partyIds = deps.agencies.map((a) => a.id).filter((id) => directory[id]);
  const networkAuth = new RequestAuthenticator({
    store: networkStore,
    owner: 'network',
    clock: deps.clock,
    trust: deps.trust,
    directory: Object.fromEntries(partyIds.map((id) => [id, directory[id] as string])),
    audience: 'jp-network',
  });
  const jlisAuth = new RequestAuthenticator({
    store: registry.store,
    owner: 'jlis',
    clock: deps.clock,
    trust: deps.trust,
    directory: Object.fromEntries(
      partyIds.filter((id) => id !== JLIS_AGENCY).map((id) => [id, directory[id] as string]),
    ),
    audience: 'jp-jlis',
  });

  const partyDeps = (id: string) => ({
    store: openOne(`agency-${id}`),
    clock: deps.clock,
    seed: deps.seed,
    trust: deps.trust,
    transport,
    directory,
  });
  const servers = new Map<string, IntermediaryServer>();
  for (const a of deps.agencies)
    if (PROVIDER_KINDS.has(a.kind) && directory[a.id])
      servers.set(a.id, new IntermediaryServer(a, cred(a.id), partyDeps(a.id)));
  const portalAgency = agencies.get(PORTAL_AGENCY);
  if (!portalAgency)
    throw new KakehashiError(
      'config-invalid',
      `Japan's profile needs the ${PORTAL_AGENCY} agency (it runs the portal).`,
    );
  const portal = new Portal(portalAgency, cred(PORTAL_AGENCY), {
    ...partyDeps(PORTAL_AGENCY),
    faults,
    matrix,
    jpkiCa: deps.credentials.jpkiCa,
  });
  const municipality = [...servers.values()].find((s) => s.agency.kind === 'municipality');
  const kiosk = municipality
    ? new Kiosk(municipality, { clock: deps.clock, trust: deps.trust, faults, jpkiCa: deps.credentials.jpkiCa })
    : undefined;
  const parties = new Map<string, AgencyParty>([...servers.entries(), [PORTAL_AGENCY, portal] as const]);

  let seeding: Promise<void> | undefined;
  const ready = () => {
    seeding ??= (async () => {
      for (const p of parties.values()) await p.registerE2eKey();
      for (const s of servers.values()) {
        s.seedFromPersonas(deps.personas);
        await s.linkAll();
      }
    })().catch((e) => {
      seeding = undefined;
      throw e;
    });
    return seeding;
  };
  const reset = () => {
    faults.clear();
    for (const s of Object.values(stores)) {
      const tables = s.all<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_migrations'",
      );
      s.transaction(() => {
        for (const t of tables) s.exec(`DELETE FROM "${t.name}"`);
      });
    }
    custodian.ensureKeys();
    registry.enrolPersonas(deps.personas);
    seeding = undefined;
  };

  const xborderIdentifiers = createXborderIdentifiers(registry, custodian);
  const trace = (operation: string, artefact: unknown, valid: boolean) => {
    recordHop(deps.traces, deps.clock, currentTrace(), {
      component: 'node',
      country: 'JP',
      operation: `jp-network: ${operation}`,
      direction: 'internal',
      artefact,
      verdict: { valid },
    });
  };

  // ---------------------------------------------------------------------------------------------------------
  const route = (
    spec: RouteSpec,
    handler: (c: Context) => Promise<Response> | Response,
    hook?: (r: { success: boolean }, c: Context) => Promise<unknown> | unknown,
  ) => {
    const request: Record<string, unknown> = {};
    if (spec.body) request.body = { required: true, content: { 'application/json': { schema: spec.body } } };
    if (spec.params) request.params = spec.params;
    if (spec.query) request.query = spec.query;
    const def = createRoute({
      method: spec.method,
      path: spec.path,
      tags: spec.tags,
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      ...(spec.admin ? { security: [{ adminToken: [] }] } : {}),
      request: request as never,
      responses: {
        200: {
          description: 'OK',
          content: { [spec.produces ?? 'application/json']: { schema: spec.response ?? Any } },
        },
        ...problemResponses(...spec.problems),
      },
    });
    (app.openapi as (...a: unknown[]) => unknown)(def, handler, hook);
  };
  const jsonBody = <T>(c: Context): T => (c.req as unknown as { valid(t: 'json'): T }).valid('json');
  const signedBy = async (c: Context, auth: RequestAuthenticator) =>
    auth.authenticate({
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      body: ['GET', 'HEAD'].includes(c.req.method) ? '' : await c.req.text(),
      signature: c.req.header(SIGNATURE_HEADER),
    });
  const bearer = (c: Context) => {
    const h = c.req.header('authorization') ?? '';
    return h.startsWith('Bearer ') ? h.slice(7) : undefined;
  };
  const serverOf = (id: string) => {
    const s = servers.get(id);
    if (!s)
      throw new KakehashiError(
        'not-found',
        `No intermediary server for agency "${id.slice(0, 60)}"; GET /agencies lists Japan's agencies.`,
      );
    return s;
  };
  const partyOf = (id: string) => {
    const p = parties.get(id);
    if (!p) throw new KakehashiError('not-found', `No Cooperation Network party "${id.slice(0, 60)}".`);
    return p;
  };
  const signed =
    'Signed request: header `x-jp-signature` carries a JWS (RS256, x5c) by the calling party, bound to method, path, body hash and audience.';

  // ---- network system --------------------------------------------------------------------------------------
  route(
    {
      method: 'get',
      path: '/jp/network/matrix',
      tags: ['jp-network'],
      summary: 'The authorisation matrix (rules, items, impact assessments)',
      response: MatrixFileSchema as never,
      problems: [],
    },
    (c) => c.json(matrix),
  );
  route(
    {
      method: 'post',
      path: '/jp/network/acquisition-numbers',
      tags: ['jp-network'],
      summary: 'Acquisition-number flow, step 1: a one-time number for the calling agency (art. 21-2)',
      description: signed,
      body: z.object({}).strict(),
      response: z.object({ acquisitionNumber: z.string(), expiresAt: z.string() }),
      problems: [400, 401, 415],
    },
    async (c) => {
      const agencyId = await signedBy(c, networkAuth);
      return c.json(createAcquisitionNumber(network, agencyId));
    },
  );
  route(
    {
      method: 'post',
      path: '/jp/network/issuance',
      tags: ['jp-network'],
      summary: 'Acquisition-number flow, step 3 (J-LIS only): the code, sealed to the agency',
      description: `${signed} The resident record code arrives sealed to the network and is dropped after the link id is computed.`,
      body: z
        .object({
          agencyId: z.string().max(60),
          acquisitionNumber: z.string().max(100),
          sealedResidentRecordCode: z.string().max(2000),
        })
        .strict(),
      response: z.object({ sealedCode: z.string() }),
      problems: [400, 401, 403, 415, 422],
    },
    async (c) => {
      const caller = await signedBy(c, networkAuth);
      if (caller !== JLIS_AGENCY) throw new KakehashiError('forbidden', 'Only J-LIS forwards acquisition numbers.');
      const b = jsonBody<{ agencyId: string; acquisitionNumber: string; sealedResidentRecordCode: string }>(c);
      const party = await partyKey(b.agencyId);
      const rrc = open(b.sealedResidentRecordCode, networkE2e, `issuance/${b.acquisitionNumber}`);
      const code = issueCode(network, b.agencyId, b.acquisitionNumber, rrc);
      trace(
        'code issued',
        { agencyId: b.agencyId, acquisitionNumber: '[used and purged]', code: '[sealed to the agency]' },
        true,
      );
      return c.json({ sealedCode: seal(JSON.stringify({ code }), party, `code/${b.agencyId}/${b.acquisitionNumber}`) });
    },
  );
  const partyKey = async (agencyId: string) => {
    const row = networkStore.get<{ registration: string }>(
      'SELECT registration FROM nws_e2e_keys WHERE agency_id = ?',
      agencyId,
    );
    if (!row) throw new KakehashiError('conflict', `${agencyId.slice(0, 60)} has registered no end-to-end key yet.`);
    return verifyE2eRegistration(row.registration, agencyId, { directory, trust: deps.trust, clock: deps.clock });
  };
  route(
    {
      method: 'put',
      path: '/jp/network/agencies/{agencyId}/e2e-key',
      tags: ['jp-network'],
      summary: "Register an intermediary server's end-to-end key (a JWS by the agency certificate)",
      description: signed,
      params: AgencyParam,
      body: z.object({ registration: z.string().max(20_000) }).strict(),
      response: z.object({ agencyId: z.string(), registered: z.literal(true) }),
      problems: [400, 401, 403, 415, 422],
    },
    async (c) => {
      const caller = await signedBy(c, networkAuth);
      const agencyId = c.req.param('agencyId') as string;
      if (caller !== agencyId) throw new KakehashiError('forbidden', 'An agency registers only its own key.');
      const { registration } = jsonBody<{ registration: string }>(c);
      const publicKey = verifyE2eRegistration(registration, agencyId, {
        directory,
        trust: deps.trust,
        clock: deps.clock,
      });
      networkStore.run(
        'INSERT OR REPLACE INTO nws_e2e_keys (agency_id, registration, public_key, registered_at) VALUES (?,?,?,?)',
        agencyId,
        registration,
        publicKey,
        deps.clock.now().toISOString(),
      );
      return c.json({ agencyId, registered: true as const });
    },
  );
  route(
    {
      method: 'get',
      path: '/jp/network/agencies/{agencyId}/e2e-key',
      tags: ['jp-network'],
      summary: "An agency's end-to-end key registration (verify it against that agency's certificate)",
      params: AgencyParam,
      response: z.object({ agencyId: z.string(), registration: z.string() }),
      problems: [404],
    },
    (c) => {
      const agencyId = c.req.param('agencyId') as string;
      const row = networkStore.get<{ registration: string }>(
        'SELECT registration FROM nws_e2e_keys WHERE agency_id = ?',
        agencyId,
      );
      if (!row) throw new KakehashiError('not-found', `No end-to-end key registered for ${agencyId.slice(0, 60)}.`);
      return c.json({ agencyId, registration: row.registration });
    },
  );
  route(
    {
      method: 'post',
      path: '/jp/network/queries',
      tags: ['jp-network'],
      summary: 'Mediated query: own code, procedure, provider, items, and a request sealed to the provider',
      description: `${signed} The network checks the authorisation matrix and impact assessments, translates the code, forwards only the provider's code, and relays the sealed answer. Every request leaves one network access record.`,
      body: QueryRequestSchema,
      response: QueryResponseSchema,
      problems: [400, 401, 403, 404, 409, 415, 422, 502],
    },
    async (c) => {
      const raw = await c.req.text();
      let requester: string;
      try {
        requester = await signedBy(c, networkAuth);
      } catch (e) {
        recordUnauthenticated(raw, e);
        throw e;
      }
      const q = jsonBody<z.infer<typeof QueryRequestSchema>>(c);
      const answer = await mediate(
        network,
        requester,
        q,
        (provider, req) =>
          transport.call<{ sealedResponse: string; providedAt: string }>(
            { id: 'network', cred: deps.credentials.signing },
            provider,
            'POST',
            `/jp/agencies/${provider}/intermediary/provision`,
            req,
          ),
        c.get('trace')?.traceId,
      );
      trace(
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
      return c.json(answer);
    },
    async (result, c) => {
      if (result.success) return undefined;
      // A malformed query is refused like any other, and leaves its network record too.
      recordUnauthenticated(
        await c.req.text(),
        new KakehashiError('validation-failed', 'The query does not match its schema.'),
      );
      throw new KakehashiError(
        'validation-failed',
        'The query does not match its schema (requestId, code, procedure, provider, items, sealedRequest).',
      );
    },
  );
  const recordUnauthenticated = (raw: string, e: unknown) => {
    let b: Record<string, unknown> = {};
    try {
      b = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      b = {};
    }
    network.records.append('network', 'unauthenticated', null, {
      requestId: typeof b.requestId === 'string' ? b.requestId.slice(0, 60) : 'none',
      requester: { id: 'unauthenticated', name: 'unauthenticated caller' },
      provider: { id: String(b.provider ?? '').slice(0, 60), name: String(b.provider ?? '').slice(0, 60) },
      procedure: { id: String(b.procedure ?? '').slice(0, 80), name: String(b.procedure ?? '').slice(0, 80) },
      items: Array.isArray(b.items) ? b.items.map((i) => String(i).slice(0, 80)).slice(0, 20) : [],
      requestedAt: deps.clock.now().toISOString(),
      providedAt: null,
      outcome: 'refused',
      refusal: {
        code: e instanceof KakehashiError ? e.code : 'internal-error',
        reason: e instanceof Error ? e.message : 'refused',
      },
      nonDisclosure: false,
    });
  };

  route(
    {
      method: 'post',
      path: '/jp/network/migrations/collect',
      tags: ['jp-network'],
      summary: "Collect the calling agency's pending migration lists (sealed to it; deleted once delivered)",
      description: signed,
      body: z.object({}).strict(),
      response: z.object({ migrations: z.array(z.object({ id: z.string(), sealed: z.string() })) }),
      problems: [400, 401, 415],
    },
    async (c) => c.json({ migrations: collectMigrations(network, await signedBy(c, networkAuth)) }),
  );
  route(
    {
      method: 'post',
      path: '/jp/network/disclosure',
      tags: ['jp-network'],
      summary: "The portal asks for the network's access records about a person (by the portal's own code)",
      description: `${signed} Only the portal (${PORTAL_AGENCY}); records flagged non-disclosable are withheld.`,
      body: z.object({ code: z.string().min(4).max(80) }).strict(),
      response: z.object({ records: z.array(AccessRecordSchema) }),
      problems: [400, 401, 403, 415],
    },
    async (c) => {
      const caller = await signedBy(c, networkAuth);
      if (caller !== PORTAL_AGENCY)
        throw new KakehashiError('forbidden', 'Only the portal discloses records to citizens.');
      const { linkId } = resolveCode(network, caller, jsonBody<{ code: string }>(c).code);
      const records = network.records.bySubject(recordSubject(network, linkId)).filter((r) => !r.nonDisclosure);
      return c.json({ records });
    },
  );

  // ---- J-LIS -------------------------------------------------------------------------------------------------
  route(
    {
      method: 'post',
      path: '/jp/jlis/code-requests',
      tags: ['jp-jlis'],
      summary:
        'Acquisition-number flow, step 2: J-LIS resolves the person (strict four facts, or the card) and forwards',
      description: `${signed} J-LIS adds the resident record code (sealed to the network) and relays the sealed code back; it never sees the code.`,
      body: z
        .object({
          acquisitionNumber: z.string().min(8).max(100),
          fourFacts: PartialFactsSchema.optional(),
          cardCertificate: z
            .object({
              certificate: z.string().min(50).max(20_000),
              chain: z.array(z.string().max(20_000)).max(4).default([]),
            })
            .optional(),
        })
        .strict()
        .refine(
          (b) => (b.fourFacts === undefined) !== (b.cardCertificate === undefined),
          'send exactly one of fourFacts or cardCertificate',
        ),
      response: z.object({ sealedCode: z.string() }),
      problems: [400, 401, 409, 415, 422],
    },
    async (c) => {
      const agencyId = await signedBy(c, jlisAuth);
      const b = jsonBody<{
        acquisitionNumber: string;
        fourFacts?: z.infer<typeof PartialFactsSchema>;
        cardCertificate?: { certificate: string; chain: string[] };
      }>(c);
      let rrc: string | undefined;
      if (b.fourFacts) rrc = registry.matchFourFacts(b.fourFacts);
      else if (b.cardCertificate) {
        const { serialHex } = verifyCardCertificate(b.cardCertificate);
        rrc = registry.residentRecordCodeOfCard(
          serialHex,
          deps.cards ? (id) => deps.cards?.(id).certificates.authentication as { serialHex: string } : undefined,
        );
        if (!rrc) throw new KakehashiError('jp-card-auth-failed', 'J-LIS knows no resident holding this card.');
      }
      const res = await transport.call<{ sealedCode: string }>(
        { id: JLIS_AGENCY, cred: cred(JLIS_AGENCY) },
        'network',
        'POST',
        '/jp/network/issuance',
        {
          agencyId,
          acquisitionNumber: b.acquisitionNumber,
          sealedResidentRecordCode: seal(rrc as string, networkE2e.publicKey, `issuance/${b.acquisitionNumber}`),
        },
      );
      return c.json(res);
    },
  );
  const verifyCardCertificate = (card: { certificate: string; chain: string[] }) => {
    // Identification by certificate (the agency already checked card presence); validity and issuer are checked here.
    let serial = '';
    try {
      const x = new X509Certificate(card.certificate);
      serial = x.serialNumber.toLowerCase().replace(/^(00)+/, '');
      if (deps.credentials.jpkiCa && !x.checkIssued(new X509Certificate(deps.credentials.jpkiCa.certPem)))
        throw new Error('not issued by the JPKI CA');
    } catch (e) {
      throw new KakehashiError(
        'jp-card-auth-failed',
        `The card certificate is not acceptable: ${e instanceof Error ? e.message : 'unparseable'}.`,
      );
    }
    const v = deps.trust.validateCertificate(card.certificate, card.chain, {
      at: deps.clock.now(),
      usage: ['digitalSignature'],
    });
    if (!v.valid)
      throw new KakehashiError('jp-card-auth-failed', `The card certificate does not validate (${v.failure?.code}).`);
    return { serialHex: serial };
  };
  route(
    {
      method: 'post',
      path: '/admin/jp/jlis/residents',
      tags: ['jp-jlis', 'admin'],
      summary: 'Enrol a resident (municipality + J-LIS): a resident record code and a new My Number',
      admin: true,
      body: z.object({ fourFacts: FourFactsSchema }).strict(),
      response: z.object({ enrolled: z.literal(true), myNumber: z.string(), residents: z.number() }),
      problems: [400, 401, 415],
    },
    (c) => {
      const r = registry.enrol(jsonBody<{ fourFacts: z.infer<typeof FourFactsSchema> }>(c).fourFacts);
      // The citizen is notified of their My Number (TEST ONLY: synthetic); the resident record code stays in the register.
      return c.json({ enrolled: true as const, myNumber: r.myNumber, residents: registry.count() });
    },
  );

  // ---- intermediary servers ---------------------------------------------------------------------------------
  route(
    {
      method: 'post',
      path: '/jp/agencies/{agencyId}/intermediary/provision',
      tags: ['jp-agencies'],
      summary: "The network asks the provider's intermediary server for items (with the provider's own code)",
      description: `${signed} (by the network system).`,
      params: AgencyParam,
      body: Any,
      response: z.object({ sealedResponse: z.string(), providedAt: z.string() }),
      problems: [400, 401, 404, 415, 422],
    },
    async (c) => {
      const server = serverOf(c.req.param('agencyId') as string);
      const caller = await signedBy(c, server.authenticator);
      if (caller !== 'network')
        throw new KakehashiError('forbidden', 'Only the network system asks intermediary servers.');
      return c.json(await server.provide(jsonBody<ProvisionRequest>(c)));
    },
  );
  route(
    {
      method: 'post',
      path: '/jp/agencies/{agencyId}/intermediary/notifications',
      tags: ['jp-agencies'],
      summary: 'The network notifies an intermediary server (migration list ready after a key rotation)',
      description: `${signed} (by the network system).`,
      params: AgencyParam,
      body: z.object({ type: z.literal('migration-ready') }).strict(),
      response: z.object({ applied: z.number() }),
      problems: [400, 401, 404, 415],
    },
    async (c) => {
      const party = partyOf(c.req.param('agencyId') as string);
      const caller = await signedBy(c, party.authenticator);
      if (caller !== 'network')
        throw new KakehashiError('forbidden', 'Only the network system notifies intermediary servers.');
      return c.json({ applied: await party.applyMigrations() });
    },
  );
  route(
    {
      method: 'post',
      path: '/admin/jp/agencies/{agencyId}/queries',
      tags: ['jp-agencies', 'admin'],
      summary: "An agency clerk's request through the network (the intermediary server signs, seals and records)",
      admin: true,
      params: AgencyParam,
      body: z
        .object({
          internalId: z.string().min(1).max(60),
          procedure: z.string().min(1).max(80),
          provider: z.string().min(1).max(80),
          items: z.array(z.string().min(1).max(80)).min(1).max(20),
          purpose: z.string().max(200).optional(),
          nonDisclosure: z.boolean().optional(),
        })
        .strict(),
      problems: [400, 401, 404, 415],
    },
    async (c) => {
      await ready();
      const server = serverOf(c.req.param('agencyId') as string);
      return c.json(await server.query(jsonBody(c)));
    },
  );
  route(
    {
      method: 'post',
      path: '/admin/jp/agencies/{agencyId}/subjects',
      tags: ['jp-agencies', 'admin'],
      summary: "Add a record to an agency's own table and link it through J-LIS (strict four facts)",
      admin: true,
      params: AgencyParam,
      body: z
        .object({ internalId: z.string().regex(/^[A-Z0-9-]{3,40}$/), facts: PartialFactsSchema, data: Any.optional() })
        .strict(),
      problems: [400, 401, 404, 409, 415, 422],
    },
    async (c) => {
      await ready();
      const server = serverOf(c.req.param('agencyId') as string);
      const b = jsonBody<{
        internalId: string;
        facts: z.infer<typeof PartialFactsSchema>;
        data?: Record<string, unknown>;
      }>(c);
      if (server.subject(b.internalId)) throw new KakehashiError('conflict', `${b.internalId} exists already.`);
      server.addSubject(b.internalId, b.facts, b.data ?? {});
      try {
        await server.link(b.internalId);
      } catch (e) {
        server.store.run('DELETE FROM ag_data WHERE internal_id = ?', b.internalId);
        server.store.run('DELETE FROM ag_subjects WHERE internal_id = ?', b.internalId);
        throw e;
      }
      return c.json({ internalId: b.internalId, linked: true });
    },
  );
  route(
    {
      method: 'get',
      path: '/admin/jp/agencies/{agencyId}/subjects',
      tags: ['jp-agencies', 'admin'],
      summary: "An agency's own table (internal ids, its codes, the facts it holds) — staff view",
      admin: true,
      params: AgencyParam,
      problems: [401, 404],
    },
    async (c) => {
      await ready();
      const party = partyOf(c.req.param('agencyId') as string);
      return c.json({ agencyId: party.agency.id, subjects: party.subjects() });
    },
  );
  route(
    {
      method: 'get',
      path: '/admin/jp/agencies/{agencyId}/records',
      tags: ['jp-records', 'admin'],
      summary: "An agency's copy of the access records (requester and provider copies) and its chain verification",
      admin: true,
      params: AgencyParam,
      problems: [401, 404],
    },
    (c) => {
      const party = partyOf(c.req.param('agencyId') as string);
      return c.json({ agencyId: party.agency.id, verification: party.records.verify(), records: party.records.all() });
    },
  );
  if (kiosk && municipality) {
    route(
      {
        method: 'post',
        path: `/jp/agencies/${municipality.agency.id}/kiosk/challenge`,
        tags: ['jp-agencies'],
        summary: 'Kiosk (convenience-store printer): a challenge for the card',
        body: z.object({}).strict(),
        problems: [400, 415],
      },
      async (c) => {
        await ready();
        return c.json(kiosk.challenge());
      },
    );
    route(
      {
        method: 'post',
        path: `/jp/agencies/${municipality.agency.id}/kiosk/certificates`,
        tags: ['jp-agencies'],
        summary: 'Kiosk: print the resident record certificate of the card holder',
        body: CardResponseSchema.extend({ challengeId: z.string().min(8).max(40) }).strict(),
        problems: [400, 401, 404, 409, 415],
      },
      async (c) => {
        await ready();
        const b = jsonBody<z.infer<typeof CardResponseSchema> & { challengeId: string }>(c);
        return c.json(await kiosk.issue(b.challengeId, b));
      },
    );
  }

  // ---- access records -------------------------------------------------------------------------------------
  route(
    {
      method: 'get',
      path: '/jp/records/verify',
      tags: ['jp-records'],
      summary: 'Verify the hash chains of the network copy and every agency copy of the access records',
      response: z.object({ valid: z.boolean(), network: Any, agencies: z.record(z.string(), Any) }),
      problems: [],
    },
    (c) => {
      const networkV = network.records.verify();
      const agencyV = Object.fromEntries([...parties].map(([id, p]) => [id, p.records.verify()]));
      return c.json({
        valid: networkV.valid && Object.values(agencyV).every((v) => v.valid),
        network: networkV,
        agencies: agencyV,
      });
    },
  );
  route(
    {
      method: 'get',
      path: '/admin/jp/network/records',
      tags: ['jp-records', 'admin'],
      summary: "The network's copy of the access records",
      admin: true,
      problems: [401],
    },
    (c) => c.json({ verification: network.records.verify(), records: network.records.all() }),
  );

  // ---- network administration ---------------------------------------------------------------------------
  route(
    {
      method: 'post',
      path: '/admin/jp/network/agencies/{agencyId}/rotate',
      tags: ['jp-network', 'admin'],
      summary: "Rotate one agency's key: codes re-issued, migration list delivered to that agency only",
      admin: true,
      params: AgencyParam,
      body: z.object({ graceDays: z.number().min(0).max(90).optional() }).strict(),
      problems: [400, 401, 404, 409, 415],
    },
    async (c) => {
      await ready();
      const agencyId = c.req.param('agencyId') as string;
      partyOf(agencyId);
      const graceDays = jsonBody<{ graceDays?: number }>(c).graceDays;
      const result = rotateAgencyKey(
        network,
        agencyId,
        graceDays === undefined ? DEFAULT_GRACE_MS : graceDays * 86_400_000,
      );
      await notifyMigration(agencyId);
      return c.json(result);
    },
  );
  const notifyMigration = async (agencyId: string) => {
    await transport
      .call(
        { id: 'network', cred: deps.credentials.signing },
        agencyId,
        'POST',
        `/jp/agencies/${agencyId}/intermediary/notifications`,
        {
          type: 'migration-ready',
        },
      )
      .catch((e) =>
        deps.logger.warn('migration notification not delivered; the agency collects it on its next exchange', {
          agencyId,
          reason: e instanceof Error ? e.message : String(e),
        }),
      );
  };
  route(
    {
      method: 'post',
      path: '/admin/jp/network/rotate-master',
      tags: ['jp-network', 'admin'],
      summary: 'Rotate the master key and every agency key (containment after a network key leak)',
      admin: true,
      body: z.object({ graceDays: z.number().min(0).max(90).optional() }).strict(),
      problems: [400, 401, 415],
    },
    async (c) => {
      await ready();
      const graceDays = jsonBody<{ graceDays?: number }>(c).graceDays;
      const result = rotateMasterKey(network, graceDays === undefined ? DEFAULT_GRACE_MS : graceDays * 86_400_000);
      for (const r of result.agencies) await notifyMigration(r.agencyId);
      return c.json(result);
    },
  );
  route(
    {
      method: 'post',
      path: '/admin/jp/network/codes/revoke',
      tags: ['jp-network', 'admin'],
      summary: 'Revoke one code of an agency (refused from then on)',
      admin: true,
      body: z.object({ agencyId: z.string().max(60), code: z.string().max(80) }).strict(),
      problems: [400, 401, 404, 415],
    },
    (c) => {
      const b = jsonBody<{ agencyId: string; code: string }>(c);
      if (!revokeCode(network, b.agencyId, b.code))
        throw new KakehashiError('not-found', 'The index holds no such code for this agency.');
      return c.json({ revoked: true });
    },
  );
  route(
    {
      method: 'put',
      path: '/admin/jp/network/impact-assessments/{agencyId}',
      tags: ['jp-network', 'admin'],
      summary: "Set an agency's privacy impact assessment status (approved, lapsed, withdrawn)",
      admin: true,
      params: AgencyParam,
      body: z.object({ status: z.enum(['approved', 'lapsed', 'withdrawn']) }).strict(),
      problems: [400, 401, 404, 415],
    },
    (c) => {
      const agencyId = c.req.param('agencyId') as string;
      if (!impactAssessmentOf(network, agencyId))
        throw new KakehashiError('not-found', `No impact assessment on file for ${agencyId.slice(0, 60)}.`);
      networkStore.run(
        'INSERT OR REPLACE INTO nws_impact_overrides (agency_id, status, set_at) VALUES (?,?,?)',
        agencyId,
        jsonBody<{ status: string }>(c).status,
        deps.clock.now().toISOString(),
      );
      return c.json(impactAssessmentOf(network, agencyId));
    },
  );
  route(
    {
      method: 'get',
      path: '/admin/jp/custodian/audit',
      tags: ['jp-network', 'admin'],
      summary: "The key custodian's audit log (every key use) and its chain verification",
      admin: true,
      query: z.object({
        afterSeq: z.coerce.number().int().min(0).optional(),
        limit: z.coerce.number().int().min(1).max(1000).optional(),
      }),
      problems: [400, 401],
    },
    (c) => {
      const q = c.req.query();
      return c.json({
        verification: custodian.audit.verify(),
        entries: custodian.audit.list({ afterSeq: Number(q.afterSeq ?? 0), limit: Number(q.limit ?? 100) }),
      });
    },
  );
  route(
    {
      method: 'get',
      path: '/admin/jp/xborder/{personaId}',
      tags: ['jp-network', 'admin'],
      summary: 'The cross-border identifiers of a Japanese persona (eIDAS PersonIdentifier, OIDC pairwise sub)',
      admin: true,
      params: z.object({
        personaId: z
          .string()
          .max(40)
          .openapi({ param: { name: 'personaId', in: 'path' } }),
      }),
      query: z.object({
        destination: z.string().regex(/^[A-Za-z]{2}$/),
        sector: z.string().min(1).max(255).optional(),
      }),
      problems: [400, 401, 404],
    },
    (c) => {
      const personaId = c.req.param('personaId') as string;
      const { destination, sector } = c.req.query();
      return c.json({
        personIdentifier: xborderIdentifiers.personIdentifier(personaId, destination as string),
        ...(sector ? { pairwiseSubject: xborderIdentifiers.pairwiseSubject(personaId, sector) } : {}),
      });
    },
  );

  // ---- faults and incidents -------------------------------------------------------------------------------
  route(
    {
      method: 'get',
      path: '/admin/jp/faults',
      tags: ['jp-faults', 'admin'],
      summary: "Japan's incident faults (all off by default)",
      admin: true,
      problems: [401],
    },
    (c) => c.json({ faults: faults.list() }),
  );
  route(
    {
      method: 'put',
      path: '/admin/jp/faults/{name}',
      tags: ['jp-faults', 'admin'],
      summary: 'Switch one incident fault on or off',
      admin: true,
      params: z.object({
        name: z.enum(Object.keys(JP_FAULTS) as [string, ...string[]]).openapi({ param: { name: 'name', in: 'path' } }),
      }),
      body: z.object({ enabled: z.boolean() }).strict(),
      problems: [400, 401, 404, 415],
    },
    (c) => {
      faults.set(c.req.param('name') as string, jsonBody<{ enabled: boolean }>(c).enabled);
      deps.logger.warn('jp-network fault switched', {
        fault: c.req.param('name'),
        enabled: jsonBody<{ enabled: boolean }>(c).enabled,
      });
      return c.json({ faults: faults.list() });
    },
  );
  route(
    {
      method: 'get',
      path: '/admin/jp/incidents/agency-table-leak/{agencyId}',
      tags: ['jp-faults', 'admin'],
      summary: "Incident simulation: what an attacker copies out of an agency's table (fault agency-table-leak)",
      admin: true,
      params: AgencyParam,
      problems: [401, 403, 404],
    },
    async (c) => {
      if (!faults.isOn('agency-table-leak'))
        throw new KakehashiError('jp-fault-off', 'Switch on the agency-table-leak fault to simulate the leak.');
      await ready();
      const party = partyOf(c.req.param('agencyId') as string);
      deps.logger.warn('jp-network incident: agency table exported', { agencyId: party.agency.id });
      const data = party.store.all('SELECT * FROM ag_data ORDER BY internal_id, item');
      return c.json({ agencyId: party.agency.id, subjects: party.subjects(), data });
    },
  );
  route(
    {
      method: 'get',
      path: '/admin/jp/incidents/network-key-leak',
      tags: ['jp-faults', 'admin'],
      summary: "Incident simulation: the network's raw link and master keys (fault network-key-leak)",
      admin: true,
      problems: [401, 403],
    },
    (c) => {
      const leaked = custodian.exportForIncidentSimulation(
        'incident/network-key-leak',
        faults.isOn('network-key-leak'),
      );
      deps.logger.warn('jp-network incident: custodian keys exported');
      return c.json(leaked);
    },
  );

  // ---- citizen portal ------------------------------------------------------------------------------------
  route(
    {
      method: 'get',
      path: '/jp/portal',
      tags: ['jp-portal'],
      summary: 'The citizen portal page (HTML, watermarked TEST ONLY)',
      produces: 'text/html',
      response: z.string(),
      problems: [],
    },
    (c) =>
      c.html(
        renderPortalPage(
          deps.personas
            .filter((p) => p.fourFacts)
            .map((p) => ({
              id: p.id,
              label: `${p.id} — ${p.familyName} ${p.givenName} (${p.familyNameLatin} ${p.givenNameLatin})`,
            })),
        ),
      ),
  );
  route(
    {
      method: 'post',
      path: '/jp/portal/login/challenge',
      tags: ['jp-portal'],
      summary: 'A single-use challenge for the card (purpose login, or reauth with the session as Bearer)',
      body: z.object({ purpose: z.enum(['login', 'reauth']).default('login') }).strict(),
      response: z.object({ challengeId: z.string(), challenge: z.string(), expiresAt: z.string() }),
      problems: [400, 401, 415],
    },
    async (c) => {
      await ready();
      const { purpose } = jsonBody<{ purpose: 'login' | 'reauth' }>(c);
      return c.json(portal.challenge(purpose, bearer(c)));
    },
  );
  route(
    {
      method: 'post',
      path: '/jp/portal/login',
      tags: ['jp-portal'],
      summary: "Log in with the card's user-authentication certificate and its signature over the challenge",
      body: CardResponseSchema.extend({ challengeId: z.string().min(8).max(40) }).strict(),
      response: z.object({ sessionToken: z.string(), expiresAt: z.string() }),
      problems: [400, 401, 415],
    },
    async (c) => {
      await ready();
      const b = jsonBody<z.infer<typeof CardResponseSchema> & { challengeId: string }>(c);
      try {
        const r = await portal.login(b.challengeId, b);
        trace('portal login', { certificate: '[JPKI user authentication]', outcome: 'session issued' }, true);
        return c.json(r);
      } catch (e) {
        trace(
          'portal login',
          { outcome: 'refused', code: e instanceof KakehashiError ? e.code : 'internal-error' },
          false,
        );
        throw e;
      }
    },
  );
  route(
    {
      method: 'post',
      path: '/jp/portal/logout',
      tags: ['jp-portal'],
      summary: 'End the session (Bearer)',
      body: z.object({}).strict(),
      problems: [400, 415],
    },
    (c) => {
      portal.logout(bearer(c));
      return c.json({ loggedOut: true });
    },
  );
  route(
    {
      method: 'get',
      path: '/jp/portal/me/records',
      tags: ['jp-portal'],
      summary: 'Every exchange about me: when, who, why, which items (Bearer session)',
      problems: [401],
    },
    async (c) => {
      await ready();
      return c.json({ records: await portal.disclosedRecords(bearer(c)) });
    },
  );
  route(
    {
      method: 'get',
      path: '/jp/portal/me/data',
      tags: ['jp-portal'],
      summary: 'My own data, from each provider through the network (Bearer session)',
      problems: [401],
    },
    async (c) => {
      await ready();
      return c.json({ providers: await portal.ownData(bearer(c)) });
    },
  );
  route(
    {
      method: 'put',
      path: '/jp/portal/me/bank-account',
      tags: ['jp-portal'],
      summary: 'Register my public-funds receiving account (a write: needs card re-authentication)',
      body: z
        .object({
          bankCode: z.string().regex(/^\d{4}$/),
          branchCode: z.string().regex(/^\d{3}$/),
          accountType: z.enum(['ordinary', 'current', 'savings']),
          accountNumber: z.string().regex(/^\d{7}$/),
          holderKana: z.string().min(1).max(60),
          reauth: CardResponseSchema.extend({ challengeId: z.string().min(8).max(40) }).optional(),
        })
        .strict(),
      problems: [400, 401, 403, 415],
    },
    async (c) => {
      await ready();
      const { reauth, ...account } = jsonBody<
        Record<string, string> & { reauth?: z.infer<typeof CardResponseSchema> & { challengeId: string } }
      >(c);
      return c.json(await portal.registerBankAccount(bearer(c), account as Record<string, string>, reauth));
    },
  );
  route(
    {
      method: 'get',
      path: '/jp/portal/me/bank-account',
      tags: ['jp-portal'],
      summary: 'My registered public-funds receiving account (Bearer session)',
      problems: [401],
    },
    (c) => c.json({ bankAccount: portal.bankAccount(bearer(c)) }),
  );
  route(
    {
      method: 'post',
      path: '/jp/portal/test-card-reader',
      tags: ['jp-portal'],
      summary: 'TEST ONLY — simulated card reader: the chosen persona’s card signs the challenge',
      description:
        'Stands in for the physical card and PIN so that tests and the demo page can log in. Never part of a real portal.',
      body: z.object({ personaId: z.string().max(40), challenge: z.string().min(8).max(400) }).strict(),
      response: CardResponseSchema,
      problems: [400, 404, 415],
    },
    (c) => {
      if (!deps.cards) throw new KakehashiError('not-found', 'This node issues no My Number Cards.');
      const b = jsonBody<{ personaId: string; challenge: string }>(c);
      return c.json(signChallengeWithCard(deps.cards(b.personaId), b.challenge));
    },
  );

  return {
    faults,
    custodian,
    registry,
    network,
    servers,
    portal,
    kiosk,
    stores,
    xborderIdentifiers,
    ready,
    reset,
    close: () => {
      for (const s of Object.values(stores)) s.close();
    },
  };
}
