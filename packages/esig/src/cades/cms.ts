import { createSign, createVerify, type KeyObject } from 'node:crypto';
import { inspectCertificate } from '@kakehashi/trust';
import {
  children,
  ctx,
  type Der,
  DerError,
  decodeOid,
  expectTag,
  integer,
  integerHex,
  nullValue,
  octets,
  oid,
  readDerExact,
  seq,
  setOf,
  TAG,
} from '../asn1/der.ts';
import { CMS_SIGNATURE_OID, HASH_OID, type HashName, OID_OF_HASH, RSA_ENCRYPTION_OID } from '../common/algorithms.ts';
import {
  issuerAndSerial,
  issuerAndSerialNumberDer,
  issuerSerialDer,
  publicKeyOf as keyOfCertificate,
  parseX509,
  pemToDer,
  sha,
} from '../common/certificates.ts';

/** Object identifiers of CMS (RFC 5652), ESS (RFC 5035), CAdES (ETSI EN 319 122-1) and RFC 3161. */
export const CMS_OID = {
  signedData: '1.2.840.113549.1.7.2',
  data: '1.2.840.113549.1.7.1',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
} as const;

/** Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF AttributeValue } */
export function attribute(type: string, ...values: Buffer[]): Buffer {
  return seq(oid(type), setOf(...values));
}

/**
 * ESS signing-certificate-v2 (RFC 5035 §3): one ESSCertIDv2 with the SHA-256 hash of the signer certificate
 * (hashAlgorithm omitted: it is the DEFAULT) and its IssuerSerial.
 */
export function signingCertificateV2(certDer: Buffer): Buffer {
  return attribute(
    CMS_OID.signingCertificateV2,
    seq(seq(seq(octets(sha('sha256', certDer)), issuerSerialDer(certDer)))),
  );
}

export interface CmsSignInput {
  signerCertPem: string;
  chainPem: string[];
  privateKey: KeyObject;
  eContentType: string;
  /** The content whose digest goes into messageDigest. */
  content: Buffer;
  /** Put the content inside (attached) or leave it out (detached). */
  encapsulate: boolean;
  /** Signed attributes besides contentType and messageDigest (DER Attribute each). */
  signedAttributes: Buffer[];
  /** Put the signer certificate and chain in `certificates` (default true; RFC 3161 certReq=false omits them). */
  includeCertificates?: boolean;
  /** Unsigned attributes, computed from the signature value (e.g. the signature time-stamp). */
  unsignedAttributes?: (signatureValue: Buffer) => Buffer[] | Promise<Buffer[]>;
  /** TEST ONLY (fault `esig.weak-algorithm`): SHA-1 for the message digest and the signature. Default SHA-256. */
  hash?: 'sha256' | 'sha1';
}

const sha256AlgId = () => seq(oid(OID_OF_HASH.sha256));

/**
 * Builds a CMS SignedData (RFC 5652 §5) signed with RSASSA-PKCS1-v1_5 / SHA-256 over the DER signed
 * attributes; the certificates field carries the signer certificate and its chain.
 * @see https://www.rfc-editor.org/rfc/rfc5652#section-5.4
 */
export async function signCms(input: CmsSignInput): Promise<{ der: Buffer; signatureValue: Buffer }> {
  const certDer = pemToDer(input.signerCertPem);
  const hash = input.hash ?? 'sha256';
  const digestAlgId = () => (hash === 'sha1' ? seq(oid('1.3.14.3.2.26')) : sha256AlgId());
  const signedAttrs = setOf(
    attribute(CMS_OID.contentType, oid(input.eContentType)),
    attribute(CMS_OID.messageDigest, octets(sha(hash, input.content))),
    ...input.signedAttributes,
  );
  const signer = createSign(hash);
  signer.update(signedAttrs);
  const signatureValue = signer.sign(input.privateKey);
  const unsigned = input.unsignedAttributes ? await input.unsignedAttributes(signatureValue) : [];
  const signerInfo = seq(
    integer(1),
    issuerAndSerialNumberDer(certDer),
    digestAlgId(),
    Buffer.concat([Buffer.from([0xa0]), signedAttrs.subarray(1)]), // [0] IMPLICIT SET OF Attribute
    seq(oid(hash === 'sha1' ? '1.2.840.113549.1.1.5' : '1.2.840.113549.1.1.11'), nullValue()),
    octets(signatureValue),
    ...(unsigned.length > 0 ? [ctx(1, ...[...unsigned].sort(Buffer.compare))] : []),
  );
  const certs = [certDer, ...input.chainPem.map(pemToDer)];
  const signedData = seq(
    integer(1),
    setOf(digestAlgId()),
    seq(oid(input.eContentType), ...(input.encapsulate ? [ctx(0, octets(input.content))] : [])),
    ...(input.includeCertificates === false ? [] : [ctx(0, ...certs)]),
    setOf(signerInfo),
  );
  return { der: seq(oid(CMS_OID.signedData), ctx(0, signedData)), signatureValue };
}

