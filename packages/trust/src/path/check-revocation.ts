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
 * verifies with the issuer's key, the issuer may sign CRLs, and at ≤ nextUpdate (a CRL issued after `at` still says
 * whether a revocation came before it). CRLs that verify but are past their nextUpdate at `at` (stale after time
 * travel) are a failure (`cert-revocation-unknown`), never a silent pass;
 * no CRL at all is a failure only when revocation information is required, otherwise a skipped check.
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
  // CRLs of the issuer that verify but are past their nextUpdate at the validation time (time travel, a view not
  // reloaded).
  const outOfTime: string[] = [];
  const usable: ParsedCrl[] = [];
  const stale: ParsedCrl[] = [];
  for (const crl of crlsFor(cert, options)) {
    if (!crl.verify(issuer.x509)) {
      problems.push(`a CRL naming "${issuer.label}" as issuer does not verify with its key`);
      continue;
    }
    if (issuer.keyUsage && !issuer.keyUsage.has('cRLSign')) {
      problems.push(`"${issuer.label}" may not sign CRLs (keyUsage lacks cRLSign)`);
      continue;
    }
    // A CRL issued after the validation time is used: it lists every revocation up to its issue, and a revocation
    // counts only when dated at or before the validation time (validation at a past time, a clock moved back).
    if (crl.nextUpdate && crl.nextUpdate.getTime() < at) {
      outOfTime.push(
        `the CRL of "${issuer.label}" is stale: it was due to be replaced at ${iso(crl.nextUpdate)} (nextUpdate)`,
      );
      stale.push(crl);
      continue;
    }
    usable.push(crl);
  }
  // A revocation is final: one listed on a stale CRL, dated before the validation time, still counts.
  for (const crl of [...usable, ...stale]) {
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
  if (outOfTime.length > 0) {
    // RFC 5280 §6.3.3(a)(2): a CRL past its nextUpdate says nothing about the validation time; ETSI EN 319 102-1
    // §5.2.5 makes that revocation information not fresh (INDETERMINATE/TRY_LATER for a signature).
    const why = [...outOfTime, ...problems].join('; ');
    if (options.acceptStaleCrl?.())
      rec.pass(
        'revocation',
        RULES.revocation,
        `Revocation of "${cert.label}" not checked: ${why} — accepted on purpose (weak node).`,
        cert.label,
        true,
      );
    else
      rec.fail(
        'revocation',
        RULES.revocation,
        'cert-revocation-unknown',
        `The revocation status of "${cert.label}" at ${iso(options.at)} cannot be determined: ${why}. A current CRL is needed (a node reloads with POST /admin/trust/refresh).`,
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
