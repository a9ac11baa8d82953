import { createVerify, X509Certificate } from 'node:crypto';
import type { CertificateVerdict } from '@kakehashi/core';
import { oauthError } from '../errors/oauth-error.ts';

/** What the IdP of Japan's node needs for login with the Individual Number Card (the node wires it). */
export interface CardLoginDeps {
  /** The person behind a JPKI user-authentication certificate serial (lower-case hex), or undefined. */
  personaOfSerial(serialHex: string): string | undefined;
  /** The node's trust view (the JPKI CA is on Japan's trusted list). */
  validateCertificate(certPem: string, chainPem: string[], opts: { at: Date; usage?: string[] }): CertificateVerdict;
  /**
   * TEST ONLY — the simulated card reader: the card of `personaId` signs `challenge` with its authentication key.
   * Absent: only a real signature posted to `/oidc/card-login` logs in.
   */
  readCard?(personaId: string, challenge: string): CardSignature;
}

/** What a card (reader middleware) sends: the authentication certificate, its chain, the signature. */
export interface CardSignature {
  /** Base64 DER of the user-authentication certificate. */
  certificate: string;
  /** Base64 DER of the certificates above it (the JPKI CA), nearest first. */
  chain: string[];
  /** Base64 RSA PKCS#1 v1.5 SHA-256 signature over the challenge (UTF-8). */
  signature: string;
}

/** The challenge a card signs: bound to this provider and to one pending (single-use) authorization request. */
export const cardChallenge = (issuer: string, requestId: string) => `kakehashi-card-login/v1|${issuer}|${requestId}`;

const pem = (b64: string) => {
  const der = Buffer.from(b64, 'base64');
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
};

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/**
 * Verifies a login with the Individual Number Card's user-authentication certificate: the certificate chains
 * to the JPKI CA on Japan's trusted list and is valid and unrevoked now (virtual clock), it is an
 * authentication certificate (clientAuth, no personal data in it), the card's signature over this request's
 * challenge verifies with its key, and its serial maps to a person known to the IdP. Returns the persona id.
 * @see https://www.jpki.go.jp/ (user-authentication certificate, 利用者証明用電子証明書)
 */
export function verifyCardLogin(deps: CardLoginDeps, challenge: string, card: CardSignature, at: Date): string {
  let cert: X509Certificate;
  let certPem: string;
  try {
    certPem = pem(card.certificate);
    cert = new X509Certificate(certPem);
  } catch {
    throw oauthError('oidc-access-denied', 'The card sent no readable certificate (base64 DER expected).', 'JPKI');
  }
  const verdict = deps.validateCertificate(
    certPem,
    card.chain.map((c) => pem(c)),
    { at, usage: ['digitalSignature'] },
  );
  if (!verdict.valid)
    throw oauthError(
      'oidc-access-denied',
      `The card's certificate is not trusted: ${verdict.failure?.code ?? 'invalid'}: ${verdict.failure?.reason ?? ''}`,
      'JPKI certificate path (RFC 5280)',
    );
  const eku = cert.keyUsage ?? [];
  if (!eku.includes(CLIENT_AUTH) || cert.subjectAltName)
    throw oauthError(
      'oidc-access-denied',
      'This is not a user-authentication certificate (clientAuth, no personal data): use the authentication certificate of the card, not the signature certificate.',
      'JPKI user-authentication certificate',
    );
  const ok = createVerify('sha256')
    .update(challenge, 'utf8')
    .verify(cert.publicKey, Buffer.from(card.signature, 'base64'));
  if (!ok)
    throw oauthError(
      'oidc-access-denied',
      "The card's signature over the challenge does not verify: sign this login's challenge with the card's authentication key.",
      'JPKI challenge-response',
    );
  const serial = cert.serialNumber.toLowerCase().replace(/^(00)+/, '');
  const personaId = deps.personaOfSerial(serial);
  if (!personaId)
    throw oauthError('oidc-access-denied', `No person holds the card with certificate serial ${serial}.`, 'JPKI');
  return personaId;
}
