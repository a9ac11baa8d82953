import type { CertificateVerdict } from '@kakehashi/core';
import { type CertificateFacts, inspectCertificate, OID, parseCrl } from '@kakehashi/trust';
import { readCades } from '../cades/verify-cades.ts';
import { weakHashReason, weakKeyReason } from '../common/algorithms.ts';
import { parseX509 } from '../common/certificates.ts';
import { readJades } from '../jades/verify-jades.ts';
import {
  type MainIndication,
  SUB_INDICATION_MEANING,
  type SubIndication,
  subIndicationUrn,
} from '../report/indications.ts';
import type {
  BuildingBlock,
  CertificateSummary,
  Finding,
  TimestampSummary,
  ValidationReport,
} from '../report/z-report.ts';
import { verifyTimestampToken } from '../tsa/verify-timestamp.ts';
import { readXades } from '../xades/verify-xades.ts';
import { ocspStatuses } from './ocsp-revocation.ts';
import {
  emptyOutcome,
  type FormatOutcome,
  failed,
  passed,
  type SignatureInput,
  type SignatureValidationContext,
} from './signature-facts.ts';

const iso = (d: Date) => d.toISOString();

/** Extensions the validator understands; any other critical extension fails the chain (C10). */
const KNOWN_CRITICAL = new Set<string>([
  OID.authorityInfoAccess,
  OID.ocspNoCheck,
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectAltName,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID.crlDistributionPoints,
  OID.certificatePolicies,
]);

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
  'cert-revocation-unknown': 'TRY_LATER',
};
const TIME_CODES = new Set(['cert-expired', 'cert-not-yet-valid', 'cert-revoked', 'cert-untrusted-root']);

/** Decides which reader handles the bytes: XML → XAdES, JSON or compact JWS → JAdES, otherwise CMS → CAdES. */
export function detectFormat(signature: Uint8Array | string): 'XAdES' | 'JAdES' | 'CAdES' | undefined {
  const head =
    typeof signature === 'string'
      ? signature
          .slice(0, 64)
          .replace(/^\uFEFF/, '')
          .trimStart()
      : Buffer.from(signature.subarray(0, 64))
          .toString('latin1')
          .replace(/^\xEF\xBB\xBF/, '')
          .trimStart();
  if (head.startsWith('<')) return 'XAdES';
  if (head.startsWith('{')) return 'JAdES';
  if (head.startsWith('-----BEGIN')) return 'CAdES';
  if (typeof signature === 'string' && /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/.test(signature.trim()))
    return 'JAdES';
  if (typeof signature !== 'string' && signature[0] === 0x30) return 'CAdES';
  if (typeof signature === 'string' && /^[A-Za-z0-9+/=\s]+$/.test(signature.slice(0, 256))) return 'CAdES';
  if (typeof signature !== 'string' && /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/.test(head)) return 'JAdES';
  return undefined;
}

function summarise(pem: string): CertificateSummary | undefined {
  try {
    const f = inspectCertificate(pem);
    const out: CertificateSummary = {
      subject: f.subject,
      label: f.label,
      serialHex: f.serialHex,
      issuer: f.issuer,
      notBefore: iso(f.notBefore),
      notAfter: iso(f.notAfter),
    };
    if (f.country) out.country = f.country;
    const names: Record<string, string> = {
      [OID.jpkiName]: 'name',
      [OID.jpkiSex]: 'sex',
      [OID.jpkiDateOfBirth]: 'dateOfBirth',
      [OID.jpkiAddress]: 'address',
    };
    const jpki = f.otherNames.filter((o) => names[o.oid]);
    if (jpki.length > 0) out.jpki = Object.fromEntries(jpki.map((o) => [names[o.oid] as string, o.value]));
    return out;
  } catch {
    return undefined;
  }
}

interface Conclusion {
  indication: MainIndication;
  sub?: SubIndication;
  explanation: string;
}

interface RevocationFact {
  label: string;
  isLeaf: boolean;
  revokedAt: Date;
  reason?: string;
  issuer: string;
  /** Label of the OCSP response signer, when the revocation comes from OCSP rather than a CRL. */
  viaOcsp?: string;
}

