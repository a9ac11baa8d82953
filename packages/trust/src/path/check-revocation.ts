import type { ParsedCrl } from '../crl/parse-crl.ts';
import type { CertificateFacts } from '../pki/inspect-certificate.ts';
import { type CheckRecorder, iso, RULES } from './path-rules.ts';
import type { ValidatePathOptions } from './z-path.ts';

/** The CRLs the options give for the issuer of `cert` (by issuer name, byte-exact). */
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

/**
 * Revocation of one certificate of the path by its issuer's CRLs (RFC 5280 §6.3): each CRL is used only when it
 * verifies with the issuer's key, the issuer may sign CRLs, and thisUpdate ≤ at ≤ nextUpdate. No usable CRL is a
 * failure (`cert-revocation-unknown`) only when revocation information is required; otherwise a skipped check.
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-6.3
 */
export function checkRevocation(
  cert: CertificateFacts,
  issuer: CertificateFacts,
  options: ValidatePathOptions,
  rec: CheckRecorder,
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
      rec.fail(
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
    rec.pass(
      'revocation',
      RULES.revocation,
      `"${cert.label}" is not on the CRL of "${issuer.label}" issued at ${iso(latest.thisUpdate)}.`,
      cert.label,
    );
    return;
  }
  const why = problems.length > 0 ? problems.join('; ') : `no CRL of "${issuer.label}" was supplied`;
  if (options.requireRevocationInfo) {
    rec.fail(
      'revocation',
      RULES.revocation,
      'cert-revocation-unknown',
      `The revocation status of "${cert.label}" cannot be determined: ${why}.`,
      cert.label,
    );
  } else {
    rec.pass(
      'revocation',
      RULES.revocation,
      `Revocation of "${cert.label}" not checked: ${why} (revocation information not required).`,
      cert.label,
      true,
    );
  }
}
