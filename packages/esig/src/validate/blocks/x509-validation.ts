import type { CertificateVerdict } from '@kakehashi/core';
import { type CertificateFacts, inspectCertificate, unrecognisedCriticalExtensions } from '@kakehashi/trust';
import {
  type Conclusion,
  type FormatOutcome,
  failed,
  iso,
  type ProofOfExistence,
  passed,
  type SignatureValidationContext,
  warning,
} from '../../common/signature-facts.ts';
import type { SubIndication } from '../../report/indications.ts';
import type { BuildingBlock, Finding } from '../../report/z-report.ts';
import { checkRevocation } from './x509-revocation.ts';
import { whatCertificate, type X509State } from './x509-state.ts';

const NAME = 'X.509 certificate validation';
const CLAUSE = 'ETSI EN 319 102-1 §5.2.6, §5.5';

/** The sub-indication of a path failure that no proof of existence can change. */
const CODE_TO_SUB: Record<string, SubIndication> = {
  'cert-malformed': 'CERTIFICATE_CHAIN_GENERAL_FAILURE',
  'cert-chain-incomplete': 'NO_CERTIFICATE_CHAIN_FOUND',
  'cert-untrusted-root': 'NO_CERTIFICATE_CHAIN_FOUND',
  'cert-signature-invalid': 'CERTIFICATE_CHAIN_GENERAL_FAILURE',
  'cert-weak-algorithm': 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE',
  'cert-basic-constraints': 'CHAIN_CONSTRAINTS_FAILURE',
  'cert-path-length': 'CHAIN_CONSTRAINTS_FAILURE',
  'cert-key-usage': 'CHAIN_CONSTRAINTS_FAILURE',
  'cert-unknown-critical-extension': 'CHAIN_CONSTRAINTS_FAILURE',
  // Revocation information or trusted lists past their NextUpdate (time travel, a view not reloaded): not fresh,
  // so the status cannot be established now (EN 319 102-1 §5.2.5, §5.2.6.4).
  'cert-revocation-unknown': 'TRY_LATER',
  'tl-expired': 'TRY_LATER',
};
/** Path failures whose effect depends on time: judged against the proof of existence (§5.5). */
const TIME_CODES = new Set(['cert-expired', 'cert-not-yet-valid', 'cert-revoked', 'cert-untrusted-root']);

function verdictChecks(v: CertificateVerdict, prefix: string): Finding[] {
  return v.checks.map((c) => ({
    check: prefix,
    outcome: c.outcome === 'failed' ? 'failed' : c.outcome === 'skipped' ? 'skipped' : 'passed',
    reason: c.reason,
    rule: c.rule,
  }));
}

/**
 * Unknown critical extensions on any certificate the signature carries, the anchor included: a certificate with
 * one must be rejected (RFC 5280 §4.2, attack C10). The list of understood extensions is the trust package's,
 * the one path validation applies.
 */
function criticalExtensions(s: X509State): Conclusion | undefined {
  for (const c of s.certs) {
    const unknown = unrecognisedCriticalExtensions(c);
    if (unknown.length === 0) continue;
    s.checks.push(
      failed(
        'critical extensions',
        `"${c.label}" has the critical extension(s) ${unknown.join(', ')}, which this validator does not understand.`,
        'RFC 5280 §4.2',
      ),
    );
    return {
      indication: 'INDETERMINATE',
      sub: 'CHAIN_CONSTRAINTS_FAILURE',
      explanation: `The certificate "${c.label}" carries a critical extension (${unknown.join(', ')}) that is not understood, so it must be rejected (RFC 5280 §4.2).`,
    };
  }
  return undefined;
}

/** A path failure that does not depend on time (broken chain, constraints, algorithms): INDETERMINATE. */
function structuralFailure(s: X509State): Conclusion | undefined {
  const structural = s.failedChecks.find((c) => c.code && !TIME_CODES.has(c.code));
  if (!structural?.code) return undefined;
  return {
    indication: 'INDETERMINATE',
    sub: CODE_TO_SUB[structural.code] ?? 'CERTIFICATE_CHAIN_GENERAL_FAILURE',
    explanation: `The signer's certificate does not validate: ${structural.reason}`,
  };
}

/**
 * The trust anchor's status (trusted-list service status history): a CA no longer granted now still anchors a
 * signature whose time-stamp proves it was made while the CA was granted.
 */
