import { defineFaults } from '@kakehashi/core';

/**
 * The ID-token faults of the OpenID Connect provider: one per J-rule of the attack catalogue an issuer can break.
 * While one is on (switched on with `PUT /admin/faults`, or asked for by one login with `kakehashi_fault=<name>` on
 * the authorization request), the token endpoint mints the ID token with exactly that defect and nothing else
 * wrong, so that a relying party's refusal can be tested rule by rule. `rule` is the catalogue id and the code
 * Kakehashi's own validator (`POST /eid/validate/id-token`) refuses the token with.
 * @see ../../../../../shared/design/attack-catalogue.md (JWT / JOSE / OIDC)
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation (OIDC Core §3.1.3.7)
 * @see https://www.rfc-editor.org/rfc/rfc8725 (JWT Best Current Practices)
 */
export const ID_TOKEN_FAULTS = defineFaults('eid', [
  {
    name: 'id-token.alg-none',
    kind: 'forge',
    description: 'The ID token is unsigned: header alg "none", the signature segment empty.',
    rule: 'J1 jwt-alg-none',
    perRequest: true,
  },
  {
    name: 'id-token.hs256-key-confusion',
    kind: 'forge',
    description:
      "The ID token is an HS256 MAC keyed with the PEM of the issuer's public signing key (key confusion), under that key's kid.",
    rule: 'J2 jwt-key-confusion',
    perRequest: true,
  },
  {
    name: 'id-token.embedded-jwk',
    kind: 'forge',
    description: "The ID token is signed by an attacker's key and carries that key in its header (jwk).",
    rule: 'J4 jwt-embedded-key',
    perRequest: true,
  },
  {
    name: 'id-token.unknown-kid',
    kind: 'forge',
    description:
      'The header names a kid that is no key of the issuer ("../../../dev/null"); the token is signed with the real key.',
    rule: 'J6 jwt-unknown-kid',
    perRequest: true,
  },
  {
    name: 'id-token.untrusted-key',
    kind: 'forge',
    description:
      "The ID token is signed by a key that is not in the issuer's JWKS, under the real kid, with that key's self-signed certificate (the node's subject name) in x5c.",
    rule: 'J7 jwt-untrusted-x5c',
    perRequest: true,
  },
  {
    name: 'id-token.expired',
    kind: 'forge',
    description: 'The ID token expired 10 minutes ago (iat 15 minutes ago), well beyond any clock skew.',
    rule: 'J8 jwt-time-invalid',
    perRequest: true,
  },
  {
    name: 'id-token.issued-in-future',
    kind: 'forge',
    description: 'The ID token is issued and valid only from one hour ahead (iat and nbf in the future).',
    rule: 'J8 jwt-time-invalid',
    perRequest: true,
  },
  {
    name: 'id-token.wrong-audience',
    kind: 'forge',
    description: 'aud and azp name another relying party, not the client that logged in.',
    rule: 'J9 jwt-audience-invalid',
    perRequest: true,
  },
  {
    name: 'id-token.wrong-issuer',
    kind: 'forge',
    description: "iss names another country's identity provider; the token is signed with this node's key.",
    rule: 'J10 jwt-issuer-invalid',
    perRequest: true,
  },
  {
    name: 'id-token.nonce-mismatch',
    kind: 'forge',
    description: 'nonce is not the one of the authorization request.',
    rule: 'J11 jwt-replay',
    perRequest: true,
  },
  {
    name: 'id-token.wrong-typ',
    kind: 'forge',
    description:
      'The header says typ "logout+jwt" and the payload carries a back-channel logout events claim (a logout token used as ID token).',
    rule: 'J12 jwt-type-invalid',
    perRequest: true,
  },
  {
    name: 'id-token.unknown-crit',
    kind: 'forge',
    description: 'The header marks an extension nobody understands as critical (crit).',
    rule: 'J13 jwt-unknown-crit',
    perRequest: true,
  },
  {
    name: 'id-token.tampered-payload',
    kind: 'forge',
    description: 'The payload is altered after signing (another family_name), the signature kept.',
    rule: 'J15 jwt-signature-invalid',
    perRequest: true,
  },
  {
    name: 'id-token.acr-too-low',
    kind: 'forge',
    description:
      "acr is one level below the login's (the relying party's requested minimum when it asked for one); below low, a scheme not notified under eIDAS.",
    rule: 'J16 jwt-loa-insufficient',
    perRequest: true,
  },
]);

