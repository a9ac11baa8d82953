import { verify as cryptoVerify, type X509Certificate } from 'node:crypto';
import { KakehashiError } from '@kakehashi/core';
import forge from 'node-forge';
import {
  children,
  fromDer,
  hashForSignatureOid,
  integerToHex,
  OID,
  readOid,
  readTime,
  signedPart,
  toDer,
  valueBytes,
} from '../asn1/der.ts';
import { nameToString } from '../asn1/name.ts';
import { type CertificateFacts, inspectCertificate } from '../pki/inspect-certificate.ts';
import { CRL_REASONS, type CrlReason, normaliseSerial, type RevokedCertificate } from './create-crl.ts';

const { asn1 } = forge;

/** A decoded CRL. Its content is not trusted until {@link ParsedCrl.verify} succeeds against the issuing CA. */
export interface ParsedCrl {
  der: Buffer;
  /** The issuer Name as node:crypto renders names (`C=DE\nO=…\nCN=…`): equals the CA's `certificate.subject`. */
  issuer: string;
  issuerDer: Buffer;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** cRLNumber in hex, when present. */
  crlNumber?: string;
  authorityKeyId?: string;
  signatureOid: string;
  revoked: RevokedCertificate[];
  /** The entry for `serialHex`, if listed. */
  find(serialHex: string): RevokedCertificate | undefined;
  /**
   * True when the CRL is signed by `caCert`'s key and names it as issuer (RFC 5280 §6.3.3 (f), (g)).
   */
  verify(caCert: X509Certificate | string): boolean;
}

const REASON_BY_CODE = new Map<number, CrlReason>(Object.entries(CRL_REASONS).map(([k, v]) => [v, k as CrlReason]));

/**
 * Decodes a DER (or PEM) X.509 v2 CRL (RFC 5280 §5.1), failing with `cert-revocation-unknown` when it cannot
 * be read.
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-5.1
 */
export function parseCrl(input: Uint8Array | string): ParsedCrl {
  const der =
    typeof input === 'string'
      ? Buffer.from(input.replace(/-----(BEGIN|END) X509 CRL-----/g, '').replace(/\s+/g, ''), 'base64')
      : Buffer.from(input);
  try {
    const [tbs, sigAlg, sigBits] = children(fromDer(der));
    const fields = children(tbs);
    let i = fields[0]?.type === asn1.Type.INTEGER ? 1 : 0; // optional version
    i++; // signature AlgorithmIdentifier
    const issuerNode = fields[i++]!;
    const thisUpdate = readTime(fields[i++]);
    if (!thisUpdate) throw new Error('thisUpdate missing');
    let nextUpdate: Date | undefined;
    const maybeNext = fields[i];
    if (
      maybeNext &&
      (maybeNext.type === asn1.Type.UTCTIME || maybeNext.type === asn1.Type.GENERALIZEDTIME) &&
      maybeNext.tagClass === asn1.Class.UNIVERSAL
    ) {
      nextUpdate = readTime(maybeNext);
      i++;
    }
    const revoked: RevokedCertificate[] = [];
    const maybeList = fields[i];
    if (maybeList && maybeList.tagClass === asn1.Class.UNIVERSAL && maybeList.type === asn1.Type.SEQUENCE) {
      for (const entry of children(maybeList)) {
        const [serial, date, exts] = children(entry);
        const item: RevokedCertificate = { serialHex: integerToHex(serial), revokedAt: readTime(date) ?? new Date(0) };
        for (const ext of children(exts)) {
          const parts = children(ext);
          if (readOid(parts[0]) === OID.crlReason) {
            const code = valueBytes(fromDer(valueBytes(parts[parts.length - 1])))[0] ?? 0;
            const reason = REASON_BY_CODE.get(code);
            if (reason) item.reason = reason;
          }
        }
        revoked.push(item);
      }
      i++;
    }
    let crlNumber: string | undefined;
    let authorityKeyId: string | undefined;
    const extsWrapper = fields[i];
    if (extsWrapper && extsWrapper.tagClass === asn1.Class.CONTEXT_SPECIFIC && extsWrapper.type === 0) {
      for (const ext of children(children(extsWrapper)[0])) {
        const parts = children(ext);
        const oid = readOid(parts[0]);
        const inner = fromDer(valueBytes(parts[parts.length - 1]));
        if (oid === OID.crlNumber) crlNumber = integerToHex(inner);
        if (oid === OID.authorityKeyIdentifier) {
          const keyId = children(inner).find((c) => c.tagClass === asn1.Class.CONTEXT_SPECIFIC && c.type === 0);
          if (keyId) authorityKeyId = valueBytes(keyId).toString('hex');
        }
      }
    }
    const tbsDer = signedPart(der);
    const signatureOid = readOid(children(sigAlg)[0]);
    const signature = valueBytes(sigBits).subarray(1);
    const issuerDer = toDer(issuerNode);
    const verifiedWith = new WeakMap<CertificateFacts, boolean>();
    const crl: ParsedCrl = {
      der,
      issuer: nameToString(issuerNode),
      issuerDer,
      thisUpdate,
      signatureOid,
      revoked,
      find(serialHex) {
        const wanted = normaliseSerial(serialHex);
        return revoked.find((r) => normaliseSerial(r.serialHex) === wanted);
      },
      verify(caCert) {
        const ca = inspectCertificate(caCert);
        // Checked once per issuer certificate: this CRL's bytes and the issuer's facts never change.
        const known = verifiedWith.get(ca);
        if (known !== undefined) return known;
        const ok = verifyWith(ca);
        verifiedWith.set(ca, ok);
        return ok;
      },
    };
    function verifyWith(ca: CertificateFacts): boolean {
      if (!ca.subjectDer.equals(issuerDer)) return false;
      if (authorityKeyId && ca.subjectKeyId && authorityKeyId !== ca.subjectKeyId) return false;
      const hash = hashForSignatureOid(signatureOid);
      if (!hash) return false;
      try {
        return cryptoVerify(hash, tbsDer, ca.x509.publicKey, signature);
      } catch {
        return false;
      }
    }
    if (nextUpdate) crl.nextUpdate = nextUpdate;
    if (crlNumber !== undefined) crl.crlNumber = crlNumber;
    if (authorityKeyId !== undefined) crl.authorityKeyId = authorityKeyId;
    return crl;
  } catch (cause) {
    throw new KakehashiError(
      'cert-revocation-unknown',
      'The CRL cannot be decoded: expected a DER or PEM X.509 v2 CertificateList.',
      {
        rule: 'RFC 5280 §5.1',
        cause,
      },
    );
  }
}

/** Encodes a DER CRL as PEM (`-----BEGIN X509 CRL-----`). */
export function crlToPem(der: Uint8Array): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN X509 CRL-----\n${b64}\n-----END X509 CRL-----\n`;
}
