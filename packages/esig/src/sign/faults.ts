import { defineFaults } from '@kakehashi/core';

/**
 * The signing service's faults (nodes): each makes `POST /esig/sign` return a signature that is well-formed and
 * cryptographically sound but that a strict validator must refuse, for one named reason. Switched on with
 * `PUT /admin/faults`, or asked for by one signing request (`X-Kakehashi-Fault: esig.weak-algorithm` or
 * `?kakehashi_fault=esig.weak-algorithm`). Every format the service makes (XAdES, JAdES, CAdES) honours each.
 * @see ../../../../../shared/design/attack-catalogue.md (C1, C3, C7, C9)
 */
export const ESIG_SIGNING_FAULTS = defineFaults('esig', [
  {
    name: 'esig.revoked-certificate',
    kind: 'forge',
    perRequest: true,
    rule: 'C3 REVOKED',
    description:
      "Signs with the signer's key under a certificate from the same CA whose serial the CA lists as revoked (its standing revoked certificate: on the CRL and in OCSP since the CA's notBefore, keyCompromise) → TOTAL-FAILED/REVOKED.",
  },
  {
    name: 'esig.expired-certificate',
    kind: 'forge',
    perRequest: true,
    rule: 'C1 OUT_OF_BOUNDS_NO_POE',
    description:
      "Signs with the signer's key under a certificate from the same CA that expired yesterday (valid for one year before) → INDETERMINATE/OUT_OF_BOUNDS_NO_POE (B-B), TOTAL-FAILED/EXPIRED (B-T: the time-stamp proves the signing after expiry).",
  },
  {
    name: 'esig.missing-signing-certificate',
    kind: 'forge',
    perRequest: true,
    rule: 'C9 NO_SIGNING_CERTIFICATE_FOUND',
    description:
      'Leaves out the signed reference to the signing certificate (XAdES SigningCertificateV2, JAdES x5t#S256, CAdES ESS signing-certificate-v2) → INDETERMINATE/NO_SIGNING_CERTIFICATE_FOUND.',
  },
  {
    name: 'esig.untrusted-tsa',
    kind: 'forge',
    perRequest: true,
    rule: 'C6 B-B',
    description:
      "B-T: the signature time-stamp comes from a look-alike TSA (the node's TSA key under a self-signed certificate, in no trusted list) → the time-stamp fails and the signature attains B-B only (no proof of existence).",
  },
  {
    name: 'esig.weak-algorithm',
    kind: 'forge',
    perRequest: true,
    rule: 'C7 CRYPTO_CONSTRAINTS_FAILURE_NO_POE',
    description:
      "Signs with a fresh RSA-1024 key under a certificate from the signer's CA, and (XAdES, CAdES) with SHA-1 digests and signature — ETSI TS 119 312 accepts neither → INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE_NO_POE.",
  },
]);

/** The names of the signing faults, as a type. */
export type EsigSigningFault = (typeof ESIG_SIGNING_FAULTS)[number]['name'];
