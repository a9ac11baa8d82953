import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, verify, X509Certificate } from 'node:crypto';
import type { MdocContext } from '@animo-id/mdoc';
import type { JWK } from 'jose';

const NODE_DIGEST = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' } as const;

/** The key a COSE signature is made or checked with: ES256 on P-256 only (HAIP §7). */
function keyOf(jwk: JWK, alg: string) {
  if (alg !== 'ES256' || jwk.kty !== 'EC' || jwk.crv !== 'P-256')
    throw new Error(`COSE alg ${alg} with a ${jwk.kty}/${jwk.crv} key is not supported (ES256, P-256 only)`);
  const { kty, crv, x, y, d } = jwk;
  return d
    ? createPrivateKey({ key: { kty, crv, x, y, d } as never, format: 'jwk' })
    : createPublicKey({ key: { kty, crv, x, y } as never, format: 'jwk' });
}

/**
 * The crypto callbacks @animo-id/mdoc asks for, done with node:crypto: digests, randomness, COSE_Sign1 ES256 over
 * the library's Sig_structure (`getRawSigningData`/`getRawVerificationData`: the signature is IEEE P1363 r‖s, as
 * RFC 9053 §2.1 asks), and X.509 reading. The session MAC (deviceMac) is not offered: OpenID4VP answers are
 * signed (deviceSignature). Chain validation is the verifier's own (the node's trusted lists), never the
 * library's: `validateCertificateChain` refuses, so a call that reaches it fails loudly.
 * @see https://www.rfc-editor.org/rfc/rfc9052#section-4.4
 */
export const mdocContext: MdocContext = {
  crypto: {
    random: (n) => new Uint8Array(randomBytes(n)),
    digest: ({ digestAlgorithm, bytes }) =>
      new Uint8Array(createHash(NODE_DIGEST[digestAlgorithm]).update(bytes).digest()),
    calculateEphemeralMacKeyJwk: () => {
      throw new Error('deviceMac is not supported: the wallet signs (deviceSignature)');
    },
  },
  cose: {
    sign1: {
      sign: ({ sign1, jwk }) => {
        const { data, alg } = sign1.getRawSigningData();
        return new Uint8Array(sign('sha256', data, { key: keyOf(jwk, alg), dsaEncoding: 'ieee-p1363' }));
      },
      verify: ({ sign1, jwk, options }) => {
        const { data, alg, signature } = sign1.getRawVerificationData(options);
        try {
          return verify('sha256', data, { key: keyOf(jwk, alg), dsaEncoding: 'ieee-p1363' }, signature);
        } catch {
          return false;
        }
      },
    },
    mac0: {
      sign: () => {
        throw new Error('deviceMac is not supported');
      },
      verify: () => false,
    },
  },
  x509: {
    getIssuerNameField: ({ certificate, field }) =>
      new X509Certificate(certificate).issuer
        .split('\n')
        .filter((l) => l.startsWith(`${field}=`))
        .map((l) => l.slice(field.length + 1)),
    getPublicKey: ({ certificate }) => new X509Certificate(certificate).publicKey.export({ format: 'jwk' }) as JWK,
    validateCertificateChain: () => {
      throw new Error("the chain is validated by the node's trusted lists, not by the mdoc library");
    },
    getCertificateData: ({ certificate }) => {
      const c = new X509Certificate(certificate);
      return {
        issuerName: c.issuer.replaceAll('\n', ', '),
        subjectName: c.subject.replaceAll('\n', ', '),
        serialNumber: c.serialNumber,
        thumbprint: c.fingerprint256.replaceAll(':', '').toLowerCase(),
        notBefore: new Date(c.validFrom),
        notAfter: new Date(c.validTo),
        pem: c.toString(),
      };
    },
  },
};
