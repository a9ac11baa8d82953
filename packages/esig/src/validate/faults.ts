import { defineFaults } from '@kakehashi/core';

/**
 * The signature validator's weak-node faults: while one is on, this component's `POST /esig/validate` lets the
 * matching forged signature through (the strict validator beside it refuses it), so a class sees the attack succeed
 * against a weak validator. Never asked for by one request; switched on with `PUT /admin/faults` or the `faults`
 * option (`DE:lenient.*` makes node DE a weak node). The report says, in the block concerned, that the check was
 * skipped on purpose.
 */
export const ESIG_LENIENT_FAULTS = defineFaults('esig', [
  {
    name: 'lenient.esig.revoked-certificate',
    kind: 'lenient',
    rule: 'C3 REVOKED',
    description:
      'The validator ignores revocation (CRL and OCSP): a signature by a revoked certificate is reported TOTAL-PASSED.',
  },
  {
    name: 'lenient.esig.expired-certificate',
    kind: 'lenient',
    rule: 'C1 OUT_OF_BOUNDS_NO_POE',
    description:
      'The validator ignores the validity periods of the path: a signature by an expired certificate passes.',
  },
  {
    name: 'lenient.esig.missing-signing-certificate',
    kind: 'lenient',
    rule: 'C9 NO_SIGNING_CERTIFICATE_FOUND',
    description:
      'The validator takes the certificate the signature carries as the signer without a signed reference to it (KeyInfo, x5c, CMS certificates).',
  },
  {
    name: 'lenient.esig.untrusted-tsa',
    kind: 'lenient',
    rule: 'C6 B-B',
    description:
      'The validator takes a signature time-stamp from a TSA outside the trusted lists as a proof of existence (level B-T attained).',
  },
  {
    name: 'lenient.esig.weak-algorithm',
    kind: 'lenient',
    rule: 'C7 CRYPTO_CONSTRAINTS_FAILURE_NO_POE',
    description:
      'The validator accepts weak algorithms and keys (RSA below 2048 bits, SHA-1) in the signature and its certificate path.',
  },
]);

/** The names of the validator's lenient faults, as a type. */
export type EsigLenientFault = (typeof ESIG_LENIENT_FAULTS)[number]['name'];
