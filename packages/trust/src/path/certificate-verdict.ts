import type { CertificateVerdict } from '@kakehashi/core';
import { inspectCertificate } from '../pki/inspect-certificate.ts';
import type { PathValidationResult } from './z-path.ts';

/**
 * A path validation result as components report it over HTTP ({@link CertificateVerdict}): valid or not, the
 * country the certificate was issued for (the C of its subject), its serial, the anchor the path ends at, the
 * first failure and every check. A certificate that cannot be parsed keeps its verdict (the `parse` check says
 * why) without the facts.
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-6.1
 */
export function certificateVerdictOf(result: PathValidationResult, certPem: string): CertificateVerdict {
  let facts: ReturnType<typeof inspectCertificate> | undefined;
  try {
    facts = inspectCertificate(certPem);
  } catch {
    facts = undefined;
  }
  return {
    valid: result.valid,
    country: facts ? /(?:^|, )C=([A-Z]{2})(?:,|$)/.exec(facts.subject)?.[1] : undefined,
    serialHex: facts?.serialHex,
    anchor: result.chain.at(-1)?.subject,
    failure: result.failure ? { code: result.failure.code, reason: result.failure.reason } : undefined,
    // A rule that could not be applied says so (`skipped`): reported as passed, it would hide e.g. a missing CRL.
    checks: result.checks.map((c) => ({
      rule: c.rule,
      outcome: c.skipped ? ('skipped' as const) : c.outcome,
      reason: c.reason,
      ...(c.code ? { code: c.code } : {}),
    })),
  };
}
