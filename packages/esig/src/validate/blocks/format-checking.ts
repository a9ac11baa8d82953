import type { Conclusion, FormatOutcome } from '../../common/signature-facts.ts';
import type { BuildingBlock } from '../../report/z-report.ts';

/**
 * Format checking (FC): the signature is a well-formed XAdES, JAdES or CAdES signature; otherwise
 * TOTAL-FAILED/FORMAT_FAILURE.
 * @see https://www.etsi.org/deliver/etsi_en/319100_319199/31910201/ §5.2.2
 */
export function formatChecking(fo: FormatOutcome): { block: BuildingBlock; conclusion?: Conclusion } {
  const block: BuildingBlock = {
    id: 'FC',
    name: 'Format checking',
    clause: 'ETSI EN 319 102-1 §5.2.2',
    indication: fo.formatFailure ? 'FAILED' : 'PASSED',
    ...(fo.formatFailure ? { subIndication: 'FORMAT_FAILURE' as const } : {}),
    explanation:
      fo.formatFailure ??
      `A well-formed ${fo.format} ${fo.level ?? ''} signature${fo.packaging ? ` (${fo.packaging})` : ''}.`,
    checks: fo.formatChecks,
  };
  if (!fo.formatFailure) return { block };
  return { block, conclusion: { indication: 'TOTAL-FAILED', sub: 'FORMAT_FAILURE', explanation: fo.formatFailure } };
}
