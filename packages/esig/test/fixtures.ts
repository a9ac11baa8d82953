import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '@kakehashi/core';
import {
  type BuildTrustedListOptions,
  buildCrls,
  buildLotl,
  buildTrustedList,
  type CountrySpec,
  generateTrustMaterial,
  issueJpkiCertificates,
  type JpkiCertificates,
  type KeyCert,
  listCertificateAuthorities,
  ocspSignerFor,
  parseCrl,
  type RevocationRecord,
  type TrustMaterial,
  TrustStore,
  verifyLotl,
  verifyTrustedList,
} from '@kakehashi/trust';
import type { SigningCredential } from '../src/common/certificates.ts';
import type { SignatureValidationContext } from '../src/common/signature-facts.ts';
import { createOcspResponder, type OcspResponder } from '../src/ocsp/ocsp-responder.ts';
import { createTimestampAuthority, type TimestampAuthority } from '../src/tsa/timestamp-authority.ts';
import { createTrustStoreContext } from '../src/validate/trust-store-context.ts';

export const SEED = 'kakehashi-esig-test-seed';
export const HUB_URL = 'http://127.0.0.1:7000';
export const COUNTRIES: CountrySpec[] = [
  { code: 'AT', name: 'Austria', agencies: [{ id: 'bmi', name: 'Bundesministerium für Inneres' }] },
  { code: 'DE', name: 'Germany', agencies: [{ id: 'bva', name: 'Bundesverwaltungsamt' }] },
  { code: 'JP', name: 'Japan', agencies: [{ id: 'mhlw', name: '厚生労働省' }], jpki: true },
];
/** Inside every certificate's validity (2025-01-01 … 2030-01-01). */
export const T0 = new Date('2026-06-01T00:00:00Z');

const TRUST_SOURCE = join(import.meta.dirname, '..', '..', 'trust', 'src', 'pki');
const CACHE = join(
  import.meta.dirname,
  '..',
  'node_modules',
  '.cache',
  `esig-trust-${createHash('sha256')
    .update(
      readdirSync(TRUST_SOURCE)
        .sort()
        .map((f) => readFileSync(join(TRUST_SOURCE, f), 'utf8'))
        .join('\0'),
    )
    .digest('hex')
    .slice(0, 12)}`,
);

let cached: TrustMaterial | undefined;
export function material(): TrustMaterial {
  if (!cached) {
    mkdirSync(CACHE, { recursive: true });
    cached = generateTrustMaterial({ seed: SEED, countries: COUNTRIES, hubUrl: HUB_URL, cacheDir: CACHE, now: T0 });
  }
  return cached;
}

let citizen: JpkiCertificates | undefined;
/** A Japanese citizen's JPKI certificates (memoised: issuance costs two key generations). */
export function jpkiCitizen(): JpkiCertificates {
  citizen ??= issueJpkiCertificates(material(), {
    id: 'jp-test-001',
    name: '山田 花子',
    sex: '2',
    dateOfBirth: '19900101',
    address: '東京都千代田区霞が関1-1',
  });
  return citizen;
}

export const cred = (k: KeyCert): SigningCredential => ({
  certPem: k.certPem,
  chainPem: k.chainPem,
  privateKey: k.privateKey,
});

/**
 * A trust view as a node builds it: LOTL and national lists built, verified against the pinned LOTL signer and
 * the pointers' certificates, anchors with their status history, and CRLs with the given revocations.
 */
