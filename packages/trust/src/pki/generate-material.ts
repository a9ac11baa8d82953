import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDataDirectory, KakehashiError, SeededRandom } from '@kakehashi/core';
import { OID } from '../asn1/der.ts';
import { generateRsaKeyPair } from './generate-rsa-key.ts';
import { type CertificateTemplate, type DnAttribute, issueCertificate, TEST_ONLY_OU } from './issue-certificate.ts';
import { KeyPairCache } from './key-cache.ts';
import type { CountryMaterial, CountrySpec, HubMaterial, KeyCert, TrustMaterial } from './types.ts';

/** The default notBefore of every generated certificate. */
export const DEFAULT_VALIDITY_EPOCH = new Date('2025-01-01T00:00:00Z');
/** CA certificates (roots and issuing CAs) are valid for 20 years from the epoch. */
export const CA_VALIDITY_YEARS = 20;
/** End-entity certificates are valid for 5 years from the epoch. */
export const LEAF_VALIDITY_YEARS = 5;

export const TEST_ONLY_NOTICE =
  'TEST ONLY: Kakehashi federation-in-a-box PKI generated from a public seed. These keys protect nothing; never trust them outside a test federation.';

// 2: every country has a time-stamping unit (`<CC>-tsa`).
// 3: delegated OCSP signers (`hub-ocsp`, `<CC>-ocsp`, `<CC>-jpki-ocsp`); issued certificates carry an AIA OCSP URL.
const CACHE_FORMAT = 3;

export interface GenerateTrustMaterialOptions {
  seed: string;
  countries: CountrySpec[];
  /** Directory for the on-disk cache (`trust-<sha256(seed)[0..16]>.json`); no caching when omitted. */
  cacheDir?: string;
  /** The hub's public origin, e.g. `http://127.0.0.1:7000`; CRL distribution points point under it. */
  hubUrl: string;
  /**
   * The current (virtual) time. Certificates start at {@link DEFAULT_VALIDITY_EPOCH}; should `now` be less than
   * a year before the end-entity certificates expire (2029 or later), the epoch moves to 1 January of `now`'s
   * year so that freshly generated material is always usable. Same seed + same epoch ⇒ byte-identical certificates.
   */
  now?: Date;
  /** Force a notBefore epoch (overrides the rule above). */
  validityEpoch?: Date;
}

function addYears(d: Date, years: number): Date {
  const out = new Date(d.getTime());
  out.setUTCFullYear(out.getUTCFullYear() + years);
  return out;
}

/** The epoch rule documented on {@link GenerateTrustMaterialOptions.now}. */
export function chooseValidityEpoch(now?: Date, forced?: Date): Date {
  if (forced) return new Date(forced.getTime());
  if (!now) return new Date(DEFAULT_VALIDITY_EPOCH.getTime());
  const leafEnd = addYears(DEFAULT_VALIDITY_EPOCH, LEAF_VALIDITY_YEARS);
  if (now.getTime() < addYears(leafEnd, -1).getTime() && now.getTime() >= DEFAULT_VALIDITY_EPOCH.getTime()) {
    return new Date(DEFAULT_VALIDITY_EPOCH.getTime());
  }
  return new Date(Date.UTC(now.getUTCFullYear(), 0, 1));
}

/** The URL at which the hub serves the CRL of the CA named `caName`. */
export function crlUrl(hubUrl: string, caName: string): string {
  return `${hubUrl.replace(/\/+$/, '')}/trust/crl/${caName}.crl`;
}

/** The URL of the hub's OCSP responder for the CA named `caName` (RFC 6960; POST, or GET with the request appended). */
export function ocspUrl(hubUrl: string, caName: string): string {
  return `${hubUrl.replace(/\/+$/, '')}/trust/ocsp/${caName}`;
}

/** File name of the cache for `seed`. */
export function cacheFileName(seed: string, inputs?: unknown): string {
  const base = `trust-${createHash('sha256').update(seed).digest('hex').slice(0, 16)}`;
  // One file per distinct input set, so runs with different countries or hub URLs do not evict each other.
  return inputs === undefined
    ? `${base}.json`
    : `${base}-${createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 8)}.json`;
}

