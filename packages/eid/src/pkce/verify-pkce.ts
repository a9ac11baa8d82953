import { createHash, timingSafeEqual } from 'node:crypto';

/** A PKCE code_verifier or S256 code_challenge: 43–128 unreserved characters. @see RFC 7636 §4.1 */
export const PKCE_VALUE = /^[A-Za-z0-9._~-]{43,128}$/;

/** `BASE64URL(SHA256(ASCII(code_verifier)))`. @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2 */
export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/**
 * Checks a code_verifier against the stored S256 challenge, in constant time. Only S256 exists here:
 * `plain` is refused at the authorization endpoint.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.6
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1 (PKCE with S256 for every client)
 */
export function verifyPkce(verifier: string | undefined, challenge: string): boolean {
  if (verifier === undefined || !PKCE_VALUE.test(verifier)) return false;
  const a = Buffer.from(s256Challenge(verifier));
  const b = Buffer.from(challenge);
  return a.length === b.length && timingSafeEqual(a, b);
}
