import type { CertificateVerdict } from '@kakehashi/core';
import type { TrustLenientFault } from '@kakehashi/trust';

/** What the node loaded from the hub, and when (`GET /trust/status`). */
export interface NodeTrustStatus {
  loaded: boolean;
  loadedAt: string | null;
  lotlSequence: number | null;
  nextUpdate: string | null;
  countries: string[];
  anchors: number;
  crls: number;
  error?: string;
}

/**
 * A node's own view of the trust fabric: it downloads the hub's list of trusted lists, checks it against the
 * pinned LOTL signer certificate, follows the pointers to each national list and the CRLs, and validates
 * certificates against what it loaded — never against anything a peer sends it.
 */
export interface NodeTrust {
  /**
   * (Re)loads the LOTL, trusted lists and CRLs from the hub. `lenient` (the weak-node mode): asked whether a
   * `lenient.trust.*` fault lets through the expired list, rolled-back list or stale CRL just found.
   */
  refresh(
    fetch: typeof globalThis.fetch,
    options?: { lenient?: ((name: TrustLenientFault) => boolean) | undefined },
  ): Promise<NodeTrustStatus>;
  status(): NodeTrustStatus;
  validateCertificate(certPem: string, chainPem: string[], opts: { at: Date; usage?: string[] }): CertificateVerdict;
}
