import type { CertificateVerdict } from '@kakehashi/core';
import type { CertificateFacts } from '@kakehashi/trust';
import type { FormatOutcome, ProofOfExistence, SignatureValidationContext } from '../../common/signature-facts.ts';
import type { Finding } from '../../report/z-report.ts';

/**
 * What the steps of the X.509 certificate validation block share: the signature's facts, the path's
 * certificates (leaf first), the trust view's verdict at validation time, and the checks and notes the steps add.
 */
export interface X509State {
  fo: FormatOutcome & { signingCertPem: string };
  ctx: SignatureValidationContext;
  now: Date;
  poe: ProofOfExistence | undefined;
  /** The signing certificate and the certificates the signature carries, parsed (leaf first). */
  certs: CertificateFacts[];
  /** The trust view's verdict on the path at validation time. */
  vNow: CertificateVerdict;
  /** The failed checks of `vNow`, and their codes. */
  failedChecks: CertificateVerdict['checks'];
  codes: Set<string | undefined>;
  /** The block's checks, in order (steps append to it). */
  checks: Finding[];
  /** Why a problem found does not invalidate the signature (e.g. revoked after the proven signing time). */
  notes: string[];
}

/** "The signer's certificate" or "The CA certificate "<label>"", for explanations. */
export const whatCertificate = (isLeaf: boolean, label: string) =>
  isLeaf ? "The signer's certificate" : `The CA certificate "${label}"`;