interface Ctx {
  random: SeededRandom;
  hubUrl: string;
  epoch: Date;
  keys: number;
  keyCache?: KeyPairCache;
}

function serialFor(random: SeededRandom, name: string): string {
  const b = random.fork(`serial/${name}`).bytes(16);
  b[0] = ((b[0] as number) & 0x3f) | 0x40; // positive, no leading zero byte: always 16 bytes (RFC 5280 §4.1.2.2: ≤ 20)
  return b.toString('hex');
}

function subjectOf(country: string, org: string, cn: string): DnAttribute[] {
  return [
    { type: 'C', value: country },
    { type: 'O', value: org },
    { type: 'OU', value: TEST_ONLY_OU },
    { type: 'CN', value: cn },
  ];
}

type Profile = 'root-ca' | 'issuing-ca' | 'signing' | 'tl-signer' | 'tsa' | 'ocsp-signer' | 'tls' | 'encryption';

function templateFor(profile: Profile, ctx: Ctx): Omit<CertificateTemplate, 'subject' | 'serialHex'> {
  const notBefore = ctx.epoch;
  const caEnd = addYears(ctx.epoch, CA_VALIDITY_YEARS);
  const leafEnd = addYears(ctx.epoch, LEAF_VALIDITY_YEARS);
  switch (profile) {
    case 'root-ca':
      return {
        notBefore,
        notAfter: caEnd,
        basicConstraints: { cA: true, pathLen: 1 },
        keyUsage: ['keyCertSign', 'cRLSign'],
      };
    case 'issuing-ca':
      return {
        notBefore,
        notAfter: caEnd,
        basicConstraints: { cA: true, pathLen: 0 },
        keyUsage: ['keyCertSign', 'cRLSign'],
      };
    case 'signing':
      return {
        notBefore,
        notAfter: leafEnd,
        basicConstraints: { cA: false },
        keyUsage: ['digitalSignature', 'nonRepudiation'],
      };
    case 'tl-signer':
      return {
        notBefore,
        notAfter: leafEnd,
        basicConstraints: { cA: false },
        keyUsage: ['digitalSignature', 'nonRepudiation'],
        extKeyUsage: [OID.tslSigning],
      };
    case 'tsa':
      // RFC 3161 §2.3: the TSA certificate's only extended key usage is id-kp-timeStamping, marked critical.
      return {
        notBefore,
        notAfter: leafEnd,
        basicConstraints: { cA: false },
        keyUsage: ['digitalSignature', 'nonRepudiation'],
        extKeyUsage: [OID.timeStamping],
        extKeyUsageCritical: true,
      };
    case 'ocsp-signer':
      // RFC 6960 §4.2.2.2: a delegated responder is issued by the CA it answers for and carries id-kp-OCSPSigning;
      // id-pkix-ocsp-nocheck tells clients not to check the responder's own status (§4.2.2.2.1).
      return {
        notBefore,
        notAfter: leafEnd,
        basicConstraints: { cA: false },
        keyUsage: ['digitalSignature', 'nonRepudiation'],
        extKeyUsage: [OID.ocspSigning],
        ocspNoCheck: true,
      };
    case 'tls':
      return {
        notBefore,
        notAfter: leafEnd,
        basicConstraints: { cA: false },
        keyUsage: ['digitalSignature', 'keyEncipherment'],
        extKeyUsage: [OID.serverAuth, OID.clientAuth],
        subjectAltNames: [
          { type: 'dns', value: 'localhost' },
          { type: 'ip', value: '127.0.0.1' },
        ],
      };
    case 'encryption':
      return {
        notBefore,
        notAfter: leafEnd,
        basicConstraints: { cA: false },
        keyUsage: ['keyEncipherment', 'dataEncipherment'],
      };
  }
}

/**
 * Issues one KeyCert from the seeded stream `key/<name>` (key) and `serial/<name>` (serial number):
 * each certificate has its own stream, so adding a country or an agency leaves every other certificate unchanged.
 */
