import { createHash, type KeyObject, sign, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import {
  fromDer,
  integerFromHex,
  integerFromNumber,
  OID,
  octetString,
  oidNode,
  seq,
  timeNode,
  toDer,
  utf8String,
} from '../asn1/der.ts';

const { asn1 } = forge;

/** The marker every subject carries so that the material is visibly test-only. */
export const TEST_ONLY_OU = 'Kakehashi TEST ONLY - not for production';

/** Names of the RFC 5280 §4.2.1.3 key usage bits. */
export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

/** Bit positions of the key usages in the KeyUsage BIT STRING. */
export const KEY_USAGE_BITS: readonly KeyUsageName[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

/** One attribute of a distinguished name, in the order given (most significant first). */
export interface DnAttribute {
  type: 'C' | 'O' | 'OU' | 'CN' | 'L' | 'serialNumber' | 'organizationIdentifier';
  value: string;
}

/** A subjectAltName entry. */
export type AltName =
  | { type: 'dns'; value: string }
  | { type: 'ip'; value: string }
  | { type: 'uri'; value: string }
  | { type: 'email'; value: string }
  | { type: 'otherName'; oid: string; value: string };

/** What to put in a certificate. */
export interface CertificateTemplate {
  subject: DnAttribute[];
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  basicConstraints?: { cA: boolean; pathLen?: number };
  keyUsage?: KeyUsageName[];
  /** Extended key usage OIDs (see {@link OID}). */
  extKeyUsage?: string[];
  /** Mark extKeyUsage critical (RFC 3161 §2.3 requires it for a TSA certificate). Default false. */
  extKeyUsageCritical?: boolean;
  subjectAltNames?: AltName[];
  /** CRL distribution point URL (RFC 5280 §4.2.1.13). */
  crlDistributionPoint?: string;
  /** OCSP responder URL, as authorityInfoAccess id-ad-ocsp (RFC 5280 §4.2.2.1, RFC 6960 §3.1). */
  ocspUrl?: string;
  /** Add id-pkix-ocsp-nocheck (a delegated OCSP signer whose own revocation is not checked, RFC 6960 §4.2.2.2.1). */
  ocspNoCheck?: boolean;
  /**
   * TEST ONLY: further extensions copied verbatim (OID, criticality, DER of extnValue's content), appended after
   * the standard ones — e.g. an unknown critical extension a validator must reject (RFC 5280 §4.2, attack C10).
   */
  extraExtensions?: { oid: string; critical: boolean; valueDer: Uint8Array }[];
  /**
   * Signature hash. `sha256` always, except to build deliberately weak certificates for attack tests
   * (`sha1` is refused by {@link validateCertificatePath} as cert-weak-algorithm).
   */
  signatureHash?: 'sha256' | 'sha384' | 'sha512' | 'sha1';
}

/** Who signs: the issuer's certificate and private key; omit for a self-signed certificate. */
export interface CertificateIssuer {
  certificate: X509Certificate;
  privateKey: KeyObject;
}

const DN_OIDS: Record<DnAttribute['type'], string> = {
  C: OID.countryName,
  O: OID.organizationName,
  OU: OID.organizationalUnitName,
  CN: OID.commonName,
  L: OID.localityName,
  serialNumber: OID.serialNumber,
  organizationIdentifier: OID.organizationIdentifier,
};

/** Encodes a distinguished name (RFC 5280 §4.1.2.4): PrintableString for C and serialNumber, UTF8String otherwise. */
export function encodeName(attrs: DnAttribute[]): forge.asn1.Asn1 {
  return seq(
    attrs.map((a) => {
      const printable = a.type === 'C' || a.type === 'serialNumber';
      const value = printable
        ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.PRINTABLESTRING, false, a.value)
        : utf8String(a.value);
      return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, [seq([oidNode(DN_OIDS[a.type]), value])]);
    }),
  );
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING value. */
export function keyIdentifierOf(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const node = fromDer(spki);
  const bitString = (node.value as forge.asn1.Asn1[])[1]!.value as string;
  return createHash('sha1').update(Buffer.from(bitString, 'binary').subarray(1)).digest();
}

function extension(oid: string, critical: boolean, value: forge.asn1.Asn1): forge.asn1.Asn1 {
  const items = [oidNode(oid)];
  if (critical) items.push(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BOOLEAN, false, String.fromCharCode(0xff)));
  items.push(octetString(toDer(value)));
  return seq(items);
}

function keyUsageBits(usages: KeyUsageName[]): forge.asn1.Asn1 {
  const bytes = [0, 0];
  let highest = -1;
  for (const u of usages) {
    const bit = KEY_USAGE_BITS.indexOf(u);
    bytes[bit >> 3]! |= 0x80 >> (bit & 7);
    highest = Math.max(highest, bit);
  }
  const len = highest >= 8 ? 2 : 1;
  const unused = len * 8 - 1 - highest;
  const content = String.fromCharCode(unused, ...bytes.slice(0, len));
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, content);
}

function generalName(name: AltName): forge.asn1.Asn1 {
  const ctx = (tag: number, value: string) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, false, value);
  switch (name.type) {
    case 'email':
      return ctx(1, name.value);
    case 'dns':
      return ctx(2, name.value);
    case 'uri':
      return ctx(6, name.value);
    case 'ip': {
      const bytes = (forge.util as unknown as { bytesFromIP(ip: string): string | null }).bytesFromIP(name.value);
      if (bytes === null) throw new RangeError(`"${name.value}" is not an IP address`);
      return ctx(7, bytes);
    }
    case 'otherName':
      // OtherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT ANY } (implicitly tagged [0] in GeneralName)
      return asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
        oidNode(name.oid),
        asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [utf8String(name.value)]),
      ]);
  }
}

