import { OID, WEAK_SIGNATURE_OIDS } from '../asn1/der.ts';
import type { CertificateFacts } from '../pki/inspect-certificate.ts';
import { signedBy } from './certificate-links.ts';
import { unrecognisedCriticalExtensions } from './critical-extensions.ts';
import { type CheckRecorder, factIso, iso, RULES } from './path-rules.ts';
import type { ValidatePathOptions } from './z-path.ts';

/**
 * The per-certificate checks of RFC 5280 §6.1.3-§6.1.4 over a built path (leaf first, anchor last), each
 * recording one check per certificate it applies to. The anchor's own signature and extensions are not
 * processed (§6.1.1(d)): it is trusted directly.
 */

const SIGNATURE_NAMES: Record<string, string> = {
  [OID.sha1WithRSA]: 'sha1WithRSAEncryption',
  [OID.md5WithRSA]: 'md5WithRSAEncryption',
  [OID.md2WithRSA]: 'md2WithRSAEncryption',
  [OID.ecdsaWithSha1]: 'ecdsa-with-SHA1',
  [OID.dsaWithSha1]: 'dsa-with-SHA1',
};

/**
 * What {@link keySizeProblem} found per parsed certificate (`null`: none): the key and its details are fixed by the
 * certificate, and `X509Certificate.publicKey` imports the key anew at every read. The check itself still runs and
 * is recorded for every path.
 */
const KEY_PROBLEMS = new WeakMap<CertificateFacts, string | null>();

function keySizeProblem(f: CertificateFacts): string | undefined {
  const known = KEY_PROBLEMS.get(f);
  if (known !== undefined) return known ?? undefined;
  const problem = keyProblemOf(f);
  KEY_PROBLEMS.set(f, problem ?? null);
  return problem;
}

