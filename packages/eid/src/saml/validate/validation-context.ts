import type { KeyObject } from 'node:crypto';
import type { Clock } from '@kakehashi/core';
import type { SamlLenientFault } from '../faults.ts';

/** The IdP's keys, from its metadata validated against the trust fabric. */
export interface TrustedIdp {
  country: string;
  /** PEM signing certificates. */
  signingCerts: readonly string[];
}

/** Assertion IDs seen, per issuer, until NotOnOrAfter (S12). */
export interface SamlReplayCache {
  seen(issuer: string, assertionId: string): boolean;
  remember(issuer: string, assertionId: string, expiresAtSeconds: number): void;
}

/** What `validateSamlResponse` needs besides the Response and the expectations. */
export interface ValidateSamlResponseContext {
  clock: Clock;
  clockSkewSeconds: number;
  /** The registered IdP whose entity ID is `issuer`; undefined when none; throws when its metadata is unusable. */
  resolveIdp: (issuer: string) => Promise<TrustedIdp | undefined>;
  replay: SamlReplayCache;
  /** The key that decrypts the assertion (the SP's encryption key); else `expected.decryptionKeyPem`. */
  decryptionKey?: KeyObject;
  /**
   * The weak node mode: true when `fault` is on, so the check it names is skipped instead of failing (reported
   * as fired). Absent: strict. Only a node's own connector passes it; the validation services stay strict.
   */
  relax?: (fault: SamlLenientFault, detail: { rule: string; reason: string }) => boolean;
}
