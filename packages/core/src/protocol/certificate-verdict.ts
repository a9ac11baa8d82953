import type { Verdict } from './verdict.ts';

/**
 * The verdict of a certificate path validation as components report it over HTTP: valid or not, the
 * country the certificate was issued for, and every check with its rule and reason.
 */
export interface CertificateVerdict extends Verdict {
  /** Country the certificate was issued for (the C of its subject), when known. */
  country?: string | undefined;
  /** Serial number (hex) of the validated certificate. */
  serialHex?: string | undefined;
  /** Subject of the trust anchor the path ends at. */
  anchor?: string | undefined;
}

/**
 * Turns a JWS `x5c` entry (base64 DER) into PEM; refuses anything that is not base64.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-4.1.6
 */
export function x5cToPem(b64: unknown): string | undefined {
  if (typeof b64 !== 'string' || b64.length === 0 || !/^[A-Za-z0-9+/=]+$/.test(b64)) return undefined;
  return `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----\n`;
}
