import { sign } from 'node:crypto';
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
} from '../asn1/der.ts';
import { inspectCertificate } from '../pki/inspect-certificate.ts';
import type { KeyCert } from '../pki/types.ts';

const { asn1 } = forge;

/** RFC 5280 §5.3.1 CRLReason values (7 is unused). */
export const CRL_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;

export type CrlReason = keyof typeof CRL_REASONS;

/** One revoked certificate, as listed in a CRL. */
export interface RevokedCertificate {
  /** Serial number, hex (case and leading zeros do not matter). */
  serialHex: string;
  revokedAt: Date;
  reason?: CrlReason;
}

/** The CA that signs a CRL: its certificate and key (a {@link KeyCert} fits). */
export type CrlIssuer = Pick<KeyCert, 'certificate' | 'privateKey'>;

export function normaliseSerial(hex: string): string {
  const clean = hex
    .replace(/[^0-9a-fA-F]/g, '')
    .toLowerCase()
    .replace(/^(00)+(?=..)/, '');
  return clean === '' ? '00' : clean;
}

/**
 * Builds a signed X.509 v2 CRL (RFC 5280 §5.1) with node-forge's ASN.1 layer, signed with sha256WithRSA by
 * node:crypto. The issuer Name is copied byte for byte from the CA certificate; the CRL carries the
 * authorityKeyIdentifier and cRLNumber extensions (§5.2.1, §5.2.3) and, per entry, a reasonCode (§5.3.1).
 * Entries are ordered by serial number so the same input always gives the same bytes.
 *
 * @returns the DER-encoded CertificateList (serve it as `application/pkix-crl`).
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-5.1
 */
export function createCrl(
  ca: CrlIssuer,
  revoked: readonly RevokedCertificate[],
  thisUpdate: Date,
  nextUpdate: Date,
  crlNumber: number | bigint,
): Buffer {
  if (nextUpdate.getTime() <= thisUpdate.getTime())
    throw new RangeError('createCrl: nextUpdate must be after thisUpdate');
  const caFacts = inspectCertificate(ca.certificate);
  const sigAlg = seq([oidNode(OID.sha256WithRSA), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]);
  const entries = [...revoked]
    .map((r) => ({ ...r, serialHex: normaliseSerial(r.serialHex) }))
    .sort((a, b) => (BigInt(`0x${a.serialHex}`) < BigInt(`0x${b.serialHex}`) ? -1 : 1))
    .map((r) => {
      const items = [integerFromHex(r.serialHex), timeNode(r.revokedAt)];
      if (r.reason !== undefined) {
        const reason = asn1.create(
          asn1.Class.UNIVERSAL,
          asn1.Type.ENUMERATED,
          false,
          String.fromCharCode(CRL_REASONS[r.reason]),
        );
        items.push(seq([seq([oidNode(OID.crlReason), octetString(toDer(reason))])]));
      }
      return seq(items);
    });
  const extensions: forge.asn1.Asn1[] = [];
  if (caFacts.subjectKeyId) {
    const keyId = asn1.create(
      asn1.Class.CONTEXT_SPECIFIC,
      0,
      false,
      Buffer.from(caFacts.subjectKeyId, 'hex').toString('binary'),
    );
    extensions.push(seq([oidNode(OID.authorityKeyIdentifier), octetString(toDer(seq([keyId])))]));
  }
  extensions.push(seq([oidNode(OID.crlNumber), octetString(toDer(integerFromNumber(crlNumber)))]));
  const tbsItems: forge.asn1.Asn1[] = [
    integerFromNumber(1), // v2
    sigAlg,
    fromDer(caFacts.subjectDer),
    timeNode(thisUpdate),
    timeNode(nextUpdate),
  ];
  if (entries.length > 0) tbsItems.push(seq(entries));
  tbsItems.push(asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [seq(extensions)]));
  const tbs = seq(tbsItems);
  const signature = sign('sha256', toDer(tbs), ca.privateKey);
  return toDer(
    seq([
      tbs,
      sigAlg,
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\u0000${signature.toString('binary')}`),
    ]),
  );
}
