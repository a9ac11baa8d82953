import type { CertificateVerdict, Clock } from '@kakehashi/core';
import type { MainIndication, SubIndication } from '../report/indications.ts';
import type { Finding } from '../report/z-report.ts';
import type { EsigLenientFault } from '../validate/faults.ts';
import type { HashName, SignatureScheme } from './algorithms.ts';

export type SignatureFormat = 'XAdES' | 'JAdES' | 'CAdES';
export type SignatureLevel = 'B-B' | 'B-T';
export type Packaging = 'enveloped' | 'enveloping' | 'detached';

/**
 * What a format reader (XAdES, JAdES, CAdES) establishes about one signature: the format checking,
 * signing-certificate identification and cryptographic verification building blocks of EN 319 102-1, plus
 * what the format-independent steps need (certificates, claimed time, time-stamps, algorithms).
 */
export interface FormatOutcome {
  format: SignatureFormat;
  level?: SignatureLevel;
  packaging?: Packaging;
  /** FC: the reason the signature is not well-formed, when it is not (→ FORMAT_FAILURE). */
  formatFailure?: string;
  formatChecks: Finding[];
  /** ISC: the signing certificate (PEM) and the other certificates the signature carries. */
  signingCertPem?: string;
  chainPem: string[];
  /** ISC: why the signed reference to the signing certificate does not hold (→ NO_SIGNING_CERTIFICATE_FOUND). */
  iscFailure?: string;
  iscChecks: Finding[];
  /** CV outcome. */
  signedDataNotFound?: string;
  hashFailure?: string;
  sigCryptoFailure?: string;
  cvChecks: Finding[];
  /** SAV inputs. */
  signatureScheme?: SignatureScheme;
  digestAlgorithms: HashName[];
  claimedSigningTime?: Date;
  /** Signature time-stamps, each with the bytes its message imprint must cover. */
  timestamps: { token: Buffer; covered: Buffer }[];
  signedData: { reference: string; digestAlgorithm?: string; digest?: string; mimeType?: string }[];
}

/** Input of {@link validateSignature}. */
export interface SignatureInput {
  /** The signature: XML text, a JWS (compact or JSON), or CMS (DER bytes, base64 or PEM). */
  signature: Uint8Array | string;
  /** The detached content, for detached signatures. */
  detachedContent?: Uint8Array;
  /** Name of the detached content (the XAdES Reference URI / JAdES sigD `pars` entry it must match), if known. */
  detachedName?: string;
}

/**
 * What validation needs from the component that runs it: its own verified trust view (anchors from the
 * LOTL-pointed trusted lists with their status history, CRLs), the virtual clock, a way to read a CRL
 * (for revocation dates) and to ask an OCSP responder.
 */
export interface SignatureValidationContext {
  clock: Pick<Clock, 'now'>;
  validateCertificate(certPem: string, chainPem: string[], opts: { at: Date; usage?: string[] }): CertificateVerdict;
  /** DER of the CRL at `url` (a CRL distribution point of a certificate that chains to the trust view). */
  loadCrl?: (url: string) => Promise<Uint8Array | undefined>;
  /**
   * Posts a DER OCSPRequest to the responder at `url` (a certificate's authorityInfoAccess OCSP URL) and returns
   * the DER OCSPResponse, or undefined when the URL is not one the component fetches (only the hub's) or the
   * responder does not answer. Absent: revocation is CRL-only.
   */
  fetchOcsp?: (url: string, requestDer: Buffer) => Promise<Uint8Array | undefined>;
  /** Who validates (goes into the report). */
  validator?: { component: 'hub' | 'node' | 'library'; country?: string | undefined };
  /** Tolerance between the claimed signing time and the time-stamp, seconds (default 60). */
  clockSkewSeconds?: number;
  /** Largest XML signature accepted, bytes (default 8 MiB). */
  maxXmlBytes?: number;
  /**
   * The weak-node mode: true when the lenient fault `name` is on for this component (and reports it as fired). Asked
   * only where the strict check has just found the defect the fault lets through. Absent: strict.
   */
  lenient?: (name: EsigLenientFault) => boolean;
}

/**
 * How a validation (or one building block) concludes: the main indication, the sub-indication and why.
 * @see https://www.etsi.org/deliver/etsi_en/319100_319199/31910201/ §5.1.3
 */
export interface Conclusion {
  indication: MainIndication;
  sub?: SubIndication;
  explanation: string;
}

/**
 * A proof of existence of the signature: the earliest trusted signature time-stamp, and who issued it.
 * @see https://www.etsi.org/deliver/etsi_en/319100_319199/31910201/ §5.4, §5.5
 */
export interface ProofOfExistence {
  time: Date;
  tsa: string;
}

export const iso = (d: Date) => d.toISOString();

export const passed = (check: string, reason: string, rule?: string): Finding =>
  rule ? { check, outcome: 'passed', reason, rule } : { check, outcome: 'passed', reason };
export const failed = (check: string, reason: string, rule?: string): Finding =>
  rule ? { check, outcome: 'failed', reason, rule } : { check, outcome: 'failed', reason };
export const warning = (check: string, reason: string, rule?: string): Finding =>
  rule ? { check, outcome: 'warning', reason, rule } : { check, outcome: 'warning', reason };

export function emptyOutcome(format: SignatureFormat): FormatOutcome {
  return {
    format,
    formatChecks: [],
    chainPem: [],
    iscChecks: [],
    cvChecks: [],
    digestAlgorithms: [],
    timestamps: [],
    signedData: [],
  };
}
