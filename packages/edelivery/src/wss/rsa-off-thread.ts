import { type KeyObject, sign, webcrypto } from 'node:crypto';

/**
 * The RSA private operations of a message (the sender's signature, the receiver's key unwrap and its receipt's
 * signature) run on libuv's thread pool, not on the event loop: while one message's RSA runs, the access point
 * goes on parsing, verifying and storing the others in flight (the same operations and keys as the synchronous
 * `sign` / `privateDecrypt`; only where they run changes).
 * @see https://nodejs.org/api/crypto.html#cryptosignalgorithm-data-key-callback
 * @see https://nodejs.org/api/webcrypto.html#subtledecryptalgorithm-key-data
 */

/** RSASSA-PKCS1-v1_5 with SHA-256 of `data` (as `sign('sha256', data, key)`), computed on the thread pool. */
export function rsaSha256SignOffThread(data: Buffer, key: KeyObject): Promise<Buffer> {
  return new Promise((resolve, reject) => sign('sha256', data, key, (e, s) => (e ? reject(e) : resolve(s))));
}

/** The Web Crypto form of each private key, made once per key. */
const OAEP_KEYS = new WeakMap<KeyObject, webcrypto.CryptoKey>();

/**
 * RSA-OAEP (SHA-256, MGF1-SHA-256, no label) decryption of `wrapped` (as `privateDecrypt` with
 * `oaepHash: 'sha256'`), computed on the thread pool through Web Crypto. Rejects when the key does not decrypt it.
 */
export async function rsaOaepSha256DecryptOffThread(wrapped: Buffer, key: KeyObject): Promise<Buffer> {
  let cryptoKey = OAEP_KEYS.get(key);
  if (!cryptoKey) {
    cryptoKey = key.toCryptoKey({ name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['decrypt']) as webcrypto.CryptoKey;
    OAEP_KEYS.set(key, cryptoKey);
  }
  return Buffer.from(await webcrypto.subtle.decrypt({ name: 'RSA-OAEP' }, cryptoKey, wrapped));
}