function anchorStatus(s: X509State): Conclusion | undefined {
  if (!s.codes.has('cert-untrusted-root')) return undefined;
  const untrusted = s.failedChecks.find((c) => c.code === 'cert-untrusted-root');
  if (!s.poe) {
    return {
      indication: 'INDETERMINATE',
      sub: 'NO_CERTIFICATE_CHAIN_FOUND',
      explanation: `The certificate path does not end at a trust anchor granted now: ${untrusted?.reason ?? ''}`,
    };
  }
  const vPoe = s.ctx.validateCertificate(s.fo.signingCertPem, s.fo.chainPem, {
    at: s.poe.time,
    usage: ['nonRepudiation'],
  });
  const atPoe = vPoe.checks.find((c) => c.code === 'cert-untrusted-root' && c.outcome === 'failed');
  s.checks.push(...verdictChecks(vPoe, 'certificate path at the time-stamp'));
  if (atPoe) {
    return {
      indication: 'INDETERMINATE',
      sub: 'NO_CERTIFICATE_CHAIN_FOUND',
      explanation: `At the signing time proven by the time-stamp (${iso(s.poe.time)}), the issuing CA was not a granted service of its trusted list: ${atPoe.reason}`,
    };
  }
  s.notes.push(
    `The CA's trusted-list service is no longer granted now, but it was granted at ${iso(s.poe.time)}, the signing time proven by the time-stamp of "${s.poe.tsa}".`,
  );
  return undefined;
}

/**
 * Validity periods of the path's certificates at validation time and at the proof of existence: outside the
 * validity at the proven time is TOTAL-FAILED (EXPIRED, NOT_YET_VALID); expired now without a proof of
 * existence INDETERMINATE/OUT_OF_BOUNDS_NO_POE; expired after the proven time, a note.
 */
function validityPeriods(s: X509State): Conclusion | undefined {
  const { codes, poe, now } = s;
  if (!(codes.has('cert-expired') || codes.has('cert-not-yet-valid') || poe)) return undefined;
  for (const [i, c] of s.certs.entries()) {
    const what = whatCertificate(i === 0, c.label);
    if (poe && poe.time.getTime() < c.notBefore.getTime()) {
      return {
        indication: 'TOTAL-FAILED',
        sub: 'NOT_YET_VALID',
        explanation: `${what} is valid only from ${iso(c.notBefore)}, but the time-stamp of "${poe.tsa}" proves the signature existed at ${iso(poe.time)}, before that.`,
      };
    }
    if (poe && poe.time.getTime() > c.notAfter.getTime()) {
      return {
        indication: 'TOTAL-FAILED',
        sub: 'EXPIRED',
        explanation: `${what} expired at ${iso(c.notAfter)}; the time-stamp of "${poe.tsa}" proves the signature was made at ${iso(poe.time)}, after it expired.`,
      };
    }
    if (now.getTime() > c.notAfter.getTime() && codes.has('cert-expired')) {
      if (poe) {
        s.notes.push(
          `${what} expired at ${iso(c.notAfter)}, after the signing time ${iso(poe.time)} proven by the time-stamp: the signature stays valid.`,
        );
        continue;
      }
      return {
        indication: 'INDETERMINATE',
        sub: 'OUT_OF_BOUNDS_NO_POE',
        explanation: `${what} expired at ${iso(c.notAfter)}; it is now ${iso(now)} and no time-stamp proves the signature was made before it expired.`,
      };
    }
    if (now.getTime() < c.notBefore.getTime() && codes.has('cert-not-yet-valid')) {
      return {
        indication: 'INDETERMINATE',
        sub: 'NOT_YET_VALID',
        explanation: `${what} is not valid before ${iso(c.notBefore)}; it is now ${iso(now)}, so the signature was made before the certificate was valid.`,
      };
    }
  }
  return undefined;
}

const REVOCATION_SUBS = new Set<SubIndication>(['REVOKED', 'REVOKED_NO_POE', 'REVOKED_CA_NO_POE', 'TRY_LATER']);
const VALIDITY_SUBS = new Set<SubIndication>(['EXPIRED', 'OUT_OF_BOUNDS_NO_POE', 'NOT_YET_VALID']);

/**
 * The weak-node mode: a revocation or validity conclusion that the lenient fault `name` lets through is recorded
 * as a warning instead (the report says it was ignored on purpose); true when it was let through.
 */
function leniently(
  s: X509State,
  name: 'lenient.esig.revoked-certificate' | 'lenient.esig.expired-certificate',
  c: Conclusion,
): boolean {
  const subs = name === 'lenient.esig.revoked-certificate' ? REVOCATION_SUBS : VALIDITY_SUBS;
  if (!c.sub || !subs.has(c.sub) || !s.ctx.lenient?.(name)) return false;
  s.checks.push(warning('weak node', `Ignored on purpose (fault ${name}): ${c.explanation}`, CLAUSE));
  s.notes.push(`${c.sub} ignored on purpose (weak node, fault ${name}).`);
  return true;
}

