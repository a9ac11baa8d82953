import { X509Certificate } from 'node:crypto';
import { KakehashiError } from '@kakehashi/core';
import forge from 'node-forge';
import { children, fromDer, integerToHex, OID, readOid, readTime, signedPart, toDer, valueBytes } from '../asn1/der.ts';
import { KEY_USAGE_BITS, type KeyUsageName } from './issue-certificate.ts';

const { asn1 } = forge;

/** The facts about a certificate that path validation needs, decoded once. */
export interface CertificateFacts {
  x509: X509Certificate;
  der: Buffer;
  /** The TBSCertificate bytes exactly as signed. */
  tbsDer: Buffer;
  signatureOid: string;
  signature: Buffer;
  serialHex: string;
  /** DER of the issuer and subject Names, compared byte for byte when building chains. */
  issuerDer: Buffer;
  subjectDer: Buffer;
  subject: string;
  issuer: string;
  /** The subject's countryName (C), when present. */
  country?: string;
  /** The subject CN (or the whole subject when there is none), for messages. */
  label: string;
  notBefore: Date;
  notAfter: Date;
  spkiDer: Buffer;
  basicConstraints?: { cA: boolean; pathLen?: number; critical: boolean };
  keyUsage?: Set<KeyUsageName>;
  extKeyUsage?: string[];
  subjectKeyId?: string;
  authorityKeyId?: string;
  crlDistributionPoints: string[];
  /** OCSP responder URLs from authorityInfoAccess (id-ad-ocsp, RFC 5280 §4.2.2.1). */
  ocspUrls: string[];
  /** The certificate carries id-pkix-ocsp-nocheck (a delegated OCSP signer, RFC 6960 §4.2.2.2.1). */
  ocspNoCheck: boolean;
  /** subjectAltName otherName entries (type OID → UTF-8 value), e.g. the JPKI personal data. */
  otherNames: { oid: string; value: string }[];
  /** OIDs of all extensions marked critical. */
  criticalExtensions: string[];
  selfIssued: boolean;
}

/** Parses a PEM/DER certificate or an X509Certificate, failing with `cert-malformed` and a plain reason. */
export function toX509(input: string | Uint8Array | X509Certificate): X509Certificate {
  if (input instanceof X509Certificate) return input;
  try {
    return new X509Certificate(typeof input === 'string' ? input : Buffer.from(input));
  } catch (cause) {
    throw new KakehashiError(
      'cert-malformed',
      'The certificate cannot be parsed: supply a PEM or DER X.509 certificate.',
      {
        rule: 'RFC 5280 §4.1',
        cause,
      },
    );
  }
}

/**
 * Decodes the parts of a certificate used by path validation (RFC 5280 §4.1, §4.2): works for any key type,
 * unlike node-forge's certificate parser which accepts RSA keys only.
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-4.1
 */
export function inspectCertificate(input: string | Uint8Array | X509Certificate): CertificateFacts {
  // Certificates are immutable: validation parses the same anchors and intermediates over and over, so the
  // decoded facts are memoised by PEM text and by X509Certificate instance (bounded).
  const hit =
    typeof input === 'string'
      ? factsByPem.get(input)
      : input instanceof X509Certificate
        ? factsByX509.get(input)
        : undefined;
  if (hit) return hit;
  const facts = decodeCertificate(input);
  factsByX509.set(facts.x509, facts);
  if (typeof input === 'string') {
    factsByPem.set(input, facts);
    if (factsByPem.size > 5000) factsByPem.delete(factsByPem.keys().next().value as string);
  }
  return facts;
}

const factsByPem = new Map<string, CertificateFacts>();
const factsByX509 = new WeakMap<X509Certificate, CertificateFacts>();