export function trustView(options: {
  clock: VirtualClock;
  revocations?: RevocationRecord[];
  services?: Record<string, BuildTrustedListOptions['services']>;
  issuedAt?: Date;
  /**
   * Serve OCSP: one responder per CA (delegated signer where the material has one), answering from `revocations`
   * (default: the CRL's). `transform` lets an attack rewrite or replace a response; returning undefined simulates
   * an unreachable responder.
   */
  ocsp?: {
    revocations?: RevocationRecord[];
    transform?: (der: Buffer, ctx: { url: string; caName: string; requestDer: Buffer }) => Buffer | undefined;
  };
}): { ctx: SignatureValidationContext; store: TrustStore; crlDer: Record<string, Buffer> } {
  const m = material();
  const issueDate = options.issuedAt ?? new Date(T0.getTime() - 86_400_000);
  const issue = { sequenceNumber: 1, issueDate, nextUpdate: new Date(issueDate.getTime() + 3650 * 86_400_000) };
  const lotl = verifyLotl(buildLotl(m, issue), { pinnedSignerCerts: [m.hub.signing.certPem], clock: options.clock });
  const lists = lotl.pointers.map((p) =>
    verifyTrustedList(
      buildTrustedList(m, p.territory, {
        ...issue,
        ...(options.services?.[p.territory] ? { services: options.services[p.territory] } : {}),
      }),
      { signerCerts: p.signerCertsPem, clock: options.clock, expectedTerritory: p.territory },
    ),
  );
  const store = TrustStore.fromTrustedLists(lists);
  const crlDer = buildCrls(m, options.revocations ?? [], {
    thisUpdate: issueDate,
    nextUpdate: new Date(issueDate.getTime() + 3650 * 86_400_000),
    crlNumber: 1,
  });
  for (const der of Object.values(crlDer)) store.addCrl(parseCrl(der));
  const ocsp = options.ocsp;
  const responders = ocsp ? ocspResponders(ocsp.revocations ?? options.revocations ?? [], options.clock) : undefined;
  const ctx = createTrustStoreContext({
    store,
    clock: options.clock,
    crls: (url) => crlDer[/\/trust\/crl\/([\w.-]+)\.crl$/.exec(url)?.[1] ?? ''],
    ...(responders
      ? {
          ocsp: (url: string, requestDer: Buffer) => {
            const caName = /\/trust\/ocsp\/([\w.-]+)$/.exec(url)?.[1] ?? '';
            const der = responders[caName]?.respond(requestDer).der;
            if (!der) return undefined;
            return ocsp?.transform ? ocsp.transform(der, { url, caName, requestDer }) : der;
          },
        }
      : {}),
  });
  return { ctx, store, crlDer };
}

/** An OCSP responder for every CA of the material, answering from `revocations` on `clock`. */
export function ocspResponders(
  revocations: RevocationRecord[],
  clock: Pick<VirtualClock, 'now'>,
): Record<string, OcspResponder> {
  const m = material();
  return Object.fromEntries(
    listCertificateAuthorities(m).map((ca) => {
      const signer = ocspSignerFor(m, ca.name);
      return [
        ca.name,
        createOcspResponder({
          ca,
          ...(signer ? { signer } : {}),
          clock,
          status: (serialHex) =>
            revocations.find((r) => r.issuerName === ca.name && r.serialHex.toLowerCase() === serialHex),
        }),
      ];
    }),
  );
}

export function tsaFor(cc: string, clock: VirtualClock): TimestampAuthority {
  return createTimestampAuthority({ credential: cred(material().countries[cc]!.tsa), clock });
}

export function frozenClock(at = T0): VirtualClock {
  const c = new VirtualClock();
  c.freeze(at);
  return c;
}

// ---- independent verifiers

const toolCache = new Map<string, boolean>();
/** True when the tool is installed; loud when not (and a failure with KAKEHASHI_REQUIRE_TOOLS=1). */
export function hasTool(name: 'openssl' | 'xmllint' | 'xmlsec1' | 'python3-jwcrypto'): boolean {
  let ok = toolCache.get(name);
  if (ok === undefined) {
    ok =
      name === 'python3-jwcrypto'
        ? spawnSync('/usr/bin/python3', ['-c', 'import jwcrypto']).status === 0
        : spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
    toolCache.set(name, ok);
    if (!ok && process.env.KAKEHASHI_REQUIRE_TOOLS === '1')
      throw new Error(`[kakehashi/esig] ${name} is required (KAKEHASHI_REQUIRE_TOOLS=1) but not installed`);
    if (!ok)
      console.warn(
        `\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n[kakehashi/esig] ${name} is NOT INSTALLED: the tests that check our output with it are SKIPPED.\nInstall it (apt-get install libxml2-utils xmlsec1 openssl python3-jwcrypto) — CI must never skip these.\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n`,
      );
  }
  return ok;
}

export function run(
  cmd: string,
  args: string[],
  options: { input?: string | Buffer; env?: Record<string, string>; cwd?: string } = {},
): { status: number; output: string } {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    input: options.input,
    cwd: options.cwd,
    env: { ...process.env, ...(options.env ?? {}) },
  });
  return { status: r.status ?? -1, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

export function tempFiles(files: Record<string, string | Buffer>): { dir: string; path: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'kakehashi-esig-'));
  const path: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    path[name] = join(dir, name);
    writeFileSync(path[name], content);
  }
  return { dir, path };
}