/** The weak-node mode: weak algorithms in the path are let through (`lenient.esig.weak-algorithm`), with a warning. */
function lenientAlgorithms(s: X509State): void {
  const weak = s.failedChecks.filter((c) => c.code === 'cert-weak-algorithm');
  if (weak.length === 0 || !s.ctx.lenient?.('lenient.esig.weak-algorithm')) return;
  s.failedChecks = s.failedChecks.filter((c) => c.code !== 'cert-weak-algorithm');
  s.codes.delete('cert-weak-algorithm');
  for (const c of weak)
    s.checks.push(warning('weak node', `Ignored on purpose (fault lenient.esig.weak-algorithm): ${c.reason}`, c.rule));
}

/** The signing certificate and the certificates the signature carries, parsed; unreadable extras are left out. */
function readPath(fo: FormatOutcome & { signingCertPem: string }): CertificateFacts[] {
  const certs: CertificateFacts[] = [];
  for (const pem of [fo.signingCertPem, ...fo.chainPem]) {
    try {
      certs.push(inspectCertificate(pem));
    } catch {
      // unreadable extra certificates are ignored; the leaf was read by the format reader
    }
  }
  return certs;
}

/**
 * X.509 certificate validation (XCV) against the component's trust view, with the time rules of the validation
 * process for signatures with time: a revocation or expiry after the proof of existence (the time-stamp's
 * genTime) does not invalidate the signature; before it, it does. Steps in order: unknown critical extensions,
 * time-independent path failures, trust-anchor status, revocation (OCSP, CRL), validity periods.
 * @see https://www.etsi.org/deliver/etsi_en/319100_319199/31910201/ §5.2.6, §5.5
 */
export async function validateX509(
  fo: FormatOutcome & { signingCertPem: string },
  ctx: SignatureValidationContext,
  now: Date,
  poe: ProofOfExistence | undefined,
): Promise<{ block: BuildingBlock; conclusion?: Conclusion; chain: { subject: string; anchor: boolean }[] }> {
  const vNow = ctx.validateCertificate(fo.signingCertPem, fo.chainPem, { at: now, usage: ['nonRepudiation'] });
  const certs = readPath(fo);
  const failedChecks = vNow.checks.filter((c) => c.outcome === 'failed');
  const s: X509State = {
    fo,
    ctx,
    now,
    poe,
    certs,
    vNow,
    failedChecks,
    codes: new Set(failedChecks.map((c) => c.code)),
    checks: verdictChecks(vNow, 'certificate path at validation time'),
    notes: [],
  };
  const chain = certs.map((c) => ({ subject: c.subject, anchor: c.subject === vNow.anchor }));
  if (vNow.anchor && !chain.some((c) => c.anchor)) chain.push({ subject: vNow.anchor, anchor: true });
  const block = (indication: BuildingBlock['indication'], explanation: string, sub?: SubIndication): BuildingBlock =>
    sub
      ? { id: 'XCV', name: NAME, clause: CLAUSE, indication, subIndication: sub, explanation, checks: s.checks }
      : { id: 'XCV', name: NAME, clause: CLAUSE, indication, explanation, checks: s.checks };
  const done = (c: Conclusion) => ({
    block: block(c.indication === 'TOTAL-FAILED' ? 'FAILED' : 'INDETERMINATE', c.explanation, c.sub),
    conclusion: c,
    chain,
  });

  lenientAlgorithms(s);
  const early = criticalExtensions(s) ?? structuralFailure(s) ?? anchorStatus(s);
  if (early) return done(early);
  const revocation = await checkRevocation(s);
  if (revocation.conclusion && !leniently(s, 'lenient.esig.revoked-certificate', revocation.conclusion))
    return done(revocation.conclusion);
  const validity = validityPeriods(s);
  if (validity && !leniently(s, 'lenient.esig.expired-certificate', validity)) return done(validity);

  const anchorCn = vNow.anchor
    ? (vNow.anchor
        .split(', ')
        .find((p) => p.startsWith('CN='))
        ?.slice(3) ?? vNow.anchor)
    : undefined;
  const anchor = anchorCn ? ` The path ends at the trust anchor "${anchorCn}".` : '';
  for (const n of s.notes) s.checks.push(passed('time', n, 'ETSI EN 319 102-1 §5.5'));
  const leaf = certs[0] as CertificateFacts;
  return {
    block: block(
      'PASSED',
      `The signer's certificate "${leaf.label}" chains to a trust anchor of the trusted lists, with key usage for signing (nonRepudiation), and is neither expired nor revoked${poe ? ' at the proven signing time' : ''}.${anchor}${revocation.ocspNote}${s.notes.length ? ` ${s.notes.join(' ')}` : ''}`,
    ),
    chain,
  };
}