const SIG_OIDS = {
  sha1: OID.sha1WithRSA,
  sha256: OID.sha256WithRSA,
  sha384: OID.sha384WithRSA,
  sha512: OID.sha512WithRSA,
} as const;

/**
 * Builds and signs an X.509 v3 certificate (RFC 5280 §4.1) for an RSA `publicKey`: the TBSCertificate is
 * assembled with node-forge's ASN.1 layer and signed with node:crypto (RSASSA-PKCS1-v1_5), so the same inputs
 * give byte-identical certificates.
 *
 * Always emits subjectKeyIdentifier; authorityKeyIdentifier when issued by another certificate (and for
 * self-signed ones, equal to the SKI, as RFC 5280 §4.2.1.1 allows); cRLDistributionPoints and
 * authorityInfoAccess (OCSP) when the template names them; `extraExtensions` verbatim (tests only).
 *
 * @param issuer the signer; omit to self-sign with `selfSigningKey`.
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-4.1
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-4.2
 */
export function issueCertificate(
  template: CertificateTemplate,
  publicKey: KeyObject,
  issuer: CertificateIssuer | { selfSigningKey: KeyObject },
): { certPem: string; certificate: X509Certificate; der: Buffer } {
  const hash = template.signatureHash ?? 'sha256';
  const sigAlg = seq([oidNode(SIG_OIDS[hash]), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]);
  const subjectName = encodeName(template.subject);
  const selfSigned = 'selfSigningKey' in issuer;
  const issuerName = selfSigned ? subjectName : issuerSubjectNode(issuer.certificate);
  const signingKey = selfSigned ? issuer.selfSigningKey : issuer.privateKey;
  const ski = keyIdentifierOf(publicKey);
  const aki = selfSigned ? ski : keyIdentifierOf(issuer.certificate.publicKey);

  const exts: forge.asn1.Asn1[] = [];
  if (template.basicConstraints) {
    const bc: forge.asn1.Asn1[] = [];
    if (template.basicConstraints.cA)
      bc.push(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BOOLEAN, false, String.fromCharCode(0xff)));
    if (template.basicConstraints.pathLen !== undefined) bc.push(integerFromNumber(template.basicConstraints.pathLen));
    exts.push(extension(OID.basicConstraints, true, seq(bc)));
  }
  if (template.keyUsage && template.keyUsage.length > 0)
    exts.push(extension(OID.keyUsage, true, keyUsageBits(template.keyUsage)));
  if (template.extKeyUsage && template.extKeyUsage.length > 0) {
    exts.push(
      extension(OID.extKeyUsage, template.extKeyUsageCritical === true, seq(template.extKeyUsage.map(oidNode))),
    );
  }
  if (template.subjectAltNames && template.subjectAltNames.length > 0) {
    exts.push(extension(OID.subjectAltName, false, seq(template.subjectAltNames.map(generalName))));
  }
  exts.push(extension(OID.subjectKeyIdentifier, false, octetString(ski)));
  exts.push(
    extension(
      OID.authorityKeyIdentifier,
      false,
      seq([asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, aki.toString('binary'))]),
    ),
  );
  if (template.crlDistributionPoint) {
    // DistributionPoint { distributionPoint [0] { fullName [0] GeneralNames } }
    const fullName = asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
      generalName({ type: 'uri', value: template.crlDistributionPoint }),
    ]);
    const dpName = asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [fullName]);
    exts.push(extension(OID.crlDistributionPoints, false, seq([seq([dpName])])));
  }
  if (template.ocspUrl) {
    // AuthorityInfoAccessSyntax ::= SEQUENCE OF AccessDescription { accessMethod id-ad-ocsp, accessLocation URI }
    exts.push(
      extension(
        OID.authorityInfoAccess,
        false,
        seq([seq([oidNode(OID.adOcsp), generalName({ type: 'uri', value: template.ocspUrl })])]),
      ),
    );
  }
  if (template.ocspNoCheck)
    exts.push(extension(OID.ocspNoCheck, false, asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')));
  for (const extra of template.extraExtensions ?? [])
    exts.push(extension(extra.oid, extra.critical, fromDer(extra.valueDer)));

  const spkiDer = publicKey.export({ type: 'spki', format: 'der' });
  const tbs = seq([
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [integerFromNumber(2)]),
    integerFromHex(template.serialHex),
    sigAlg,
    issuerName,
    seq([timeNode(template.notBefore), timeNode(template.notAfter)]),
    subjectName,
    fromDer(spkiDer),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 3, true, [seq(exts)]),
  ]);
  const tbsDer = toDer(tbs);
  const signature = sign(hash, tbsDer, signingKey);
  const certAsn1 = seq([
    tbs,
    sigAlg,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\u0000${signature.toString('binary')}`),
  ]);
  const der = toDer(certAsn1);
  const certificate = new X509Certificate(der);
  return { certPem: certificate.toString(), certificate, der };
}

/** The issuer's subject Name exactly as encoded in its certificate (so names compare byte for byte). */
function issuerSubjectNode(cert: X509Certificate): forge.asn1.Asn1 {
  const node = fromDer(cert.raw);
  const tbs = (node.value as forge.asn1.Asn1[])[0]!;
  const fields = tbs.value as forge.asn1.Asn1[];
  const offset = fields[0]!.tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  return fields[offset + 4]!;
}
