import forge from 'node-forge';

const { asn1 } = forge;

/** Object identifiers used across the package. */
export const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  md2WithRSA: '1.2.840.113549.1.1.2',
  md5WithRSA: '1.2.840.113549.1.1.4',
  sha1WithRSA: '1.2.840.113549.1.1.5',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  sha384WithRSA: '1.2.840.113549.1.1.12',
  sha512WithRSA: '1.2.840.113549.1.1.13',
  rsassaPss: '1.2.840.113549.1.1.10',
  ecdsaWithSha1: '1.2.840.10045.4.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  dsaWithSha1: '1.2.840.10040.4.3',
  ed25519: '1.3.101.112',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  crlNumber: '2.5.29.20',
  crlReason: '2.5.29.21',
  nameConstraints: '2.5.29.30',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  policyConstraints: '2.5.29.36',
  extKeyUsage: '2.5.29.37',
  inhibitAnyPolicy: '2.5.29.54',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  qcStatements: '1.3.6.1.5.5.7.1.3',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  /** id-kp-timeStamping (RFC 3161 §2.3: the only EKU of a TSA certificate, critical). */
  timeStamping: '1.3.6.1.5.5.7.3.8',
  /** id-kp-OCSPSigning (RFC 6960 §4.2.2.2: a delegated OCSP responder certificate carries it). */
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  /** id-ad-ocsp, the access method of an OCSP responder in authorityInfoAccess (RFC 5280 §4.2.2.1). */
  adOcsp: '1.3.6.1.5.5.7.48.1',
  /** id-pkix-ocsp-basic, the response type of a BasicOCSPResponse (RFC 6960 §4.2.1). */
  ocspBasic: '1.3.6.1.5.5.7.48.1.1',
  /** id-pkix-ocsp-nonce (RFC 6960 §4.4.1, RFC 8954). */
  ocspNonce: '1.3.6.1.5.5.7.48.1.2',
  /** id-pkix-ocsp-nocheck: a delegated responder's own status is not checked (RFC 6960 §4.2.2.2.1). */
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
  /** id-tsl-kp-tslSigning, the EKU a trusted-list signer certificate carries (ETSI TS 119 612 §5.7.1). */
  tslSigning: '0.4.0.2231.3.0',
  /** JPKI (My Number Card) subjectAltName otherName types. */
  jpkiName: '1.2.392.200149.8.5.5.1',
  jpkiNameKana: '1.2.392.200149.8.5.5.2',
  jpkiSex: '1.2.392.200149.8.5.5.3',
  jpkiDateOfBirth: '1.2.392.200149.8.5.5.4',
  jpkiAddress: '1.2.392.200149.8.5.5.5',
  // distinguished name attribute types
  commonName: '2.5.4.3',
  serialNumber: '2.5.4.5',
  countryName: '2.5.4.6',
  localityName: '2.5.4.7',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  organizationIdentifier: '2.5.4.97',
} as const;

/** Signature algorithm OIDs refused as weak (SHA-1, MD5, MD2). */
export const WEAK_SIGNATURE_OIDS: ReadonlySet<string> = new Set([
  OID.md2WithRSA,
  OID.md5WithRSA,
  OID.sha1WithRSA,
  OID.ecdsaWithSha1,
  OID.dsaWithSha1,
]);

// @types/node-forge declares only the legacy boolean `strict` parameter; forge accepts an options object.
export const FROM_DER_OPTIONS = { strict: true, parseAllBytes: true, decodeBitStrings: false } as unknown as boolean;

/** Decodes DER bytes into a forge ASN.1 tree (strict: trailing bytes are an error). */
export function fromDer(der: Uint8Array): forge.asn1.Asn1 {
  const buf = forge.util.createBuffer(Buffer.from(der).toString('binary'));
  return asn1.fromDer(buf, FROM_DER_OPTIONS);
}

/** Encodes a forge ASN.1 tree to DER bytes. */
export function toDer(node: forge.asn1.Asn1): Buffer {
  return Buffer.from(asn1.toDer(node).getBytes(), 'binary');
}