export function issueKeyCert(
  ctx: { random: SeededRandom; hubUrl: string; keyCache?: KeyPairCache },
  name: string,
  template: Omit<CertificateTemplate, 'serialHex'>,
  issuer: KeyCert | null,
): KeyCert {
  const keys = ctx.keyCache
    ? ctx.keyCache.keyPair(ctx.random, name)
    : generateRsaKeyPair(ctx.random.fork(`key/${name}`));
  const serialHex = serialFor(ctx.random, name);
  const full: CertificateTemplate = { ...template, serialHex };
  if (issuer) {
    full.crlDistributionPoint = crlUrl(ctx.hubUrl, issuer.name);
    // A responder certificate with ocsp-nocheck is not itself checked by OCSP (RFC 6960 §4.2.2.2.1).
    if (!template.ocspNoCheck) full.ocspUrl = ocspUrl(ctx.hubUrl, issuer.name);
  }
  const { certPem, certificate } = issueCertificate(
    full,
    keys.publicKey,
    issuer ? { certificate: issuer.certificate, privateKey: issuer.privateKey } : { selfSigningKey: keys.privateKey },
  );
  return {
    name,
    certPem,
    keyPem: keys.privateKeyPem,
    privateKey: keys.privateKey,
    certificate,
    chainPem: issuer ? [issuer.certPem, ...issuer.chainPem] : [],
    issuerName: issuer ? issuer.name : null,
    serialHex,
  };
}

function make(ctx: Ctx, name: string, profile: Profile, subject: DnAttribute[], issuer: KeyCert | null): KeyCert {
  ctx.keys++;
  return issueKeyCert(ctx, name, { ...templateFor(profile, ctx), subject }, issuer);
}

function generateHub(ctx: Ctx): HubMaterial {
  const org = 'Kakehashi Core Service Platform';
  const rootCa = make(ctx, 'hub-root-ca', 'root-ca', subjectOf('EU', org, 'Kakehashi Hub Root CA (TEST)'), null);
  const issuingCa = make(
    ctx,
    'hub-issuing-ca',
    'issuing-ca',
    subjectOf('EU', org, 'Kakehashi Hub Issuing CA (TEST)'),
    rootCa,
  );
  return {
    rootCa,
    issuingCa,
    signing: make(
      ctx,
      'hub-signing',
      'signing',
      subjectOf('EU', org, 'Kakehashi Hub signing and LOTL signer (TEST)'),
      issuingCa,
    ),
    tls: make(ctx, 'hub-tls', 'tls', subjectOf('EU', org, 'localhost'), issuingCa),
    encryption: make(
      ctx,
      'hub-encryption',
      'encryption',
      subjectOf('EU', org, 'Kakehashi Hub encryption (TEST)'),
      issuingCa,
    ),
    ocspSigner: make(
      ctx,
      'hub-ocsp',
      'ocsp-signer',
      subjectOf('EU', org, 'Kakehashi Hub OCSP Responder (TEST)'),
      issuingCa,
    ),
  };
}