/** Revocation dates of the path's certificates, from their CRLs (signature checked against the issuer). */
async function revocationFacts(
  certs: CertificateFacts[],
  ctx: SignatureValidationContext,
  verdict: CertificateVerdict,
): Promise<RevocationFact[]> {
  const out: RevocationFact[] = [];
  for (let i = 0; i < certs.length; i++) {
    const cert = certs[i] as CertificateFacts;
    if (cert.selfIssued) continue;
    const issuer = certs.find((c) => c.subjectDer.equals(cert.issuerDer) && c !== cert);
    if (!issuer) continue;
    for (const url of cert.crlDistributionPoints) {
      const der = ctx.loadCrl ? await ctx.loadCrl(url).catch(() => undefined) : undefined;
      if (!der) continue;
      try {
        const crl = parseCrl(der);
        if (!crl.verify(issuer.x509)) continue;
        const hit = crl.find(cert.serialHex);
        if (hit) {
          const f: RevocationFact = {
            label: cert.label,
            isLeaf: i === 0,
            revokedAt: hit.revokedAt,
            issuer: issuer.label,
          };
          if (hit.reason) f.reason = hit.reason;
          out.push(f);
        }
        break;
      } catch {
        // an unreadable CRL gives no date; the verdict's own reason is the fallback below
      }
    }
  }
  if (out.length === 0) {
    // Fallback: the trust view said "revoked" (its reason names the certificate and the date).
    for (const c of verdict.checks) {
      if (c.code !== 'cert-revoked') continue;
      const m = /^"([^"]+)".* by "([^"]+)" at (\S+Z)/.exec(c.reason);
      if (m)
        out.push({
          label: m[1] as string,
          isLeaf: m[1] === certs[0]?.label,
          revokedAt: new Date(m[3] as string),
          issuer: m[2] as string,
        });
    }
  }
  return out;
}

function verdictChecks(v: CertificateVerdict, prefix: string): Finding[] {
  return v.checks.map((c) => ({
    check: prefix,
    outcome: c.outcome === 'failed' ? 'failed' : c.outcome === 'skipped' ? 'skipped' : 'passed',
    reason: c.reason,
    rule: c.rule,
  }));
}

/**
 * X.509 certificate validation (EN 319 102-1 §5.2.6) against the component's trust view, with the time rules
 * of the validation process for signatures with time (§5.5): a revocation or expiry after the proof of
 * existence (the time-stamp's genTime) does not invalidate the signature; before it, it does.
 */