/** The bytes of a primitive forge ASN.1 node (its value as a binary string). */
export function valueBytes(node: forge.asn1.Asn1 | undefined): Buffer {
  if (!node || typeof node.value !== 'string') return Buffer.alloc(0);
  return Buffer.from(node.value, 'binary');
}

/** The children of a constructed forge ASN.1 node. */
export function children(node: forge.asn1.Asn1 | undefined): forge.asn1.Asn1[] {
  return node && Array.isArray(node.value) ? node.value : [];
}

export function oidNode(oid: string): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes());
}

export function readOid(node: forge.asn1.Asn1 | undefined): string {
  if (!node || typeof node.value !== 'string') return '';
  return asn1.derToOid(node.value);
}

export function seq(items: forge.asn1.Asn1[]): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
}

export function octetString(bytes: Uint8Array): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, Buffer.from(bytes).toString('binary'));
}

export function utf8String(text: string): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTF8, false, Buffer.from(text, 'utf8').toString('binary'));
}

/** A DER INTEGER from an unsigned big-endian hex string (a leading 00 is added when the top bit is set). */
export function integerFromHex(hex: string): forge.asn1.Asn1 {
  let bytes = Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, 'hex');
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0 && ((bytes[start + 1] as number) & 0x80) === 0) start++;
  bytes = bytes.subarray(start);
  if (bytes.length === 0) bytes = Buffer.from([0]);
  if (((bytes[0] as number) & 0x80) !== 0) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, bytes.toString('binary'));
}

export function integerFromNumber(n: number | bigint): forge.asn1.Asn1 {
  return integerFromHex(BigInt(n).toString(16));
}

/** An INTEGER's value as unsigned lower-case hex without leading zero bytes. */
export function integerToHex(node: forge.asn1.Asn1 | undefined): string {
  const bytes = valueBytes(node);
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return bytes.subarray(start).toString('hex');
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050 on. */
export function timeNode(date: Date): forge.asn1.Asn1 {
  if (date.getUTCFullYear() >= 2050) {
    return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
  }
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date));
}

export function readTime(node: forge.asn1.Asn1 | undefined): Date | undefined {
  if (!node || typeof node.value !== 'string') return undefined;
  if (node.type === asn1.Type.UTCTIME) return asn1.utcTimeToDate(node.value);
  if (node.type === asn1.Type.GENERALIZEDTIME) return asn1.generalizedTimeToDate(node.value);
  return undefined;
}

/** One DER TLV: where its value starts and where it ends, for slicing signed bytes exactly as received. */
export interface Tlv {
  tag: number;
  start: number;
  valueStart: number;
  end: number;
}

export function readTlv(buf: Uint8Array, offset: number): Tlv {
  if (offset + 2 > buf.length) throw new RangeError('DER: truncated');
  const tag = buf[offset] as number;
  let len = buf[offset + 1] as number;
  let valueStart = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new RangeError('DER: unsupported length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[valueStart + i] as number);
    valueStart += n;
  }
  const end = valueStart + len;
  if (end > buf.length) throw new RangeError('DER: truncated');
  return { tag, start: offset, valueStart, end };
}

/** The raw DER of the first element (TBSCertificate / TBSCertList) inside a signed SEQUENCE. */
export function signedPart(der: Uint8Array): Buffer {
  const outer = readTlv(der, 0);
  const inner = readTlv(der, outer.valueStart);
  return Buffer.from(der.subarray(inner.start, inner.end));
}

/** The hash name node:crypto expects for a signature algorithm OID, or undefined when unsupported. */
export function hashForSignatureOid(oid: string): string | undefined {
  switch (oid) {
    case OID.sha1WithRSA:
    case OID.ecdsaWithSha1:
    case OID.dsaWithSha1:
      return 'sha1';
    case OID.sha256WithRSA:
    case OID.ecdsaWithSha256:
      return 'sha256';
    case OID.sha384WithRSA:
    case OID.ecdsaWithSha384:
      return 'sha384';
    case OID.sha512WithRSA:
    case OID.ecdsaWithSha512:
      return 'sha512';
    case OID.md5WithRSA:
      return 'md5';
    default:
      return undefined;
  }
}
