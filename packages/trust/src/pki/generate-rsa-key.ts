import { checkPrimeSync, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { SeededRandom } from '@kakehashi/core';
import forge from 'node-forge';

/** The RSA public exponent used for every generated key (F4). */
export const RSA_PUBLIC_EXPONENT = 65537n;

/** A deterministic RSA key pair: node:crypto key objects plus the same key as node-forge objects. */
export interface RsaKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PKCS#8 PEM of the private key. */
  privateKeyPem: string;
  forgePublicKey: forge.pki.rsa.PublicKey;
  forgePrivateKey: forge.pki.rsa.PrivateKey;
  bits: number;
}

// Odd primes below 2000: a candidate divisible by any of them is discarded without a Miller-Rabin test.
const SMALL_PRIMES: number[] = (() => {
  const out: number[] = [];
  for (let n = 3; n < 2000; n += 2) {
    let prime = true;
    for (const p of out) {
      if (p * p > n) break;
      if (n % p === 0) {
        prime = false;
        break;
      }
    }
    if (prime) out.push(n);
  }
  return out;
})();

function bytesToBigInt(b: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(b).toString('hex') || '0'}`);
}

function bigIntToBytes(n: bigint): Buffer {
  let hex = n.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return Buffer.from(hex, 'hex');
}

function b64u(n: bigint): string {
  return bigIntToBytes(n).toString('base64url');
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new RangeError('modInverse: not invertible');
  return ((oldS % m) + m) % m;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/**
 * Draws a prime of exactly `bits` bits (top two bits set, so that the product of two such primes has exactly
 * twice as many bits) from the seeded stream: a random odd start, then an incremental search sieved by small
 * primes, each survivor tested with OpenSSL's Miller-Rabin (`crypto.checkPrimeSync`).
 */
function drawPrime(random: SeededRandom, bits: number): bigint {
  for (;;) {
    const bytes = random.bytes(bits / 8);
    bytes[0] = (bytes[0] as number) | 0xc0;
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) | 0x01;
    const start = bytesToBigInt(bytes);
    const residues = SMALL_PRIMES.map((p) => Number(start % BigInt(p)));
    // Search a window of odd numbers start, start+2, …; give up the window (and draw anew) if it overflows.
    for (let delta = 0; delta < 1 << 16; delta += 2) {
      let composite = false;
      for (let i = 0; i < SMALL_PRIMES.length; i++) {
        if (((residues[i] as number) + delta) % (SMALL_PRIMES[i] as number) === 0) {
          composite = true;
          break;
        }
      }
      if (composite) continue;
      const candidate = start + BigInt(delta);
      if (candidate >> BigInt(bits) !== 0n) break;
      if ((candidate - 1n) % RSA_PUBLIC_EXPONENT === 0n) continue; // gcd(e, p-1) must be 1 (e is prime)
      if (checkPrimeSync(bigIntToBytes(candidate))) return candidate;
    }
  }
}

/**
 * Generates an RSA key pair deterministically from a seeded stream — test-only key material: the same
 * stream gives the same key on every machine, so a seed reproduces the whole federation's PKI.
 *
 * node-forge's pure-JS key generation takes seconds per key; this draws the primes from the stream and tests
 * them with OpenSSL's native primality test instead (tens of milliseconds per 2048-bit key).
 *
 * @param bits modulus size; 2048 by default (1024 only to build deliberately weak keys for attack tests).
 * @see https://www.rfc-editor.org/rfc/rfc8017#section-3 (RSA key representation)
 */
export function generateRsaKeyPair(random: SeededRandom, bits = 2048): RsaKeyPair {
  if (bits % 16 !== 0 || bits < 512)
    throw new RangeError('generateRsaKeyPair: bits must be a multiple of 16, at least 512');
  const e = RSA_PUBLIC_EXPONENT;
  for (;;) {
    const p0 = drawPrime(random, bits / 2);
    const q0 = drawPrime(random, bits / 2);
    if (p0 === q0) continue;
    const [p, q] = p0 > q0 ? [p0, q0] : [q0, p0];
    const n = p * q;
    const phi = (p - 1n) * (q - 1n);
    if (gcd(e, phi) !== 1n) continue;
    const d = modInverse(e, phi);
    const dp = d % (p - 1n);
    const dq = d % (q - 1n);
    const qi = modInverse(q, p);
    const jwk = {
      kty: 'RSA',
      n: b64u(n),
      e: b64u(e),
      d: b64u(d),
      p: b64u(p),
      q: b64u(q),
      dp: b64u(dp),
      dq: b64u(dq),
      qi: b64u(qi),
    };
    const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
    const publicKey = createPublicKey(privateKey);
    const big = (v: bigint) => new forge.jsbn.BigInteger(v.toString(16), 16);
    return {
      privateKey,
      publicKey,
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      forgePublicKey: forge.pki.setRsaPublicKey(big(n), big(e)),
      forgePrivateKey: forge.pki.setRsaPrivateKey(big(n), big(e), big(d), big(p), big(q), big(dp), big(dq), big(qi)),
      bits,
    };
  }
}
