import { verify as cryptoVerify, type X509Certificate } from 'node:crypto';
import { type ErrorCode, isKakehashiError } from '@kakehashi/core';
import { hashForSignatureOid, OID, WEAK_SIGNATURE_OIDS } from '../asn1/der.ts';
import type { ParsedCrl } from '../crl/parse-crl.ts';
import { type CertificateFacts, inspectCertificate } from '../pki/inspect-certificate.ts';
import type { KeyUsageName } from '../pki/issue-certificate.ts';

/**
 * A trust anchor: a CA certificate trusted out of band (from a verified trusted list). Matching is by the
 * whole certificate or by subject name *and* public key — never by name alone.
 */
export interface TrustAnchor {
  certificate: string | X509Certificate;
  /** Where the anchor comes from, for messages (e.g. `TL DE: Kakehashi DE Issuing CA (TEST)`). */
  source?: string;
  /**
   * When the anchor's trusted-list status was `granted` (from the status history). Absent: always trusted.
   * Outside these periods a path ending at the anchor fails with `cert-untrusted-root`.
   */
  grantedPeriods?: { from: Date; to?: Date }[];
}

/** Returns the CRLs for the CA named `issuerName` (node:crypto rendering, equal to the CA's `certificate.subject`). */
export type CrlLookup = (
  issuerName: string,
  context: { issuerDer: Buffer; distributionPoints: string[]; subject: string },
) => ParsedCrl | ParsedCrl[] | undefined;

export interface ValidatePathOptions {
  /** Untrusted certificates that may complete the path (PEM or X509Certificate). */
  intermediates?: (string | X509Certificate)[];
  /** Trust anchors; a bare certificate (PEM or X509Certificate) is an anchor without status periods. */
  anchors: (TrustAnchor | string | X509Certificate)[];
  /** CRLs (each checked against its issuer before use), or a lookup by issuer name. */
  crls?: ParsedCrl[] | CrlLookup;
  /** The validation time: the virtual clock's `now()`. */
  at: Date;
  /** Key usages the end-entity certificate must allow (RFC 5280 §4.2.1.3). */
  requiredKeyUsage?: KeyUsageName[];
  /** Extended key usage OIDs the end-entity certificate must allow, when it has the extension (§4.2.1.12). */
  requiredExtKeyUsage?: string[];
  /** Fail with `cert-revocation-unknown` when no usable CRL covers a certificate of the path. */
  requireRevocationInfo?: boolean;
  /** Longest path accepted, anchor included (default 8). */
  maxPathLength?: number;
}

export type PathCheckName =
  | 'parse'
  | 'chain'
  | 'trust-anchor'
  | 'algorithm'
  | 'signature'
  | 'validity'
  | 'basic-constraints'
  | 'path-length'
  | 'key-usage'
  | 'critical-extensions'
  | 'revocation';

/** One rule applied to one certificate, with its outcome in plain language. */
export interface PathCheck {
  check: PathCheckName;
  /** The clause implemented, e.g. `RFC 5280 §6.1.3(a)(2)`. */
  rule: string;
  outcome: 'passed' | 'failed';
  /** True when the rule could not be applied and was not required (e.g. no CRL supplied); outcome is then `passed`. */
  skipped?: boolean;
  code?: ErrorCode;
  reason: string;
  /** Subject CN of the certificate the check is about. */
  certificate?: string;
}

export interface ChainEntry {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  /** Subject CN (or full subject). */
  label: string;
  isAnchor: boolean;
}

export interface PathValidationResult {
  valid: boolean;
  /** Leaf first, trust anchor last (when one was reached). */
  chain: ChainEntry[];
  checks: PathCheck[];
  /** The first failure, when invalid. */
  failure?: { code: ErrorCode; reason: string; rule: string };
}

const RULES = {
  parse: 'RFC 5280 §4.1',
  chain: 'RFC 5280 §6.1 (path building: issuer name and key identifier)',
  anchor: 'RFC 5280 §6.1.1(d) (trust anchor: name and public key)',
  anchorStatus: 'ETSI TS 119 612 §5.5.4 (service status granted at validation time)',
  algorithm: 'ETSI TS 119 312 / RFC 5280 §4.1.1.2 (no SHA-1 or MD5 signatures, RSA ≥ 2048 bits)',
  signature: 'RFC 5280 §6.1.3(a)(1)',
  validity: 'RFC 5280 §6.1.3(a)(2)',
  basicConstraints: 'RFC 5280 §6.1.4(k) and §4.2.1.9',
  pathLength: 'RFC 5280 §6.1.4(l)-(m)',
  keyUsageCa: 'RFC 5280 §6.1.4(n) and §4.2.1.3',
  keyUsageLeaf: 'RFC 5280 §4.2.1.3 / §4.2.1.12',
  revocation: 'RFC 5280 §6.1.3(a)(3) and §6.3 (CRL processing)',
  criticalExtensions: 'RFC 5280 §4.2 and §6.1.4(o) (unrecognised critical extensions)',
} as const;