/** A decoded CMS SignedData with one SignerInfo (the only shape AdES and time-stamp tokens use here). */
export interface ParsedSignedData {
  eContentType: string;
  eContent?: Buffer;
  certificates: Buffer[];
  signerCount: number;
  signer: {
    sid: { issuerDer: Buffer; serialHex: string } | { subjectKeyId: Buffer };
    digestAlgorithm: string;
    hash?: HashName;
    /** The signed attributes re-tagged as SET OF (the bytes the signature covers), when present. */
    signedAttrsDer?: Buffer;
    signedAttrs: Map<string, Der[]>;
    /** Attribute types that appear more than once (refused). */
    duplicateAttrs: string[];
    signatureAlgorithm: string;
    signature: Buffer;
    unsignedAttrs: Map<string, Der[]>;
  };
}

function readAttributes(set: Der): { attrs: Map<string, Der[]>; duplicates: string[] } {
  const attrs = new Map<string, Der[]>();
  const duplicates: string[] = [];
  for (const a of children(set, 64)) {
    const [type, values] = children(a);
    const t = decodeOid(type);
    if (attrs.has(t)) duplicates.push(t);
    attrs.set(t, children(expectTag(values, TAG.set, 'attrValues'), 16));
  }
  return { attrs, duplicates };
}

/**
 * Decodes a ContentInfo carrying a SignedData (RFC 5652 §3, §5). Throws DerError with a plain reason when the
 * structure is not one.
 */
export function parseSignedData(der: Buffer): ParsedSignedData {
  const ci = expectTag(readDerExact(der), TAG.sequence, 'ContentInfo');
  const [ct, wrapped] = children(ci);
  if (decodeOid(ct) !== CMS_OID.signedData) throw new DerError('the ContentInfo does not carry a SignedData');
  const sd = expectTag(children(expectTag(wrapped, 0xa0, 'content [0]'))[0], TAG.sequence, 'SignedData');
  const fields = children(sd);
  let i = 0;
  expectTag(fields[i++], TAG.integer, 'SignedData version');
  expectTag(fields[i++], TAG.set, 'digestAlgorithms');
  const eci = children(expectTag(fields[i++], TAG.sequence, 'encapContentInfo'));
  const eContentType = decodeOid(eci[0]);
  let eContent: Buffer | undefined;
  if (eci[1])
    eContent = expectTag(children(expectTag(eci[1], 0xa0, 'eContent [0]'))[0], TAG.octetString, 'eContent').value;
  const certificates: Buffer[] = [];
  if (fields[i]?.tag === 0xa0) {
    for (const c of children(fields[i++], 32)) if (c.tag === TAG.sequence) certificates.push(Buffer.from(c.bytes));
  }
  if (fields[i]?.tag === 0xa1) i++; // crls
  const infos = children(expectTag(fields[i], TAG.set, 'signerInfos'), 16);
  if (infos.length === 0) throw new DerError('the SignedData has no SignerInfo');
  const si = children(infos[0]);
  let j = 0;
  expectTag(si[j++], TAG.integer, 'SignerInfo version');
  const sidNode = si[j++] as Der;
  let sid: ParsedSignedData['signer']['sid'];
  if (sidNode?.tag === TAG.sequence) {
    const [issuer, serial] = children(sidNode);
    sid = { issuerDer: Buffer.from(expectTag(issuer, TAG.sequence, 'issuer').bytes), serialHex: integerHex(serial) };
  } else if (sidNode?.tag === 0x80) sid = { subjectKeyId: Buffer.from(sidNode.value) };
  else throw new DerError('unrecognised SignerIdentifier');
  const digestAlgorithm = decodeOid(children(expectTag(si[j++], TAG.sequence, 'digestAlgorithm'))[0]);
  let signedAttrsDer: Buffer | undefined;
  let signed = { attrs: new Map<string, Der[]>(), duplicates: [] as string[] };
  if (si[j]?.tag === 0xa0) {
    const node = si[j++] as Der;
    signedAttrsDer = Buffer.concat([Buffer.from([TAG.set]), node.bytes.subarray(1)]);
    signed = readAttributes({ ...node, tag: TAG.set });
  }
  const signatureAlgorithm = decodeOid(children(expectTag(si[j++], TAG.sequence, 'signatureAlgorithm'))[0]);
  const signature = Buffer.from(expectTag(si[j++], TAG.octetString, 'signature').value);
  let unsigned = new Map<string, Der[]>();
  if (si[j]?.tag === 0xa1) unsigned = readAttributes({ ...(si[j] as Der), tag: TAG.set }).attrs;
  const hash = HASH_OID[digestAlgorithm];
  const out: ParsedSignedData = {
    eContentType,
    certificates,
    signerCount: infos.length,
    signer: {
      sid,
      digestAlgorithm,
      signedAttrs: signed.attrs,
      duplicateAttrs: signed.duplicates,
      signatureAlgorithm,
      signature,
      unsignedAttrs: unsigned,
      ...(hash ? { hash } : {}),
      ...(signedAttrsDer ? { signedAttrsDer } : {}),
    },
  };
  if (eContent) out.eContent = Buffer.from(eContent);
  return out;
}

