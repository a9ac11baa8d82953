import { X509Certificate } from 'node:crypto';
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

/** What every key of a node certifies from: the issuing CA parsed and the signing certificate inspected, once. */
interface CertifiedBy {
  issuer: X509Certificate;
  issuerDerBase64: string;
  signing: ReturnType<typeof inspectCertificate>;
}
const CERTIFIED_BY = new Map<string, CertifiedBy>();

function certifiedByOf(issuingCaPem: string, signingCertPem: string): CertifiedBy {
  const key = `${issuingCaPem}\u0000${signingCertPem}`;
  let c = CERTIFIED_BY.get(key);
  if (!c) {
    const issuer = new X509Certificate(issuingCaPem);
    c = { issuer, issuerDerBase64: issuer.raw.toString('base64'), signing: inspectCertificate(signingCertPem) };
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
  const random = new SeededRandom(opts.seed, `wallet/${opts.role}/${opts.country}`);
  const key = seededEcKey(random.fork('key'));
  const serial = random.fork('serial').bytes(16);
  serial[0] = (serial[0] as number) & 0x7f;
  const { issuer, issuerDerBase64, signing } = certifiedByOf(opts.issuingCa.certPem, opts.signingCertPem);
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
  return k;
}