function decodeCertificate(input: string | Uint8Array | X509Certificate): CertificateFacts {
  const x509 = toX509(input);
  const der = Buffer.from(x509.raw);
  try {
    const root = fromDer(der);
    const [tbs, sigAlg, sigBits] = children(root);
    const fields = children(tbs);
    const off = fields[0]?.tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
    const issuerNode = fields[off + 2];
    const validity = children(fields[off + 3]);
    const subjectNode = fields[off + 4];
    if (!issuerNode || !subjectNode) throw new Error('missing names');
    const facts: CertificateFacts = {
      x509,
      der,
      tbsDer: signedPart(der),
      signatureOid: readOid(children(sigAlg)[0]),
      signature: valueBytes(sigBits).subarray(1),
      serialHex: integerToHex(fields[off]),
      issuerDer: toDer(issuerNode),
      subjectDer: toDer(subjectNode),
      subject: x509.subject.replaceAll('\n', ', '),
      issuer: x509.issuer.replaceAll('\n', ', '),
      label: commonName(x509.subject),
      notBefore: readTime(validity[0]) ?? new Date(x509.validFrom),
      notAfter: readTime(validity[1]) ?? new Date(x509.validTo),
      spkiDer: toDer(fields[off + 5]!),
      crlDistributionPoints: [],
      ocspUrls: [],
      ocspNoCheck: false,
      otherNames: [],
      criticalExtensions: [],
      selfIssued: false,
    };
    facts.selfIssued = facts.issuerDer.equals(facts.subjectDer);
    const country = x509.subject.split('\n').find((l) => l.startsWith('C='));
    if (country) facts.country = country.slice(2);
    const extsWrapper = fields.find((f) => f.tagClass === asn1.Class.CONTEXT_SPECIFIC && f.type === 3);
    for (const ext of children(children(extsWrapper)[0])) readExtension(ext, facts);
    return facts;
  } catch (cause) {
    if (cause instanceof KakehashiError) throw cause;
    throw new KakehashiError(
      'cert-malformed',
      `The certificate "${commonName(x509.subject)}" has a structure that cannot be decoded.`,
      {
        rule: 'RFC 5280 §4.1',
        cause,
      },
    );
  }
}

function commonName(subject: string): string {
  const cn = subject.split('\n').find((l) => l.startsWith('CN='));
  return cn ? cn.slice(3) : subject.replaceAll('\n', ', ');
}

function readExtension(ext: forge.asn1.Asn1, facts: CertificateFacts): void {
  const parts = children(ext);
  const oid = readOid(parts[0]);
  const critical = parts.length === 3 && valueBytes(parts[1])[0] === 0xff;
  if (critical) facts.criticalExtensions.push(oid);
  const inner = fromDer(valueBytes(parts[parts.length - 1]));
  switch (oid) {
    case OID.basicConstraints: {
      const items = children(inner);
      let cA = false;
      let pathLen: number | undefined;
      for (const item of items) {
        if (item.type === asn1.Type.BOOLEAN) cA = valueBytes(item)[0] !== 0;
        if (item.type === asn1.Type.INTEGER) pathLen = Number.parseInt(integerToHex(item) || '0', 16);
      }
      facts.basicConstraints = pathLen === undefined ? { cA, critical } : { cA, pathLen, critical };
      break;
    }
    case OID.keyUsage: {
      const bytes = valueBytes(inner).subarray(1);
      const set = new Set<KeyUsageName>();
      KEY_USAGE_BITS.forEach((name, bit) => {
        if (((bytes[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0) set.add(name);
      });
      facts.keyUsage = set;
      break;
    }
    case OID.extKeyUsage:
      facts.extKeyUsage = children(inner).map(readOid);
      break;
    case OID.subjectKeyIdentifier:
      facts.subjectKeyId = valueBytes(inner).toString('hex');
      break;
    case OID.authorityKeyIdentifier: {
      const keyId = children(inner).find((c) => c.tagClass === asn1.Class.CONTEXT_SPECIFIC && c.type === 0);
      if (keyId) facts.authorityKeyId = valueBytes(keyId).toString('hex');
      break;
    }
    case OID.crlDistributionPoints:
      for (const dp of children(inner)) {
        const dpName = children(dp).find((c) => c.tagClass === asn1.Class.CONTEXT_SPECIFIC && c.type === 0);
        const fullName = children(dpName).find((c) => c.type === 0);
        for (const gn of children(fullName)) {
          if (gn.type === 6) facts.crlDistributionPoints.push(valueBytes(gn).toString('latin1'));
        }
      }
      break;
    case OID.authorityInfoAccess:
      for (const ad of children(inner)) {
        const [method, location] = children(ad);
        if (readOid(method) === OID.adOcsp && location?.tagClass === asn1.Class.CONTEXT_SPECIFIC && location.type === 6)
          facts.ocspUrls.push(valueBytes(location).toString('latin1'));
      }
      break;
    case OID.ocspNoCheck:
      facts.ocspNoCheck = true;
      break;
    case OID.subjectAltName:
      for (const gn of children(inner)) {
        if (gn.tagClass === asn1.Class.CONTEXT_SPECIFIC && gn.type === 0 && gn.constructed) {
          const [typeId, wrapped] = children(gn);
          const value = children(wrapped)[0];
          facts.otherNames.push({ oid: readOid(typeId), value: valueBytes(value).toString('utf8') });
        }
      }
      break;
    default:
      break;
  }
}
