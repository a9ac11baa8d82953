import { createSign, type KeyObject } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import {
  type ComponentApp,
  type ComponentDeps,
  type ComponentInfo,
  createComponentApp,
  documentRoute,
  KakehashiError,
  mountAdmin,
  mountDocs,
  mountHealth,
  type NodeMetadata,
  NodeMetadataSchema,
  problemResponses,
  type RouteDoc,
  requireJson,
  x5cToPem,
} from '@kakehashi/core';
import { createHubDiscovery, mountAccessPoint } from '@kakehashi/edelivery';
import {
  type CardLoginDeps,
  type ClientRegistrationInput,
  computePersonIdentifier,
  deriveEidKeys,
  type IdTokenValidator,
  mountIdTokenValidation,
  mountOidcProvider,
  mountSaml,
  mountSamlResponseValidation,
  resetEidState,
  type SubjectIdentifiers,
} from '@kakehashi/eid';
import { createTimestampAuthority, mountSignatureService, mountTimestampAuthority } from '@kakehashi/esig';
import { createCooperationNetworkSource, createPersonaSource, mountEvidence } from '@kakehashi/evidence';
import { type CooperationNetwork, mountCooperationNetwork, recordSubject, resolveCode } from '@kakehashi/jp-network';
import type { Persona } from '@kakehashi/personas';
import { compactVerify, decodeProtectedHeader, importX509 } from 'jose';
import type { CardIssuer } from './jpki/card-issuer.ts';
import { signMetadata } from './metadata/sign-metadata.ts';
import type { CountryProfile } from './profiles/index.ts';
import type { NodeCertificateVerdict, NodeTrust } from './trust/node-trust.ts';

/** A key with its certificate and chain (issuing CA first, then root). */
export interface NodeCredential {
  certPem: string;
  chainPem: string[];
  privateKey: KeyObject;
}

/** Every credential a node holds, from the trust material generated from the seed (TEST ONLY). */
export interface NodeCredentials {
  signing: NodeCredential;
  tls: NodeCredential;
  encryption: NodeCredential;
  /** One signing credential per agency of the profile, by agency id. */
  agencies: Record<string, NodeCredential>;
  /** Japan only: the JPKI-style CA that issues My Number Card certificates (chain: its root). */
  jpkiCa?: NodeCredential;
  /** The country's RFC 3161 time-stamping unit (EKU timeStamping, listed in the trusted list as TSA/QTST). */
  tsa?: NodeCredential;
}

export interface NodeDeps extends ComponentDeps {
  profile: CountryProfile;
  /** The node's origin, e.g. `http://127.0.0.1:7002`. */
  publicUrl: string;
  hubUrl: string;
  credentials: NodeCredentials;
  /** The federation seed (public): what must be reproducible per seed is derived from it. */
  seed: string;
  trust: NodeTrust;
  /** The country's synthetic personas (each with an `id`). */
  personas: readonly Persona[];
  /** Japan only: issues the mock My Number Card of a persona (JPKI signature + user-authentication certificates). */
  cards?: CardIssuer;
  /** Relying parties registered at this node's OIDC provider from the clients file (option oidcClientsFile). */
  oidcClients?: readonly ClientRegistrationInput[];
}

export interface NationalNode {
  app: ComponentApp;
  info: ComponentInfo;
  /** Loads the trust fabric from the hub, then registers (retrying while the hub is not up). */
  start(options?: { attempts?: number; delayMs?: number }): Promise<void>;
  register(): Promise<{ country: string; created: boolean }>;
  metadata(): NodeMetadata;
  /** Japan only: the mock My Number Cards of the personas (what a citizen holds; for tests and scenarios). */
  cards?: CardIssuer;
  /** Japan only: the Cooperation Network (custodian, J-LIS, network system, intermediary servers, portal). */
  jpNetwork?: CooperationNetwork;
  close(): void;
}

const VERSION = '0.1.0';
/** How long a node reuses the hub's registry to resolve ID-token issuers (virtual clock). */
const REGISTRY_CACHE_MS = 60_000;

