/** The provider's bearer secrets and their stored form (the secret itself is never stored). */
import { createHash, randomFillSync } from 'node:crypto';

export const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** CSPRNG bytes taken in blocks: one call into the generator per 4 KB (128 secrets), as `crypto.randomUUID` does. */
const SECRET_POOL = Buffer.allocUnsafe(4096);
let secretPoolOffset = SECRET_POOL.length;

/**
 * `bytes` fresh CSPRNG bytes (at most 4096) as base64url, each byte handed out once and zeroed in the pool. A login
 * takes four (session, sid, code, access token): one `randomBytes` each was a call into OpenSSL's generator and a
 * Buffer per secret.
 */
export function randomToken(bytes: number): string {
  if (secretPoolOffset + bytes > SECRET_POOL.length) {
    randomFillSync(SECRET_POOL);
    secretPoolOffset = 0;
  }
  const token = SECRET_POOL.toString('base64url', secretPoolOffset, secretPoolOffset + bytes);
  SECRET_POOL.fill(0, secretPoolOffset, secretPoolOffset + bytes);
  secretPoolOffset += bytes;
  return token;
}

/**
 * Bearer secrets (codes, access tokens, request handles) come from the OS CSPRNG, not from the seeded stream:
 * the seed is public, and a guessable code is a stolen login even in a mock. Only their SHA-256 is stored.
 */
export const newSecret = () => randomToken(32);
