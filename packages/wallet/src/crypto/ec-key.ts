import { createECDH, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { SeededRandom } from '@kakehashi/core';

/** A P-256 key pair (ES256, the only algorithm HAIP §7 asks of SD-JWT VC issuers and wallets). */
export interface EcKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public key as a JWK (kty, crv, x, y). */
  publicJwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string };
}

/** P-256's group order n: a private scalar must be in [1, n-1]. */
const N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

/**
 * A P-256 key drawn from the seed (the same on every run for the same label): the scalar comes from the seeded
 * stream (reduced into [1, n-1]) and node:crypto's ECDH computes the public point.
 */
export function seededEcKey(random: SeededRandom): EcKeyPair {
  const d = (BigInt(`0x${random.bytes(40).toString('hex')}`) % (N - 1n)) + 1n;
  const dBytes = Buffer.from(d.toString(16).padStart(64, '0'), 'hex');
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(dBytes);
  const pub = ecdh.getPublicKey();
  const jwk = {
    kty: 'EC' as const,
    crv: 'P-256' as const,
    x: pub.subarray(1, 33).toString('base64url'),
    y: pub.subarray(33, 65).toString('base64url'),
  };
  const privateKey = createPrivateKey({ key: { ...jwk, d: dBytes.toString('base64url') }, format: 'jwk' });
  return { privateKey, publicKey: createPublicKey(privateKey), publicJwk: jwk };
}

/** A fresh P-256 key (a wallet's device key: never derived from anything shared). */
export function freshEcKey(): EcKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { x, y } = publicKey.export({ format: 'jwk' });
  return { privateKey, publicKey, publicJwk: { kty: 'EC', crv: 'P-256', x: x as string, y: y as string } };
}
