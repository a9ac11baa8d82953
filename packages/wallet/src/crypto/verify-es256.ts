import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { p1363ToDer } from '@kakehashi/core';
import { compactVerify } from 'jose';
import { TextMemo } from './text-memo.ts';

/** A JSON object from one base64url segment (a JWS header or payload, a disclosure); throws when it is none. */
export function b64urlJson(segment: string): unknown {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

/** Decoded headers by their segment (see {@link jwsHeader}), the oldest going when it holds this many. */
const HEADERS_MAX = 256;
const HEADERS = new TextMemo<Readonly<Record<string, unknown>>>(HEADERS_MAX);

/**
 * The protected header of a compact JWS as a JSON object (what jose's `decodeProtectedHeader` reads); throws when it
 * is none. Decoded once per distinct header segment: an issuer signs every credential and status list with the same
 * header (alg, typ and an `x5c` of a kilobyte or more), so the same text gives the same value; the value is frozen
 * (deeply) because every JWS with that header shares it, and at most {@link HEADERS_MAX} segments are kept, so a flood
 * of distinct headers costs what it did without them. The segment is found by comparison ({@link TextMemo}): hashed
 * as a Map key, a header with its x5c cost ~6 µs a lookup.
 */
export function jwsHeader(compact: string): Readonly<Record<string, unknown>> {
  const dot = compact.indexOf('.');
  const segment = dot === -1 ? compact : compact.slice(0, dot);
  let h = HEADERS.get(segment);
  if (!h) {
    const v = b64urlJson(segment);
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw new TypeError('The JWS header is no JSON object.');
    h = deepFreeze(v as Record<string, unknown>);
    HEADERS.set(segment, h);
  }
  return h;
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** Per key, once: is it a public P-256 key, the only key ES256 verifies with (jose refuses a private one too)? */
const P256 = new WeakMap<KeyObject, boolean>();
function isP256(key: KeyObject): boolean {
  let ok = P256.get(key);
  if (ok === undefined) {
    ok =
      key.type === 'public' && key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
    P256.set(key, ok);
  }
  return ok;
}

/**
 * Verifies the ES256 signature of a compact JWS with `key`, the algorithm fixed by the caller: the header must be a
 * JSON object with `alg` ES256 and the key a P-256 key (as jose's `compactVerify` with `algorithms: ['ES256']`
 * requires). node:crypto verifies in line — no WebCrypto key import, no algorithm normalisation, no trip to the
 * thread pool (a P-256 verification costs ~55 µs with the signature as DER, see `p1363ToDer`; the trip there and
 * back ~40 µs of CPU more); a header with
 * `crit` or `b64` (RFC 7797 changes the signing input) goes to jose as before. Resolves true when it verifies. The
 * signing input is the string's UTF-8 bytes, as jose's (`TextEncoder`): the ASCII of a well-formed JWS exactly, and
 * a character beyond ASCII never the byte of another (as a one-byte-per-character encoding took U+0141 for `A`);
 * Node's UTF-8 encoder is also the fast one (~0.6 µs for 5 KB, latin1 ~4 µs).
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-5.2 (message signature validation)
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.4 (ES256: r ‖ s, 64 bytes)
 */
export async function verifyEs256(compact: string, key: KeyObject): Promise<boolean> {
  const first = compact.indexOf('.');
  const second = first === -1 ? -1 : compact.indexOf('.', first + 1);
  if (second === -1 || compact.indexOf('.', second + 1) !== -1) return false;
  let header: Readonly<Record<string, unknown>>;
  try {
    header = jwsHeader(compact);
  } catch {
    return false;
  }
  if (header.alg !== 'ES256' || !isP256(key)) return false;
  if ('crit' in header || 'b64' in header)
    return compactVerify(compact, key, { algorithms: ['ES256'] }).then(
      () => true,
      () => false,
    );
  const signature = Buffer.from(compact.slice(second + 1), 'base64url');
  if (signature.length !== 64) return false;
  try {
    return verify('sha256', Buffer.from(compact.slice(0, second), 'utf8'), key, p1363ToDer(signature));
  } catch {
    return false;
  }
}

/** Imported holder keys by their coordinates (emptied when it holds this many: a flood costs what it did before). */
const HOLDER_KEYS_MAX = 256;
const HOLDER_KEYS = new Map<string, KeyObject>();

/**
 * The P-256 public key of a credential's `cnf.jwk`, imported once per key (`x`, `y`): a holder presents its
 * credential many times. Refused as jose's `importJWK(jwk, 'ES256')` refuses it: not an EC P-256 JWK, `key_ops`
 * without `verify`, a private key (`d`: jose would import it and then refuse to verify with it), or a point not on
 * the curve.
 * @see https://www.rfc-editor.org/rfc/rfc7800#section-3.2 (cnf jwk)
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-4.3 (key_ops)
 */
export function holderKey(jwk: unknown): KeyObject {
  const j = (typeof jwk === 'object' && jwk !== null ? jwk : {}) as Record<string, unknown>;
  if (j.kty !== 'EC' || j.crv !== 'P-256' || typeof j.x !== 'string' || typeof j.y !== 'string')
    throw new TypeError('The cnf.jwk is no EC P-256 public key.');
  if ('d' in j) throw new TypeError('The cnf.jwk holds a private key.');
  if (j.key_ops !== undefined && !(Array.isArray(j.key_ops) && j.key_ops.includes('verify')))
    throw new TypeError('The cnf.jwk key_ops do not include verify.');
  const id = `${j.x}.${j.y}`;
  let key = HOLDER_KEYS.get(id);
  if (!key) {
    key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: j.x, y: j.y }, format: 'jwk' });
    if (HOLDER_KEYS.size >= HOLDER_KEYS_MAX) HOLDER_KEYS.clear();
    HOLDER_KEYS.set(id, key);
  }
  return key;
}