/** The name of an ID-token fault. */
export type IdTokenFault = (typeof ID_TOKEN_FAULTS)[number]['name'];

/** The names of the ID-token faults, in the catalogue's order. */
export const ID_TOKEN_FAULT_NAMES: readonly IdTokenFault[] = ID_TOKEN_FAULTS.map((f) => f.name);

/** True when `name` is an ID-token fault. */
export function isIdTokenFault(name: string): name is IdTokenFault {
  return (ID_TOKEN_FAULT_NAMES as readonly string[]).includes(name);
}

/**
 * The weak-node twins of the ID-token faults: while one is on at a component, its ID-token validator (the
 * validation service and the eIDAS connector's check of a foreign proxy service's token) lets that defect through.
 * The verdict still lists the check, `skipped` with the fault's name, and the fault is logged as fired. Never per
 * request: a weak node is switched on for everyone (`PUT /admin/faults`, or the option `faults`, e.g. `DE:lenient.*`).
 */
export const LENIENT_ID_TOKEN_FAULTS = defineFaults('eid', [
  {
    name: 'lenient.id-token.alg-none',
    kind: 'lenient',
    description: 'The ID-token validator accepts an unsigned token (alg none, empty signature) without verifying it.',
    rule: 'J1 jwt-alg-none',
  },
  {
    name: 'lenient.id-token.hs256-key-confusion',
    kind: 'lenient',
    description: "The ID-token validator accepts an HMAC keyed with the issuer's public key.",
    rule: 'J2 jwt-key-confusion',
  },
  {
    name: 'lenient.id-token.embedded-jwk',
    kind: 'lenient',
    description: "The ID-token validator verifies with the key embedded in the token's header (jwk).",
    rule: 'J4 jwt-embedded-key',
  },
  {
    name: 'lenient.id-token.unknown-kid',
    kind: 'lenient',
    description: 'The ID-token validator tries every key of the issuer when the kid names none of them.',
    rule: 'J6 jwt-unknown-kid',
  },
  {
    name: 'lenient.id-token.untrusted-key',
    kind: 'lenient',
    description:
      'The ID-token validator verifies with the certificate the token brings in x5c without checking its chain, or with a key certified for another country.',
    rule: 'J7 jwt-untrusted-x5c',
  },
  {
    name: 'lenient.id-token.expired',
    kind: 'lenient',
    description: 'The ID-token validator ignores exp (and an absurd lifetime).',
    rule: 'J8 jwt-time-invalid',
  },
  {
    name: 'lenient.id-token.issued-in-future',
    kind: 'lenient',
    description: 'The ID-token validator ignores nbf, iat and auth_time in the future.',
    rule: 'J8 jwt-time-invalid',
  },
  {
    name: 'lenient.id-token.wrong-audience',
    kind: 'lenient',
    description: 'The ID-token validator ignores aud and azp.',
    rule: 'J9 jwt-audience-invalid',
  },
  {
    name: 'lenient.id-token.wrong-issuer',
    kind: 'lenient',
    description: 'The ID-token validator ignores iss (the keys still come from the expected issuer).',
    rule: 'J10 jwt-issuer-invalid',
  },
  {
    name: 'lenient.id-token.nonce-mismatch',
    kind: 'lenient',
    description: 'The ID-token validator ignores a nonce that differs from the expected one.',
    rule: 'J11 jwt-replay',
  },
  {
    name: 'lenient.id-token.wrong-typ',
    kind: 'lenient',
    description: 'The ID-token validator ignores typ and an events claim (a logout token passes as ID token).',
    rule: 'J12 jwt-type-invalid',
  },
  {
    name: 'lenient.id-token.unknown-crit',
    kind: 'lenient',
    description: 'The ID-token validator ignores critical header extensions it does not understand.',
    rule: 'J13 jwt-unknown-crit',
  },
  {
    name: 'lenient.id-token.tampered-payload',
    kind: 'lenient',
    description: 'The ID-token validator decodes the token without requiring its signature to verify.',
    rule: 'J15 jwt-signature-invalid',
  },
  {
    name: 'lenient.id-token.acr-too-low',
    kind: 'lenient',
    description: 'The ID-token validator ignores an acr below the requested level of assurance.',
    rule: 'J16 jwt-loa-insufficient',
  },
]);

/** The name of a lenient ID-token fault. */
export type LenientIdTokenFault = (typeof LENIENT_ID_TOKEN_FAULTS)[number]['name'];
