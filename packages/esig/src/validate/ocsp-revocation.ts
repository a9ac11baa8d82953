import type { CertificateFacts, CrlReason } from '@kakehashi/trust';
import { failed, passed, type SignatureValidationContext, warning } from '../common/signature-facts.ts';
import { checkOcspResponse } from '../ocsp/check-ocsp-response.ts';
import { OCSP_MAX_BYTES } from '../ocsp/ocsp-common.ts';
import { buildOcspRequest } from '../ocsp/ocsp-request.ts';
import type { Finding } from '../report/z-report.ts';

/** What OCSP said about one certificate of the path. */
export interface OcspStatus {
  label: string;
  isLeaf: boolean;
  issuer: string;
  /**
   * good / revoked: an accepted response; unknown: the responder does not know the certificate; unavailable: no
   * answer (CRL fallback); rejected: a response came and failed a check (tampered, wrong signer, CertID, nonce,
   * freshness) — no fallback, the status is then undetermined.
   */
  outcome: 'good' | 'revoked' | 'unknown' | 'unavailable' | 'rejected';
  revokedAt?: Date;
  reason?: CrlReason;
  signer?: string;
  /** The plain-language reason for `rejected` / `unavailable`. */
  why?: string;
  url: string;
  finding: Finding;
}

const iso = (d: Date) => d.toISOString();
const RULE = 'RFC 6960 §3.2; ETSI EN 319 102-1 §5.2.6';

/**
 * Asks the OCSP responder named in each path certificate's authorityInfoAccess (only URLs the context agrees to
 * fetch: the hub's) about that certificate, with a fresh nonce, and checks each response
 * ({@link checkOcspResponse}) against the certificate's issuer at `at`. Certificates without an OCSP URL, or
 * without their issuer in the chain, are left to the CRLs.
 * @see https://www.rfc-editor.org/rfc/rfc6960#section-3.2
 */
export async function ocspStatuses(
  certs: CertificateFacts[],
  ctx: SignatureValidationContext,
  at: Date,
): Promise<OcspStatus[]> {
  const out: OcspStatus[] = [];
  if (!ctx.fetchOcsp) return out;
  for (const [i, cert] of certs.entries()) {
    if (cert.selfIssued || cert.ocspUrls.length === 0) continue;
    const issuer = certs.find((c) => c !== cert && c.subjectDer.equals(cert.issuerDer));
    if (!issuer) continue;
    const url = cert.ocspUrls[0] as string;
    const base = { label: cert.label, isLeaf: i === 0, issuer: issuer.label, url };
    const request = buildOcspRequest(cert, issuer);
    let der: Uint8Array | undefined;
    try {
      der = await ctx.fetchOcsp(url, request.der);
    } catch {
      der = undefined;
    }
    if (!der || der.length === 0 || der.length > OCSP_MAX_BYTES) {
      const why = `the OCSP responder ${url} gave no usable answer`;
      out.push({
        ...base,
        outcome: 'unavailable',
        why,
        finding: warning(
          'revocation (OCSP)',
          `OCSP status of "${cert.label}" not obtained: ${why}; the CRL is used instead.`,
          RULE,
        ),
      });
      continue;
    }
    const r = checkOcspResponse(der, {
      certificate: cert,
      issuer,
      nonce: request.nonce,
      at,
      clockSkewSeconds: ctx.clockSkewSeconds,
    });
    if (!r.ok) {
      if (r.problem === 'responder-error') {
        out.push({
          ...base,
          outcome: 'unavailable',
          why: r.reason,
          finding: warning(
            'revocation (OCSP)',
            `OCSP status of "${cert.label}" not obtained: ${r.reason} The CRL is used instead.`,
            r.rule,
          ),
        });
        continue;
      }
      out.push({
        ...base,
        outcome: 'rejected',
        why: r.reason,
        finding: failed(
          'revocation (OCSP)',
          `The OCSP response about "${cert.label}" is rejected: ${r.reason}`,
          r.rule,
        ),
      });
      continue;
    }
    const signedBy = `signed by "${r.signer}"${r.delegated ? ' (delegated OCSP responder)' : ''}`;
    const window = `thisUpdate ${iso(r.thisUpdate)}${r.nextUpdate ? `, nextUpdate ${iso(r.nextUpdate)}` : ''}`;
    if (r.status === 'revoked' && r.revokedAt) {
      out.push({
        ...base,
        outcome: 'revoked',
        revokedAt: r.revokedAt,
        ...(r.reason ? { reason: r.reason } : {}),
        signer: r.signer,
        finding: failed(
          'revocation (OCSP)',
          `OCSP: "${cert.label}" was revoked at ${iso(r.revokedAt)}${r.reason ? ` (reason: ${r.reason})` : ''}; response ${signedBy}, ${window}, nonce echoed.`,
          RULE,
        ),
      });
    } else if (r.status === 'unknown') {
      out.push({
        ...base,
        outcome: 'unknown',
        signer: r.signer,
        finding: warning(
          'revocation (OCSP)',
          `OCSP: the responder does not know "${cert.label}" (status unknown, response ${signedBy}); the CRL is used instead.`,
          RULE,
        ),
      });
    } else {
      out.push({
        ...base,
        outcome: 'good',
        signer: r.signer,
        finding: passed(
          'revocation (OCSP)',
          `OCSP: "${cert.label}" is good; response ${signedBy}, ${window}, nonce echoed.`,
          RULE,
        ),
      });
    }
  }
  return out;
}
