import type { KeyObject, X509Certificate } from 'node:crypto';

/**
 * A certificate with its private key: what a component signs, decrypts or serves TLS with.
 * Test-only material generated from the federation seed.
 */
export interface KeyCert {
  /** Stable name, e.g. `hub-signing`, `DE-issuing-ca`, `JP-agency-mhlw`; CRLs are served as `<name>.crl`. */
  name: string;
  certPem: string;
  /** PKCS#8 PEM private key. */
  keyPem: string;
  privateKey: KeyObject;
  certificate: X509Certificate;
  /** The chain above the certificate, nearest first: issuing CA, then root (empty for a root). */
  chainPem: string[];
  /** Name of the CA KeyCert that issued this certificate; `null` for a self-signed root. */
  issuerName: string | null;
  /** Serial number, lower-case hex without leading zero bytes. */
  serialHex: string;
}

/** One country of the federation, as the PKI generator needs it. */
export interface CountrySpec {
  /** ISO 3166-1 alpha-2 code, e.g. `DE`, `JP`. */
  code: string;
  name: string;
  agencies: { id: string; name: string }[];
  /** Also generate a JPKI-style (My Number Card) CA. */
  jpki?: boolean;
}

/** The EU-level hub's PKI. `signing` also signs the list of trusted lists. */
export interface HubMaterial {
  rootCa: KeyCert;
  issuingCa: KeyCert;
  signing: KeyCert;
  tls: KeyCert;
  encryption: KeyCert;
  /** Delegated OCSP signer of the hub issuing CA (`hub-ocsp`, EKU id-kp-OCSPSigning, ocsp-nocheck). */
  ocspSigner: KeyCert;
}

/** JPKI-style CA (separate root) that issues My Number Card signature and authentication certificates. */
export interface JpkiMaterial {
  rootCa: KeyCert;
  /** "JPKI test CA", the issuing CA. */
  ca: KeyCert;
  /** Delegated OCSP signer of the JPKI test CA (`<CC>-jpki-ocsp`). */
  ocspSigner: KeyCert;
}

export interface CountryMaterial {
  code: string;
  name: string;
  rootCa: KeyCert;
  issuingCa: KeyCert;
  /** Signs the country's trusted list; listed in the LOTL pointer. */
  tlSigner: KeyCert;
  signing: KeyCert;
  tls: KeyCert;
  encryption: KeyCert;
  /** One signing certificate per agency, by agency id. */
  agencies: Record<string, KeyCert>;
  /**
   * The country's RFC 3161 time-stamping unit (`<CC>-tsa`): EKU id-kp-timeStamping (critical), listed in the
   * country's trusted list as a TSA/QTST service.
   */
  tsa: KeyCert;
  /**
   * Delegated OCSP signer of the issuing CA (`<CC>-ocsp`, EKU id-kp-OCSPSigning, ocsp-nocheck): signs the hub's
   * OCSP responses for certificates of `<CC>-issuing-ca`. Root CAs sign their own OCSP responses.
   */
  ocspSigner: KeyCert;
  jpki?: JpkiMaterial;
}

/** Everything the federation's trust fabric is made of, generated from one seed. */
export interface TrustMaterial {
  /** Always says this is test-only material. */
  notice: string;
  /** The seed (needed to issue further certificates deterministically, e.g. JPKI citizens). */
  seed: string;
  hubUrl: string;
  /** notBefore of every certificate (ISO 8601); see {@link generateTrustMaterial}. */
  validityEpoch: string;
  hub: HubMaterial;
  /** By upper-case country code. */
  countries: Record<string, CountryMaterial>;
  /** Where this instance came from and how long it took (milliseconds). */
  provenance: { source: 'generated' | 'cache'; ms: number; keys: number; cacheFile?: string };
}
