import { type KeyObject, hash as oneShot, X509Certificate } from 'node:crypto';
import { children, ctx, type Der, integer, readDerExact, seq } from '../asn1/der.ts';

/** A signing key with its certificate and the chain above it (issuing CA first). TEST ONLY material. */
export interface SigningCredential {
  certPem: string;
  chainPem: string[];
  privateKey: KeyObject;
}

export function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

export function derToPem(der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** The issuer Name (DER) and serial number (INTEGER DER) of a certificate, read from its TBSCertificate. */
export function issuerAndSerial(certDer: Buffer): { issuerDer: Buffer; serialDer: Buffer; serialHex: string } {
  const tbs = children(readDerExact(certDer))[0];
  const fields = children(tbs);
  const off = (fields[0] as Der).tag === 0xa0 ? 1 : 0;
  const serial = fields[off] as Der;
  const issuer = fields[off + 2] as Der;
  let i = 0;
  while (i < serial.value.length - 1 && serial.value[i] === 0) i++;
  return { issuerDer: issuer.bytes, serialDer: serial.bytes, serialHex: serial.value.subarray(i).toString('hex') };
}

/** IssuerSerial ::= SEQUENCE { issuer GeneralNames (one directoryName), serialNumber } (RFC 5035 §4). */
export function issuerSerialDer(certDer: Buffer): Buffer {
  const { issuerDer, serialDer } = issuerAndSerial(certDer);
  return seq(seq(ctx(4, issuerDer)), serialDer);
}

/** IssuerAndSerialNumber (RFC 5652 §10.2.4), the SignerIdentifier used here. */
export function issuerAndSerialNumberDer(certDer: Buffer): Buffer {
  const { issuerDer, serialDer } = issuerAndSerial(certDer);
  return seq(issuerDer, serialDer);
}

export function sha(hash: string, data: Uint8Array | string): Buffer {
  // The one-shot digest: no Hash object per call (the XAdES reader digests every reference and certificate).
  return oneShot(hash, data, 'buffer');
}

/** A short human label for a certificate: its CN, or its subject. */
export function certLabel(cert: X509Certificate): string {
  const cn = cert.subject.split('\n').find((l) => l.startsWith('CN='));
  return cn ? cn.slice(3) : cert.subject.replaceAll('\n', ', ');
}

/** Parsed certificates by PEM or base64 DER: immutable, so shared across validations; bounded. */
const PARSED = new Map<string, X509Certificate>();
const PARSED_MAX = 4096;

/**
 * Parses a certificate (PEM or DER) once: a validation service sees the same signers, intermediates and
 * time-stamping units again and again, and parsing them was a tenth of a XAdES validation. Throws on bad input.
 */
export function parseX509(input: string | Uint8Array): X509Certificate {
  const key = typeof input === 'string' ? input : Buffer.from(input).toString('base64');
  const hit = PARSED.get(key);
  if (hit) return hit;
  const parsed = new X509Certificate(typeof input === 'string' ? input : Buffer.from(input));
  if (PARSED.size >= PARSED_MAX) PARSED.clear();
  PARSED.set(key, parsed);
  return parsed;
}

/** Public keys of parsed certificates: `X509Certificate.publicKey` imports the key anew at every read. */
const KEYS = new WeakMap<X509Certificate, KeyObject>();

/** The public key of a certificate, imported once per parsed certificate. */
export function publicKeyOf(cert: X509Certificate): KeyObject {
  const hit = KEYS.get(cert);
  if (hit) return hit;
  const key = cert.publicKey;
  KEYS.set(cert, key);
  return key;
}

/** PEM texts of parsed certificates (`X509Certificate.toString()` encodes anew at every call). */
const PEMS = new WeakMap<X509Certificate, string>();

/** The PEM text of a parsed certificate, encoded once per parsed certificate. */
export function pemOf(cert: X509Certificate): string {
  const hit = PEMS.get(cert);
  if (hit !== undefined) return hit;
  const pem = cert.toString();
  PEMS.set(cert, pem);
  return pem;
}

/**
 * What the signature readers derive from a certificate's bytes — its digests, its IssuerSerial, its PEM — worked
 * out once per certificate: a validation service reads the same signers' certificates again and again. The bytes
 * are shared: never to be modified.
 */
export class CertificateBytes {
  readonly #digests = new Map<string, Buffer>();
  #issuerSerial: Buffer | undefined;
  #pem: string | undefined;
  readonly der: Buffer;
  constructor(der: Buffer) {
    this.der = der;
  }

  digest(hash: string): Buffer {
    const known = this.#digests.get(hash);
    if (known) return known;
    const d = sha(hash, this.der);
    this.#digests.set(hash, d);
    return d;
  }

  /** IssuerSerialV2 of the certificate (throws, and is asked again next time, when the DER does not decode). */
  issuerSerial(): Buffer {
    this.#issuerSerial ??= issuerSerialDer(this.der);
    return this.#issuerSerial;
  }

  get pem(): string {
    this.#pem ??= derToPem(this.der);
    return this.#pem;
  }
}

/** Decoded certificates by a short key of their base64 text, each with the full text it was decoded from. */
const BYTES = new Map<string, { base64: string; bytes: CertificateBytes }>();

/**
 * The key of a certificate's base64 text in {@link BYTES}: its length and last 48 characters (the end of the
 * signature value, distinct per certificate). A text read from a document is a fresh string whose hash V8 has not
 * computed: keying by the whole text hashed about 1,600 characters per certificate per validation (a twentieth of a
 * XAdES read). The key only finds a candidate; the whole text is compared before the entry is used.
 */
const bytesKey = (base64: string) => `${base64.length}:${base64.slice(-48)}`;

/**
 * A certificate given as base64 text (whitespace removed), decoded once; bounded like the parsed certificates. An
 * entry is used only for exactly the text it was decoded from (two texts sharing a key replace each other).
 */
export function certificateBytes(base64: string): CertificateBytes {
  const key = bytesKey(base64);
  const hit = BYTES.get(key);
  if (hit && hit.base64 === base64) return hit.bytes;
  const bytes = new CertificateBytes(Buffer.from(base64, 'base64'));
  if (BYTES.size >= PARSED_MAX) BYTES.clear();
  BYTES.set(key, { base64, bytes });
  return bytes;
}

export function toX509(pem: string): X509Certificate | undefined {
  try {
    return parseX509(pem);
  } catch {
    return undefined;
  }
}

/** Builds an INTEGER for serial numbers given as hex. */
export function serialFromHex(hex: string): Buffer {
  return integer(Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex'));
}
