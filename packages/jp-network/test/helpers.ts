import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CertificateVerdict,
  CORE_OPTIONS,
  createComponentApp,
  createMemoryLogger,
  FaultSwitchboard,
  LayeredConfig,
  MemoryTraceSink,
  mountAdmin,
  mountDocs,
  openStore,
  SeededRandom,
  VirtualClock,
} from '@kakehashi/core';
import { generatePersonas, type Persona } from '@kakehashi/personas';
import {
  createCrl,
  generateTrustMaterial,
  issueJpkiCertificates,
  type KeyCert,
  parseCrl,
  type RevokedCertificate,
  TrustStore,
} from '@kakehashi/trust';
import { SIGNATURE_HEADER, signRequest } from '../src/crypto/request-auth.ts';
import type { CooperationNetworkDeps, JpAgency, JpCard, JpCredential } from '../src/deps.ts';
import { mountCooperationNetwork } from '../src/mount-cooperation-network.ts';
import type { CooperationNetwork } from '../src/network-parts.ts';

export const SEED = 'kakehashi-jp-network-test';
export const NOW = new Date('2026-06-01T00:00:00Z');
export const ADMIN = { authorization: 'Bearer kakehashi-admin-test-only' };
export const ORIGIN = 'http://jp.node.test';

/** Japan's agencies as the JP country profile lists them (the node passes `profile.agencies`). */
export const AGENCIES: JpAgency[] = [
  { id: 'setagaya-city', name: 'Setagaya City', nameLocal: '世田谷区', kind: 'municipality' },
  { id: 'japan-pension-service', name: 'Japan Pension Service', nameLocal: '日本年金機構', kind: 'pension' },
  { id: 'national-tax-agency', name: 'National Tax Agency', nameLocal: '国税庁', kind: 'tax' },
  {
    id: 'kyokai-kenpo',
    name: 'Japan Health Insurance Association',
    nameLocal: '全国健康保険協会',
    kind: 'health-insurer',
  },
  { id: 'j-lis', name: 'J-LIS', nameLocal: '地方公共団体情報システム機構', kind: 'registry' },
  { id: 'digital-agency', name: 'Digital Agency', nameLocal: 'デジタル庁', kind: 'ministry' },
];
export const PROVIDERS = ['setagaya-city', 'japan-pension-service', 'national-tax-agency', 'kyokai-kenpo'] as const;

const CACHE = join(import.meta.dirname, '..', '..', '..', 'node_modules', '.cache', 'kakehashi-jp-network-test');

let materialMemo: ReturnType<typeof generateTrustMaterial> | undefined;
/** The test PKI (cached on disk: only the first run pays for key generation). */
export function material() {
  if (!materialMemo) {
    mkdirSync(CACHE, { recursive: true });
    materialMemo = generateTrustMaterial({
      seed: SEED,
      countries: [
        { code: 'JP', name: 'Japan', agencies: AGENCIES.map((a) => ({ id: a.id, name: a.name })), jpki: true },
      ],
      hubUrl: 'http://127.0.0.1:7000',
      cacheDir: CACHE,
    });
  }
  return materialMemo;
}

const cred = (k: KeyCert): JpCredential => ({ certPem: k.certPem, chainPem: k.chainPem, privateKey: k.privateKey });
const cardMemo = new Map<string, JpCard>();

/** The mock My Number Card of a persona (memoised: ~0.1 s each). */
export function cardOf(persona: Persona): JpCard {
  let card = cardMemo.get(persona.id);
  if (!card) {
    const f = persona.fourFacts as NonNullable<Persona['fourFacts']>;
    const certs = issueJpkiCertificates(material(), {
      id: persona.id,
      name: f.name,
      sex: f.gender === 'male' ? '1' : '2',
      dateOfBirth: f.dateOfBirth.replaceAll('-', ''),
      address: f.address,
    });
    card = { personaId: persona.id, certificates: certs };
    cardMemo.set(persona.id, card);
  }
  return card;
}

/** A trust view anchored at Japan's root and the JPKI root, with a JPKI CRL the test can grow. */
export function createTestTrust(clock: VirtualClock) {
  const m = material();
  const jp = m.countries.JP as NonNullable<(typeof m.countries)['JP']>;
  const jpki = jp.jpki as NonNullable<typeof jp.jpki>;
  const store = new TrustStore({ anchors: [{ certificate: jp.rootCa.certPem }, { certificate: jpki.rootCa.certPem }] });
  const revoked: RevokedCertificate[] = [];
  let crlNumber = 1;
  const publishCrl = () => {
    const now = clock.nowMs();
    store.addCrl(
      parseCrl(
        createCrl(jpki.ca, revoked, new Date(now - 60_000 + crlNumber), new Date(now + 30 * 86_400_000), crlNumber++),
      ),
    );
  };
  publishCrl();
  return {
    validateCertificate(pem: string, chain: string[], opts: { at: Date; usage?: string[] }): CertificateVerdict {
      const r = store.validate(pem, {
        intermediates: chain,
        at: opts.at,
        requiredKeyUsage: (opts.usage ?? []) as never,
      });
      return {
        valid: r.valid,
        failure: r.failure ? { code: r.failure.code, reason: r.failure.reason } : undefined,
        checks: [],
      };
    },
    revoke(serialHex: string) {
      revoked.push({ serialHex, revokedAt: new Date(clock.nowMs() - 1000), reason: 'keyCompromise' });
      publishCrl();
    },
  };
}

/** A decoded JSON response body: tests read whatever members they assert on. */
// biome-ignore lint/suspicious/noExplicitAny: test responses are free-form JSON read member by member
export type Json = any;

