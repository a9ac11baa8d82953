import type { CertificateVerdict } from '@kakehashi/core';
import { type CertificateFacts, parseCrl } from '@kakehashi/trust';
import { type Conclusion, iso, type SignatureValidationContext } from '../../common/signature-facts.ts';
import { type OcspStatus, ocspStatuses } from '../ocsp-revocation.ts';
import { whatCertificate, type X509State } from './x509-state.ts';

/** A revocation of a certificate of the path, with its date, from a CRL or an OCSP response. */
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
async function crlRevocations(
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

/** The revocations an accepted OCSP response reports, effective at `now`. */
function ocspRevocations(ocsp: OcspStatus[], now: Date): RevocationFact[] {
  return ocsp.flatMap((o) =>
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
}

/**
 * What one revocation means for the signature (EN 319 102-1 §5.5): revoked after the proven signing time, the
 * signature stays valid (a note); before it, or after a claimed signing time, TOTAL-FAILED/REVOKED; without any
 * proof of existence, INDETERMINATE/REVOKED_NO_POE (or REVOKED_CA_NO_POE).
 */
function revocationConclusion(r: RevocationFact, s: X509State): Conclusion | undefined {
  const { poe, fo } = s;
  const what = whatCertificate(r.isLeaf, r.label);
  const subject = r.viaOcsp
    ? `According to the OCSP response signed by "${r.viaOcsp}", ${what.charAt(0).toLowerCase()}${what.slice(1)}`
    : what;
  const revoked = `${subject} was revoked at ${iso(r.revokedAt)} by "${r.issuer}"${r.reason ? ` (reason: ${r.reason})` : ''}`;
  if (poe) {
    if (poe.time.getTime() < r.revokedAt.getTime()) {
      s.notes.push(
        `${revoked}, after the signing time ${iso(poe.time)} proven by the time-stamp of "${poe.tsa}": the signature stays valid.`,
      );
      return undefined;
    }
    return {
      indication: 'TOTAL-FAILED',
      sub: 'REVOKED',
      explanation: `${revoked}, before the signing time ${iso(poe.time)} proven by the time-stamp of "${poe.tsa}".`,
    };
  }
  if (r.isLeaf && fo.claimedSigningTime && fo.claimedSigningTime.getTime() >= r.revokedAt.getTime()) {
    return {
      indication: 'TOTAL-FAILED',
      sub: 'REVOKED',
      explanation: `${revoked}; the signature itself claims to have been made at ${iso(fo.claimedSigningTime)}, after the revocation.`,
    };
  }
  return {
    indication: 'INDETERMINATE',
    sub: r.isLeaf ? 'REVOKED_NO_POE' : 'REVOKED_CA_NO_POE',
    explanation: `${revoked}. No time-stamp proves the signature existed before then${fo.claimedSigningTime ? ` (it only claims ${iso(fo.claimedSigningTime)})` : ''}: add a signature time-stamp (level B-T) when signing.`,
  };
}

/**
 * Revocation of the path's certificates: OCSP where a certificate names a responder (RFC 6960), the CRLs
 * otherwise and as the fallback when the responder does not answer; a revocation from either source counts. An
 * OCSP response that came but fails its checks is not papered over with the CRL: INDETERMINATE/TRY_LATER.
 * Returns the conclusion when revocation decides the outcome, and a note on the OCSP responses that said good.
 * @see https://www.rfc-editor.org/rfc/rfc6960#section-3.2
 */
export async function checkRevocation(s: X509State): Promise<{ conclusion?: Conclusion; ocspNote: string }> {
  const ocsp = await ocspStatuses(s.certs, s.ctx, s.now);
  for (const o of ocsp) s.checks.push(o.finding);
  const fromOcsp = ocspRevocations(ocsp, s.now);
  const crlRevoked = s.codes.has('cert-revoked');
  if (crlRevoked || fromOcsp.length > 0) {
    const fromCrl = crlRevoked ? await crlRevocations(s.certs, s.ctx, s.vNow) : [];
    const facts = [...fromOcsp, ...fromCrl.filter((f) => !fromOcsp.some((o) => o.label === f.label))];
    for (const r of facts) {
      const conclusion = revocationConclusion(r, s);
      if (conclusion) return { conclusion, ocspNote: '' };
    }
    if (facts.length === 0) {
      const reason = s.failedChecks.find((c) => c.code === 'cert-revoked')?.reason ?? '';
      return {
        conclusion: {
          indication: 'INDETERMINATE',
          sub: 'REVOKED_NO_POE',
          explanation: `A certificate of the path is revoked: ${reason}`,
        },
        ocspNote: '',
      };
    }
  }
  // An OCSP response that came but fails its checks (altered, wrong signer, another CertID, replayed, stale) is not
  // acceptable revocation data, and is not papered over with the CRL: the status stays undetermined (TRY_LATER).
  const rejected = ocsp.find((o) => o.outcome === 'rejected');
  if (rejected) {
    const whose = rejected.isLeaf ? "the signer's certificate" : `the CA certificate "${rejected.label}"`;
    return {
      conclusion: {
        indication: 'INDETERMINATE',
        sub: 'TRY_LATER',
        explanation: `The revocation status of ${whose} cannot be established: the OCSP response from ${rejected.url} is rejected — ${rejected.why} A response that fails its checks is not replaced by the CRL (it may be an attack); obtain a valid response and validate again.`,
      },
      ocspNote: '',
    };
  }
  const good = ocsp.filter((o) => o.outcome === 'good');
  const ocspNote =
    good.length === 0
      ? ''
      : ` Revocation checked by OCSP for ${good.map((o) => `"${o.label}"`).join(', ')} (responses signed by ${[...new Set(good.map((o) => `"${o.signer}"`))].join(', ')}, nonce echoed).`;
  return { ocspNote };
}
