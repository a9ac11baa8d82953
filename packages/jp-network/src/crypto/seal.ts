import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { KakehashiError } from '@kakehashi/core';

const INFO = 'kakehashi/jp-network/e2e/v1';
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/** An intermediary server's end-to-end key pair (X25519). */
export interface E2eKeyPair {
  privateKey: KeyObject;
  /** Raw public key, base64url (32 bytes). */
  publicKey: string;
}

/** The X25519 key pair for 32 bytes of secret material (derived from the seed: reproducible, TEST ONLY). */
export function e2eKeyPairFrom(secret: Buffer): E2eKeyPair {
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_X25519_PREFIX, secret.subarray(0, 32)]),
    format: 'der',
    type: 'pkcs8',
  });
  return { privateKey, publicKey: rawPublic(createPublicKey(privateKey)) };
}

function rawPublic(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' }) as { x?: string };
  return jwk.x as string;
}

const SPKI_X25519_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

/**
 * The X25519 public key of 32 raw bytes (base64url). Imported from a PEM string: a JWK or DER key is passed inside
 * an object, which node:crypto (Node 24) first probes as a KeyObject and a CryptoKey — two TypeErrors made and
 * caught, more than half the cost of the import, on every open.
 */
function publicFromRaw(x: string): KeyObject {
  const raw = Buffer.from(x, 'base64url');
  if (raw.length !== 32) throw new RangeError('an X25519 public key is 32 bytes');
  const spki = Buffer.concat([SPKI_X25519_PREFIX, raw]).toString('base64');
  return createPublicKey(`-----BEGIN PUBLIC KEY-----\n${spki}\n-----END PUBLIC KEY-----\n`);
}

/**
 * The recipients' registered public keys, parsed once: every seal is for one of a few intermediary servers. Keyed
 * by the raw key itself (nothing else decides what it parses to); bounded, the oldest going first.
 */
const recipients = new Map<string, KeyObject>();
function recipientKey(x: string): KeyObject {
  let k = recipients.get(x);
  if (!k) {
    k = publicFromRaw(x);
    if (recipients.size >= 256) recipients.delete(recipients.keys().next().value as string);
    recipients.set(x, k);
  }
  return k;
}

/**
 * The AES key of one seal, as a key object: node:crypto turns a Buffer key into one on every use anyway (in
 * Node 24 at several times the cost of the HKDF itself), so the shared secret and the result go in as key objects.
 */
function kdf(shared: Buffer, epk: string, rpk: string): KeyObject {
  return createSecretKey(
    Buffer.from(hkdfSync('sha256', createSecretKey(shared), Buffer.from(`${epk}.${rpk}`), INFO, 32)),
  );
}

/**
 * Seals `plaintext` for the holder of `recipientPublicKey`: ephemeral-static X25519, HKDF-SHA256, AES-256-GCM,
 * with `context` (e.g. the request id and direction) as associated data, so a sealed payload cannot be replayed
 * into another exchange. Format: `e2e1.<epk>.<iv>.<ciphertext>.<tag>` (base64url). The network relays it
 * without being able to read it.
 * @see https://www.rfc-editor.org/rfc/rfc7748 (X25519), https://www.rfc-editor.org/rfc/rfc5869 (HKDF)
 */
export function seal(plaintext: string, recipientPublicKey: string, context: string): string {
  const eph = generateKeyPairSync('x25519');
  const epk = rawPublic(eph.publicKey);
  const key = kdf(
    diffieHellman({ privateKey: eph.privateKey, publicKey: recipientKey(recipientPublicKey) }),
    epk,
    recipientPublicKey,
  );
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    'e2e1',
    epk,
    iv.toString('base64url'),
    ct.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
  ].join('.');
}

/** Opens a payload sealed with {@link seal}; `jp-e2e-failed` when it is not for this key or context. */
export function open(sealed: string, keys: E2eKeyPair, context: string): string {
  const parts = typeof sealed === 'string' ? sealed.split('.') : [];
  if (parts.length !== 5 || parts[0] !== 'e2e1' || parts.slice(1).some((p) => !/^[A-Za-z0-9_-]*$/.test(p)))
    throw new KakehashiError('jp-e2e-failed', 'The sealed payload is not in the e2e1 format.');
  const [, epk, iv, ct, tag] = parts as [string, string, string, string, string];
  try {
    const key = kdf(diffieHellman({ privateKey: keys.privateKey, publicKey: publicFromRaw(epk) }), epk, keys.publicKey);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new KakehashiError(
      'jp-e2e-failed',
      'The sealed payload does not open with this key and context (sealed for another party or exchange, or altered).',
    );
  }
}
