import type { ErrorCode } from '@kakehashi/core';

/** The verdict of a certificate path validation, as the hub reports it. */
export interface CertificateVerdict {
  valid: boolean;
  /** Country the certificate was issued for (the C of its subject), when known. */
  country?: string | undefined;
  /** Serial number (hex) of the validated certificate. */
  serialHex?: string | undefined;
  /** Subject of the trust anchor the path ends at. */
  anchor?: string | undefined;
  failure?: { code: ErrorCode; reason: string } | undefined;
  checks: { rule: string; outcome: 'passed' | 'failed' | 'skipped'; reason: string; code?: ErrorCode }[];
}

export interface RevocationRequest {
  /** Certificate serial number in hex, or a certificate name as listed by `GET /trust`. */
  serialHex?: string | undefined;
  name?: string | undefined;
  reason?:
    | 'keyCompromise'
    | 'cACompromise'
    | 'affiliationChanged'
    | 'superseded'
    | 'cessationOfOperation'
    | 'unspecified'
    | undefined;
  /** Revocation time (default: now on the virtual clock). */
  at?: Date | undefined;
}

/**
 * The trust fabric as the hub uses it: what it publishes (LOTL, national lists, CRLs) and the path
 * validation it applies to registrations. Implemented over `@kakehashi/trust` by the composition root.
 */
export interface HubTrust {
  countries(): string[];
  lotlXml(): string;
  trustedListXml(country: string): string | undefined;
  crlDer(name: string): Uint8Array | undefined;
  crlNames(): string[];
  /** Pinned certificate(s) of the LOTL signer, as a relying party gets them out of band (the "OJ" publication). */
  lotlSignerPem(): string;
  /** Certificates the federation generated, by name (no private keys). */
  certificates(): {
    name: string;
    subject: string;
    serialHex: string;
    notBefore: string;
    notAfter: string;
    revoked: boolean;
  }[];
  validateCertificate(certPem: string, chainPem: string[], opts: { at: Date; usage?: string[] }): CertificateVerdict;
  revoke(req: RevocationRequest): { serialHex: string; crl: string };
}
