import { weakHashReason, weakKeyReason } from '../../common/algorithms.ts';
import { parseX509, publicKeyOf } from '../../common/certificates.ts';
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

/** What in the signature no longer meets the cryptographic constraints (ETSI TS 119 312): algorithms and key. */
function cryptographicProblems(fo: FormatOutcome & { signingCertPem: string }): string[] {
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
    const k = weakKeyReason(publicKeyOf(parseX509(fo.signingCertPem)));
    if (k) problems.push(`the signing key: ${k}`);
  } catch {
    problems.push('the signing key cannot be read');
  }
  return problems;
}

/**
 * Signature acceptance validation (SAV): the algorithms and key size meet the cryptographic constraints
 * (else INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE_NO_POE), and the claimed signing time does not come after the
 * signature's own time-stamp (else INDETERMINATE/TIMESTAMP_ORDER_FAILURE).
 * @see https://www.etsi.org/deliver/etsi_en/319100_319199/31910201/ §5.2.8, §5.5.4
 */
export function acceptSignature(
  fo: FormatOutcome & { signingCertPem: string },
  ctx: SignatureValidationContext,
  poe: ProofOfExistence | undefined,
): { block: BuildingBlock; conclusion?: Conclusion } {
  const checks: Finding[] = [];
  let problems = cryptographicProblems(fo);
  if (problems.length > 0 && ctx.lenient?.('lenient.esig.weak-algorithm')) {
    // Weak node: the constraints are reported, and let through on purpose.
    for (const p of problems)
      checks.push(
        warning(
          'cryptographic constraints',
          `Ignored on purpose (weak node, fault lenient.esig.weak-algorithm): ${p}`,
          'ETSI TS 119 312',
        ),
      );
    problems = [];
  }
  for (const p of problems) checks.push(failed('cryptographic constraints', p, 'ETSI TS 119 312'));
  if (problems.length === 0 && checks.length === 0)
    checks.push(
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
    checks.push(failed('time ordering', order, 'ETSI EN 319 102-1 §5.5.4'));
  }
  const sub: SubIndication | undefined = problems.length
    ? 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE'
    : order
      ? 'TIMESTAMP_ORDER_FAILURE'
      : undefined;
  const why = problems.length
    ? `An algorithm or key is no longer accepted — ${problems.join('; ')} — and no proof of existence predates its sunset.`
    : order;
  const block: BuildingBlock = {
    id: 'SAV',
    name: 'Signature acceptance validation',
    clause: 'ETSI EN 319 102-1 §5.2.8',
    indication: sub ? 'INDETERMINATE' : 'PASSED',
    ...(sub ? { subIndication: sub } : {}),
    explanation:
      why ?? 'The algorithms and key sizes meet the cryptographic constraints; the signing times are consistent.',
    checks,
  };
  if (!sub) return { block };
  return { block, conclusion: { indication: 'INDETERMINATE', sub, explanation: why as string } };
}
