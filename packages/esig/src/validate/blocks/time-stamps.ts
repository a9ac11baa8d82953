import {
  type FormatOutcome,
  failed,
  iso,
  type ProofOfExistence,
  passed,
  type SignatureValidationContext,
} from '../../common/signature-facts.ts';
import type { BuildingBlock, Finding, TimestampSummary } from '../../report/z-report.ts';
import { verifyTimestampToken } from '../../tsa/verify-timestamp.ts';
import { summariseCertificate } from '../summarise-certificate.ts';

const RULE = 'RFC 3161; ETSI EN 319 102-1 §5.4';
/** Path failures that mean "not a TSA of the trusted lists" (what `lenient.esig.untrusted-tsa` lets through). */
const UNTRUSTED = new Set(['cert-untrusted-root', 'cert-chain-incomplete']);

/**
 * Time-stamp validation (TST): each signature time-stamp must be intact over the signature value, issued by a
 * time-stamping unit that chains to the trusted lists, and not dated in the future; the earliest valid one is the
 * proof of existence the validation process for signatures with time uses. Without a valid one the signature is
 * validated as B-B. No block when the signature has no time-stamp.
 * @see https://www.etsi.org/deliver/etsi_en/319100_319199/31910201/ §5.4
 */
export function validateTimestamps(
  fo: FormatOutcome,
  ctx: SignatureValidationContext,
  now: Date,
): { block?: BuildingBlock; poe?: ProofOfExistence; timestamps: TimestampSummary[] } {
  const checks: Finding[] = [];
  const timestamps: TimestampSummary[] = [];
  let poe: ProofOfExistence | undefined;
  for (const t of fo.timestamps) {
    const facts = verifyTimestampToken(t.token, t.covered);
    let indication: TimestampSummary['indication'] = facts.intact ? 'PASSED' : 'FAILED';
    let explanation = facts.intact
      ? `Time-stamp by "${facts.tsaLabel}" at ${facts.genTime ? iso(facts.genTime) : '?'} over the signature value.`
      : (facts.problems[0] ?? 'The time-stamp is invalid.');
    if (facts.intact && facts.tsaCertPem && facts.genTime) {
      const v = ctx.validateCertificate(facts.tsaCertPem, facts.chainPem, { at: now, usage: ['digitalSignature'] });
      const untrusted = !v.valid && UNTRUSTED.has(v.failure?.code ?? '');
      if (untrusted && ctx.lenient?.('lenient.esig.untrusted-tsa')) {
        // Weak node: the time-stamping unit is taken at its word.
        explanation += ` Its TSA is not trusted (${v.failure?.reason ?? 'no path to the trusted lists'}) — accepted on purpose (weak node, fault lenient.esig.untrusted-tsa).`;
        if (!poe || facts.genTime.getTime() < poe.time.getTime())
          poe = { time: facts.genTime, tsa: facts.tsaLabel ?? 'TSA' };
      } else if (!v.valid) {
        indication = 'INDETERMINATE';
        explanation = `The time-stamping unit "${facts.tsaLabel}" is not trusted: ${v.failure?.reason ?? 'its certificate does not validate'}`;
      } else if (facts.genTime.getTime() > now.getTime() + (ctx.clockSkewSeconds ?? 60) * 1000) {
        indication = 'FAILED';
        explanation = `The time-stamp is dated ${iso(facts.genTime)}, in the future of the validation time ${iso(now)}.`;
      } else {
        explanation += ` The TSA certificate chains to the trusted lists (TSA service of ${facts.tsaCertPem ? (summariseCertificate(facts.tsaCertPem)?.country ?? '?') : '?'}).`;
        if (!poe || facts.genTime.getTime() < poe.time.getTime())
          poe = { time: facts.genTime, tsa: facts.tsaLabel ?? 'TSA' };
      }
    }
    checks.push(
      indication === 'PASSED'
        ? passed('signature time-stamp', explanation, RULE)
        : failed('signature time-stamp', explanation, RULE),
    );
    const summary: TimestampSummary = { type: 'signature-time-stamp', indication, explanation };
    if (facts.genTime) summary.genTime = iso(facts.genTime);
    if (facts.tsaLabel) summary.tsa = facts.tsaLabel;
    if (facts.policy) summary.policy = facts.policy;
    timestamps.push(summary);
  }
  if (fo.timestamps.length === 0) return { timestamps };
  const block: BuildingBlock = {
    id: 'TST',
    name: 'Time-stamp validation',
    clause: 'ETSI EN 319 102-1 §5.4',
    indication: poe ? 'PASSED' : 'INDETERMINATE',
    explanation: poe
      ? `The signature existed at ${iso(poe.time)} (proof of existence from "${poe.tsa}").`
      : 'No valid signature time-stamp: the signature is validated without a proof of existence (as B-B).',
    checks,
  };
  return poe ? { block, poe, timestamps } : { block, timestamps };
}
