import type { ErrorCode } from '@kakehashi/core';
import type { IdTokenRule } from './z-validation.ts';

/** The checks of the ID-token validation, by id. */
export type CheckId =
  | 'structure'
  | 'alg-none'
  | 'crit'
  | 'jwk'
  | 'jku'
  | 'typ'
  | 'iss'
  | 'issuer-registered'
  | 'key-confusion'
  | 'symmetric'
  | 'kid'
  | 'alg'
  | 'x5c'
  | 'key-binding'
  | 'ecdsa'
  | 'signature'
  | 'claims'
  | 'time'
  | 'audience'
  | 'loa'
  | 'replay';

/** Every check, in the order it runs; the first failure stops the run and the rest are listed as skipped. */
export const CHECKS: readonly { id: CheckId; rule: IdTokenRule; name: string; code: ErrorCode }[] = [
  {
    id: 'structure',
    rule: 'J15',
    name: 'canonical compact serialization, no duplicate JSON members',
    code: 'jwt-malformed',
  },
  { id: 'alg-none', rule: 'J1', name: 'signed (never alg none, signature present)', code: 'jwt-alg-none' },
  { id: 'crit', rule: 'J13', name: 'no critical extension that is not understood', code: 'jwt-unknown-crit' },
  { id: 'jwk', rule: 'J4', name: 'no key embedded in the header (jwk)', code: 'jwt-embedded-key' },
  { id: 'jku', rule: 'J5', name: 'no remote key reference (jku, x5u)', code: 'jwt-remote-key-reference' },
  { id: 'typ', rule: 'J12', name: 'an ID token (typ, no events claim)', code: 'jwt-type-invalid' },
  { id: 'iss', rule: 'J10', name: 'iss is the expected issuer', code: 'jwt-issuer-invalid' },
  {
    id: 'issuer-registered',
    rule: 'issuer-registered',
    name: 'the issuer is a registered node',
    code: 'jwt-issuer-unknown',
  },
  {
    id: 'key-confusion',
    rule: 'J2',
    name: 'the key type fixes the algorithm (no HMAC with a public key)',
    code: 'jwt-key-confusion',
  },
  { id: 'symmetric', rule: 'J17', name: 'no symmetric algorithm across borders', code: 'jwt-symmetric-alg' },
  { id: 'kid', rule: 'J6', name: "kid names a key of the issuer's JWKS", code: 'jwt-unknown-kid' },
  { id: 'alg', rule: 'J3', name: "alg is allowed and is the key's registered algorithm", code: 'jwt-alg-mismatch' },
  { id: 'x5c', rule: 'J7', name: 'certificate chain rooted in the trust fabric', code: 'jwt-untrusted-x5c' },
  { id: 'key-binding', rule: 'J10', name: "the key is certified for the issuer's country", code: 'jwt-issuer-invalid' },
  { id: 'ecdsa', rule: 'J14', name: 'ECDSA signature scalars in range (no r = s = 0)', code: 'jwt-signature-invalid' },
  {
    id: 'signature',
    rule: 'J15',
    name: 'signature verifies over header and payload (no tampering)',
    code: 'jwt-signature-invalid',
  },
  {
    id: 'claims',
    rule: 'claims',
    name: 'required claims present (iss, sub, aud, exp, iat)',
    code: 'jwt-claims-invalid',
  },
  {
    id: 'time',
    rule: 'J8',
    name: 'exp, nbf, iat, auth_time and lifetime on the virtual clock',
    code: 'jwt-time-invalid',
  },
  {
    id: 'audience',
    rule: 'J9',
    name: 'aud contains the client, azp when several audiences',
    code: 'jwt-audience-invalid',
  },
  { id: 'loa', rule: 'J16', name: 'acr at least the requested level of assurance', code: 'jwt-loa-insufficient' },
  { id: 'replay', rule: 'J11', name: 'nonce matches; nonce and jti not seen before', code: 'jwt-replay' },
];

/** The definition of a check. */
export function checkDef(id: CheckId): (typeof CHECKS)[number] {
  return CHECKS.find((c) => c.id === id) as (typeof CHECKS)[number];
}