/** Extensions this validator processes (or that carry no constraint to process); any other critical one fails. */
const UNDERSTOOD_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectAltName,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID.crlDistributionPoints,
  OID.certificatePolicies,
  OID.authorityInfoAccess,
  OID.ocspNoCheck,
]);

interface Anchor {
  facts: CertificateFacts;
  source: string;
  grantedPeriods: { from: Date; to?: Date }[] | undefined;
}

const iso = (d: Date) => d.toISOString();

function akiMatches(child: CertificateFacts, issuer: CertificateFacts): boolean {
  return !child.authorityKeyId || !issuer.subjectKeyId || child.authorityKeyId === issuer.subjectKeyId;
}

/** Signature check of `cert` with `issuer`'s key (RSA PKCS#1 v1.5, RSA-PSS, ECDSA, EdDSA). */
function signedBy(cert: CertificateFacts, issuer: CertificateFacts): boolean {
  try {
    const hash = hashForSignatureOid(cert.signatureOid);
    if (hash) return cryptoVerify(hash, cert.tbsDer, issuer.x509.publicKey, cert.signature);
    return cert.x509.verify(issuer.x509.publicKey);
  } catch {
    return false;
  }
}

function isExactAnchor(anchor: CertificateFacts, cert: CertificateFacts): boolean {
  return (
    anchor.der.equals(cert.der) || (anchor.subjectDer.equals(cert.subjectDer) && anchor.spkiDer.equals(cert.spkiDer))
  );
}

function entry(f: CertificateFacts, isAnchor: boolean): ChainEntry {
  return {
    subject: f.subject,
    issuer: f.issuer,
    serial: f.serialHex,
    notBefore: iso(f.notBefore),
    notAfter: iso(f.notAfter),
    label: f.label,
    isAnchor,
  };
}

function keySizeProblem(f: CertificateFacts): string | undefined {
  const key = f.x509.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    if ((details.modulusLength ?? 0) < 2048)
      return `an RSA key of ${details.modulusLength ?? '?'} bits (at least 2048 are required)`;
  }
  if (
    key.asymmetricKeyType === 'ec' &&
    !['prime256v1', 'secp384r1', 'secp521r1', 'P-256', 'P-384', 'P-521'].includes(details.namedCurve ?? '')
  ) {
    return `an EC key on curve ${details.namedCurve ?? '?'} (P-256, P-384 or P-521 required)`;
  }
  if (key.asymmetricKeyType === 'dsa') return 'a DSA key (not accepted)';
  return undefined;
}

const SIGNATURE_NAMES: Record<string, string> = {
  [OID.sha1WithRSA]: 'sha1WithRSAEncryption',
  [OID.md5WithRSA]: 'md5WithRSAEncryption',
  [OID.md2WithRSA]: 'md2WithRSAEncryption',
  [OID.ecdsaWithSha1]: 'ecdsa-with-SHA1',
  [OID.dsaWithSha1]: 'dsa-with-SHA1',
};

/**
 * Validates a certificate path (RFC 5280 §6.1) at a given instant (the virtual clock), reporting every rule
 * applied with a named error code and a plain-language reason naming the certificate and dates.
 *
 * Path building: from the leaf, the issuer is looked up among the anchors and intermediates by issuer Name
 * (byte-exact) and authority/subject key identifier; the path ends at the first certificate that *is* a trust
 * anchor (same certificate, or same name and same public key). A self-signed root that is not an anchor — in
 * particular a look-alike with an anchor's name but another key — fails with `cert-untrusted-root`.
 *
 * Checks, in reporting order: trust anchor (and its trusted-list status at `at`), weak algorithms (SHA-1/MD5
 * signatures, RSA < 2048), signatures of every link, validity of every certificate at `at`, basicConstraints
 * cA on every issuer, pathLenConstraint, keyUsage keyCertSign on issuers and the required usages on the leaf,
 * unrecognised critical extensions, revocation by CRL (CRL signature checked against the issuer, thisUpdate ≤ at ≤ nextUpdate).
 *
 * A critical extension other than those processed here (basicConstraints, keyUsage, extKeyUsage, subjectAltName,
 * key identifiers, CRL distribution points, certificatePolicies, authorityInfoAccess, ocsp-nocheck) fails with
 * `cert-unknown-critical-extension` (§4.2). Not implemented: certificate policies, name constraints, policy
 * mappings (§6.1.3(b)-(f)) — a critical nameConstraints extension is therefore rejected as not understood.
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-6.1
 */