function generateCountry(ctx: Ctx, spec: CountrySpec): CountryMaterial {
  const cc = spec.code.toUpperCase();
  if (!/^[A-Z]{2}$/.test(cc))
    throw new KakehashiError('unknown-country', `"${spec.code}" is not an ISO 3166-1 alpha-2 code.`);
  const org = `${spec.name} national node (Kakehashi)`;
  const rootCa = make(ctx, `${cc}-root-ca`, 'root-ca', subjectOf(cc, org, `Kakehashi ${cc} Root CA (TEST)`), null);
  const issuingCa = make(
    ctx,
    `${cc}-issuing-ca`,
    'issuing-ca',
    subjectOf(cc, org, `Kakehashi ${cc} Issuing CA (TEST)`),
    rootCa,
  );
  const country: CountryMaterial = {
    code: cc,
    name: spec.name,
    rootCa,
    issuingCa,
    tlSigner: make(
      ctx,
      `${cc}-tl-signer`,
      'tl-signer',
      subjectOf(cc, org, `Kakehashi ${cc} Trusted List Signer (TEST)`),
      issuingCa,
    ),
    signing: make(
      ctx,
      `${cc}-signing`,
      'signing',
      subjectOf(cc, org, `Kakehashi ${cc} node signing (TEST)`),
      issuingCa,
    ),
    tls: make(ctx, `${cc}-tls`, 'tls', subjectOf(cc, org, 'localhost'), issuingCa),
    encryption: make(
      ctx,
      `${cc}-encryption`,
      'encryption',
      subjectOf(cc, org, `Kakehashi ${cc} node encryption (TEST)`),
      issuingCa,
    ),
    agencies: {},
    tsa: make(ctx, `${cc}-tsa`, 'tsa', subjectOf(cc, org, `Kakehashi ${cc} Time-Stamping Unit (TEST)`), issuingCa),
    ocspSigner: make(
      ctx,
      `${cc}-ocsp`,
      'ocsp-signer',
      subjectOf(cc, org, `Kakehashi ${cc} OCSP Responder (TEST)`),
      issuingCa,
    ),
  };
  for (const agency of spec.agencies) {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(agency.id)) {
      throw new KakehashiError(
        'config-invalid',
        `Agency id "${agency.id.slice(0, 64)}" must be 1-64 characters of A-Z a-z 0-9 . _ -.`,
      );
    }
    country.agencies[agency.id] = make(
      ctx,
      `${cc}-agency-${agency.id}`,
      'signing',
      subjectOf(cc, agency.name, `${agency.name} (TEST)`),
      issuingCa,
    );
  }
  if (spec.jpki) {
    const jpkiOrg = 'JPKI (Kakehashi mock of the My Number Card PKI)';
    const jpkiRoot = make(ctx, `${cc}-jpki-root-ca`, 'root-ca', subjectOf(cc, jpkiOrg, 'JPKI TEST Root CA'), null);
    const jpkiCa = make(ctx, `${cc}-jpki-ca`, 'issuing-ca', subjectOf(cc, jpkiOrg, 'JPKI test CA'), jpkiRoot);
    country.jpki = {
      rootCa: jpkiRoot,
      ca: jpkiCa,
      ocspSigner: make(
        ctx,
        `${cc}-jpki-ocsp`,
        'ocsp-signer',
        subjectOf(cc, jpkiOrg, 'JPKI test OCSP Responder'),
        jpkiCa,
      ),
    };
  }
  return country;
}

interface CacheFile {
  notice: string;
  format: number;
  inputs: { countries: CountrySpec[]; hubUrl: string; validityEpoch: string; seedDigest: string };
  keyCerts: Record<
    string,
    { certPem: string; keyPem: string; chainPem: string[]; issuerName: string | null; serialHex: string }
  >;
}

function keyCertFromCache(name: string, entry: CacheFile['keyCerts'][string] | undefined): KeyCert {
  if (!entry) throw new Error(`cache lacks ${name}`);
  return {
    name,
    certPem: entry.certPem,
    keyPem: entry.keyPem,
    privateKey: createPrivateKey(entry.keyPem),
    certificate: new X509Certificate(entry.certPem),
    chainPem: entry.chainPem,
    issuerName: entry.issuerName,
    serialHex: entry.serialHex,
  };
}

/** Every KeyCert of the material (hub, countries, agencies, JPKI CAs). */
export function listKeyCerts(material: Pick<TrustMaterial, 'hub' | 'countries'>): KeyCert[] {
  const out: KeyCert[] = Object.values(material.hub);
  for (const c of Object.values(material.countries)) {
    out.push(
      c.rootCa,
      c.issuingCa,
      c.tlSigner,
      c.signing,
      c.tls,
      c.encryption,
      c.tsa,
      c.ocspSigner,
      ...Object.values(c.agencies),
    );
    if (c.jpki) out.push(c.jpki.rootCa, c.jpki.ca, c.jpki.ocspSigner);
  }
  return out;
}