const VerdictSchema = z
  .object({
    valid: z.boolean(),
    country: z.string().optional(),
    serialHex: z.string().optional(),
    anchor: z.string().optional(),
    failure: z.object({ code: z.string(), reason: z.string() }).optional(),
    checks: z.array(
      z.object({
        rule: z.string(),
        outcome: z.enum(['passed', 'failed', 'skipped']),
        reason: z.string(),
        code: z.string().optional(),
      }),
    ),
  })
  .openapi('CertificateVerdict');

/**
 * A national node built from a country profile: it registers with the hub using signed metadata, keeps its
 * own verified copy of the trust fabric, discovers its peers through the hub and validates their
 * certificates. The building blocks (eID, eSignature, eDelivery, Japan's Cooperation Network) mount here.
 */
export function createNationalNode(deps: NodeDeps): NationalNode {
  const { profile } = deps;
  const info: ComponentInfo = {
    component: 'node',
    country: profile.code,
    name: `National node ${profile.code} (${profile.name})`,
    version: VERSION,
  };
  const log = deps.logger;
  const app = createComponentApp(info, deps);
  let registered: { at: string; created: boolean } | undefined;

  mountHealth(app, info, deps, () => ({
    registered: registered !== undefined,
    trust: deps.trust.status().loaded ? 'loaded' : 'not-loaded',
    hub: deps.hubUrl,
  }));
  mountDocs(
    app,
    info,
    `National node of ${profile.name} (${profile.nameLocal}). Personas, agencies, services, trust status, peer discovery. Test-only.`,
  );
  /** What `POST /admin/reset` clears, one entry per building block (the store's files and the keys stay). */
  const resets: (() => void)[] = [() => resetEidState(deps.store)];
  mountAdmin(app, deps, {
    reset: () => {
      for (const r of resets) r();
    },
  });

  // ---- Japan only: the Cooperation Network (per-agency codes, mediation, access records, portal) ---------
  // Mounted under /jp/... and /admin/jp/...; each agency's intermediary server keeps its own store beside
  // the node's (node-jp-agency-<id>.sqlite). `jpNetwork.xborderIdentifiers` is for the eID block.
  let jpNetwork: CooperationNetwork | undefined;
  if (profile.code === 'JP') {
    const jp = mountCooperationNetwork(app, { ...deps, agencies: profile.agencies });
    jpNetwork = jp;
    resets.push(() => jp.reset());
  }

  /**
   * The nodes registered at the hub (their metadata), reused for REGISTRY_CACHE_MS on the virtual clock: every
   * ID-token and SAML validation and every connector page needs them, the registry changes rarely.
   */
  let registryCache: { at: number; nodes: NodeMetadata[] } | undefined;
  const registeredNodes = async (fetcher: typeof fetch): Promise<NodeMetadata[]> => {
    const now = deps.clock.nowMs();
    if (!registryCache || now < registryCache.at || now - registryCache.at > REGISTRY_CACHE_MS) {
      const res = await fetcher(`${deps.hubUrl}/registry/nodes`, {
        headers: { 'x-kakehashi-caller': `node:${profile.code}` },
      });
      if (!res.ok)
        throw new KakehashiError('upstream-unavailable', `The hub answered ${res.status} to GET /registry/nodes.`);
      const { nodes } = (await res.json()) as { nodes: { metadata: NodeMetadata }[] };
      registryCache = { at: now, nodes: nodes.map((n) => n.metadata) };
    }
    return registryCache.nodes;
  };

  // Japan: PersonIdentifier and pairwise sub derive from the Cooperation Network's link id (never My Number);
  // custom identities (not residents) keep the node's own construction.
  const identifiers: SubjectIdentifiers | undefined = jpNetwork
    ? {
        personIdentifier: (id, dest) =>
          isResident(id) ? jpNetwork?.xborderIdentifiers.personIdentifier(id, dest) : undefined,
        pairwiseSubject: (id, sector) =>
          isResident(id) ? jpNetwork?.xborderIdentifiers.pairwiseSubject(id, sector) : undefined,
      }
    : undefined;
  function isResident(subjectId: string): boolean {
    return deps.personas.some((p) => p.id === subjectId);
  }

  // ---- eID: the OpenID Connect provider (issuer = the node origin) -------------------------------------
  mountOidcProvider(app, {
    ...deps,
    ...(identifiers ? { identifiers } : {}),
    issuer: deps.publicUrl,
    country: profile.code,
    loa: profile.loa,
    personas: deps.personas,
    signing: deps.credentials.signing,
    clients: deps.oidcClients ?? [],
    ...(deps.cards ? { card: cardLogin(deps.cards) } : {}),
    // The eIDAS connector (this node's relying parties, citizens of other countries) and peer connectors.
    federation: {
      hubUrl: deps.hubUrl,
      signing: deps.credentials.signing,
      lookupPeer: async (cc, fetcher) => {
        const res = await fetcher(`${deps.hubUrl}/registry/nodes/${cc}`, {
          headers: { 'x-kakehashi-caller': `node:${profile.code}` },
        });
        if (!res.ok) return undefined;
        const { signedMetadata } = (await res.json()) as { signedMetadata: string };
        const peer = await verifyPeerMetadata(signedMetadata, cc);
        if (!peer.trusted || !peer.metadata) {
          log.warn('peer metadata not trusted', { country: cc, failure: peer.certificate.failure?.code });
          return undefined;
        }
        return { country: cc, url: peer.metadata.url, signingCertPem: peer.metadata.certificates.signing };
      },
      listPeers: async (fetcher) =>
        (await registeredNodes(fetcher))
          .filter((n) => n.country !== profile.code)
          .map((n) => ({ country: n.country, name: n.name })),
      validateIdToken: (token, expected, fetcher) => {
        if (!idTokenValidator)
          throw new KakehashiError('internal-error', 'The ID-token validation service is not mounted.');
        return idTokenValidator.validate(token, expected, fetcher);
      },
      validateCertificate: (pem, chain, opts) => validate(pem, chain, opts.usage ?? [], opts.at),
    },
  });

  // ---- eID: the ID-token validation service (issuers resolved through the hub's registry) ---------------
  const idTokenValidator: IdTokenValidator | undefined = mountIdTokenValidation(app, {
    ...deps,
    component: 'node',
    country: profile.code,
    resolveIssuer: async (issuer, fetcher) => {
      const node = (await registeredNodes(fetcher)).find((m) => m.endpoints.oidcIssuer === issuer);
      return node ? { country: node.country, jwksUri: `${issuer}/oidc/jwks` } : undefined;
    },
    validateCertificate: (pem, chain, opts) => validate(pem, chain, opts.usage ?? [], opts.at),
  });

  // ---- eDelivery: the AS4 access point (POST /as4) and its backend API (/edelivery/*) ----------------------
  // Corners 2 and 3 of the four-corner model; the profile's participants (agencies) are corners 1 and 4.
  // Discovery and the From party's registered certificate come from the hub (SML/SMP role).
  const edelivery = mountAccessPoint(app, {
    ...deps,
    country: profile.code,
    publicUrl: deps.publicUrl,
    signing: deps.credentials.signing,
    encryption: deps.credentials.encryption,
    otherCredentials: Object.values(deps.credentials.agencies),
    participants: profile.participants,
    countries: deps.config.get('countries'),
    validateCertificate: (pem, chain, opts) => validate(pem, chain, opts.usage ?? [], opts.at),
    discovery: createHubDiscovery({ hubUrl: deps.hubUrl, clock: deps.clock, caller: `node:${profile.code}` }),
  });
  resets.push(() => edelivery.reset());

  // ---- eID: eIDAS SAML 2.0 — IdP (proxy service), SP (connector) and the SAML response validation service.
  // Peers (their connectors as SPs, their IdPs as issuers) are found through the hub registry.
  const saml = mountSaml(app, {
    ...deps,
    baseUrl: deps.publicUrl,
    country: profile.code,
    loa: profile.loa,
    personas: deps.personas,
    signing: deps.credentials.signing,
    encryption: deps.credentials.encryption,
    organizationName: info.name,
    ...(identifiers ? { personIdentifier: identifiers.personIdentifier } : {}),
    hubUrl: deps.hubUrl,
    registeredNodes,
    validateCertificate: (pem, chain, opts) => validate(pem, chain, opts.usage ?? [], opts.at),
  });
  resets.push(saml.reset);
  mountSamlResponseValidation(app, {
    ...deps,
    component: 'node',
    country: profile.code,
    registeredNodes,
    validateCertificate: (pem, chain, opts) => validate(pem, chain, opts.usage ?? [], opts.at),
  });

  /** Japan: the IdP maps a card's authentication-certificate serial to its holder (cards issued on first use). */
  function cardLogin(cards: CardIssuer): CardLoginDeps {
    let bySerial: Map<string, string> | undefined;
    return {
      personaOfSerial: (serial) => {
        bySerial ??= new Map(deps.personas.map((p) => [cards(p.id).certificates.authentication.serialHex, p.id]));
        return bySerial.get(serial);
      },
      validateCertificate: (pem, chain, opts) => validate(pem, chain, opts.usage ?? [], opts.at),
      readCard: (personaId, challenge) => {
        const auth = cards(personaId).certificates.authentication;
        const der = (p: string) => p.replace(/-----[A-Z ]+-----|\s/g, '');
        return {
          certificate: der(auth.certPem),
          chain: auth.chainPem.slice(0, 1).map(der),
          signature: createSign('sha256').update(challenge, 'utf8').sign(auth.privateKey).toString('base64'),
        };
      },
    };
  }

  // ---- eSignature: sign as an agency (or, in Japan, a citizen with the JPKI card), validate, time-stamp ----
  const tsa = deps.credentials.tsa
    ? createTimestampAuthority({ credential: deps.credentials.tsa, clock: deps.clock })
    : undefined;
  if (tsa) mountTimestampAuthority(app, { ...deps, tsa, component: 'node', country: profile.code });
  const cards = deps.cards;
  mountSignatureService(app, {
    ...deps,
    component: 'node',
    country: profile.code,
    validateCertificate: (pem, chain, opts) => validate(pem, chain, opts.usage ?? [], opts.at),
    // Revocation dates come from the hub's CRLs (only the hub's CRL endpoints are ever fetched).
    loadCrl: async (crlUrl, fetcher) => {
      if (!crlUrl.startsWith(`${deps.hubUrl}/trust/crl/`)) return undefined;
      const res = await fetcher(crlUrl, { headers: { 'x-kakehashi-caller': `node:${profile.code}` } });
      return res.ok ? new Uint8Array(await res.arrayBuffer()) : undefined;
    },
    trustGeneration: () => deps.trust.status(),
    signers: {
      agencies: deps.credentials.agencies,
      ...(cards
        ? {
            citizen: (personaId: string) => {
              const k = cards(personaId).certificates.signature;
              return { certPem: k.certPem, chainPem: k.chainPem, privateKey: k.privateKey };
            },
          }
        : {}),
    },
    ...(tsa ? { tsa } : {}),
  });

  // ---- once-only evidence exchange (OOTS-style, over eDelivery, eSignature and eID): @kakehashi/evidence ----
  // Japan resolves people and issues evidence through the Cooperation Network; other nodes from their personas.
  const personIdKey = deriveEidKeys(deps.seed, profile.code).personIdKey;
  const evidence = mountEvidence(app, {
    ...deps,
    country: profile.code,
    participants: profile.participants,
    source: jpNetwork
      ? createCooperationNetworkSource({
          network: jpNetwork,
          personas: deps.personas,
          recordSubjectOf: (agency, code) =>
            recordSubject(jpNetwork.network, resolveCode(jpNetwork.network, agency, code).linkId),
        })
      : createPersonaSource({
          country: profile.code,
          seed: deps.seed,
          personas: deps.personas,
          agencies: profile.agencies,
          personIdentifier: (id, dest) => computePersonIdentifier(personIdKey, profile.code, dest, id),
        }),
  });
  resets.push(() => evidence.reset());

  const url = deps.publicUrl;
  const metadata = (): NodeMetadata => ({
    country: profile.code,
    name: info.name,
    url,
    iat: Math.floor(deps.clock.nowMs() / 1000),
    endpoints: {
      health: `${url}/health`,
      openapi: `${url}/openapi.json`,
      docs: `${url}/docs`,
      personas: `${url}/personas`,
      oidcIssuer: url,
      samlIdpMetadata: `${url}/saml/idp/metadata`,
      samlSpMetadata: `${url}/saml/sp/metadata`,
      as4: `${url}/as4`,
    },
    capabilities: ['eid', 'esig', 'edelivery'],
    services: profile.services.map((s) => ({
      id: s.id,
      name: s.name,
      block: 'eid' as const,
      endpoint: `${url}/services/${s.id}`,
      description: s.description,
    })),
    participants: profile.participants.map((p) => ({ id: p.id, name: p.name, services: p.services })),
    certificates: {
      signing: deps.credentials.signing.certPem,
      tls: deps.credentials.tls.certPem,
      encryption: deps.credentials.encryption.certPem,
    },
  });

  const register = async () => {
    const signed = await signMetadata(metadata(), deps.credentials.signing.privateKey, [
      deps.credentials.signing.certPem,
      ...deps.credentials.signing.chainPem,
    ]);
    const res = await deps.fetch(`${deps.hubUrl}/registry/nodes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-kakehashi-caller': `node:${profile.code}` },
      body: JSON.stringify({ signedMetadata: signed }),
    });
    const body = (await res.json()) as { country?: string; created?: boolean; detail?: string; code?: string };
    if (!res.ok) {
      throw new KakehashiError(
        'upstream-unavailable',
        `The hub refused the registration of ${profile.code}: ${body.code ?? res.status}: ${body.detail ?? ''}`,
        { extra: { hubCode: body.code } },
      );
    }
    registered = { at: deps.clock.now().toISOString(), created: body.created === true };
    log.info('registered with the hub', { hub: deps.hubUrl, created: body.created });
    return { country: profile.code, created: body.created === true };
  };

  // ---- personas, agencies, services ------------------------------------------------------------------
  app.get('/personas', (c) => c.json(deps.personas));
  app.get('/personas/:id', (c) => {
    const p = deps.personas.find((x) => x.id === c.req.param('id'));
    if (!p)
      throw new KakehashiError(
        'not-found',
        `No persona "${c.req.param('id').slice(0, 40)}" at node ${profile.code}; GET /personas lists them.`,
      );
    return c.json(p);
  });
  app.get('/agencies', (c) => c.json({ country: profile.code, agencies: profile.agencies }));
  app.get('/services', (c) => c.json({ country: profile.code, services: profile.services }));
  app.get('/services/:id', (c) => {
    const svc = profile.services.find((x) => x.id === c.req.param('id'));
    if (!svc)
      throw new KakehashiError(
        'not-found',
        `No service "${c.req.param('id').slice(0, 60)}" at node ${profile.code}; GET /services lists them.`,
      );
    return c.json({ country: profile.code, ...svc });
  });
  app.get('/profile', (c) => c.json(profile));

  // ---- metadata and trust -----------------------------------------------------------------------------
  app.get('/metadata', async (c) => {
    const m = metadata();
    const signed = await signMetadata(m, deps.credentials.signing.privateKey, [
      deps.credentials.signing.certPem,
      ...deps.credentials.signing.chainPem,
    ]);
    return c.json({ metadata: m, signedMetadata: signed });
  });
  app.get('/trust/status', (c) => c.json(deps.trust.status()));
  app.post('/admin/trust/refresh', async (c) => c.json(await deps.trust.refresh(c.get('fetch'))));
  app.post('/admin/register', async (c) => c.json(await register()));

  app.openapi(
    createRoute({
      method: 'post',
      path: '/trust/validate-certificate',
      tags: ['trust'],
      summary: 'Validate a certificate against the trust fabric this node loaded from the hub',
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.object({
                certificate: z.string().min(50).max(20_000).openapi({ description: 'PEM certificate' }),
                chain: z.array(z.string().max(20_000)).max(5).default([]),
                usage: z
                  .array(
                    z.enum([
                      'digitalSignature',
                      'nonRepudiation',
                      'keyEncipherment',
                      'dataEncipherment',
                      'keyAgreement',
                      'keyCertSign',
                      'cRLSign',
                    ]),
                  )
                  .max(7)
                  .default([]),
                at: z
                  .string()
                  .datetime()
                  .optional()
                  .openapi({ description: 'Validation time (default: the virtual clock)' }),
              }),
            },
          },
        },
      },
      responses: {
        200: { description: 'Verdict with every check', content: { 'application/json': { schema: VerdictSchema } } },
        ...problemResponses(400, 413, 415, 503),
      },
    }),
    (c) => {
      requireJson(c.req.header('content-type'));
      const body = c.req.valid('json');
      return c.json(
        validate(body.certificate, body.chain, body.usage, body.at ? new Date(body.at) : deps.clock.now()) as z.infer<
          typeof VerdictSchema
        >,
        200,
      );
    },
  );

  const validate = (pem: string, chain: string[], usage: string[], at: Date): NodeCertificateVerdict => {
    if (!deps.trust.status().loaded) {
      throw new KakehashiError(
        'upstream-unavailable',
        `Node ${profile.code} has not loaded the trust fabric from the hub yet (POST /admin/trust/refresh).`,
      );
    }
    return deps.trust.validateCertificate(pem, chain, { at, usage });
  };

  // ---- peers, found through the hub -------------------------------------------------------------------
  app.get('/peers', async (c) => {
    const res = await c.get('fetch')(`${deps.hubUrl}/registry/nodes`, {
      headers: { 'x-kakehashi-caller': `node:${profile.code}` },
    });
    if (!res.ok)
      throw new KakehashiError('upstream-unavailable', `The hub answered ${res.status} to GET /registry/nodes.`);
    const { nodes } = (await res.json()) as { nodes: { country: string; metadata: NodeMetadata; health: unknown }[] };
    return c.json({
      peers: nodes
        .filter((n) => n.country !== profile.code)
        .map((n) => ({ country: n.country, url: n.metadata.url, name: n.metadata.name, health: n.health })),
    });
  });
  app.get('/peers/:country', async (c) => {
    const cc = c.req.param('country').toUpperCase();
    if (!/^[A-Z]{2}$/.test(cc)) throw new KakehashiError('bad-request', 'The country must be a two-letter code.');
    const res = await c.get('fetch')(`${deps.hubUrl}/registry/nodes/${cc}`, {
      headers: { 'x-kakehashi-caller': `node:${profile.code}` },
    });
    if (res.status === 404) throw new KakehashiError('not-found', `The hub has no registered node ${cc}.`);
    if (!res.ok) throw new KakehashiError('upstream-unavailable', `The hub answered ${res.status} for node ${cc}.`);
    const node = (await res.json()) as { signedMetadata: string };
    return c.json(await verifyPeerMetadata(node.signedMetadata, cc));
  });

  /** Checks a peer's signed metadata ourselves: its certificate against our trust view, then the signature. */
  const verifyPeerMetadata = async (signed: string, cc: string) => {
    const header = decodeProtectedHeader(signed);
    const pems = (header.x5c ?? []).map(x5cToPem);
    if (pems.some((p) => p === undefined))
      throw new KakehashiError('cert-malformed', `The metadata of ${cc} carries a malformed x5c entry.`);
    const [leaf, ...chain] = pems as string[];
    if (!leaf) throw new KakehashiError('registration-unsigned', `The metadata of ${cc} carries no certificate.`);
    const verdict = validate(leaf, chain, ['digitalSignature'], deps.clock.now());
    let signatureValid = false;
    let metadata: NodeMetadata | undefined;
    if (verdict.valid && (header.alg === 'RS256' || header.alg === 'PS256')) {
      try {
        const { payload } = await compactVerify(signed, await importX509(leaf, header.alg), {
          algorithms: ['RS256', 'PS256'],
        });
        metadata = NodeMetadataSchema.parse(JSON.parse(new TextDecoder().decode(payload)));
        signatureValid = true;
      } catch {
        signatureValid = false;
      }
    }
    const countryMatches = metadata?.country === cc && verdict.country === cc;
    return {
      country: cc,
      url: metadata?.url,
      trusted: verdict.valid && signatureValid && countryMatches,
      certificate: verdict,
      signatureValid,
      countryMatches,
      metadata,
    };
  };

  const routeDocs: RouteDoc[] = [
    {
      method: 'get',
      path: '/personas',
      tags: ['personas'],
      summary: "The node's synthetic personas (JSON array; each has an id). Test data only.",
    },
    {
      method: 'get',
      path: '/personas/{id}',
      tags: ['personas'],
      summary: 'One persona',
      params: { id: 'persona id, e.g. jp-001' },
      problems: [404],
    },
    {
      method: 'get',
      path: '/agencies',
      tags: ['profile'],
      summary: 'Agencies of the country (data providers and requesters)',
    },
    { method: 'get', path: '/services', tags: ['profile'], summary: 'Services (relying parties) of the country' },
    {
      method: 'get',
      path: '/services/{id}',
      tags: ['profile'],
      summary: 'One service (the endpoint the node metadata advertises for it)',
      params: { id: 'service id' },
      problems: [404],
    },
    { method: 'get', path: '/profile', tags: ['profile'], summary: 'The whole country profile the node is built from' },
    {
      method: 'get',
      path: '/metadata',
      tags: ['registry'],
      summary: 'The node metadata and its signed form (compact JWS with x5c)',
    },
    { method: 'get', path: '/trust/status', tags: ['trust'], summary: "The node's verified view of the trust fabric" },
    { method: 'get', path: '/peers', tags: ['discovery'], summary: 'Peers registered at the hub', problems: [502] },
    {
      method: 'get',
      path: '/peers/{country}',
      tags: ['discovery'],
      summary: "A peer's signed metadata, verified by this node against its own trust view",
      params: { country: 'ISO 3166 code' },
      problems: [400, 404, 502],
    },
    {
      method: 'post',
      path: '/admin/trust/refresh',
      tags: ['admin'],
      summary: 'Reload the LOTL, trusted lists and CRLs from the hub',
      admin: true,
      problems: [401, 502],
    },
    {
      method: 'post',
      path: '/admin/register',
      tags: ['admin'],
      summary: 'Register again with the hub',
      admin: true,
      problems: [401, 502],
    },
  ];
  for (const d of routeDocs) documentRoute(app, d);

  const start = async (options: { attempts?: number; delayMs?: number } = {}) => {
    const attempts = options.attempts ?? 30;
    for (let i = 1; ; i++) {
      try {
        if (!deps.trust.status().loaded) await deps.trust.refresh(deps.fetch);
        await register();
        return;
      } catch (e) {
        if (i >= attempts) throw e;
        log.debug('hub not ready, retrying', { attempt: i, reason: e instanceof Error ? e.message : String(e) });
        await new Promise((r) => setTimeout(r, options.delayMs ?? 300));
      }
    }
  };

  return {
    app,
    info,
    start,
    register,
    metadata,
    ...(deps.cards ? { cards: deps.cards } : {}),
    ...(jpNetwork ? { jpNetwork } : {}),
    close: () => {
      evidence.stop();
      edelivery.stop();
      jpNetwork?.close();
    },
  };
}