export function validateCertificatePath(
  leafInput: string | X509Certificate,
  options: ValidatePathOptions,
): PathValidationResult {
  const checks: PathCheck[] = [];
  const fail = (check: PathCheckName, rule: string, code: ErrorCode, reason: string, certificate?: string) => {
    const c: PathCheck = { check, rule, outcome: 'failed', code, reason };
    if (certificate !== undefined) c.certificate = certificate;
    checks.push(c);
  };
  const pass = (check: PathCheckName, rule: string, reason: string, certificate?: string, skipped = false) => {
    const c: PathCheck = { check, rule, outcome: 'passed', reason };
    if (skipped) c.skipped = true;
    if (certificate !== undefined) c.certificate = certificate;
    checks.push(c);
  };
  const finish = (chain: ChainEntry[]): PathValidationResult => {
    const first = checks.find((c) => c.outcome === 'failed');
    const result: PathValidationResult = { valid: !first, chain, checks };
    if (first?.code) result.failure = { code: first.code, reason: first.reason, rule: first.rule };
    return result;
  };

  let leaf: CertificateFacts;
  try {
    leaf = inspectCertificate(leafInput);
  } catch (e) {
    fail('parse', RULES.parse, 'cert-malformed', isKakehashiError(e) ? e.message : 'The certificate cannot be parsed.');
    return finish([]);
  }
  const anchors: Anchor[] = [];
  for (const given of options.anchors) {
    const a: TrustAnchor = typeof given === 'string' || !('certificate' in given) ? { certificate: given } : given;
    try {
      anchors.push({
        facts: inspectCertificate(a.certificate),
        source: a.source ?? 'configured anchor',
        grantedPeriods: a.grantedPeriods,
      });
    } catch {
      // An unparsable anchor can anchor nothing; it is ignored.
    }
  }
  const pool: CertificateFacts[] = [];
  for (const c of options.intermediates ?? []) {
    try {
      pool.push(inspectCertificate(c));
    } catch {
      // An unparsable intermediate cannot be part of a path.
    }
  }

  // ---- path building
  const t = options.at.getTime();
  const grantedAt = (a: Anchor) =>
    !a.grantedPeriods ||
    a.grantedPeriods.some((p) => p.from.getTime() <= t && (p.to === undefined || t < p.to.getTime()));
  const chain: CertificateFacts[] = [leaf];
  let anchor: Anchor | undefined;
  // An anchor whose trusted-list status is not granted at `at`: the path may still reach a granted anchor above it.
  let notGranted: Anchor | undefined;
  const maxLen = options.maxPathLength ?? 8;
  const failAtNotGranted = (a: Anchor) =>
    fail(
      'trust-anchor',
      RULES.anchorStatus,
      'cert-untrusted-root',
      `The path reaches "${a.facts.label}" (${a.source}), but its trusted-list status was not "granted" at ${iso(options.at)} (granted periods: ${
        (a.grantedPeriods ?? []).map((p) => `${iso(p.from)} to ${p.to ? iso(p.to) : 'open'}`).join(', ') || 'none'
      }), and no granted trust anchor was found above it.`,
      a.facts.label,
    );
  for (;;) {
    const cur = chain[chain.length - 1] as CertificateFacts;
    const exact = anchors.filter((a) => isExactAnchor(a.facts, cur));
    anchor = exact.find(grantedAt);
    if (anchor) break;
    if (exact.length > 0 && !notGranted) notGranted = exact[0];
    if (chain.length >= maxLen) {
      if (notGranted) failAtNotGranted(notGranted);
      else
        fail(
          'chain',
          RULES.chain,
          'cert-path-length',
          `The path from "${leaf.label}" is longer than ${maxLen} certificates without reaching a trust anchor.`,
          cur.label,
        );
      return finish(chain.map((f) => entry(f, false)));
    }
    if (cur.selfIssued && akiMatches(cur, cur) && signedBy(cur, cur)) {
      const lookalike = anchors.find((a) => a.facts.subjectDer.equals(cur.subjectDer) && !isExactAnchor(a.facts, cur));
      if (notGranted) failAtNotGranted(notGranted);
      else {
        fail(
          'trust-anchor',
          RULES.anchor,
          'cert-untrusted-root',
          lookalike
            ? `The path ends at a root named "${cur.label}" that has the same name as the trusted anchor (${lookalike.source}) but a different public key: it is a look-alike, not the trusted root.`
            : `The path ends at the self-signed root "${cur.label}", which is not a trust anchor of this federation.`,
          cur.label,
        );
      }
      return finish(chain.map((f) => entry(f, false)));
    }
    const candidates = [...anchors.map((a) => a.facts), ...pool].filter(
      (c) =>
        c.subjectDer.equals(cur.issuerDer) &&
        akiMatches(cur, c) &&
        !c.der.equals(cur.der) &&
        !chain.some((x) => x.der.equals(c.der)),
    );
    const next = candidates.find((c) => signedBy(cur, c)) ?? candidates[0];
    if (!next) {
      const sameName = anchors.find((a) => a.facts.subjectDer.equals(cur.issuerDer));
      const issuerCn =
        cur.issuer
          .split(', ')
          .find((p) => p.startsWith('CN='))
          ?.slice(3) ?? cur.issuer;
      if (notGranted) failAtNotGranted(notGranted);
      else if (sameName) {
        fail(
          'trust-anchor',
          RULES.anchor,
          'cert-untrusted-root',
          `"${cur.label}" names "${issuerCn}" as issuer, and a trust anchor has that name (${sameName.source}), but its key identifier ${cur.authorityKeyId ?? '(none)'} does not match the anchor's ${sameName.facts.subjectKeyId ?? '(none)'}: it was issued by a different key with the same name.`,
          cur.label,
        );
      } else {
        fail(
          'chain',
          RULES.chain,
          'cert-chain-incomplete',
          `No certificate of the issuer "${issuerCn}" of "${cur.label}" was found among the ${pool.length} intermediate(s) and ${anchors.length} trust anchor(s): supply the issuing CA certificate.`,
          cur.label,
        );
      }
      return finish(chain.map((f) => entry(f, false)));
    }
    chain.push(next);
  }
  const n = chain.length;
  const anchorFacts = chain[n - 1] as CertificateFacts;
  pass('chain', RULES.chain, `Path built: ${chain.map((c) => `"${c.label}"`).join(' → ')}.`, leaf.label);
  pass(
    'trust-anchor',
    anchor.grantedPeriods ? RULES.anchorStatus : RULES.anchor,
    `"${anchorFacts.label}" is a trust anchor (${anchor.source})${anchor.grantedPeriods ? `, granted at ${iso(options.at)}` : ''}.`,
    anchorFacts.label,
  );

  // ---- algorithms
  chain.forEach((c, i) => {
    const isAnchor = i === n - 1;
    if (!isAnchor && WEAK_SIGNATURE_OIDS.has(c.signatureOid)) {
      fail(
        'algorithm',
        RULES.algorithm,
        'cert-weak-algorithm',
        `"${c.label}" is signed with ${SIGNATURE_NAMES[c.signatureOid] ?? c.signatureOid}, which is no longer accepted (collisions are feasible): reissue it with SHA-256.`,
        c.label,
      );
      return;
    }
    const keyProblem = keySizeProblem(c);
    if (keyProblem) {
      fail('algorithm', RULES.algorithm, 'cert-weak-algorithm', `"${c.label}" has ${keyProblem}.`, c.label);
      return;
    }
    pass('algorithm', RULES.algorithm, `"${c.label}" uses accepted algorithms.`, c.label);
  });

  // ---- signatures
  for (let i = 0; i < n - 1; i++) {
    const c = chain[i] as CertificateFacts;
    const issuer = chain[i + 1] as CertificateFacts;
    if (signedBy(c, issuer))
      pass('signature', RULES.signature, `"${c.label}" is signed by "${issuer.label}".`, c.label);
    else {
      fail(
        'signature',
        RULES.signature,
        'cert-signature-invalid',
        `The signature on "${c.label}" does not verify with the key of its issuer "${issuer.label}": the certificate was altered or issued by another key.`,
        c.label,
      );
    }
  }

  // ---- validity at `at`
  for (const c of chain) {
    if (t < c.notBefore.getTime()) {
      fail(
        'validity',
        RULES.validity,
        'cert-not-yet-valid',
        `"${c.label}" is not valid before ${iso(c.notBefore)}; the validation time is ${iso(options.at)}.`,
        c.label,
      );
    } else if (t > c.notAfter.getTime()) {
      fail(
        'validity',
        RULES.validity,
        'cert-expired',
        `"${c.label}" expired at ${iso(c.notAfter)}; the validation time is ${iso(options.at)}.`,
        c.label,
      );
    } else {
      pass(
        'validity',
        RULES.validity,
        `"${c.label}" is valid from ${iso(c.notBefore)} to ${iso(c.notAfter)}.`,
        c.label,
      );
    }
  }

  // ---- basicConstraints and pathLen on every issuer
  for (let i = 1; i < n; i++) {
    const ca = chain[i] as CertificateFacts;
    const issued = chain[i - 1] as CertificateFacts;
    if (!ca.basicConstraints?.cA) {
      fail(
        'basic-constraints',
        RULES.basicConstraints,
        'cert-basic-constraints',
        `"${ca.label}" issued "${issued.label}" but is not a CA certificate (basicConstraints cA is ${ca.basicConstraints ? 'false' : 'absent'}).`,
        ca.label,
      );
      continue;
    }
    pass('basic-constraints', RULES.basicConstraints, `"${ca.label}" is a CA certificate.`, ca.label);
    if (ca.basicConstraints.pathLen !== undefined) {
      // Non-self-issued intermediate CA certificates between this CA and the leaf.
      let below = 0;
      for (let j = 1; j < i; j++) if (!(chain[j] as CertificateFacts).selfIssued) below++;
      if (below > ca.basicConstraints.pathLen) {
        fail(
          'path-length',
          RULES.pathLength,
          'cert-path-length',
          `"${ca.label}" allows at most ${ca.basicConstraints.pathLen} intermediate CA(s) below it (pathLenConstraint), but the path has ${below}.`,
          ca.label,
        );
      } else
        pass(
          'path-length',
          RULES.pathLength,
          `"${ca.label}" pathLenConstraint ${ca.basicConstraints.pathLen} is respected (${below} below).`,
          ca.label,
        );
    }
  }

  // ---- key usage: keyCertSign on issuers, required usages on the leaf
  for (let i = 1; i < n; i++) {
    const ca = chain[i] as CertificateFacts;
    if (ca.keyUsage && !ca.keyUsage.has('keyCertSign')) {
      fail(
        'key-usage',
        RULES.keyUsageCa,
        'cert-key-usage',
        `"${ca.label}" issued a certificate but its keyUsage does not include keyCertSign.`,
        ca.label,
      );
    } else pass('key-usage', RULES.keyUsageCa, `"${ca.label}" may sign certificates.`, ca.label);
  }
  const required = options.requiredKeyUsage ?? [];
  if (required.length > 0) {
    const missing = leaf.keyUsage ? required.filter((u) => !leaf.keyUsage?.has(u)) : [];
    if (missing.length > 0) {
      fail(
        'key-usage',
        RULES.keyUsageLeaf,
        'cert-key-usage',
        `"${leaf.label}" is used for ${missing.join(', ')}, but its keyUsage allows only ${[...(leaf.keyUsage ?? [])].join(', ') || 'nothing'}.`,
        leaf.label,
      );
    } else pass('key-usage', RULES.keyUsageLeaf, `"${leaf.label}" allows ${required.join(', ')}.`, leaf.label);
  }
  const requiredEku = options.requiredExtKeyUsage ?? [];
  if (requiredEku.length > 0 && leaf.extKeyUsage && !leaf.extKeyUsage.includes('2.5.29.37.0')) {
    const missing = requiredEku.filter((u) => !leaf.extKeyUsage?.includes(u));
    if (missing.length > 0) {
      fail(
        'key-usage',
        RULES.keyUsageLeaf,
        'cert-key-usage',
        `"${leaf.label}" lacks the extended key usage ${missing.join(', ')}.`,
        leaf.label,
      );
    } else pass('key-usage', RULES.keyUsageLeaf, `"${leaf.label}" has the extended key usages required.`, leaf.label);
  }

  // ---- unrecognised critical extensions (the anchor's extensions are not processed, §6.1.1(d))
  for (let i = 0; i < n - 1; i++) {
    const c = chain[i] as CertificateFacts;
    const unknown = c.criticalExtensions.filter((oid) => !UNDERSTOOD_EXTENSIONS.has(oid));
    if (unknown.length > 0)
      fail(
        'critical-extensions',
        RULES.criticalExtensions,
        'cert-unknown-critical-extension',
        `"${c.label}" carries the critical extension(s) ${unknown.join(', ')}, which this validator does not process: a certificate with an unrecognised critical extension must be rejected.`,
        c.label,
      );
    else
      pass(
        'critical-extensions',
        RULES.criticalExtensions,
        `"${c.label}" has no unrecognised critical extension.`,
        c.label,
      );
  }

  // ---- revocation (the anchor itself is trusted directly and not checked)
  for (let i = 0; i < n - 1; i++) {
    checkRevocation(chain[i] as CertificateFacts, chain[i + 1] as CertificateFacts, options, pass, fail);
  }

  return finish(chain.map((f, i) => entry(f, i === n - 1)));
}