/** The certificate (DER) of `certificates` that the SignerIdentifier designates. */
export function findSignerCertificate(parsed: ParsedSignedData): Buffer | undefined {
  const sid = parsed.signer.sid;
  return parsed.certificates.find((c) => {
    try {
      if ('issuerDer' in sid) {
        const is = issuerAndSerial(c);
        return is.issuerDer.equals(sid.issuerDer) && is.serialHex === sid.serialHex;
      }
      return inspectCertificate(c).subjectKeyId === sid.subjectKeyId.toString('hex');
    } catch {
      return false;
    }
  });
}

/** What the signing-certificate(-v2) attribute says, compared with a certificate. */
export interface SigningCertificateCheck {
  present: boolean;
  version?: 1 | 2;
  matches: boolean;
  reason: string;
}

/**
 * Checks the ESS signing-certificate-v2 (or v1) attribute against `certDer` (RFC 5035 §5.4): the first
 * ESSCertID's hash must be the certificate's hash, and its IssuerSerial, when present, must name it.
 */
export function checkSigningCertificateAttribute(attrs: Map<string, Der[]>, certDer: Buffer): SigningCertificateCheck {
  const v2 = attrs.get(CMS_OID.signingCertificateV2)?.[0];
  const v1 = attrs.get(CMS_OID.signingCertificate)?.[0];
  const node = v2 ?? v1;
  if (!node) {
    return {
      present: false,
      matches: false,
      reason:
        'The signed attributes carry no signing-certificate-v2 attribute, so nothing binds the signature to its certificate (ETSI EN 319 122-1 §5.2.2.3 requires it).',
    };
  }
  try {
    const certs = children(children(node)[0]);
    const first = children(certs[0]);
    let k = 0;
    let hash: HashName = v2 ? 'sha256' : 'sha1';
    if (v2 && first[0]?.tag === TAG.sequence) hash = HASH_OID[decodeOid(children(first[k++])[0])] ?? 'md5';
    const certHash = expectTag(first[k++], TAG.octetString, 'certHash').value;
    const expected = sha(hash, certDer);
    if (!expected.equals(certHash)) {
      return {
        present: true,
        version: v2 ? 2 : 1,
        matches: false,
        reason: `The signing-certificate${v2 ? '-v2' : ''} attribute names a certificate whose ${hash.toUpperCase()} hash is ${Buffer.from(certHash).toString('hex').slice(0, 16)}…, not the certificate that signed (${expected.toString('hex').slice(0, 16)}…): the signature points to another certificate.`,
      };
    }
    const issuerSerial = first[k];
    if (issuerSerial) {
      const [, serial] = children(issuerSerial);
      if (integerHex(serial) !== issuerAndSerial(certDer).serialHex) {
        return {
          present: true,
          version: v2 ? 2 : 1,
          matches: false,
          reason: 'The IssuerSerial of the signing-certificate attribute does not name the signing certificate.',
        };
      }
    }
    return {
      present: true,
      version: v2 ? 2 : 1,
      matches: true,
      reason: `The signing-certificate${v2 ? '-v2' : ''} attribute holds the ${hash.toUpperCase()} hash of the signing certificate.`,
    };
  } catch (e) {
    return {
      present: true,
      matches: false,
      reason: `The signing-certificate attribute cannot be decoded (${e instanceof Error ? e.message : 'bad structure'}).`,
    };
  }
}

/**
 * Verifies the SignerInfo's signature over the DER signed attributes with `publicKey` (RFC 5652 §5.4).
 * @returns an error reason, or undefined when the signature verifies
 */
export function verifySignerSignature(parsed: ParsedSignedData, publicKey: KeyObject): string | undefined {
  const s = parsed.signer;
  if (!s.signedAttrsDer) return 'the SignerInfo has no signed attributes';
  let hash: HashName | undefined;
  let key: 'rsa' | 'ec' | 'rsa-pss' = 'rsa';
  if (s.signatureAlgorithm === RSA_ENCRYPTION_OID) hash = s.hash;
  else {
    const scheme = CMS_SIGNATURE_OID[s.signatureAlgorithm];
    if (!scheme) return `the signature algorithm ${s.signatureAlgorithm} is not supported`;
    hash = scheme.hash;
    key = scheme.key;
  }
  if (!hash) return `the digest algorithm ${s.digestAlgorithm} is not supported`;
  if (key === 'ec' && publicKey.asymmetricKeyType !== 'ec') return 'an ECDSA signature with a non-EC key';
  if (key !== 'ec' && publicKey.asymmetricKeyType !== 'rsa') return 'an RSA signature with a non-RSA key';
  try {
    const v = createVerify(hash);
    v.update(s.signedAttrsDer);
    return v.verify(publicKey, s.signature) ? undefined : 'the signature value does not verify with the signer key';
  } catch {
    return 'the signature value cannot be verified (malformed)';
  }
}

export function publicKeyOf(certDer: Buffer): KeyObject {
  return keyOfCertificate(parseX509(certDer));
}