function keyProblemOf(f: CertificateFacts): string | undefined {
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

/** Weak algorithms: no SHA-1/MD5 signatures below the anchor, RSA ≥ 2048 bits, the accepted EC curves. */
export function checkAlgorithms(chain: CertificateFacts[], rec: CheckRecorder): void {
  const n = chain.length;
  chain.forEach((c, i) => {
    const isAnchor = i === n - 1;
    if (!isAnchor && WEAK_SIGNATURE_OIDS.has(c.signatureOid)) {
      rec.fail(
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
      rec.fail('algorithm', RULES.algorithm, 'cert-weak-algorithm', `"${c.label}" has ${keyProblem}.`, c.label);
      return;
    }
    rec.pass('algorithm', RULES.algorithm, `"${c.label}" uses accepted algorithms.`, c.label);
  });
}

/** The signature of every link verifies with the key of the next certificate (§6.1.3(a)(1)). */
export function checkSignatures(chain: CertificateFacts[], rec: CheckRecorder): void {
  for (let i = 0; i < chain.length - 1; i++) {
    const c = chain[i] as CertificateFacts;
    const issuer = chain[i + 1] as CertificateFacts;
    if (signedBy(c, issuer))
      rec.pass('signature', RULES.signature, `"${c.label}" is signed by "${issuer.label}".`, c.label);
    else {
      rec.fail(
        'signature',
        RULES.signature,
        'cert-signature-invalid',
        `The signature on "${c.label}" does not verify with the key of its issuer "${issuer.label}": the certificate was altered or issued by another key.`,
        c.label,
      );
    }
  }
}

/** Every certificate is within its validity period at the validation time (§6.1.3(a)(2)). */
export function checkValidity(chain: CertificateFacts[], at: Date, rec: CheckRecorder): void {
  const t = at.getTime();
  for (const c of chain) {
    if (t < c.notBefore.getTime()) {
      rec.fail(
        'validity',
        RULES.validity,
        'cert-not-yet-valid',
        `"${c.label}" is not valid before ${iso(c.notBefore)}; the validation time is ${iso(at)}.`,
        c.label,
      );
    } else if (t > c.notAfter.getTime()) {
      rec.fail(
        'validity',
        RULES.validity,
        'cert-expired',
        `"${c.label}" expired at ${iso(c.notAfter)}; the validation time is ${iso(at)}.`,
        c.label,
      );
    } else {
      rec.pass(
        'validity',
        RULES.validity,
        `"${c.label}" is valid from ${factIso(c.notBefore)} to ${factIso(c.notAfter)}.`,
        c.label,
      );
    }
  }
}

/** basicConstraints cA on every issuer, and each issuer's pathLenConstraint (§6.1.4(k)-(m)). */
export function checkCaConstraints(chain: CertificateFacts[], rec: CheckRecorder): void {
  for (let i = 1; i < chain.length; i++) {
    const ca = chain[i] as CertificateFacts;
    const issued = chain[i - 1] as CertificateFacts;
    if (!ca.basicConstraints?.cA) {
      rec.fail(
        'basic-constraints',
        RULES.basicConstraints,
        'cert-basic-constraints',
        `"${ca.label}" issued "${issued.label}" but is not a CA certificate (basicConstraints cA is ${ca.basicConstraints ? 'false' : 'absent'}).`,
        ca.label,
      );
      continue;
    }
    rec.pass('basic-constraints', RULES.basicConstraints, `"${ca.label}" is a CA certificate.`, ca.label);
    const pathLen = ca.basicConstraints.pathLen;
    if (pathLen === undefined) continue;
    // Non-self-issued intermediate CA certificates between this CA and the leaf.
    let below = 0;
    for (let j = 1; j < i; j++) if (!(chain[j] as CertificateFacts).selfIssued) below++;
    if (below > pathLen) {
      rec.fail(
        'path-length',
        RULES.pathLength,
        'cert-path-length',
        `"${ca.label}" allows at most ${pathLen} intermediate CA(s) below it (pathLenConstraint), but the path has ${below}.`,
        ca.label,
      );
    } else
      rec.pass(
        'path-length',
        RULES.pathLength,
        `"${ca.label}" pathLenConstraint ${pathLen} is respected (${below} below).`,
        ca.label,
      );
  }
}

/** keyCertSign on every issuer; the required key usages and extended key usages on the leaf (§4.2.1.3, §4.2.1.12). */
export function checkKeyUsage(chain: CertificateFacts[], options: ValidatePathOptions, rec: CheckRecorder): void {
  for (let i = 1; i < chain.length; i++) {
    const ca = chain[i] as CertificateFacts;
    if (ca.keyUsage && !ca.keyUsage.has('keyCertSign')) {
      rec.fail(
        'key-usage',
        RULES.keyUsageCa,
        'cert-key-usage',
        `"${ca.label}" issued a certificate but its keyUsage does not include keyCertSign.`,
        ca.label,
      );
    } else rec.pass('key-usage', RULES.keyUsageCa, `"${ca.label}" may sign certificates.`, ca.label);
  }
  const leaf = chain[0] as CertificateFacts;
  const required = options.requiredKeyUsage ?? [];
  if (required.length > 0) {
    const missing = leaf.keyUsage ? required.filter((u) => !leaf.keyUsage?.has(u)) : [];
    if (missing.length > 0) {
      rec.fail(
        'key-usage',
        RULES.keyUsageLeaf,
        'cert-key-usage',
        `"${leaf.label}" is used for ${missing.join(', ')}, but its keyUsage allows only ${[...(leaf.keyUsage ?? [])].join(', ') || 'nothing'}.`,
        leaf.label,
      );
    } else rec.pass('key-usage', RULES.keyUsageLeaf, `"${leaf.label}" allows ${required.join(', ')}.`, leaf.label);
  }
  const requiredEku = options.requiredExtKeyUsage ?? [];
  if (requiredEku.length > 0 && leaf.extKeyUsage && !leaf.extKeyUsage.includes('2.5.29.37.0')) {
    const missing = requiredEku.filter((u) => !leaf.extKeyUsage?.includes(u));
    if (missing.length > 0) {
      rec.fail(
        'key-usage',
        RULES.keyUsageLeaf,
        'cert-key-usage',
        `"${leaf.label}" lacks the extended key usage ${missing.join(', ')}.`,
        leaf.label,
      );
    } else
      rec.pass('key-usage', RULES.keyUsageLeaf, `"${leaf.label}" has the extended key usages required.`, leaf.label);
  }
}

/** No unrecognised critical extension below the anchor (§4.2, §6.1.4(o)); the anchor's are not processed. */
export function checkCriticalExtensions(chain: CertificateFacts[], rec: CheckRecorder): void {
  for (let i = 0; i < chain.length - 1; i++) {
    const c = chain[i] as CertificateFacts;
    const unknown = unrecognisedCriticalExtensions(c);
    if (unknown.length > 0)
      rec.fail(
        'critical-extensions',
        RULES.criticalExtensions,
        'cert-unknown-critical-extension',
        `"${c.label}" carries the critical extension(s) ${unknown.join(', ')}, which this validator does not process: a certificate with an unrecognised critical extension must be rejected.`,
        c.label,
      );
    else
      rec.pass(
        'critical-extensions',
        RULES.criticalExtensions,
        `"${c.label}" has no unrecognised critical extension.`,
        c.label,
      );
  }
}
