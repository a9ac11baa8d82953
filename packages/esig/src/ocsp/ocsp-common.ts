import { createHash, type X509Certificate } from 'node:crypto';
import { type CertificateFacts, inspectCertificate, OID } from '@kakehashi/trust';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { HASH_OID } from '../common/algorithms.ts';

/** Media types of RFC 6960 Appendix A over HTTP. */
export const OCSP_REQUEST_TYPE = 'application/ocsp-request';
export const OCSP_RESPONSE_TYPE = 'application/ocsp-response';
/** Largest OCSP request or response handled, bytes. */
export const OCSP_MAX_BYTES = 64 * 1024;

/** OCSPResponseStatus (RFC 6960 §4.2.1). */
export const OCSP_RESPONSE_STATUS = {
  successful: 0,
  malformedRequest: 1,
  internalError: 2,
  tryLater: 3,
  sigRequired: 5,
  unauthorized: 6,
} as const;
export type OcspResponseStatusName = keyof typeof OCSP_RESPONSE_STATUS;
export const OCSP_STATUS_NAME = new Map<number, OcspResponseStatusName>(
  Object.entries(OCSP_RESPONSE_STATUS).map(([k, v]) => [v, k as OcspResponseStatusName]),
);

/** Hashes a CertID may use (RFC 6960 §4.1.1; SHA-1 is what RFC 5019 clients send, SHA-256 what ours send). */
export type CertIdHash = 'sha1' | 'sha256' | 'sha384' | 'sha512';
const CERT_ID_HASH_OID: Record<CertIdHash, string> = {
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
};

/** A CertID in plain values: which certificate of which issuer (RFC 6960 §4.1.1). */
export interface CertIdFacts {
  hash: CertIdHash;
  issuerNameHash: Buffer;
  issuerKeyHash: Buffer;
  /** Lower-case hex without leading zero bytes. */
  serialHex: string;
}

export function facts(cert: string | X509Certificate | CertificateFacts): CertificateFacts {
  return typeof cert === 'object' && 'tbsDer' in cert ? cert : inspectCertificate(cert);
}

/** The subjectPublicKey BIT STRING content (without the unused-bits octet) of a certificate. */
export function subjectPublicKeyBits(cert: CertificateFacts): Buffer {
  const spki = asn1js.fromBER(new Uint8Array(cert.spkiDer));
  const bits = (spki.result as asn1js.Sequence).valueBlock.value[1] as asn1js.BitString;
  return Buffer.from(bits.valueBlock.valueHexView);
}

/** The responderID byKey value of a certificate: SHA-1 of its subjectPublicKey bits (RFC 6960 §4.2.1). */
export function keyHashOf(cert: CertificateFacts): Buffer {
  return createHash('sha1').update(subjectPublicKeyBits(cert)).digest();
}

/** Computes the CertID of `cert` issued by `issuer` with `hash` (RFC 6960 §4.1.1). */
export function certIdFor(
  cert: string | X509Certificate | CertificateFacts,
  issuer: string | X509Certificate | CertificateFacts,
  hash: CertIdHash = 'sha256',
): CertIdFacts {
  const c = facts(cert);
  const i = facts(issuer);
  return {
    hash,
    issuerNameHash: createHash(hash).update(i.subjectDer).digest(),
    issuerKeyHash: createHash(hash).update(subjectPublicKeyBits(i)).digest(),
    serialHex: normalHex(c.serialHex),
  };
}

export function normalHex(hex: string): string {
  const h = hex.toLowerCase().replace(/^(00)+(?=..)/, '');
  return h === '' ? '00' : h;
}

/** The same certificate of the same issuer (hash algorithm included). */
export function sameCertId(a: CertIdFacts, b: CertIdFacts): boolean {
  return (
    a.hash === b.hash &&
    a.serialHex === b.serialHex &&
    a.issuerNameHash.equals(b.issuerNameHash) &&
    a.issuerKeyHash.equals(b.issuerKeyHash)
  );
}

export function integerFromHex(hex: string): asn1js.Integer {
  let bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  if (bytes.length === 0) bytes = Buffer.from([0]);
  if (((bytes[0] as number) & 0x80) !== 0) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return new asn1js.Integer({ valueHex: bytes });
}

export function hexOfInteger(i: asn1js.Integer): string {
  return normalHex(Buffer.from(i.valueBlock.valueHexView).toString('hex'));
}

export function toPkijsCertId(id: CertIdFacts): pkijs.CertID {
  return new pkijs.CertID({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({
      algorithmId: CERT_ID_HASH_OID[id.hash],
      algorithmParams: new asn1js.Null(),
    }),
    issuerNameHash: new asn1js.OctetString({ valueHex: id.issuerNameHash }),
    issuerKeyHash: new asn1js.OctetString({ valueHex: id.issuerKeyHash }),
    serialNumber: integerFromHex(id.serialHex),
  });
}

/** A pkijs CertID in plain values, or undefined when its hash algorithm is not supported. */
export function fromPkijsCertId(id: pkijs.CertID): CertIdFacts | undefined {
  const hash = HASH_OID[id.hashAlgorithm.algorithmId];
  if (hash !== 'sha1' && hash !== 'sha256' && hash !== 'sha384' && hash !== 'sha512') return undefined;
  return {
    hash,
    issuerNameHash: Buffer.from(id.issuerNameHash.valueBlock.valueHexView),
    issuerKeyHash: Buffer.from(id.issuerKeyHash.valueBlock.valueHexView),
    serialHex: hexOfInteger(id.serialNumber),
  };
}

/** Decodes a whole DER/BER structure with asn1js, refusing trailing bytes. */
export function decodeAll(der: Uint8Array, what: string): asn1js.AsnType {
  const parsed = asn1js.fromBER(new Uint8Array(der));
  if (parsed.offset === -1) throw new Error(`${what} is not valid ASN.1 (${parsed.result.error || 'decoding error'})`);
  if (parsed.offset !== der.length) throw new Error(`${what} has ${der.length - parsed.offset} trailing byte(s)`);
  return parsed.result;
}

/** The nonce extension value (the OCTET STRING content) of a list of extensions, if any (RFC 8954). */
export function nonceOf(extensions: pkijs.Extension[] | undefined): Buffer | undefined {
  const ext = extensions?.find((e) => e.extnID === OID.ocspNonce);
  if (!ext) return undefined;
  const raw = Buffer.from(ext.extnValue.valueBlock.valueHexView);
  // RFC 8954: Nonce ::= OCTET STRING; some clients (older OpenSSL) put the raw bytes without the inner wrapper.
  try {
    const inner = asn1js.fromBER(new Uint8Array(raw));
    if (inner.offset === raw.length && inner.result instanceof asn1js.OctetString)
      return Buffer.from(inner.result.valueBlock.valueHexView);
  } catch {
    // fall through: raw bytes
  }
  return raw;
}
