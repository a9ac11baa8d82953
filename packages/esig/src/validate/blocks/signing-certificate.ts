import type { Conclusion, FormatOutcome } from '../../common/signature-facts.ts';
import type { BuildingBlock } from '../../report/z-report.ts';

/**
 * Identification of the signing certificate (ISC): the signed reference to the signing certificate (its digest)
 * matches the certificate that signed. No signing certificate at all concludes INDETERMINATE/
 * NO_SIGNING_CERTIFICATE_FOUND at once; a reference that does not match (`fo.iscFailure`) only after the
 * cryptographic verification, whose failures take precedence.
 * @see https://www.etsi.org/deliver/etsi_en/319100_319199/31910201/ §5.2.3
 */
export function identifySigningCertificate(fo: FormatOutcome): { block: BuildingBlock; conclusion?: Conclusion } {
  const iscFail = !fo.signingCertPem ? (fo.iscFailure ?? 'The signature carries no signing certificate.') : undefined;
  const block: BuildingBlock = {
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
  };
  if (!iscFail) return { block };
  return {
    block,
    conclusion: { indication: 'INDETERMINATE', sub: 'NO_SIGNING_CERTIFICATE_FOUND', explanation: iscFail },
  };
}
