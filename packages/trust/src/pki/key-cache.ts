import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDataDirectory, type SeededRandom } from '@kakehashi/core';
import { generateRsaKeyPair } from './generate-rsa-key.ts';

/** What certificate issuance needs of a key pair. */
export interface IssuingKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PKCS#8 PEM of the private key. */
  privateKeyPem: string;
}

// 1: 2048-bit RSA keys of generateRsaKeyPair (bump when the key derivation changes: cached keys would differ).
const KEY_CACHE_FORMAT = 1;

interface KeyCacheFile {
  notice: string;
  format: number;
  seedDigest: string;
  /** The key's seeded stream (`kakehashi/trust/key/DE-signing`, …) → PKCS#8 PEM. */
  keys: Record<string, string>;
}

/**
 * The seed's key pairs by name, on disk beside the material cache (`keys-<sha256(seed) first 16 hex>.json`).
 * Each key comes from its own seeded stream (`key/<name>`), so a key depends on the seed and its name only —
 * never on the hub URL, the countries listed or the validity epoch that the material cache is keyed by. A
 * federation on other ports (`--port 0`) or with other countries reissues its certificates (milliseconds each)
 * with the keys it already has instead of drawing each key's primes again (the slow part of generation): the
 * material is byte-identical to a fresh generation. A missing, corrupt or other-format file is ignored (the keys
 * are generated); saving merges with what other processes wrote meanwhile and replaces the file atomically.
 */
export class KeyPairCache {
  readonly #path: string;
  readonly #dir: string;
  readonly #seedDigest: string;
  readonly #keys: Record<string, string>;
  #added = 0;

  constructor(dir: string, seed: string) {
    this.#dir = dir;
    this.#seedDigest = createHash('sha256').update(seed).digest('hex');
    this.#path = join(dir, `keys-${this.#seedDigest.slice(0, 16)}.json`);
    this.#keys = this.#read();
  }

  /** The key pair `name`: from the cache, else drawn from the stream `key/<name>` of `random` (a fork of the seed). */
  keyPair(random: SeededRandom, name: string): IssuingKeyPair {
    const stream = random.fork(`key/${name}`);
    const pem = this.#keys[stream.label];
    if (pem !== undefined) {
      try {
        const privateKey = createPrivateKey(pem);
        if (privateKey.asymmetricKeyType === 'rsa' && privateKey.asymmetricKeyDetails?.modulusLength === 2048)
          return { privateKey, publicKey: createPublicKey(privateKey), privateKeyPem: pem };
      } catch {
        /* a damaged entry is generated again */
      }
    }
    const keys = generateRsaKeyPair(stream);
    this.#keys[stream.label] = keys.privateKeyPem;
    this.#added++;
    return keys;
  }

  /** Writes the keys generated since loading (merged with the file as it is now); nothing when none were. */
  save(): void {
    if (this.#added === 0) return;
    const file: KeyCacheFile = {
      notice:
        'TEST ONLY: private keys of the Kakehashi federation-in-a-box PKI, derived from a public seed. They protect nothing.',
      format: KEY_CACHE_FORMAT,
      seedDigest: this.#seedDigest,
      keys: { ...this.#read(), ...this.#keys },
    };
    ensureDataDirectory(this.#dir, 'the trust material cache');
    const tmp = `${this.#path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(file, null, 1)}\n`, { mode: 0o600 });
    renameSync(tmp, this.#path);
    this.#added = 0;
  }

  #read(): Record<string, string> {
    try {
      const file = JSON.parse(readFileSync(this.#path, 'utf8')) as KeyCacheFile;
      if (file.format !== KEY_CACHE_FORMAT || file.seedDigest !== this.#seedDigest || typeof file.keys !== 'object')
        return {};
      return Object.fromEntries(Object.entries(file.keys ?? {}).filter(([, v]) => typeof v === 'string'));
    } catch {
      return {}; // absent or corrupt: the keys are generated
    }
  }
}