async function x509Block(
  fo: FormatOutcome,
  ctx: SignatureValidationContext,
  now: Date,
  poe: { time: Date; tsa: string } | undefined,
): Promise<{ block: BuildingBlock; conclusion?: Conclusion; chain: { subject: string; anchor: boolean }[] }> {
  const name = 'X.509 certificate validation';
  const clause = 'ETSI EN 319 102-1 §5.2.6, §5.5';
  const leafPem = fo.signingCertPem as string;
  const vNow = ctx.validateCertificate(leafPem, fo.chainPem, { at: now, usage: ['nonRepudiation'] });
  const checks = verdictChecks(vNow, 'certificate path at validation time');
  const certs: CertificateFacts[] = [];
  for (const pem of [leafPem, ...fo.chainPem]) {
    try {
      certs.push(inspectCertificate(pem));
    } catch {
      // unreadable extra certificates are ignored; the leaf was read by the format reader
    }
  }
  const leaf = certs[0] as CertificateFacts;
  const chain = certs.map((c) => ({ subject: c.subject, anchor: c.subject === vNow.anchor }));
  if (vNow.anchor && !chain.some((c) => c.anchor)) chain.push({ subject: vNow.anchor, anchor: true });
  const block = (indication: BuildingBlock['indication'], explanation: string, sub?: SubIndication): BuildingBlock =>
    sub
      ? { id: 'XCV', name, clause, indication, subIndication: sub, explanation, checks }
      : { id: 'XCV', name, clause, indication, explanation, checks };
  const done = (c: Conclusion) => ({
    block: block(c.indication === 'TOTAL-FAILED' ? 'FAILED' : 'INDETERMINATE', c.explanation, c.sub),
    conclusion: c,
    chain,
  });

  // Unknown critical extensions (RFC 5280 §4.2: a certificate with one must be rejected).
  for (const c of certs) {
    const unknown = c.criticalExtensions.filter((o) => !KNOWN_CRITICAL.has(o));
    if (unknown.length > 0) {
      checks.push(
        failed(
          'critical extensions',
          `"${c.label}" has the critical extension(s) ${unknown.join(', ')}, which this validator does not understand.`,
          'RFC 5280 §4.2',
        ),
      );
      return done({
        indication: 'INDETERMINATE',
        sub: 'CHAIN_CONSTRAINTS_FAILURE',
        explanation: `The certificate "${c.label}" carries a critical extension (${unknown.join(', ')}) that is not understood, so it must be rejected (RFC 5280 §4.2).`,
      });
    }
  }
  const failedChecks = vNow.checks.filter((c) => c.outcome === 'failed');
  const structural = failedChecks.find((c) => c.code && !TIME_CODES.has(c.code));
  if (structural?.code) {
    const sub = CODE_TO_SUB[structural.code] ?? 'CERTIFICATE_CHAIN_GENERAL_FAILURE';
    return done({
      indication: 'INDETERMINATE',
      sub,
      explanation: `The signer's certificate does not validate: ${structural.reason}`,
    });
  }
  const codes = new Set(failedChecks.map((c) => c.code));
  const notes: string[] = [];

  // Trust anchor status (trusted-list service status history): at the proven signing time, or now.
  if (codes.has('cert-untrusted-root')) {
    const untrusted = failedChecks.find((c) => c.code === 'cert-untrusted-root');
    if (!poe) {
      return done({
        indication: 'INDETERMINATE',
        sub: 'NO_CERTIFICATE_CHAIN_FOUND',
        explanation: `The certificate path does not end at a trust anchor granted now: ${untrusted?.reason ?? ''}`,
      });
    }
    const vPoe = ctx.validateCertificate(leafPem, fo.chainPem, { at: poe.time, usage: ['nonRepudiation'] });
    const atPoe = vPoe.checks.find((c) => c.code === 'cert-untrusted-root' && c.outcome === 'failed');
    checks.push(...verdictChecks(vPoe, 'certificate path at the time-stamp'));
    if (atPoe) {
      return done({
        indication: 'INDETERMINATE',
        sub: 'NO_CERTIFICATE_CHAIN_FOUND',
        explanation: `At the signing time proven by the time-stamp (${iso(poe.time)}), the issuing CA was not a granted service of its trusted list: ${atPoe.reason}`,
      });
    }
    notes.push(
      `The CA's trusted-list service is no longer granted now, but it was granted at ${iso(poe.time)}, the signing time proven by the time-stamp of "${poe.tsa}".`,
    );
  }

  // Revocation: OCSP where a certificate names a responder (RFC 6960), the CRLs otherwise and as the fallback
  // when the responder does not answer. A revocation from either source counts.
  const ocsp = await ocspStatuses(certs, ctx, now);
  for (const o of ocsp) checks.push(o.finding);
  const ocspRevoked: RevocationFact[] = ocsp.flatMap((o) =>
    o.outcome === 'revoked' && o.revokedAt && o.revokedAt.getTime() <= now.getTime()
      ? [
          {
            label: o.label,
            isLeaf: o.isLeaf,
            revokedAt: o.revokedAt,
            issuer: o.issuer,
            viaOcsp: o.signer ?? 'the responder',
            ...(o.reason ? { reason: o.reason } : {}),
          },
        ]
      : [],
  );
  if (codes.has('cert-revoked') || ocspRevoked.length > 0) {
    const fromCrl = codes.has('cert-revoked') ? await revocationFacts(certs, ctx, vNow) : [];
    const facts = [...ocspRevoked, ...fromCrl.filter((f) => !ocspRevoked.some((o) => o.label === f.label))];
    for (const r of facts) {
      const what = r.isLeaf ? "The signer's certificate" : `The CA certificate "${r.label}"`;
      const subject = r.viaOcsp
        ? `According to the OCSP response signed by "${r.viaOcsp}", ${what.charAt(0).toLowerCase()}${what.slice(1)}`
        : what;
      const revoked = `${subject} was revoked at ${iso(r.revokedAt)} by "${r.issuer}"${r.reason ? ` (reason: ${r.reason})` : ''}`;
      if (poe) {
        if (poe.time.getTime() < r.revokedAt.getTime()) {
          notes.push(
            `${revoked}, after the signing time ${iso(poe.time)} proven by the time-stamp of "${poe.tsa}": the signature stays valid.`,
          );
          continue;
        }
        return done({
          indication: 'TOTAL-FAILED',
          sub: 'REVOKED',
          explanation: `${revoked}, before the signing time ${iso(poe.time)} proven by the time-stamp of "${poe.tsa}".`,
        });
      }
      if (r.isLeaf && fo.claimedSigningTime && fo.claimedSigningTime.getTime() >= r.revokedAt.getTime()) {
        return done({
          indication: 'TOTAL-FAILED',
          sub: 'REVOKED',
          explanation: `${revoked}; the signature itself claims to have been made at ${iso(fo.claimedSigningTime)}, after the revocation.`,
        });
      }
      return done({
        indication: 'INDETERMINATE',
        sub: r.isLeaf ? 'REVOKED_NO_POE' : 'REVOKED_CA_NO_POE',
        explanation: `${revoked}. No time-stamp proves the signature existed before then${fo.claimedSigningTime ? ` (it only claims ${iso(fo.claimedSigningTime)})` : ''}: add a signature time-stamp (level B-T) when signing.`,
      });
    }
    if (facts.length === 0) {
      return done({
        indication: 'INDETERMINATE',
        sub: 'REVOKED_NO_POE',
        explanation: `A certificate of the path is revoked: ${failedChecks.find((c) => c.code === 'cert-revoked')?.reason ?? ''}`,
      });
    }
  }
  // An OCSP response that came but fails its checks (altered, wrong signer, another CertID, replayed, stale) is not
  // acceptable revocation data, and is not papered over with the CRL: the status stays undetermined (TRY_LATER).
  const rejected = ocsp.find((o) => o.outcome === 'rejected');
  if (rejected) {
    const whose = rejected.isLeaf ? "the signer's certificate" : `the CA certificate "${rejected.label}"`;
    return done({
      indication: 'INDETERMINATE',
      sub: 'TRY_LATER',
      explanation: `The revocation status of ${whose} cannot be established: the OCSP response from ${rejected.url} is rejected — ${rejected.why} A response that fails its checks is not replaced by the CRL (it may be an attack); obtain a valid response and validate again.`,
    });
  }
  const ocspGood = ocsp.filter((o) => o.outcome === 'good');
  const ocspNote =
    ocspGood.length === 0
      ? ''
      : ` Revocation checked by OCSP for ${ocspGood.map((o) => `"${o.label}"`).join(', ')} (responses signed by ${[...new Set(ocspGood.map((o) => `"${o.signer}"`))].join(', ')}, nonce echoed).`;

  // Validity periods of the path's certificates at validation time and at the proof of existence.
  if (codes.has('cert-expired') || codes.has('cert-not-yet-valid') || poe) {
    for (const [i, c] of certs.entries()) {
      const what = i === 0 ? "The signer's certificate" : `The CA certificate "${c.label}"`;
      if (poe && poe.time.getTime() < c.notBefore.getTime()) {
        return done({
          indication: 'TOTAL-FAILED',
          sub: 'NOT_YET_VALID',
          explanation: `${what} is valid only from ${iso(c.notBefore)}, but the time-stamp of "${poe.tsa}" proves the signature existed at ${iso(poe.time)}, before that.`,
        });
      }
      if (poe && poe.time.getTime() > c.notAfter.getTime()) {
        return done({
          indication: 'TOTAL-FAILED',
          sub: 'EXPIRED',
          explanation: `${what} expired at ${iso(c.notAfter)}; the time-stamp of "${poe.tsa}" proves the signature was made at ${iso(poe.time)}, after it expired.`,
        });
      }
      if (now.getTime() > c.notAfter.getTime() && codes.has('cert-expired')) {
        if (poe) {
          notes.push(
            `${what} expired at ${iso(c.notAfter)}, after the signing time ${iso(poe.time)} proven by the time-stamp: the signature stays valid.`,
          );
          continue;
        }
        return done({
          indication: 'INDETERMINATE',
          sub: 'OUT_OF_BOUNDS_NO_POE',
          explanation: `${what} expired at ${iso(c.notAfter)}; it is now ${iso(now)} and no time-stamp proves the signature was made before it expired.`,
        });
      }
      if (now.getTime() < c.notBefore.getTime() && codes.has('cert-not-yet-valid')) {
        return done({
          indication: 'INDETERMINATE',
          sub: 'NOT_YET_VALID',
          explanation: `${what} is not valid before ${iso(c.notBefore)}; it is now ${iso(now)}, so the signature was made before the certificate was valid.`,
        });
      }
    }
  }
  const anchor = vNow.anchor
    ? ` The path ends at the trust anchor "${
        vNow.anchor
          .split(', ')
          .find((p) => p.startsWith('CN='))
          ?.slice(3) ?? vNow.anchor
      }".`
    : '';
  for (const n of notes) checks.push(passed('time', n, 'ETSI EN 319 102-1 §5.5'));
  return {
    block: block(
      'PASSED',
      `The signer's certificate "${leaf.label}" chains to a trust anchor of the trusted lists, with key usage for signing (nonRepudiation), and is neither expired nor revoked${poe ? ' at the proven signing time' : ''}.${anchor}${ocspNote}${notes.length ? ` ${notes.join(' ')}` : ''}`,
    ),
    chain,
  };
}

