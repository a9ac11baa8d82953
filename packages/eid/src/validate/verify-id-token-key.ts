import { createHmac, createPublicKey, type KeyObject, timingSafeEqual, X509Certificate } from 'node:crypto';
import type { ErrorCode } from '@kakehashi/core';
import { importJWK, type JWK } from 'jose';
import type { LenientIdTokenFault } from '../id-token/faults.ts';
import type { CheckId } from './id-token-checks.ts';
import type { IssuerKey, IssuerKeys } from './issuer-keys.ts';
import type { ParsedCompactJwt } from './parse-compact-jwt.ts';
import { importVerificationKey, type JwsKey, verifyJwsSignature } from './verify-jws-signature.ts';

/** A value as a reason shows it: JSON, strings cut at 60 characters. */
export const show = (v: unknown) => JSON.stringify(typeof v === 'string' ? v.slice(0, 60) : v) ?? 'undefined';

/** How a validation run records its checks (see `validateIdToken`). */
export interface Recorder {
  pass(id: CheckId, reason: string): void;
  skip(id: CheckId, reason: string): void;
  fail(id: CheckId, reason: string, code?: ErrorCode): never;
  /** Fails `id`, unless the lenient `fault` is on: then the check is reported as let through by it, and the run goes on. */
  failUnless(id: CheckId, fault: LenientIdTokenFault, reason: string, code?: ErrorCode): void;
}

/** How the signature is checked: with a key, an HMAC secret, or not at all (an unsigned token a weak node accepts). */
export type Verification =
  | { kind: 'key'; key: JwsKey; alg: string; label: string }
  | { kind: 'hmac-public-key'; verified: boolean }
  | { kind: 'unsigned' };

/**
 * Imported verification keys, per resolved key object: the resolver builds new objects whenever it fetches the
 * JWKS again and validates their chains against the trust view then, so an entry never outlives its key set.
 */
const IMPORTED = new WeakMap<IssuerKey, Promise<JwsKey>>();
/** The key of the issuer's JWKS, imported once (see `importVerificationKey`). */
export function importedKey(key: IssuerKey): Promise<JwsKey> {
  let k = IMPORTED.get(key);
  if (!k) {
    k = importVerificationKey(key.jwk, key.alg);
    IMPORTED.set(key, k);
  }
  return k;
}

/** The key checks of an unsigned token a weak node accepts (lenient.id-token.alg-none) are not evaluated. */
export function notEvaluatedUnsigned(r: Recorder): Verification {
  const why = 'Not evaluated: the token is unsigned (let through by lenient.id-token.alg-none).';
  for (const id of ['key-confusion', 'symmetric', 'kid', 'alg', 'x5c', 'key-binding', 'signature'] as const)
    r.skip(id, why);
  return { kind: 'unsigned' };
}

/**
 * An HMAC algorithm: refused as key confusion when it names a key of the issuer or is keyed with one of its public
 * keys (J2), else as symmetric (J17). A weak node (lenient.id-token.hs256-key-confusion) checks the MAC with the
 * issuer's public key as secret.
 */
export function hmacVerification(
  jwt: ParsedCompactJwt,
  algName: string,
  issuerKeys: IssuerKeys,
  allowed: readonly string[],
  r: Recorder,
): Verification {
  const kid = jwt.header.kid;
  const named = typeof kid === 'string' ? issuerKeys.keys.get(kid) : undefined;
  const confused = hmacWithPublicKey(jwt, algName, issuerKeys);
  const fault = 'lenient.id-token.hs256-key-confusion';
  if (named)
    r.failUnless(
      'key-confusion',
      fault,
      `alg ${algName} names the ${named.alg} key ${show(named.kid)}: the key type fixes the algorithm (key confusion).`,
    );
  else if (confused)
    r.failUnless('key-confusion', fault, `The ${algName} MAC is keyed with the issuer's public key (key confusion).`);
  else r.pass('key-confusion', `alg ${algName} names no key of the issuer.`);
  const symmetric = `alg ${algName} is symmetric: a shared secret cannot prove a node's identity across borders; only ${allowed.join(', ')}.`;
  if (named || confused) r.failUnless('symmetric', fault, symmetric);
  else r.fail('symmetric', symmetric);
  const why = `Not evaluated: the ${algName} MAC is checked with the issuer's public key as secret (${fault}).`;
  for (const id of ['kid', 'alg', 'x5c', 'key-binding'] as const) r.skip(id, why);
  return { kind: 'hmac-public-key', verified: confused };
}

/** A key embedded in the header, which only a weak node (lenient.id-token.embedded-jwk) uses. */
export async function embeddedKeyVerification(
  jwk: unknown,
  algName: string,
  allowed: readonly string[],
  r: Recorder,
): Promise<Verification> {
  r.pass('key-confusion', `alg ${algName} is asymmetric.`);
  r.pass('symmetric', `alg ${algName} is not an HMAC.`);
  const why = "Not evaluated: the key is the token's own (let through by lenient.id-token.embedded-jwk).";
  for (const id of ['kid', 'x5c', 'key-binding'] as const) r.skip(id, why);
  if (!allowed.includes(algName))
    r.fail('alg', `alg ${show(algName)} is not allowed: ${allowed.join(', ')} (configuration).`);
  r.pass('alg', `alg ${algName} is allowed.`);
  const { d: _private, ...pub } = (typeof jwk === 'object' && jwk !== null ? jwk : {}) as JWK;
  const key = await importJWK(pub, algName).catch(() => undefined);
  if (!key || key instanceof Uint8Array) return r.fail('signature', 'The embedded jwk is no usable public key.');
  return { kind: 'key', key, alg: algName, label: "the key embedded in the token's header" };
}

