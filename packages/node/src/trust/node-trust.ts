import type { CertificateVerdict } from '@kakehashi/core';

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
  /** (Re)loads the LOTL, trusted lists and CRLs from the hub. */
  refresh(fetch: typeof globalThis.fetch): Promise<NodeTrustStatus>;
  status(): NodeTrustStatus;
  validateCertificate(certPem: string, chainPem: string[], opts: { at: Date; usage?: string[] }): CertificateVerdict;
}