export interface TestNetwork {
  app: ReturnType<typeof createComponentApp>;
  net: CooperationNetwork;
  deps: CooperationNetworkDeps;
  clock: VirtualClock;
  personas: Persona[];
  traces: MemoryTraceSink;
  logs: Record<string, unknown>[];
  trust: ReturnType<typeof createTestTrust>;
  credOf(agencyId: string): JpCredential;
  /** A JSON request to the node app. */
  req(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Json }>;
  /** A request signed as `iss` with its agency certificate (what an intermediary server sends). */
  signed(iss: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }>;
  /** The persona's code at an agency (from that agency's own table, matched on the four facts). */
  codeOf(agencyId: string, persona: Persona): string;
  internalIdOf(agencyId: string, persona: Persona): string;
}

/** Builds Japan's network on a bare component app, in memory (or on `dataDir`), and seeds it. */
export async function buildTestNetwork(
  options: { dataDir?: string; seed?: string; personas?: number } = {},
): Promise<TestNetwork> {
  const m = material();
  const jp = m.countries.JP as NonNullable<(typeof m.countries)['JP']>;
  const clock = new VirtualClock();
  clock.freeze(NOW);
  const seed = options.seed ?? SEED;
  const personas = generatePersonas(seed, 'JP', options.personas ?? 8);
  const logger = createMemoryLogger('debug');
  const traces = new MemoryTraceSink(100_000);
  const trust = createTestTrust(clock);
  let app: ReturnType<typeof createComponentApp>;
  const deps: CooperationNetworkDeps = {
    store: openStore({ name: 'node-jp', dataDir: options.dataDir ?? ':memory:' }),
    clock,
    random: new SeededRandom(seed),
    logger,
    config: new LayeredConfig(CORE_OPTIONS, {}),
    fetch: ((input: RequestInfo | URL, init?: RequestInit) =>
      app.request(input instanceof Request ? input : String(input), init)) as typeof fetch,
    traces,
    faults: new FaultSwitchboard(),
    seed,
    publicUrl: ORIGIN,
    personas,
    agencies: AGENCIES,
    credentials: {
      signing: cred(jp.signing),
      agencies: Object.fromEntries(Object.entries(jp.agencies).map(([id, k]) => [id, cred(k)])),
      jpkiCa: cred((jp.jpki as NonNullable<typeof jp.jpki>).ca),
    },
    trust,
    cards: (id) => {
      const p = personas.find((x) => x.id === id);
      if (!p) throw new Error(`no persona ${id}`);
      return cardOf(p);
    },
  };
  const info = { component: 'node' as const, country: 'JP', name: 'National node JP (test)', version: '0' };
  app = createComponentApp(info, deps);
  mountDocs(app, info, 'test');
  let net: CooperationNetwork | undefined;
  mountAdmin(app, deps, { reset: () => net?.reset() });
  net = mountCooperationNetwork(app, deps);
  await net.ready();
  const req: TestNetwork['req'] = async (method, path, body, headers = {}) => {
    const res = await app.request(`${ORIGIN}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed };
  };
  const credOf = (id: string) =>
    id === 'network' ? deps.credentials.signing : (deps.credentials.agencies[id] as JpCredential);
  const internalIdOf = (agencyId: string, persona: Persona) => {
    const party = agencyId === 'digital-agency' ? net.portal : net.servers.get(agencyId);
    const row = party
      ?.subjects()
      .find(
        (s) =>
          s.name === persona.fourFacts?.name &&
          s.date_of_birth === persona.fourFacts?.dateOfBirth &&
          s.address === persona.fourFacts?.address,
      );
    if (!row) throw new Error(`${agencyId} has no record of ${persona.id}`);
    return row.internal_id;
  };
  return {
    app,
    net,
    deps,
    clock,
    personas,
    traces,
    logs: logger.lines,
    trust,
    credOf,
    req,
    signed: (iss, method, path, body) => {
      const text = body === undefined ? '' : JSON.stringify(body);
      return req(method, path, body === undefined ? undefined : text, {
        [SIGNATURE_HEADER]: signRequest(credOf(iss), iss, audience(path), method, path, text, clock),
      });
    },
    internalIdOf,
    codeOf: (agencyId, persona) => {
      const party = agencyId === 'digital-agency' ? net.portal : net.servers.get(agencyId);
      return party?.subject(internalIdOf(agencyId, persona))?.code as string;
    },
  };
}

function audience(path: string): string {
  if (path.startsWith('/jp/network/')) return 'jp-network';
  if (path.startsWith('/jp/jlis/')) return 'jp-jlis';
  return `jp-agency:${/^\/jp\/agencies\/([a-z0-9-]+)\//.exec(path)?.[1]}`;
}

/** Every text value of every table of a store, as one string (what a grep of the store finds). */
export function dumpStore(store: { all<T>(sql: string): T[] }): string {
  const tables = store.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'");
  return tables.map((t) => JSON.stringify(store.all(`SELECT * FROM "${t.name}"`))).join('\n');
}

/** 12-digit runs with a valid My Number check digit, and every persona's My Number / resident record code found in `text`. */
export function findIdentifiers(text: string, personas: readonly Persona[]): string[] {
  const hits: string[] = [];
  for (const p of personas) {
    if (p.myNumber && text.includes(p.myNumber)) hits.push(`myNumber of ${p.id}`);
    if (p.residentRecordCode && text.includes(p.residentRecordCode)) hits.push(`residentRecordCode of ${p.id}`);
  }
  return hits;
}
