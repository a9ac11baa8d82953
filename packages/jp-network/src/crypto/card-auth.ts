import { createPublicKey, sign, verify, X509Certificate } from 'node:crypto';
import { type Clock, KakehashiError } from '@kakehashi/core';
import type { CertificateValidator, JpCard, JpCredential } from '../deps.ts';

/** EKU clientAuth: the JPKI user-authentication certificate carries it. */
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** What the card reader hands over: the user-authentication certificate, its chain and a signature. */
export interface CardResponse {
  certificate: string;
  chain: string[];
  /** base64url RSA-SHA256 signature over the UTF-8 challenge. */
  signature: string;
}

/**
 * The card "signs a challenge" with its user-authentication key (in reality after the 4-digit PIN).
 * For tests and the portal's simulated card reader.
 */
export function signChallengeWithCard(card: JpCard, challenge: string): CardResponse {
  const auth = card.certificates.authentication;
  return {
    certificate: auth.certPem,
    chain: auth.chainPem,
    signature: sign('sha256', Buffer.from(challenge, 'utf8'), auth.privateKey).toString('base64url'),
  };
}

/**
 * Validates a card response: the certificate is a JPKI user-authentication certificate (issued by the JPKI CA,
 * EKU clientAuth, digitalSignature) whose chain validates against the trust fabric at the virtual time (CRL:
 * not revoked), and the signature over `challenge` verifies with its key. Returns the certificate serial —
 * never a My Number: the user-authentication certificate carries no personal data.
 * @see https://www.jpki.go.jp/ (利用者証明用電子証明書)
 */
export function verifyCardResponse(
  response: CardResponse,
  challenge: string,
  deps: { trust: CertificateValidator; clock: Clock; jpkiCa?: JpCredential | undefined },
): { serialHex: string } {
  const fail = (why: string): never => {
    throw new KakehashiError('jp-card-auth-failed', `The card authentication failed: ${why}.`, {
      rule: 'JPKI user authentication',
    });
  };
  let cert: X509Certificate | undefined;
  try {
    cert = new X509Certificate(response.certificate);
  } catch {
    fail('the certificate cannot be parsed');
  }
  const x509 = cert as X509Certificate;
  if (deps.jpkiCa && !x509.checkIssued(new X509Certificate(deps.jpkiCa.certPem)))
    fail('the certificate is not issued by the JPKI CA');
  if (deps.jpkiCa && !x509.verify(new X509Certificate(deps.jpkiCa.certPem).publicKey))
    fail('the certificate signature does not verify with the JPKI CA key');
  if (!(x509.keyUsage ?? []).includes(CLIENT_AUTH))
    fail('not a user-authentication certificate (extended key usage clientAuth missing)');
  const verdict = deps.trust.validateCertificate(response.certificate, response.chain ?? [], {
    at: deps.clock.now(),
    usage: ['digitalSignature'],
  });
  if (!verdict.valid)
    fail(`the certificate does not validate (${verdict.failure?.code ?? 'invalid'}: ${verdict.failure?.reason ?? ''})`);
  let ok = false;
  try {
    ok = verify(
      'sha256',
      Buffer.from(challenge, 'utf8'),
      createPublicKey(response.certificate),
      Buffer.from(response.signature, 'base64url'),
    );
  } catch {
    ok = false;
  }
  if (!ok) fail('the signature over the challenge does not verify');
  return { serialHex: x509.serialNumber.toLowerCase().replace(/^(00)+/, '') };
}

/**
 * J-LIS's check of a card certificate sent with a code request (identification by certificate: the agency already
 * checked card presence with a signed challenge): issued by the JPKI CA and valid against the trust fabric at the
 * virtual time (CRL: not revoked). Returns the certificate serial.
 */
export function identifyCardCertificate(
  card: { certificate: string; chain: string[] },
  deps: { trust: CertificateValidator; clock: Clock; jpkiCa?: JpCredential | undefined },
): { serialHex: string } {
  let serial = '';
  try {
    const x = new X509Certificate(card.certificate);
    serial = x.serialNumber.toLowerCase().replace(/^(00)+/, '');
    if (deps.jpkiCa && !x.checkIssued(new X509Certificate(deps.jpkiCa.certPem)))
      throw new Error('not issued by the JPKI CA');
  } catch (e) {
    throw new KakehashiError(
      'jp-card-auth-failed',
      `The card certificate is not acceptable: ${e instanceof Error ? e.message : 'unparseable'}.`,
    );
  }
  const v = deps.trust.validateCertificate(card.certificate, card.chain, {
    at: deps.clock.now(),
    usage: ['digitalSignature'],
  });
  if (!v.valid)
    throw new KakehashiError('jp-card-auth-failed', `The card certificate does not validate (${v.failure?.code}).`);
  return { serialHex: serial };
}