function crlsFor(cert: CertificateFacts, options: ValidatePathOptions): ParsedCrl[] {
  const source = options.crls;
  if (!source) return [];
  if (Array.isArray(source)) return source.filter((c) => c.issuerDer.equals(cert.issuerDer));
  const found = source(cert.x509.issuer, {
    issuerDer: cert.issuerDer,
    distributionPoints: cert.crlDistributionPoints,
    subject: cert.subject,
  });
  if (!found) return [];
  return (Array.isArray(found) ? found : [found]).filter((c) => c.issuerDer.equals(cert.issuerDer));
}

function checkRevocation(
  cert: CertificateFacts,
  issuer: CertificateFacts,
  options: ValidatePathOptions,
  pass: (check: PathCheckName, rule: string, reason: string, certificate?: string, skipped?: boolean) => void,
  fail: (check: PathCheckName, rule: string, code: ErrorCode, reason: string, certificate?: string) => void,
): void {
  const at = options.at.getTime();
  const problems: string[] = [];
  const usable: ParsedCrl[] = [];
  for (const crl of crlsFor(cert, options)) {
    if (!crl.verify(issuer.x509)) {
      problems.push(`a CRL naming "${issuer.label}" as issuer does not verify with its key`);
      continue;
    }
    if (issuer.keyUsage && !issuer.keyUsage.has('cRLSign')) {
      problems.push(`"${issuer.label}" may not sign CRLs (keyUsage lacks cRLSign)`);
      continue;
    }
    if (crl.thisUpdate.getTime() > at) {
      problems.push(`the CRL of "${issuer.label}" was issued at ${iso(crl.thisUpdate)}, after the validation time`);
      continue;
    }
    if (crl.nextUpdate && crl.nextUpdate.getTime() < at) {
      problems.push(`the CRL of "${issuer.label}" is stale (nextUpdate ${iso(crl.nextUpdate)})`);
      continue;
    }
    usable.push(crl);
  }
  for (const crl of usable) {
    const hit = crl.find(cert.serialHex);
    if (hit && hit.revokedAt.getTime() <= at) {
      fail(
        'revocation',
        RULES.revocation,
        'cert-revoked',
        `"${cert.label}" (serial ${cert.serialHex}) was revoked by "${issuer.label}" at ${iso(hit.revokedAt)}${hit.reason ? ` (reason: ${hit.reason})` : ''}; the validation time is ${iso(options.at)}.`,
        cert.label,
      );
      return;
    }
  }
  if (usable.length > 0) {
    const latest = usable.reduce((a, b) => (a.thisUpdate.getTime() >= b.thisUpdate.getTime() ? a : b));
    pass(
      'revocation',
      RULES.revocation,
      `"${cert.label}" is not on the CRL of "${issuer.label}" issued at ${iso(latest.thisUpdate)}.`,
      cert.label,
    );
    return;
  }
  const why = problems.length > 0 ? problems.join('; ') : `no CRL of "${issuer.label}" was supplied`;
  if (options.requireRevocationInfo) {
    fail(
      'revocation',
      RULES.revocation,
      'cert-revocation-unknown',
      `The revocation status of "${cert.label}" cannot be determined: ${why}.`,
      cert.label,
    );
  } else {
    pass(
      'revocation',
      RULES.revocation,
      `Revocation of "${cert.label}" not checked: ${why} (revocation information not required).`,
      cert.label,
      true,
    );
  }
}
