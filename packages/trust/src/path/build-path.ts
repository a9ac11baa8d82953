import type { X509Certificate } from 'node:crypto';
import { type CertificateFacts, inspectCertificate } from '../pki/inspect-certificate.ts';
import { akiMatches, isExactAnchor, signedBy } from './certificate-links.ts';
import { type CheckRecorder, iso, RULES } from './path-rules.ts';
import type { TrustAnchor, ValidatePathOptions } from './z-path.ts';

/** A trust anchor read once: its certificate facts, where it comes from, and when it was granted. */
export interface Anchor {
  facts: CertificateFacts;
  source: string;
  grantedPeriods: { from: Date; to?: Date }[] | undefined;
}

/** The anchors of the options, parsed; an unparsable anchor can anchor nothing and is left out. */
export function readAnchors(given: ValidatePathOptions['anchors']): Anchor[] {
  const anchors: Anchor[] = [];
  for (const g of given) {
    const a: TrustAnchor = typeof g === 'string' || !('certificate' in g) ? { certificate: g } : g;
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
  return anchors;
}

/** The intermediates of the options, parsed; an unparsable one cannot be part of a path and is left out. */
export function readIntermediates(given: (string | X509Certificate)[] | undefined): CertificateFacts[] {
  const pool: CertificateFacts[] = [];
  for (const c of given ?? []) {
    try {
      pool.push(inspectCertificate(c));
    } catch {
      // An unparsable intermediate cannot be part of a path.
    }
  }
  return pool;
}

/** A path that reached a trust anchor granted at the validation time: leaf first, anchor last. */
export interface BuiltPath {
  chain: CertificateFacts[];
  anchor: Anchor;
}

/**
 * Builds the path from the leaf (RFC 5280 §6.1): the issuer is looked up among the anchors and intermediates by
 * issuer Name (byte-exact) and authority/subject key identifier; the path ends at the first certificate that *is*
 * a trust anchor granted at `at`. Returns the chain as far as it got and, when it reached one, the anchor; on
 * failure the reason is recorded (`cert-untrusted-root`, `cert-chain-incomplete`, `cert-path-length`).
 */
export function buildPath(
  leaf: CertificateFacts,
  anchors: Anchor[],
  pool: CertificateFacts[],
  options: ValidatePathOptions,
  rec: CheckRecorder,
): { chain: CertificateFacts[]; anchor?: Anchor } {
  const t = options.at.getTime();
  const grantedAt = (a: Anchor) =>
    !a.grantedPeriods ||
    a.grantedPeriods.some((p) => p.from.getTime() <= t && (p.to === undefined || t < p.to.getTime()));
  const chain: CertificateFacts[] = [leaf];
  // An anchor whose trusted-list status is not granted at `at`: the path may still reach a granted anchor above it.
  let notGranted: Anchor | undefined;
  const maxLen = options.maxPathLength ?? 8;
  for (;;) {
    const cur = chain[chain.length - 1] as CertificateFacts;
    const exact = anchors.filter((a) => isExactAnchor(a.facts, cur));
    const anchor = exact.find(grantedAt);
    if (anchor) return { chain, anchor };
    if (exact.length > 0 && !notGranted) notGranted = exact[0];
    if (chain.length >= maxLen) {
      if (notGranted) failNotGranted(notGranted, options.at, rec);
      else
        rec.fail(
          'chain',
          RULES.chain,
          'cert-path-length',
          `The path from "${leaf.label}" is longer than ${maxLen} certificates without reaching a trust anchor.`,
          cur.label,
        );
      return { chain };
    }
    if (cur.selfIssued && akiMatches(cur, cur) && signedBy(cur, cur)) {
      if (notGranted) failNotGranted(notGranted, options.at, rec);
      else failUntrustedRoot(cur, anchors, rec);
      return { chain };
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
      if (notGranted) failNotGranted(notGranted, options.at, rec);
      else failNoIssuer(cur, anchors, pool.length, rec);
      return { chain };
    }
    chain.push(next);
  }
}

/** The path reaches an anchor whose trusted-list status was not `granted` at `at`, and no granted one above it. */
function failNotGranted(a: Anchor, at: Date, rec: CheckRecorder): void {
  const periods = (a.grantedPeriods ?? []).map((p) => `${iso(p.from)} to ${p.to ? iso(p.to) : 'open'}`).join(', ');
  rec.fail(
    'trust-anchor',
    RULES.anchorStatus,
    'cert-untrusted-root',
    `The path reaches "${a.facts.label}" (${a.source}), but its trusted-list status was not "granted" at ${iso(at)} (granted periods: ${
      periods || 'none'
    }), and no granted trust anchor was found above it.`,
    a.facts.label,
  );
}

/** The path ends at a self-signed root that is not an anchor — possibly a look-alike with an anchor's name. */
function failUntrustedRoot(root: CertificateFacts, anchors: Anchor[], rec: CheckRecorder): void {
  const lookalike = anchors.find((a) => a.facts.subjectDer.equals(root.subjectDer) && !isExactAnchor(a.facts, root));
  rec.fail(
    'trust-anchor',
    RULES.anchor,
    'cert-untrusted-root',
    lookalike
      ? `The path ends at a root named "${root.label}" that has the same name as the trusted anchor (${lookalike.source}) but a different public key: it is a look-alike, not the trusted root.`
      : `The path ends at the self-signed root "${root.label}", which is not a trust anchor of this federation.`,
    root.label,
  );
}

/** No issuer of `cur` was found: either a same-name anchor with another key, or a missing intermediate. */
function failNoIssuer(cur: CertificateFacts, anchors: Anchor[], poolSize: number, rec: CheckRecorder): void {
  const sameName = anchors.find((a) => a.facts.subjectDer.equals(cur.issuerDer));
  const issuerCn =
    cur.issuer
      .split(', ')
      .find((p) => p.startsWith('CN='))
      ?.slice(3) ?? cur.issuer;
  if (sameName) {
    rec.fail(
      'trust-anchor',
      RULES.anchor,
      'cert-untrusted-root',
      `"${cur.label}" names "${issuerCn}" as issuer, and a trust anchor has that name (${sameName.source}), but its key identifier ${cur.authorityKeyId ?? '(none)'} does not match the anchor's ${sameName.facts.subjectKeyId ?? '(none)'}: it was issued by a different key with the same name.`,
      cur.label,
    );
  } else {
    rec.fail(
      'chain',
      RULES.chain,
      'cert-chain-incomplete',
      `No certificate of the issuer "${issuerCn}" of "${cur.label}" was found among the ${poolSize} intermediate(s) and ${anchors.length} trust anchor(s): supply the issuing CA certificate.`,
      cur.label,
    );
  }
}
