import type { ErrorCode } from '@kakehashi/core';
import type { SamlLenientFault } from '../faults.ts';
import type { SamlRule } from './z-saml-validation.ts';

/** The checks of `validateSamlResponse`, by id. */
export type CheckId =
  | 'parse'
  | 'structure'
  | 'response-wrapping'
  | 'status'
  | 'decrypt'
  | 'assertion-parse'
  | 'assertion-wrapping'
  | 'comments'
  | 'issuer'
  | 'issuer-registered'
  | 'key'
  | 'assertion-signature'
  | 'envelope'
  | 'response-signature'
  | 'time'
  | 'audience'
  | 'destination'
  | 'in-response-to'
  | 'loa'
  | 'replay';

/** Every check in the order it runs; the rule named for a failure may be more specific (S1…S8, X1…X6). */
export const CHECKS: readonly { id: CheckId; rule: SamlRule; name: string; code: ErrorCode }[] = [
  {
    id: 'parse',
    rule: 'X1',
    name: 'safe parse: no DOCTYPE/entities, size, depth, unique IDs, no parser differentials',
    code: 'malformed-xml',
  },
  {
    id: 'structure',
    rule: 'structure',
    name: 'a samlp:Response (version 2.0, ID, IssueInstant, Issuer, Status)',
    code: 'saml-malformed',
  },
  {
    id: 'response-wrapping',
    rule: 'S1',
    name: 'one Response, exactly one EncryptedAssertion, nothing hidden in Signature/Object/Extensions',
    code: 'saml-wrapping',
  },
  { id: 'status', rule: 'S19', name: 'status Success', code: 'saml-status-not-success' },
  {
    id: 'decrypt',
    rule: 'decryption',
    name: 'the assertion decrypts (AES-GCM, RSA-OAEP)',
    code: 'saml-decryption-failed',
  },
  {
    id: 'assertion-parse',
    rule: 'S20',
    name: 'the decrypted assertion parses safely, IDs unique across both',
    code: 'saml-parser-differential',
  },
  { id: 'assertion-wrapping', rule: 'S3', name: 'exactly one assertion, not wrapped or nested', code: 'saml-wrapping' },
  { id: 'comments', rule: 'S9', name: 'no comment or PI inside a consumed value', code: 'saml-comment-injection' },
  {
    id: 'issuer',
    rule: 'S17',
    name: 'Issuer of Response and assertion is the expected IdP',
    code: 'saml-issuer-invalid',
  },
  {
    id: 'issuer-registered',
    rule: 'issuer-registered',
    name: 'the IdP is a registered node with trusted metadata',
    code: 'saml-issuer-unknown',
  },
  {
    id: 'key',
    rule: 'S11',
    name: 'keys from trust: a KeyInfo certificate, if any, is the IdP metadata certificate',
    code: 'saml-untrusted-key',
  },
  {
    id: 'assertion-signature',
    rule: 'S10',
    name: 'the assertion is signed (one Reference to itself) and verifies',
    code: 'saml-signature-invalid',
  },
  {
    id: 'envelope',
    rule: 'S19',
    name: 'the assertion answers the same request as its Response (no swapped assertion)',
    code: 'saml-assertion-swapped',
  },
  {
    id: 'response-signature',
    rule: 'S10',
    name: 'the Response is signed (one Reference to itself) and verifies',
    code: 'saml-signature-invalid',
  },
  {
    id: 'time',
    rule: 'S16',
    name: 'NotBefore, NotOnOrAfter, IssueInstant on the virtual clock',
    code: 'saml-time-invalid',
  },
  { id: 'audience', rule: 'S15', name: 'AudienceRestriction names this SP', code: 'saml-audience-invalid' },
  {
    id: 'destination',
    rule: 'S14',
    name: 'Destination and Recipient are the expected ACS',
    code: 'saml-destination-invalid',
  },
  {
    id: 'in-response-to',
    rule: 'S13',
    name: 'InResponseTo is the outstanding request (no unsolicited response)',
    code: 'saml-in-response-to-invalid',
  },
  { id: 'loa', rule: 'S18', name: 'AuthnContextClassRef at least the requested LoA', code: 'saml-loa-insufficient' },
  { id: 'replay', rule: 'S12', name: 'assertion ID not seen before (kept until NotOnOrAfter)', code: 'saml-replay' },
];

/** Thrown by {@link Recorder.fail}: the first failure stops the run. */
export class CheckFailed extends Error {}

/**
 * Records each check's outcome; `fail` records and stops the run. `failUnless` fails too, unless the weak node's
 * `fault` is on (the context's `relax`): then the check is recorded as skipped, naming the fault and what a strict
 * validator refuses, and the run goes on (a later `pass` of the same check keeps that record).
 */
export interface Recorder {
  pass(id: CheckId, reason: string): void;
  skip(id: CheckId, reason: string): void;
  fail(id: CheckId, reason: string, code?: ErrorCode, rule?: SamlRule): never;
  failUnless(fault: SamlLenientFault, id: CheckId, reason: string, code?: ErrorCode, rule?: SamlRule): void;
  /** True when the check was relaxed by a fault in this run. */
  relaxed(id: CheckId): boolean;
}
