import { createECDH, createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { SeededRandom } from '@kakehashi/core';
import { inspectCertificate, issueCertificate, TEST_ONLY_OU } from '@kakehashi/trust';
import { type EcKeyPair, seededEcKey } from '../crypto/ec-key.ts';
import type { WalletCredential } from '../wallet-deps.ts';

/** The PID provider's signing key and its x5c chain (leaf first, without the root: HAIP §6.1.1). */
export interface PidIssuerKey extends EcKeyPair {
  certPem: string;
  /** The `x5c` header: base64 DER, the leaf then its issuing CA (the root stays out, as HAIP asks). */
  x5c: string[];
}

const KEYS = new Map<string, PidIssuerKey>();

/**
 * A certified key as a start keeps it for the next (the trust material cache on disk): the P-256 scalar and point
 * (JWK members), the certificate and the `x5c`. `id` is a digest of everything the key and certificate are made
 * from (role, seed, country, DNS name, issuing CA, signing certificate), so another input never finds it.
 */
export interface StoredCertifiedKey {
  id: string;
  d: string;
  x: string;
  y: string;
  certPem: string;
  x5c: string[];
}

/** Keys certified by earlier starts, by id: taken instead of certifying again once their certificate checks out. */
const STORED = new Map<string, StoredCertifiedKey>();
/** The keys certified (or taken from `STORED`) in this process, as they would be stored, with their seed. */
const TO_STORE = new Map<string, { seed: string; key: StoredCertifiedKey }>();

/**
 * Offers keys certified by an earlier start (see {@link certifiedKeysToStore}): a later `certifiedEcKey` for the same
 * inputs takes its key instead of certifying again, once its certificate verifies under the issuing CA's key and
 * holds the stored public key (a damaged or foreign entry is ignored and the key certified anew). The same seeded
 * key and certificate either way: certifying is deterministic.
 */
export function offerStoredCertifiedKeys(keys: readonly StoredCertifiedKey[]): void {
  for (const k of keys) if (typeof k?.id === 'string') STORED.set(k.id, k);
}

/**
 * Every key of `seed` certified or taken in this process, for the next start to take with
 * {@link offerStoredCertifiedKeys}.
 */
export function certifiedKeysToStore(seed: string): StoredCertifiedKey[] {
  return [...TO_STORE.values()].filter((k) => k.seed === seed).map((k) => k.key);
}

/**
 * The stored key `id`, when its certificate was issued by `issuer` and carries the point of the stored scalar (the
 * point is computed from the scalar, not taken from the file).
 */
function storedKey(id: string, issuer: X509Certificate, issuerDerBase64: string): PidIssuerKey | undefined {
  const s = STORED.get(id);
  if (!s) return undefined;
  try {
    const cert = new X509Certificate(s.certPem);
    if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) return undefined;
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.from(s.d, 'base64url'));
    const pub = ecdh.getPublicKey();
    const x = pub.subarray(1, 33).toString('base64url');
    const y = pub.subarray(33, 65).toString('base64url');
    const point = cert.publicKey.export({ format: 'jwk' });
    if (point.crv !== 'P-256' || point.x !== x || point.y !== y) return undefined;
    const publicJwk = { kty: 'EC' as const, crv: 'P-256' as const, x, y };
    const privateKey = createPrivateKey({ key: { ...publicJwk, d: s.d }, format: 'jwk' });
    const x5c = [cert.raw.toString('base64'), issuerDerBase64];
    return { privateKey, publicKey: cert.publicKey, publicJwk, certPem: s.certPem, x5c };
  } catch {
    return undefined;
  }
}

/**
 * What every key of a node certifies from: the issuing CA parsed and the signing certificate inspected, once (the
 * inspection only when a key is certified, not when a stored one is taken).
 */
interface CertifiedBy {
  issuer: X509Certificate;
  issuerDerBase64: string;
  signing(): ReturnType<typeof inspectCertificate>;
}
const CERTIFIED_BY = new Map<string, CertifiedBy>();

function certifiedByOf(issuingCaPem: string, signingCertPem: string): CertifiedBy {
  const key = `${issuingCaPem}\u0000${signingCertPem}`;
  let c = CERTIFIED_BY.get(key);
  if (!c) {
    const issuer = new X509Certificate(issuingCaPem);
    let signing: ReturnType<typeof inspectCertificate> | undefined;
    c = {
      issuer,
      issuerDerBase64: issuer.raw.toString('base64'),
      signing: () => {
        signing ??= inspectCertificate(signingCertPem);
        return signing;
      },
    };
    CERTIFIED_BY.set(key, c);
  }
  return c;
}

/**
 * The PID provider's key: a P-256 key drawn from the seed, certified by the country's issuing CA (the trust
 * fabric's national CA), so that a verifier reaches the country's trusted list from the `x5c` chain. The
 * certificate copies the validity and CRL distribution point of the node's signing certificate, and its subject
 * says what it is (C = the country, CN = PID Provider, the TEST ONLY marker).
 * @see https://www.ietf.org/archive/id/draft-ietf-oauth-sd-jwt-vc-18.html (issuer key from x5c)
 */