/**
 * The strict path: the key is a lookup by kid in the registered issuer's JWKS (J6), its algorithm fixed (J3), its
 * certificate chain trusted (J7) and certified for the issuer's country (J10). A weak node may try every key for an
 * unknown kid (lenient.id-token.unknown-kid), or verify with the certificate the token brings
 * (lenient.id-token.untrusted-key).
 */
export async function issuerKeyVerification(
  token: string,
  jwt: ParsedCompactJwt,
  algName: string,
  issuerKeys: IssuerKeys,
  issuer: string,
  allowed: readonly string[],
  r: Recorder,
): Promise<Verification> {
  const { header } = jwt;
  r.pass('key-confusion', `alg ${algName} is asymmetric.`);
  r.pass('symmetric', `alg ${algName} is not an HMAC.`);

  const kid = header.kid;
  let key: IssuerKey | undefined = typeof kid === 'string' ? issuerKeys.keys.get(kid) : undefined;
  if (kid === undefined && issuerKeys.keys.size === 1) key = issuerKeys.keys.values().next().value;
  if (!key) {
    const all = [...issuerKeys.keys.values()];
    r.failUnless(
      'kid',
      'lenient.id-token.unknown-kid',
      kid === undefined
        ? `The header has no kid and the issuer publishes ${issuerKeys.keys.size} keys (OIDC Core §10.1 requires a kid then).`
        : `kid ${show(kid)} is not a key of ${issuer}'s JWKS.`,
    );
    // The weak node's fallback: whichever key of the issuer verifies.
    const candidates = all.filter((k) => k.alg === algName);
    for (const k of candidates)
      if (
        await importedKey(k).then(
          (imported) => verifyJwsSignature(token, jwt, imported, k.alg),
          () => false,
        )
      ) {
        key = k;
        break;
      }
    key ??= candidates[0];
    if (!key) return r.fail('kid', `No key of ${issuer} is registered for ${show(algName)}.`);
  }
  r.pass('kid', `kid ${key.kid} (${key.alg}).`);

  if (!allowed.includes(algName))
    r.fail('alg', `alg ${show(algName)} is not allowed: ${allowed.join(', ')} (configuration).`);
  if (algName !== key.alg)
    r.fail(
      'alg',
      `alg ${algName} in the header, but key ${show(key.kid)} is registered for ${key.alg}: no algorithm substitution.`,
    );
  r.pass('alg', `alg ${algName} is allowed and is the key's algorithm.`);

  const untrusted = 'lenient.id-token.untrusted-key';
  let brought: KeyObject | undefined;
  if ('x5c' in header) {
    const x5c = header.x5c;
    const same =
      Array.isArray(x5c) &&
      key.x5c !== undefined &&
      x5c.length === key.x5c.length &&
      x5c.every((c, i) => c === key.x5c?.[i]);
    if (!same) {
      r.failUnless(
        'x5c',
        untrusted,
        "The header carries an x5c chain that is not the issuer's registered chain for this key (self-signed or not rooted in the trust fabric).",
      );
      // The weak node believes the certificate the token brings.
      brought = leafKey(x5c);
    }
  }
  if (key.certificate && !key.certificate.valid)
    r.failUnless(
      'x5c',
      untrusted,
      `The certificate of key ${show(key.kid)} does not validate against the trust fabric: ${key.certificate.reason}`,
    );
  r.pass(
    'x5c',
    key.certificate
      ? `Key certificate valid: ${key.certificate.reason}`
      : "No x5c; the key comes from the registered issuer's JWKS.",
  );

  if (key.certificate && key.certificate.country !== issuerKeys.country)
    r.failUnless(
      'key-binding',
      untrusted,
      `Key ${show(key.kid)} is certified for ${show(key.certificate.country)}, but ${issuer} is node ${issuerKeys.country}'s issuer.`,
    );
  r.pass(
    'key-binding',
    key.certificate
      ? `Certified for ${issuerKeys.country}.`
      : `Published in the JWKS of node ${issuerKeys.country}'s issuer.`,
  );
  return brought
    ? { kind: 'key', key: brought, alg: algName, label: "the certificate in the token's x5c" }
    : { kind: 'key', key: await importedKey(key), alg: key.alg, label: `key ${key.kid}` };
}

/** The public key of the first certificate of an x5c header, or undefined when it is none. */
function leafKey(x5c: unknown): KeyObject | undefined {
  if (!Array.isArray(x5c) || typeof x5c[0] !== 'string') return undefined;
  try {
    return new X509Certificate(Buffer.from(x5c[0], 'base64')).publicKey;
  } catch {
    return undefined;
  }
}

/** Would an HMAC keyed with an encoding of one of the issuer's public keys produce this signature? (J2) */
function hmacWithPublicKey(jwt: ParsedCompactJwt, alg: string, keys: IssuerKeys): boolean {
  const hash = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg.toUpperCase()];
  if (!hash) return false;
  for (const k of keys.keys.values()) {
    let pem: string;
    try {
      pem = createPublicKey({ key: k.jwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
    } catch {
      continue;
    }
    for (const secret of [pem, pem.trim(), JSON.stringify(k.jwk)]) {
      const mac = createHmac(hash, secret).update(jwt.signingInput).digest();
      if (mac.length === jwt.signature.length && timingSafeEqual(mac, jwt.signature)) return true;
    }
  }
  return false;
}