/** The CAs of the material: the hub serves one CRL per CA at `/trust/crl/<name>.crl`. */
export function listCertificateAuthorities(material: Pick<TrustMaterial, 'hub' | 'countries'>): KeyCert[] {
  return listKeyCerts(material).filter((k) => k.certificate.ca);
}

/**
 * The delegated OCSP signer of the CA named `caName` (issued by it, EKU id-kp-OCSPSigning), or undefined when the
 * CA signs its OCSP responses itself (the roots).
 * @see https://www.rfc-editor.org/rfc/rfc6960#section-4.2.2.2
 */
export function ocspSignerFor(material: Pick<TrustMaterial, 'hub' | 'countries'>, caName: string): KeyCert | undefined {
  const signers = [material.hub.ocspSigner];
  for (const c of Object.values(material.countries)) {
    signers.push(c.ocspSigner);
    if (c.jpki) signers.push(c.jpki.ocspSigner);
  }
  return signers.find((k) => k.issuerName === caName);
}

/** Finds a KeyCert by name; `unknown-country`-style not-found is reported as `not-found`. */
export function findKeyCert(material: Pick<TrustMaterial, 'hub' | 'countries'>, name: string): KeyCert {
  const found = listKeyCerts(material).find((k) => k.name === name);
  if (!found)
    throw new KakehashiError('not-found', `No certificate named "${name.slice(0, 80)}" in the trust material.`);
  return found;
}

function rebuild(file: CacheFile, countries: CountrySpec[]): Pick<TrustMaterial, 'hub' | 'countries'> {
  const k = (name: string) => keyCertFromCache(name, file.keyCerts[name]);
  const hub: HubMaterial = {
    rootCa: k('hub-root-ca'),
    issuingCa: k('hub-issuing-ca'),
    signing: k('hub-signing'),
    tls: k('hub-tls'),
    encryption: k('hub-encryption'),
    ocspSigner: k('hub-ocsp'),
  };
  const out: Record<string, CountryMaterial> = {};
  for (const spec of countries) {
    const cc = spec.code.toUpperCase();
    const c: CountryMaterial = {
      code: cc,
      name: spec.name,
      rootCa: k(`${cc}-root-ca`),
      issuingCa: k(`${cc}-issuing-ca`),
      tlSigner: k(`${cc}-tl-signer`),
      signing: k(`${cc}-signing`),
      tls: k(`${cc}-tls`),
      encryption: k(`${cc}-encryption`),
      agencies: Object.fromEntries(spec.agencies.map((a) => [a.id, k(`${cc}-agency-${a.id}`)])),
      tsa: k(`${cc}-tsa`),
      ocspSigner: k(`${cc}-ocsp`),
    };
    if (spec.jpki)
      c.jpki = { rootCa: k(`${cc}-jpki-root-ca`), ca: k(`${cc}-jpki-ca`), ocspSigner: k(`${cc}-jpki-ocsp`) };
    out[cc] = c;
  }
  return { hub, countries: out };
}

/**
 * Generates the federation's test PKI from a seed ("federation-in-a-box"): an EU-level hub root and issuing
 * CA with the hub's signing (also the LOTL signer), TLS and encryption certificates; per country a root CA
 * (pathLen 1), an issuing CA (pathLen 0), a trusted-list signer, the node's signing/TLS/encryption
 * certificates, one certificate per agency, and for `jpki` countries a separate JPKI-style root and
 * "JPKI test CA" (see {@link issueJpkiCertificates}).
 *
 * Deterministic: the same seed, countries, hub URL and validity epoch give byte-identical certificates and
 * keys. Validity: every certificate starts at the epoch (2025-01-01T00:00:00Z by default, see `now`); CAs
 * last {@link CA_VALIDITY_YEARS} years, end-entity certificates {@link LEAF_VALIDITY_YEARS}. Every subject
 * carries `OU=Kakehashi TEST ONLY - not for production`.
 *
 * With `cacheDir`, the material is stored as PEM in `cacheDir/trust-<sha256(seed) first 16 hex>.json`
 * (the file's `notice` says it is test-only) and loaded from there while the inputs are unchanged; its key pairs
 * also go to `cacheDir/keys-….json` ({@link KeyPairCache}), so that other inputs (a hub on another port, other
 * countries) only reissue the certificates.
 *
 * Synchronous (key generation uses OpenSSL's synchronous primality test); awaiting it is harmless.
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-4.2 (extensions used)
 */
