import { randomBytes, type X509Certificate } from 'node:crypto';
import { type CertificateFacts, OID } from '@kakehashi/trust';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import {
  type CertIdFacts,
  type CertIdHash,
  certIdFor,
  decodeAll,
  fromPkijsCertId,
  nonceOf,
  toPkijsCertId,
} from './ocsp-common.ts';

/** An OCSP request as sent: its DER, the nonce it carries and the CertID it asks about. */
export interface BuiltOcspRequest {
  der: Buffer;
  nonce: Buffer;
  certId: CertIdFacts;
}

/**
 * Builds an unsigned OCSPRequest (RFC 6960 §4.1.1) for one certificate: a CertID (SHA-256 by default) and a
 * fresh 32-byte nonce extension (RFC 8954), which the response must echo.
 * @see https://www.rfc-editor.org/rfc/rfc6960#section-4.1.1
 * @see https://www.rfc-editor.org/rfc/rfc8954
 */
export function buildOcspRequest(
  cert: string | X509Certificate | CertificateFacts,
  issuer: string | X509Certificate | CertificateFacts,
  options: { hash?: CertIdHash; nonce?: Buffer } = {},
): BuiltOcspRequest {
  const certId = certIdFor(cert, issuer, options.hash ?? 'sha256');
  const nonce = options.nonce ?? randomBytes(32);
  const request = new pkijs.OCSPRequest({
    tbsRequest: new pkijs.TBSRequest({
      requestList: [new pkijs.Request({ reqCert: toPkijsCertId(certId) })],
      requestExtensions: [
        new pkijs.Extension({
          extnID: OID.ocspNonce,
          critical: false,
          extnValue: new asn1js.OctetString({ valueHex: nonce }).toBER(false),
        }),
      ],
    }),
  });
  return { der: Buffer.from(request.toSchema(true).toBER(false)), nonce, certId };
}

/** What a responder needs from a request. */
export interface ParsedOcspRequest {
  /** One entry per Request; `undefined` where the CertID's hash algorithm is not supported. */
  certIds: (CertIdFacts | undefined)[];
  /** The raw extnValue of the nonce extension, echoed verbatim in the response. */
  nonceExtnValue?: Buffer;
  nonce?: Buffer;
  /** OIDs of critical request extensions other than the nonce (the request is then refused). */
  unsupportedCritical: string[];
}

/**
 * Decodes a DER OCSPRequest (RFC 6960 §4.1.1). Throws (plain `Error`) when the bytes are not an OCSPRequest;
 * the responder turns that into `malformedRequest`.
 */
export function parseOcspRequest(der: Uint8Array): ParsedOcspRequest {
  const request = new pkijs.OCSPRequest({ schema: decodeAll(der, 'The OCSP request') });
  const list = request.tbsRequest.requestList;
  if (list.length === 0) throw new Error('The OCSP request names no certificate');
  const exts = request.tbsRequest.requestExtensions;
  const out: ParsedOcspRequest = {
    certIds: list.map((r) => fromPkijsCertId(r.reqCert)),
    unsupportedCritical: (exts ?? []).filter((e) => e.critical && e.extnID !== OID.ocspNonce).map((e) => e.extnID),
  };
  const nonceExt = exts?.find((e) => e.extnID === OID.ocspNonce);
  if (nonceExt) {
    out.nonceExtnValue = Buffer.from(nonceExt.extnValue.valueBlock.valueHexView);
    const n = nonceOf(exts);
    if (n) out.nonce = n;
  }
  return out;
}
