import type { CertificateVerdict } from '@kakehashi/core';
import type { EntityListing, EntityListKind, TrustLenientFault } from '@kakehashi/trust';

/** What the node loaded from the hub, and when (`GET /trust/status`). */
export interface NodeTrustStatus {
  loaded: boolean;
  loadedAt: string | null;
  lotlSequence: number | null;
  nextUpdate: string | null;
  countries: string[];
  anchors: number;
  crls: number;
  /**
   * True when, on the virtual clock, the view is past a NextUpdate: of the LOTL, of a national list or of a CRL it
   * holds. Certificates are then not judged silently: the freshness checks fail (or warn, on a weak node).
   */
  stale: boolean;
  /** Why the view is stale, one line per list or CRL with its NextUpdate, and what to do. */
  warnings: string[];
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
  /**
   * Whether a view is loaded (`status().loaded`, without the freshness report `status()` builds): asked before
   * every certificate validation.
   */
  loaded?(): boolean;
  /**
   * Whether `certPem` is on the list of trusted entities of `kind` the LOTL points at (ETSI TS 119 602: PID
   * providers, wallet providers), granted at `at`, in the view loaded.
   */
  entityListing?(kind: EntityListKind, certPem: string, at: Date): EntityListing;
  /**
   * Validates against the view. `lenient` (the weak-node mode) is asked, only when the view is stale at `opts.at`,
   * whether `lenient.trust.tl-expired` or `lenient.trust.crl-stale` lets that through.
   */
  validateCertificate(
    certPem: string,
    chainPem: string[],
    opts: {
      at: Date;
      usage?: string[];
      lenient?: ((name: TrustLenientFault) => boolean) | undefined;
    },
  ): CertificateVerdict;
}
