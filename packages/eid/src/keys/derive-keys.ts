import {
  createECDH,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  hkdfSync,
  type KeyObject,
} from 'node:crypto';

/** The eID secrets of one node, all derived from the (public, test-only) seed and the country. */
export interface EidKeys {
  /** K_node: keys the pairwise `sub` construction. */
  pairwiseKey: Buffer;
  /** Keys the opaque part of the eIDAS PersonIdentifier. */
  personIdKey: Buffer;
  /** Keys the id of a "custom identity" typed into the picker. */
  customIdentityKey: Buffer;
  /** The ES256 (P-256) ID-token signing key. */
  es256: { privateKey: KeyObject; publicKey: KeyObject };
}

// Order of the P-256 group: a private scalar must be in [1, n-1].
const P256_N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

function derive(seed: string, info: string, length = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', seed, 'kakehashi/eid/v1', info, length));
}

/**
 * Derives a node's eID keys with HKDF-SHA256 from the seed and the country. Deterministic: the same seed gives
 * the same pairwise identifiers and the same ES256 key on every machine (golden files compare). TEST ONLY —
 * the seed is public, so are these keys.
 * @see https://www.rfc-editor.org/rfc/rfc5869 (HKDF)
 */
export function deriveEidKeys(seed: string, country: string): EidKeys {
  const cc = country.toUpperCase();
  return {
    pairwiseKey: derive(seed, `oidc-pairwise/${cc}`),
    personIdKey: derive(seed, `eidas-person-identifier/${cc}`),
    customIdentityKey: derive(seed, `custom-identity/${cc}`),
    es256: deriveP256(seed, cc),
  };
}

function deriveP256(seed: string, cc: string): { privateKey: KeyObject; publicKey: KeyObject } {
  for (let i = 0; ; i++) {
    const d = derive(seed, `oidc-es256/${cc}/${i}`);
    const scalar = BigInt(`0x${d.toString('hex')}`);
    if (scalar === 0n || scalar >= P256_N) continue; // probability ~2^-32; draw again
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(d);
    const pub = ecdh.getPublicKey(); // 0x04 ‖ x ‖ y
    const b64 = (b: Buffer) => b.toString('base64url');
    const privateKey = createPrivateKey({
      format: 'jwk',
      key: { kty: 'EC', crv: 'P-256', d: b64(d), x: b64(pub.subarray(1, 33)), y: b64(pub.subarray(33, 65)) },
    });
    return { privateKey, publicKey: createPublicKey(privateKey) };
  }
}

/** The key object of each derived key: node:crypto turns a Buffer key into one on every use (Node 24: ~30 µs, five
 * times the HMAC itself), and the person identifier and pairwise subject are computed at every login. */
const keyObjects = new WeakMap<Buffer, KeyObject>();

/** base64url(HMAC-SHA256(key, message)). */
export function hmacB64(key: Buffer, message: string): string {
  let k = keyObjects.get(key);
  if (!k) {
    k = createSecretKey(key);
    keyObjects.set(key, k);
  }
  return createHmac('sha256', k).update(message, 'utf8').digest('base64url');
}
