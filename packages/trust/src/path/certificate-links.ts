import { verify as cryptoVerify } from 'node:crypto';
import { hashForSignatureOid } from '../asn1/der.ts';
import type { CertificateFacts } from '../pki/inspect-certificate.ts';

/**
 * Whether `issuer` may be the issuer of `child` by key identifier: the child's authorityKeyIdentifier names the
 * issuer's subjectKeyIdentifier (either absent: no constraint).
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.1
 */
export function akiMatches(child: CertificateFacts, issuer: CertificateFacts): boolean {
  return !child.authorityKeyId || !issuer.subjectKeyId || child.authorityKeyId === issuer.subjectKeyId;
}

/**
 * Link signatures already checked, by certificate and issuer: both are immutable facts decoded once per
 * certificate (cached by PEM and X509Certificate), so the answer of the same check is reused, not weakened.
 */
const checkedLinks = new WeakMap<CertificateFacts, WeakMap<CertificateFacts, boolean>>();

/**
 * Signature check of `cert` with `issuer`'s key (RSA PKCS#1 v1.5, RSA-PSS, ECDSA, EdDSA); computed once per
 * (certificate, issuer) pair — path building and the signature check of the same link share it.
 */
export function signedBy(cert: CertificateFacts, issuer: CertificateFacts): boolean {
  const byIssuer = checkedLinks.get(cert) ?? new WeakMap<CertificateFacts, boolean>();
  const known = byIssuer.get(issuer);
  if (known !== undefined) return known;
  const ok = verifyLink(cert, issuer);
  byIssuer.set(issuer, ok);
  checkedLinks.set(cert, byIssuer);
  return ok;
}

function verifyLink(cert: CertificateFacts, issuer: CertificateFacts): boolean {
  try {
    const hash = hashForSignatureOid(cert.signatureOid);
    if (hash) return cryptoVerify(hash, cert.tbsDer, issuer.x509.publicKey, cert.signature);
    return cert.x509.verify(issuer.x509.publicKey);
  } catch {
    return false;
  }
}

/**
 * Whether `cert` is the trust anchor: the same certificate, or the same subject name and the same public key
 * (RFC 5280 §6.1.1(d)) — never the name alone.
 */
export function isExactAnchor(anchor: CertificateFacts, cert: CertificateFacts): boolean {
  return (
    anchor.der.equals(cert.der) || (anchor.subjectDer.equals(cert.subjectDer) && anchor.spkiDer.equals(cert.spkiDer))
  );
}
