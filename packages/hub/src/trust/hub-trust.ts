import type { CertificateVerdict } from '@kakehashi/core';
import type { OcspResponder } from '@kakehashi/esig';
import type { EntityListKind } from '@kakehashi/trust';
import type { TrustFabric } from './describe-fabric.ts';

export type { CertificateVerdict };

export interface RevocationRequest {
  /** Certificate serial number in hex, or a certificate name as listed by `GET /trust`. */
  serialHex?: string | undefined;
  name?: string | undefined;
  /** The issuing CA's name (as `GET /trust` lists it), for a certificate issued outside the trust material (e.g. a citizen's card). */
  issuer?: string | undefined;
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
  /**
   * A list of trusted entities (ETSI TS 119 602: `pid-providers`, `wallet-providers`) the LOTL points at, served
   * beside the national lists as `/trust/tl/EU-<kind>.xml`; undefined when the hub publishes none.
   */
  entityListXml?(kind: EntityListKind): string | undefined;
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
  /** The trust fabric as a tree (LOTL → lists → services → issued certificates), judged on the virtual clock. */
  fabric(): TrustFabric;
  /** The revocations the hub made (its ledger; the material's standing revoked certificates are not among them). */
  revocations(): RevocationEntry[];
  /**
   * TEST ONLY: takes revocations back (all, or those of the serials given) and re-issues the CRLs concerned, so a
   * scenario or a reset can undo what it revoked. Returns what was taken back.
   */
  unrevoke(serialsHex?: string[]): RevocationEntry[];
  /** The RFC 6960 OCSP responder of the CA named `caName` (served at `/trust/ocsp/<caName>`), if any. */
  ocspResponder?(caName: string): OcspResponder | undefined;
  /**
   * The security lab: the LOTL and trusted lists as published while trust faults are on — correctly signed, but
   * expired, rolled back or with the node CAs withdrawn. The hub's own validation keeps the genuine lists.
   */
  forgedLists?(faults: ListFaults): { lotl: string; tls: Record<string, string> };
  /** The security lab (`trust.crl-stale`): the CRL of `name` re-issued with its nextUpdate already passed. */
  staleCrlDer?(name: string): Uint8Array | undefined;
}

/** One revocation of the hub's ledger. */
export interface RevocationEntry {
  serialHex: string;
  /** The issuing CA's name (as `GET /trust` lists it). */
  caName: string;
  /** The certificate's name in the trust material, when it is one of the federation's. */
  name?: string;
  revokedAt: string;
  reason: string;
}

/** Which list faults apply to a forged publication (several may be on at once). */
export interface ListFaults {
  /** `trust.tl-expired`: NextUpdate already passed. */
  expired: boolean;
  /** `trust.tl-rollback`: the sequence number one below the last published. */
  rollback: boolean;
  /** `trust.ca-withdrawn`: every country's node CA services withdrawn since the forged list was first issued. */
  withdrawn: boolean;
}
