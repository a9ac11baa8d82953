import type { Conclusion, FormatOutcome } from '../../common/signature-facts.ts';
import type { SubIndication } from '../../report/indications.ts';
import type { BuildingBlock } from '../../report/z-report.ts';

/**
 * Cryptographic verification (CV): every digest matches the signed data and the signature value verifies with
 * the signer's key — else TOTAL-FAILED/HASH_FAILURE or SIG_CRYPTO_FAILURE, or INDETERMINATE/SIGNED_DATA_NOT_FOUND
 * when the signed data is missing.
 * @see https://www.etsi.org/deliver/etsi_en/319100_319199/31910201/ §5.2.7
 */
export function verifyCryptography(fo: FormatOutcome): { block: BuildingBlock; conclusion?: Conclusion } {
  const sub: SubIndication | undefined = fo.signedDataNotFound
    ? 'SIGNED_DATA_NOT_FOUND'
    : fo.hashFailure
      ? 'HASH_FAILURE'
      : fo.sigCryptoFailure
        ? 'SIG_CRYPTO_FAILURE'
        : undefined;
  const why = fo.signedDataNotFound ?? fo.hashFailure ?? fo.sigCryptoFailure;
  const block: BuildingBlock = {
    id: 'CV',
    name: 'Cryptographic verification',
    clause: 'ETSI EN 319 102-1 §5.2.7',
    indication: sub ? (sub === 'SIGNED_DATA_NOT_FOUND' ? 'INDETERMINATE' : 'FAILED') : 'PASSED',
    ...(sub ? { subIndication: sub } : {}),
    explanation:
      why ?? "Every digest matches the signed data and the signature value verifies with the signer's public key.",
    checks: fo.cvChecks,
  };
  if (!sub) return { block };
  return {
    block,
    conclusion: {
      indication: sub === 'SIGNED_DATA_NOT_FOUND' ? 'INDETERMINATE' : 'TOTAL-FAILED',
      sub,
      explanation: why as string,
    },
  };
}
