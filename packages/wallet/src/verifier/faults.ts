import { defineFaults } from '@kakehashi/core';

/**
 * The weak verifier (the security lab's `lenient.wallet.*`): while one is on at a node, its presentation verifier
 * lets the named defect through — the check reported `skipped` with the fault's name and what strict validation
 * refuses — so a tester can see what each rule protects against. All off by default.
 */
export const LENIENT_WALLET_FAULTS = defineFaults('wallet', [
  {
    name: 'lenient.wallet.untrusted-issuer',
    kind: 'lenient',
    description:
      "The presentation verifier takes the issuer's key from x5c without validating its chain against the trusted lists.",
    rule: 'W2 vp-issuer-untrusted',
  },
  {
    name: 'lenient.wallet.disclosures',
    kind: 'lenient',
    description:
      'The presentation verifier ignores disclosures that no digest of the credential references, or repeats.',
    rule: 'W7 vp-disclosure-invalid',
  },
  {
    name: 'lenient.wallet.kb-nonce',
    kind: 'lenient',
    description: "The presentation verifier does not compare the key binding's nonce with its request's.",
    rule: 'W10 vp-nonce-invalid',
  },
  {
    name: 'lenient.wallet.kb-audience',
    kind: 'lenient',
    description: "The presentation verifier does not compare the key binding's aud with its client_id.",
    rule: 'W11 vp-audience-invalid',
  },
  {
    name: 'lenient.wallet.kb-stale',
    kind: 'lenient',
    description: "The presentation verifier accepts a key binding of any age (the library's default).",
    rule: 'W12 vp-key-binding-stale',
  },
  {
    name: 'lenient.wallet.status',
    kind: 'lenient',
    description: "The presentation verifier does not read the issuer's status list (a revoked PID passes).",
    rule: 'W15 vp-credential-revoked',
  },
] as const);

export type LenientWalletFault = (typeof LENIENT_WALLET_FAULTS)[number]['name'];