export function generateTrustMaterial(options: GenerateTrustMaterialOptions): TrustMaterial {
  const started = performance.now();
  const epoch = chooseValidityEpoch(options.now, options.validityEpoch);
  const hubUrl = options.hubUrl.replace(/\/+$/, '');
  const countries = options.countries.map((c) => ({ ...c, code: c.code.toUpperCase() }));
  const codes = new Set<string>();
  for (const c of countries) {
    if (codes.has(c.code)) throw new KakehashiError('config-invalid', `Country ${c.code} is listed twice.`);
    codes.add(c.code);
  }
  const inputs: CacheFile['inputs'] = {
    countries,
    hubUrl,
    validityEpoch: epoch.toISOString(),
    seedDigest: createHash('sha256').update(options.seed).digest('hex'),
  };
  const cachePath = options.cacheDir ? join(options.cacheDir, cacheFileName(options.seed, inputs)) : undefined;
  const base = { notice: TEST_ONLY_NOTICE, seed: options.seed, hubUrl, validityEpoch: epoch.toISOString() };

  if (cachePath) {
    const cached = readCache(cachePath, inputs);
    const parts = cached ? tryRebuild(cached, countries) : undefined;
    if (cached && parts) {
      const keys = Object.keys(cached.keyCerts).length;
      return {
        ...base,
        ...parts,
        provenance: { source: 'cache', ms: performance.now() - started, keys, cacheFile: cachePath },
      };
    }
  }

  const ctx: Ctx = { random: new SeededRandom(options.seed, 'kakehashi/trust'), hubUrl, epoch, keys: 0 };
  // The keys depend on the seed alone: other hub URLs or countries reuse them (see KeyPairCache).
  if (options.cacheDir) ctx.keyCache = new KeyPairCache(options.cacheDir, options.seed);
  const hub = generateHub(ctx);
  const out: Record<string, CountryMaterial> = {};
  for (const spec of countries) out[spec.code] = generateCountry(ctx, spec);
  const parts = { hub, countries: out };
  ctx.keyCache?.save();

  if (cachePath) {
    const file: CacheFile = {
      notice: TEST_ONLY_NOTICE,
      format: CACHE_FORMAT,
      inputs,
      keyCerts: Object.fromEntries(
        listKeyCerts(parts).map((k) => [
          k.name,
          {
            certPem: k.certPem,
            keyPem: k.keyPem,
            chainPem: k.chainPem,
            issuerName: k.issuerName,
            serialHex: k.serialHex,
          },
        ]),
      ),
    };
    ensureDataDirectory(options.cacheDir as string, 'the trust material cache');
    const tmp = `${cachePath}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(file, null, 1)}\n`, { mode: 0o600 });
    renameSync(tmp, cachePath);
  }
  const provenance: TrustMaterial['provenance'] = {
    source: 'generated',
    ms: performance.now() - started,
    keys: ctx.keys,
  };
  if (cachePath) provenance.cacheFile = cachePath;
  return { ...base, ...parts, provenance };
}

function tryRebuild(file: CacheFile, countries: CountrySpec[]): Pick<TrustMaterial, 'hub' | 'countries'> | undefined {
  try {
    return rebuild(file, countries);
  } catch {
    return undefined; // an incomplete or damaged cache is regenerated
  }
}

function readCache(path: string, inputs: CacheFile['inputs']): CacheFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const file = JSON.parse(text) as CacheFile;
    if (file.format !== CACHE_FORMAT || JSON.stringify(file.inputs) !== JSON.stringify(inputs)) return undefined;
    return file;
  } catch {
    return undefined; // a corrupt cache is regenerated, never trusted
  }
}
