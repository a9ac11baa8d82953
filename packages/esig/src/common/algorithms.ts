import type { KeyObject } from 'node:crypto';

/**
 * The algorithms the signature service creates and accepts, by syntax (OID, XML-DSig URI, JWS name), and the
 * cryptographic constraints applied to them (ETSI TS 119 312: no SHA-1 or MD5, RSA ≥ 2048 bits, NIST curves).
 * @see https://www.etsi.org/deliver/etsi_ts/119300_119399/119312/ (cryptographic suites)
 */
export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512' | 'md5';

/** Digest algorithms accepted without objection. */
export const STRONG_HASHES: ReadonlySet<HashName> = new Set(['sha256', 'sha384', 'sha512']);

export const HASH_OID: Record<string, HashName> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '1.2.840.113549.2.5': 'md5',
};
export const OID_OF_HASH: Record<'sha256' | 'sha384' | 'sha512', string> = {
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
};

/** How a signature value is computed: key type, hash and (RSA) padding. */
export interface SignatureScheme {
  name: string;
  hash: HashName;
  key: 'rsa' | 'rsa-pss' | 'ec';
}

/** CMS signatureAlgorithm OIDs (RFC 5754, RFC 4055, RFC 5758). `rsaEncryption` takes the hash of the SignerInfo. */
export const CMS_SIGNATURE_OID: Record<string, SignatureScheme> = {
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', hash: 'sha1', key: 'rsa' },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', hash: 'sha256', key: 'rsa' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', hash: 'sha384', key: 'rsa' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', hash: 'sha512', key: 'rsa' },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', hash: 'sha1', key: 'ec' },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', hash: 'sha256', key: 'ec' },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', hash: 'sha384', key: 'ec' },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', hash: 'sha512', key: 'ec' },
};
export const RSA_ENCRYPTION_OID = '1.2.840.113549.1.1.1';
export const SHA256_WITH_RSA_OID = '1.2.840.113549.1.1.11';

export const XMLDSIG = {
  ns: 'http://www.w3.org/2000/09/xmldsig#',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  excC14nComments: 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
  c14n: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  c14nComments: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
} as const;

export const XADES_NS = 'http://uri.etsi.org/01903/v1.3.2#';
export const XADES_SIGNED_PROPERTIES_TYPE = 'http://uri.etsi.org/01903#SignedProperties';

/** XML-DSig DigestMethod URIs. */
export const XML_DIGEST: Record<string, HashName> = {
  'http://www.w3.org/2000/09/xmldsig#sha1': 'sha1',
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384': 'sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
  'http://www.w3.org/2001/04/xmldsig-more#md5': 'md5',
};
export const XML_DIGEST_URI: Record<'sha256' | 'sha384' | 'sha512', string> = {
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha384: 'http://www.w3.org/2001/04/xmldsig-more#sha384',
  sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
};

/** XML-DSig SignatureMethod URIs (RFC 6931). */
export const XML_SIGNATURE: Record<string, SignatureScheme> = {
  'http://www.w3.org/2000/09/xmldsig#rsa-sha1': { name: 'rsa-sha1', hash: 'sha1', key: 'rsa' },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256': { name: 'rsa-sha256', hash: 'sha256', key: 'rsa' },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384': { name: 'rsa-sha384', hash: 'sha384', key: 'rsa' },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512': { name: 'rsa-sha512', hash: 'sha512', key: 'rsa' },
  'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1': { name: 'rsa-pss-sha256', hash: 'sha256', key: 'rsa-pss' },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256': { name: 'ecdsa-sha256', hash: 'sha256', key: 'ec' },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384': { name: 'ecdsa-sha384', hash: 'sha384', key: 'ec' },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512': { name: 'ecdsa-sha512', hash: 'sha512', key: 'ec' },
};

/** JWS `alg` values accepted for JAdES (RFC 7518 §3.1); `none` and HMAC are never accepted. */
export const JWS_ALGORITHMS: Record<string, SignatureScheme> = {
  RS256: { name: 'RS256', hash: 'sha256', key: 'rsa' },
  RS384: { name: 'RS384', hash: 'sha384', key: 'rsa' },
  RS512: { name: 'RS512', hash: 'sha512', key: 'rsa' },
  PS256: { name: 'PS256', hash: 'sha256', key: 'rsa-pss' },
  PS384: { name: 'PS384', hash: 'sha384', key: 'rsa-pss' },
  PS512: { name: 'PS512', hash: 'sha512', key: 'rsa-pss' },
  ES256: { name: 'ES256', hash: 'sha256', key: 'ec' },
  ES384: { name: 'ES384', hash: 'sha384', key: 'ec' },
  ES512: { name: 'ES512', hash: 'sha512', key: 'ec' },
};

/** What {@link weakKeyReason} found per key object (`null`: nothing); a key's details never change. */
const WEAK_KEYS = new WeakMap<KeyObject, string | null>();

/**
 * Why a key is too weak to be accepted for a new signature (ETSI TS 119 312), or undefined. Worked out once per
 * key object (`asymmetricKeyDetails` is read from the key anew at every access; the readers import a certificate's
 * key once per parsed certificate).
 */
export function weakKeyReason(key: KeyObject): string | undefined {
  const known = WEAK_KEYS.get(key);
  if (known !== undefined) return known ?? undefined;
  const reason = weakKeyReasonOf(key);
  WEAK_KEYS.set(key, reason ?? null);
  return reason;
}

function weakKeyReasonOf(key: KeyObject): string | undefined {
  const d = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    if ((d.modulusLength ?? 0) < 2048)
      return `an RSA key of ${d.modulusLength ?? '?'} bits (at least 2048 are required)`;
    return undefined;
  }
  if (key.asymmetricKeyType === 'ec') {
    return ['prime256v1', 'secp384r1', 'secp521r1', 'P-256', 'P-384', 'P-521'].includes(d.namedCurve ?? '')
      ? undefined
      : `an EC key on curve ${d.namedCurve ?? '?'} (P-256, P-384 or P-521 required)`;
  }
  return `a ${key.asymmetricKeyType ?? 'unknown'} key (RSA or ECDSA required)`;
}

/** Why a hash is not accepted (SHA-1, MD5), or undefined. */
export function weakHashReason(hash: HashName): string | undefined {
  if (STRONG_HASHES.has(hash)) return undefined;
  return `${hash.toUpperCase()} is no longer accepted for signatures (collisions are practical; ETSI TS 119 312)`;
}

/** Does the key type fit the scheme? (An RSA key cannot verify an ECDSA signature, and so on.) */
export function keyFitsScheme(key: KeyObject, scheme: SignatureScheme): boolean {
  if (scheme.key === 'ec') return key.asymmetricKeyType === 'ec';
  return key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss';
}