function formatOutcome(input: SignatureInput, ctx: SignatureValidationContext): FormatOutcome {
  const format = detectFormat(input.signature);
  if (format === 'XAdES') return readXades(input, ctx);
  if (format === 'JAdES') return readJades(input);
  if (format === 'CAdES') return readCades(input);
  const fo = emptyOutcome('CAdES');
  fo.formatFailure = 'The input is neither XML (XAdES), a JWS (JAdES) nor CMS (CAdES).';
  return fo;
}

/**
 * Validates an AdES signature — XAdES, JAdES or CAdES, baseline B-B or B-T — per ETSI EN 319 102-1: format
 * checking, identification of the signing certificate, cryptographic verification, X.509 validation against
 * the trust view (trusted lists with service status history, CRLs), time-stamp validation and the rules of
 * the validation process for signatures with time, and signature acceptance (cryptographic constraints).
 * Never throws on bad input: a malformed signature is a report with FORMAT_FAILURE.
 * @see https://www.etsi.org/deliver/etsi_en/319100_319199/31910201/ §5.3, §5.5
 */
export async function validateSignature(
  input: SignatureInput,
  ctx: SignatureValidationContext,
): Promise<ValidationReport> {
  const now = ctx.clock.now();
  let fo: FormatOutcome;
  try {
    fo = formatOutcome(input, ctx);
  } catch (e) {
    fo = emptyOutcome('CAdES');
    fo.formatFailure = `The signature cannot be read: ${e instanceof Error ? e.message.slice(0, 200) : 'unknown error'}.`;
  }
  const blocks: BuildingBlock[] = [];
  const timestamps: TimestampSummary[] = [];
  let conclusion: Conclusion | undefined;
  let chain: { subject: string; anchor: boolean }[] = [];

  // FC
  blocks.push({
    id: 'FC',
    name: 'Format checking',
    clause: 'ETSI EN 319 102-1 §5.2.2',
    indication: fo.formatFailure ? 'FAILED' : 'PASSED',
    ...(fo.formatFailure ? { subIndication: 'FORMAT_FAILURE' as const } : {}),
    explanation:
      fo.formatFailure ??
      `A well-formed ${fo.format} ${fo.level ?? ''} signature${fo.packaging ? ` (${fo.packaging})` : ''}.`,
    checks: fo.formatChecks,
  });
  if (fo.formatFailure)
    conclusion = { indication: 'TOTAL-FAILED', sub: 'FORMAT_FAILURE', explanation: fo.formatFailure };

  // ISC
  if (!conclusion) {
    const iscFail = !fo.signingCertPem ? (fo.iscFailure ?? 'The signature carries no signing certificate.') : undefined;
    blocks.push({
      id: 'ISC',
      name: 'Identification of the signing certificate',
      clause: 'ETSI EN 319 102-1 §5.2.3',
      indication: iscFail || fo.iscFailure ? 'INDETERMINATE' : 'PASSED',
      ...(iscFail || fo.iscFailure ? { subIndication: 'NO_SIGNING_CERTIFICATE_FOUND' as const } : {}),
      explanation:
        iscFail ??
        fo.iscFailure ??
        'The signed reference to the signing certificate (its digest) matches the certificate that signed.',
      checks: fo.iscChecks,
    });
    if (iscFail)
      conclusion = { indication: 'INDETERMINATE', sub: 'NO_SIGNING_CERTIFICATE_FOUND', explanation: iscFail };
  }

  // CV
  if (!conclusion) {
    const cvSub: SubIndication | undefined = fo.signedDataNotFound
      ? 'SIGNED_DATA_NOT_FOUND'
      : fo.hashFailure
        ? 'HASH_FAILURE'
        : fo.sigCryptoFailure
          ? 'SIG_CRYPTO_FAILURE'
          : undefined;
    const why = fo.signedDataNotFound ?? fo.hashFailure ?? fo.sigCryptoFailure;
    blocks.push({
      id: 'CV',
      name: 'Cryptographic verification',
      clause: 'ETSI EN 319 102-1 §5.2.7',
      indication: cvSub ? (cvSub === 'SIGNED_DATA_NOT_FOUND' ? 'INDETERMINATE' : 'FAILED') : 'PASSED',
      ...(cvSub ? { subIndication: cvSub } : {}),
      explanation:
        why ?? "Every digest matches the signed data and the signature value verifies with the signer's public key.",
      checks: fo.cvChecks,
    });
    if (cvSub)
      conclusion = {
        indication: cvSub === 'SIGNED_DATA_NOT_FOUND' ? 'INDETERMINATE' : 'TOTAL-FAILED',
        sub: cvSub,
        explanation: why as string,
      };
    else if (fo.iscFailure)
      conclusion = { indication: 'INDETERMINATE', sub: 'NO_SIGNING_CERTIFICATE_FOUND', explanation: fo.iscFailure };
  }

  // TST: signature time-stamps → proof of existence
  let poe: { time: Date; tsa: string } | undefined;
  if (!fo.formatFailure) {
    const tstChecks: Finding[] = [];
    for (const t of fo.timestamps) {
      const facts = verifyTimestampToken(t.token, t.covered);
      let indication: TimestampSummary['indication'] = facts.intact ? 'PASSED' : 'FAILED';
      let explanation = facts.intact
        ? `Time-stamp by "${facts.tsaLabel}" at ${facts.genTime ? iso(facts.genTime) : '?'} over the signature value.`
        : (facts.problems[0] ?? 'The time-stamp is invalid.');
      if (facts.intact && facts.tsaCertPem && facts.genTime) {
        const v = ctx.validateCertificate(facts.tsaCertPem, facts.chainPem, { at: now, usage: ['digitalSignature'] });
        if (!v.valid) {
          indication = 'INDETERMINATE';
          explanation = `The time-stamping unit "${facts.tsaLabel}" is not trusted: ${v.failure?.reason ?? 'its certificate does not validate'}`;
        } else if (facts.genTime.getTime() > now.getTime() + (ctx.clockSkewSeconds ?? 60) * 1000) {
          indication = 'FAILED';
          explanation = `The time-stamp is dated ${iso(facts.genTime)}, in the future of the validation time ${iso(now)}.`;
        } else {
          explanation += ` The TSA certificate chains to the trusted lists (TSA service of ${facts.tsaCertPem ? (summarise(facts.tsaCertPem)?.country ?? '?') : '?'}).`;
          if (!poe || facts.genTime.getTime() < poe.time.getTime())
            poe = { time: facts.genTime, tsa: facts.tsaLabel ?? 'TSA' };
        }
      }
      tstChecks.push(
        indication === 'PASSED'
          ? passed('signature time-stamp', explanation, 'RFC 3161; ETSI EN 319 102-1 §5.4')
          : failed('signature time-stamp', explanation, 'RFC 3161; ETSI EN 319 102-1 §5.4'),
      );
      const summary: TimestampSummary = { type: 'signature-time-stamp', indication, explanation };
      if (facts.genTime) summary.genTime = iso(facts.genTime);
      if (facts.tsaLabel) summary.tsa = facts.tsaLabel;
      if (facts.policy) summary.policy = facts.policy;
      timestamps.push(summary);
    }
    if (fo.timestamps.length > 0)
      blocks.push({
        id: 'TST',
        name: 'Time-stamp validation',
        clause: 'ETSI EN 319 102-1 §5.4',
        indication: poe ? 'PASSED' : 'INDETERMINATE',
        explanation: poe
          ? `The signature existed at ${iso(poe.time)} (proof of existence from "${poe.tsa}").`
          : 'No valid signature time-stamp: the signature is validated without a proof of existence (as B-B).',
        checks: tstChecks,
      });
  }

  // XCV
  if (!conclusion && fo.signingCertPem) {
    const x = await x509Block(fo, ctx, now, poe);
    blocks.push(x.block);
    chain = x.chain;
    if (x.conclusion) conclusion = x.conclusion;
  }

  // SAV: cryptographic constraints and time ordering
  if (!conclusion && fo.signingCertPem) {
    const sav: Finding[] = [];
    const problems: string[] = [];
    if (fo.signatureScheme) {
      const h = weakHashReason(fo.signatureScheme.hash);
      if (h) problems.push(`the signature algorithm ${fo.signatureScheme.name}: ${h}`);
    }
    for (const d of fo.digestAlgorithms) {
      const h = weakHashReason(d);
      if (h) problems.push(`a digest: ${h}`);
    }
    try {
      const k = weakKeyReason(parseX509(fo.signingCertPem).publicKey);
      if (k) problems.push(`the signing key: ${k}`);
    } catch {
      problems.push('the signing key cannot be read');
    }
    for (const p of problems) sav.push(failed('cryptographic constraints', p, 'ETSI TS 119 312'));
    if (problems.length === 0)
      sav.push(
        passed(
          'cryptographic constraints',
          `${fo.signatureScheme?.name ?? 'The signature algorithm'} with ${[...new Set(fo.digestAlgorithms)].join(', ') || 'its digest'}; key size accepted.`,
          'ETSI TS 119 312',
        ),
      );
    let order: string | undefined;
    if (
      poe &&
      fo.claimedSigningTime &&
      fo.claimedSigningTime.getTime() > poe.time.getTime() + (ctx.clockSkewSeconds ?? 60) * 1000
    ) {
      order = `The signature claims it was made at ${iso(fo.claimedSigningTime)}, after its own time-stamp (${iso(poe.time)}): the times are inconsistent.`;
      sav.push(failed('time ordering', order, 'ETSI EN 319 102-1 §5.5.4'));
    }
    const savSub: SubIndication | undefined = problems.length
      ? 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE'
      : order
        ? 'TIMESTAMP_ORDER_FAILURE'
        : undefined;
    const savWhy = problems.length
      ? `An algorithm or key is no longer accepted — ${problems.join('; ')} — and no proof of existence predates its sunset.`
      : order;
    blocks.push({
      id: 'SAV',
      name: 'Signature acceptance validation',
      clause: 'ETSI EN 319 102-1 §5.2.8',
      indication: savSub ? 'INDETERMINATE' : 'PASSED',
      ...(savSub ? { subIndication: savSub } : {}),
      explanation:
        savWhy ?? 'The algorithms and key sizes meet the cryptographic constraints; the signing times are consistent.',
      checks: sav,
    });
    if (savSub) conclusion = { indication: 'INDETERMINATE', sub: savSub, explanation: savWhy as string };
  }

  const signer = fo.signingCertPem ? summarise(fo.signingCertPem) : undefined;
  if (!conclusion) {
    const who = signer ? `"${signer.label}"${signer.country ? ` (${signer.country})` : ''}` : 'the signer';
    conclusion = {
      indication: 'TOTAL-PASSED',
      explanation: `The ${fo.format} signature by ${who} is valid: the signed data is intact, the certificate chains to the trusted lists and was neither expired nor revoked ${poe ? `at ${iso(poe.time)}, the signing time proven by the time-stamp of "${poe.tsa}"` : 'at validation time'}.`,
    };
  }
  const report: ValidationReport = {
    testOnly: true,
    validationTime: iso(now),
    validator: ctx.validator ?? { component: 'library' },
    format: fo.formatFailure && !fo.level ? (detectFormat(input.signature) ?? 'unknown') : fo.format,
    indication: conclusion.indication,
    explanation: conclusion.sub
      ? `${conclusion.explanation} (${conclusion.sub}: ${SUB_INDICATION_MEANING[conclusion.sub]})`
      : conclusion.explanation,
    signingTime: {
      ...(fo.claimedSigningTime ? { claimed: iso(fo.claimedSigningTime) } : {}),
      ...(poe ? { proven: iso(poe.time) } : {}),
    },
    signedData: fo.signedData,
    certificateChain: chain,
    timestamps,
    buildingBlocks: blocks,
  };
  if (fo.level) report.level = fo.level;
  if (fo.packaging) report.packaging = fo.packaging;
  if (conclusion.sub) {
    report.subIndication = subIndicationUrn(conclusion.sub);
    report.subIndicationName = conclusion.sub;
  }
  if (signer) report.signer = signer;
  return report;
}
