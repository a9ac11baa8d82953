import type { X509Certificate } from 'node:crypto';
import type { Check, ErrorCode, Failure, Verdict } from '@kakehashi/core';
import type { ParsedCrl } from '../crl/parse-crl.ts';
import type { KeyUsageName } from '../pki/issue-certificate.ts';

/**
 * A trust anchor: a CA certificate trusted out of band (from a verified trusted list). Matching is by the
 * whole certificate or by subject name *and* public key — never by name alone.
 */
export interface TrustAnchor {
  certificate: string | X509Certificate;
  /** Where the anchor comes from, for messages (e.g. `TL DE: Kakehashi DE Issuing CA (TEST)`). */
  source?: string;
  /**
   * When the anchor's trusted-list status was `granted` (from the status history). Absent: always trusted.
   * Outside these periods a path ending at the anchor fails with `cert-untrusted-root`.
   */
  grantedPeriods?: { from: Date; to?: Date }[];
}

/** Returns the CRLs for the CA named `issuerName` (node:crypto rendering, equal to the CA's `certificate.subject`). */
export type CrlLookup = (
  issuerName: string,
  context: { issuerDer: Buffer; distributionPoints: string[]; subject: string },
) => ParsedCrl | ParsedCrl[] | undefined;

/** What {@link validateCertificatePath} validates against, and at which instant. */
export interface ValidatePathOptions {
  /** Untrusted certificates that may complete the path (PEM or X509Certificate). */
  intermediates?: (string | X509Certificate)[];
  /** Trust anchors; a bare certificate (PEM or X509Certificate) is an anchor without status periods. */
  anchors: (TrustAnchor | string | X509Certificate)[];
  /** CRLs (each checked against its issuer before use), or a lookup by issuer name. */
  crls?: ParsedCrl[] | CrlLookup;
  /** The validation time: the virtual clock's `now()`. */
  at: Date;
  /** Key usages the end-entity certificate must allow (RFC 5280 §4.2.1.3). */
  requiredKeyUsage?: KeyUsageName[];
  /** Extended key usage OIDs the end-entity certificate must allow, when it has the extension (§4.2.1.12). */
  requiredExtKeyUsage?: string[];
  /** Fail with `cert-revocation-unknown` when no usable CRL covers a certificate of the path. */
  requireRevocationInfo?: boolean;
  /**
   * Asked when the issuer's CRLs were supplied but every one is past its nextUpdate at the validation time: true lets the check through as skipped (a weak node's `lenient.trust.crl-stale`); otherwise
   * the check fails with `cert-revocation-unknown`, whether or not revocation information is required — a stale CRL
   * is never a silent pass.
   */
  acceptStaleCrl?: () => boolean;
  /** Longest path accepted, anchor included (default 8). */
  maxPathLength?: number;
}

/** The rules path validation applies, one name per kind of check. */
export type PathCheckName =
  | 'parse'
  | 'chain'
  | 'trust-anchor'
  | 'algorithm'
  | 'signature'
  | 'validity'
  | 'basic-constraints'
  | 'path-length'
  | 'key-usage'
  | 'critical-extensions'
  | 'revocation';

/**
 * One rule applied to one certificate, with its outcome in plain language: core's {@link Check} with the kind of
 * check and the certificate it is about. A rule that could not be applied and was not required (e.g. no CRL
 * supplied) is `passed` with `skipped: true`.
 */
export interface PathCheck extends Check {
  check: PathCheckName;
  /** The clause implemented, e.g. `RFC 5280 §6.1.3(a)(2)`. */
  rule: string;
  outcome: 'passed' | 'failed';
  /** True when the rule could not be applied and was not required (e.g. no CRL supplied); outcome is then `passed`. */
  skipped?: boolean;
  code?: ErrorCode;
  /** Subject CN of the certificate the check is about. */
  certificate?: string;
}

/** One certificate of the path as the result reports it. */
export interface ChainEntry {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  /** Subject CN (or full subject). */
  label: string;
  isAnchor: boolean;
}

/** The verdict of a path validation (core's {@link Verdict}) with the path that was built. */
export interface PathValidationResult extends Verdict {
  valid: boolean;
  /** Leaf first, trust anchor last (when one was reached). */
  chain: ChainEntry[];
  checks: PathCheck[];
  /** The first failure, when invalid. */
  failure?: Failure & { rule: string };
}
