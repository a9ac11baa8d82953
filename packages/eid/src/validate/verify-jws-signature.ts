import { constants, createPublicKey, type KeyObject, type VerifyKeyObjectInput, verify } from 'node:crypto';
import { p1363ToDer } from '@kakehashi/core';
import { compactVerify, importJWK, type JWK } from 'jose';

/**
 * How node:crypto verifies each JWS algorithm the validation service may be configured for (`idTokenAlgorithms`),
 * and which public keys qualify — the same key checks jose makes (key type, curve, RSA modulus ≥ 2048 bits), so a
 * key jose refuses is refused here too.
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.1 (JWA "alg" values for JWS)
 * @see https://www.rfc-editor.org/rfc/rfc8037#section-3.1 (EdDSA)
 */
const NATIVE: Readonly<
  Record<
    string,
    {
      hash: string | null;
      fits: (k: KeyObject) => boolean;
      /**
       * Verified on the libuv thread pool: ECDSA and EdDSA verifications cost several times the hop there and back;
       * an RSA verification (public exponent 65537) costs less than the hop (measured: 53 µs of CPU per RS256
       * ID-token validation in line against 88 µs through the pool), so it runs in line.
       */
      offThread: boolean;
      options?: { padding?: number; saltLength?: number };
      /**
       * ECDSA: the JWS signature (r ‖ s) is turned into DER and the key passed bare — node:crypto recognises a bare
       * KeyObject much faster than `{ key, dsaEncoding: 'ieee-p1363' }` (~20 µs per verification; `p1363ToDer`).
       */
      der?: true;
    }
  >
> = {
  RS256: { hash: 'sha256', fits: (k) => rsa(k), offThread: false },
  PS256: {
    hash: 'sha256',
    fits: (k) => rsa(k),
    offThread: false,
    options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
  },
  ES256: { hash: 'sha256', fits: (k) => ec(k, 'prime256v1'), offThread: true, der: true },
  ES384: { hash: 'sha384', fits: (k) => ec(k, 'secp384r1'), offThread: true, der: true },
  EdDSA: {
    hash: null,
    fits: (k) => k.asymmetricKeyType === 'ed25519' || k.asymmetricKeyType === 'ed448',
    offThread: true,
  },
};

function rsa(k: KeyObject): boolean {
  return k.asymmetricKeyType === 'rsa' && (k.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048;
}
function ec(k: KeyObject, curve: string): boolean {
  return k.asymmetricKeyType === 'ec' && k.asymmetricKeyDetails?.namedCurve === curve;
}

/** A verification key: a node:crypto public key, or (for what node:crypto does not cover here) jose's own. */
export type JwsKey = KeyObject | Awaited<ReturnType<typeof importJWK>>;

/**
 * Imports a public JWK once for `alg`: a node:crypto `KeyObject` when the algorithm is one of {@link NATIVE}
 * and the JWK may verify (`use` absent or `sig`, `key_ops` absent or with `verify`, as WebCrypto's import
 * requires); else jose's `importJWK`. Rejects a JWK that is no usable public key.
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-4.2 (use) and §4.3 (key_ops)
 */
export async function importVerificationKey(jwk: JWK, alg: string): Promise<JwsKey> {
  if (NATIVE[alg]) {
    if (jwk.use !== undefined && jwk.use !== 'sig')
      throw new TypeError(`The JWK is for use ${JSON.stringify(jwk.use)}, not signatures.`);
    if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify')))
      throw new TypeError('The JWK key_ops do not include verify.');
    const { d: _private, ...pub } = jwk;
    return createPublicKey({ key: pub as never, format: 'jwk' });
  }
  return importJWK(jwk, alg);
}

/**
 * Verifies the signature of a compact JWS that `parseCompactJwt` has already split and decoded strictly, with
 * `key` and `alg` fixed by the caller (never by the header). A node:crypto public key of an algorithm in
 * {@link NATIVE} that fits it is verified by node:crypto (in line for RSA, on the libuv thread pool for ECDSA and
 * EdDSA; no WebCrypto algorithm normalisation, no second parse of the token); anything else — another key type, a header with `crit`
 * or `b64` (RFC 7797, which changes the signing input), which only a weak node lets this far — goes to jose's
 * `compactVerify`, as before. Resolves true when the signature verifies.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-5.2 (message signature validation)
 */
export function verifyJwsSignature(
  token: string,
  jwt: { header: Record<string, unknown>; signingInput: string; signature: Buffer },
  key: JwsKey,
  alg: string,
): Promise<boolean> {
  const native = nativeFor(key, alg);
  if (native && !('crit' in jwt.header) && !('b64' in jwt.header)) {
    const data = Buffer.from(jwt.signingInput, 'latin1');
    let signature: Buffer;
    try {
      signature = native.der ? p1363ToDer(jwt.signature) : jwt.signature;
      if (!native.offThread) return Promise.resolve(verify(native.hash, data, native.key, signature));
    } catch {
      return Promise.resolve(false);
    }
    return new Promise((resolve) => verify(native.hash, data, native.key, signature, (err, ok) => resolve(!err && ok)));
  }
  const crit = Array.isArray(jwt.header.crit) ? jwt.header.crit.filter((c): c is string => typeof c === 'string') : [];
  return compactVerify(token, key, {
    algorithms: [alg],
    ...(crit.length > 0 ? { crit: Object.fromEntries(crit.map((c) => [c, true])) } : {}),
  }).then(
    () => true,
    () => false,
  );
}

/** What node:crypto's `verify` takes for a key and algorithm: its digest and key (with options), or undefined. */
type NativeVerifier = {
  hash: string | null;
  offThread: boolean;
  der: boolean;
  key: KeyObject | (VerifyKeyObjectInput & { key: KeyObject });
};

/**
 * Per key and algorithm, once: does node:crypto verify it (the key fits the algorithm)? Reading a KeyObject's type
 * and details crosses into C++ each time, so the answer is kept with the key.
 */
const FITS = new WeakMap<KeyObject, Map<string, NativeVerifier | undefined>>();
function nativeFor(key: JwsKey, alg: string): NativeVerifier | undefined {
  if (!isKeyObject(key)) return undefined;
  let byAlg = FITS.get(key);
  if (!byAlg) {
    byAlg = new Map();
    FITS.set(key, byAlg);
  }
  if (byAlg.has(alg)) return byAlg.get(alg);
  const n = NATIVE[alg];
  const v: NativeVerifier | undefined =
    n && key.type === 'public' && n.fits(key)
      ? { hash: n.hash, offThread: n.offThread, der: n.der === true, key: n.options ? { key, ...n.options } : key }
      : undefined;
  byAlg.set(alg, v);
  return v;
}

function isKeyObject(k: JwsKey): k is KeyObject {
  return typeof (k as KeyObject).asymmetricKeyType === 'string' || (k as KeyObject).type === 'secret';
}