export function pidIssuerKey(opts: {
  seed: string;
  country: string;
  issuingCa: WalletCredential;
  /** The node's signing certificate: its validity and CRL distribution point are copied. */
  signingCertPem: string;
}): PidIssuerKey {
  return certifiedEcKey({ ...opts, role: 'pid-provider', name: 'PID Provider' });
}

/**
 * The relying party's access key of a node's verifier: like the PID provider's, a P-256 key from the seed certified
 * by the country's issuing CA; it signs the verifier's request objects (`x509_hash` or `x509_san_dns` client
 * identifier). With `dnsName` (the host name of the node's public URL) the certificate carries it as a dNSName
 * subjectAltName, the name an `x509_san_dns:` client_id gives (an IP-literal host goes in as given: TEST ONLY).
 * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html#section-5.9.3
 */
export function verifierAccessKey(opts: Parameters<typeof pidIssuerKey>[0] & { dnsName?: string }): PidIssuerKey {
  return certifiedEcKey({ ...opts, role: 'verifier', name: 'Wallet Relying Party' });
}

/**
 * The wallet provider's key at a node: certified by the country's issuing CA and listed on the EU list of wallet
 * providers; it signs wallet-unit attestations (OAuth client attestations of the wallet instance's device key).
 */
export function walletProviderKey(opts: Parameters<typeof pidIssuerKey>[0]): PidIssuerKey {
  return certifiedEcKey({ ...opts, role: 'wallet-provider', name: 'Wallet Provider' });
}

/**
 * The key of `wallet.pid-unlisted-key`: certified by the same issuing CA as the PID provider's (its chain reaches the
 * country's trusted list), but for another service of the node — it is not on the EU list of PID providers.
 */
export function unlistedSignerKey(opts: Parameters<typeof pidIssuerKey>[0]): PidIssuerKey {
  return certifiedEcKey({ ...opts, role: 'unlisted-signer', name: 'Document Signer' });
}

/** A P-256 key from the seed certified by the country's issuing CA, its subject naming `name` (cached per role). */
export function certifiedEcKey(
  opts: Parameters<typeof pidIssuerKey>[0] & { role: string; name: string; dnsName?: string },
): PidIssuerKey {
  const cacheKey = `${opts.role}\u0000${opts.seed}\u0000${opts.country}\u0000${opts.dnsName ?? ''}\u0000${opts.issuingCa.certPem}`;
  const cached = KEYS.get(cacheKey);
  if (cached) return cached;
  const certifiedBy = certifiedByOf(opts.issuingCa.certPem, opts.signingCertPem);
  const { issuer, issuerDerBase64 } = certifiedBy;
  const id = createHash('sha256').update(`${cacheKey}\u0000${opts.signingCertPem}`).digest('base64url');
  const stored = storedKey(id, issuer, issuerDerBase64);
  if (stored) {
    KEYS.set(cacheKey, stored);
    TO_STORE.set(id, { seed: opts.seed, key: { ...(STORED.get(id) as StoredCertifiedKey), x5c: stored.x5c } });
    return stored;
  }
  const random = new SeededRandom(opts.seed, `wallet/${opts.role}/${opts.country}`);
  const key = seededEcKey(random.fork('key'));
  const serial = random.fork('serial').bytes(16);
  serial[0] = (serial[0] as number) & 0x7f;
  const signing = certifiedBy.signing();
  const { certPem, der } = issueCertificate(
    {
      subject: [
        { type: 'C', value: opts.country },
        { type: 'O', value: `Kakehashi ${opts.country} ${opts.name}` },
        { type: 'OU', value: TEST_ONLY_OU },
        { type: 'CN', value: `Kakehashi ${opts.country} ${opts.name} (TEST)` },
      ],
      serialHex: serial.toString('hex'),
      notBefore: signing.notBefore,
      notAfter: signing.notAfter,
      basicConstraints: { cA: false },
      keyUsage: ['digitalSignature'],
      ...(opts.dnsName ? { subjectAltNames: [{ type: 'dns' as const, value: opts.dnsName }] } : {}),
      ...(signing.crlDistributionPoints[0] ? { crlDistributionPoint: signing.crlDistributionPoints[0] } : {}),
    },
    key.publicKey,
    { certificate: issuer, privateKey: opts.issuingCa.privateKey },
  );
  const k: PidIssuerKey = { ...key, certPem, x5c: [der.toString('base64'), issuerDerBase64] };
  KEYS.set(cacheKey, k);
  const d = key.privateKey.export({ format: 'jwk' }).d as string;
  TO_STORE.set(id, { seed: opts.seed, key: { id, d, x: key.publicJwk.x, y: key.publicJwk.y, certPem, x5c: k.x5c } });
  return k;
}
