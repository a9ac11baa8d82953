import { createHash, type KeyObject, sign, type X509Certificate } from 'node:crypto';
import type { Clock } from '@kakehashi/core';
import { CRL_REASONS, type CrlReason, OID, type RevokedCertificate } from '@kakehashi/trust';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { SHA256_WITH_RSA_OID } from '../common/algorithms.ts';
import { pemToDer } from '../common/certificates.ts';
import {
  type CertIdFacts,
  facts,
  keyHashOf,
  OCSP_RESPONSE_STATUS,
  type OcspResponseStatusName,
  subjectPublicKeyBits,
  toPkijsCertId,
} from './ocsp-common.ts';
import { type ParsedOcspRequest, parseOcspRequest } from './ocsp-request.ts';

/** What a responder answers for: the CA, who signs, and where the revocation records are. */
export interface OcspResponderOptions {
  /** The CA whose certificates the responder reports on. Its key signs when there is no delegated `signer`. */
  ca: { certificate: X509Certificate | string; privateKey?: KeyObject };
  /** A delegated responder certificate issued by the CA with EKU id-kp-OCSPSigning (RFC 6960 §4.2.2.2). */
  signer?: { certPem: string; privateKey: KeyObject };
  /** The revocation record of a serial (hex) of this CA, if revoked: the same records the CRL is built from. */
  status: (serialHex: string) => RevokedCertificate | undefined;
  clock: Pick<Clock, 'now'>;
  /** nextUpdate − thisUpdate, seconds (default one day). */
  validitySeconds?: number;
  /**
   * TEST ONLY (fault `ocsp.forged`): a key the CA never authorised to sign its responses (a certificate without
   * id-kp-OCSPSigning), used instead of the real signer while the fault is on.
   */
  unauthorisedSigner?: { certPem: string; privateKey: KeyObject };
}

/**
 * The security lab's OCSP faults as the responder applies them: `unknown` (certStatus unknown for every CertID),
 * `try-later` (the error status tryLater, no response bytes), `forged` (signed by the unauthorised signer).
 * @see https://www.rfc-editor.org/rfc/rfc6960#section-2.2
 */
export type OcspFault = 'unknown' | 'try-later' | 'forged';

/** One answered request, for traces and logs. */
export interface OcspAnswer {
  der: Buffer;
  responseStatus: OcspResponseStatusName;
  /** Plain-language reason for a non-successful status. */
  reason?: string;
  responses: { serialHex: string; status: 'good' | 'revoked' | 'unknown'; revokedAt?: string; reason?: CrlReason }[];
  nonce: boolean;
  signer?: string;
}

export interface OcspResponder {
  /** Label (CN) of the CA answered for. */
  caLabel: string;
  /** Label of the certificate that signs the responses (the delegated signer, or the CA). */
  signerLabel: string;
  /** Answers a DER OCSPRequest with a DER OCSPResponse (never throws on bad input); `fault`: the lab's misbehaviour. */
  respond(requestDer: Uint8Array, fault?: OcspFault): OcspAnswer;
}

const seconds = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);

function errorResponse(status: Exclude<OcspResponseStatusName, 'successful'>, reason: string): OcspAnswer {
  const der = new pkijs.OCSPResponse({
    responseStatus: new asn1js.Enumerated({ value: OCSP_RESPONSE_STATUS[status] }),
  })
    .toSchema()
    .toBER(false);
  return { der: Buffer.from(der), responseStatus: status, reason, responses: [], nonce: false };
}

/**
 * An RFC 6960 OCSP responder for one CA, driven by the virtual clock: each CertID of the request that names this
 * CA (issuer name and key hashes, any of SHA-1/256/384/512) is answered `good` or `revoked` (with the revocation
 * time and CRLReason) from the revocation records the CRLs are built from; thisUpdate = producedAt = now,
 * nextUpdate = now + validity; the request nonce is echoed (RFC 8954). The BasicOCSPResponse is signed
 * sha256WithRSA by the delegated signer (its certificate included, responderID byKey) or by the CA itself.
 * Errors are protocol-level: `malformedRequest` (not an OCSPRequest, unsupported hash, unknown critical
 * extension), `unauthorized` (a CertID of another CA).
 * @see https://www.rfc-editor.org/rfc/rfc6960#section-4.2
 */
export function createOcspResponder(options: OcspResponderOptions): OcspResponder {
  const ca = facts(options.ca.certificate);
  const signerCert = options.signer ? facts(options.signer.certPem) : ca;
  const signingKey = options.signer?.privateKey ?? options.ca.privateKey;
  if (!signingKey) throw new Error('createOcspResponder: give the CA private key or a delegated signer');
  const validityMs = (options.validitySeconds ?? 86_400) * 1000;
  const caKeyBits = subjectPublicKeyBits(ca);
  const matchesCa = (id: CertIdFacts) =>
    createHash(id.hash).update(ca.subjectDer).digest().equals(id.issuerNameHash) &&
    createHash(id.hash).update(caKeyBits).digest().equals(id.issuerKeyHash);
  const pkijsCert = (pem: string) =>
    new pkijs.Certificate({ schema: asn1js.fromBER(new Uint8Array(pemToDer(pem))).result });
  const signerCertPkijs = options.signer ? pkijsCert(options.signer.certPem) : undefined;
  const rogue = options.unauthorisedSigner;
  const rogueFacts = rogue ? facts(rogue.certPem) : undefined;

  const respond = (requestDer: Uint8Array, fault?: OcspFault): OcspAnswer => {
    if (fault === 'try-later')
      return errorResponse('tryLater', 'The responder is busy (fault ocsp.try-later): try later (RFC 6960 §2.3).');
    if (fault === 'forged' && !(rogue && rogueFacts))
      return errorResponse('internalError', 'No unauthorised signer is configured for the fault ocsp.forged.');
    const forged = fault === 'forged' && rogue && rogueFacts ? { ...rogue, facts: rogueFacts } : undefined;
    let req: ParsedOcspRequest;
    try {
      req = parseOcspRequest(requestDer);
    } catch (e) {
      return errorResponse('malformedRequest', (e as Error).message.slice(0, 200));
    }
    if (req.unsupportedCritical.length > 0)
      return errorResponse('malformedRequest', `Unsupported critical request extension ${req.unsupportedCritical[0]}.`);
    if (req.certIds.length > 20) return errorResponse('malformedRequest', 'At most 20 certificates per request.');
    const ids: CertIdFacts[] = [];
    for (const id of req.certIds) {
      if (!id) return errorResponse('malformedRequest', 'A CertID uses an unsupported hash algorithm.');
      if (!matchesCa(id))
        return errorResponse(
          'unauthorized',
          `A CertID names another issuer than "${ca.label}", which this responder serves.`,
        );
      ids.push(id);
    }
    const now = seconds(options.clock.now());
    const nextUpdate = new Date(now.getTime() + validityMs);
    const answers: OcspAnswer['responses'] = [];
    const singles = ids.map((id) => {
      // A forged response whitewashes: it says good whatever the records say.
      const revoked = forged ? undefined : options.status(id.serialHex);
      let certStatus: asn1js.BaseBlock;
      if (fault === 'unknown') {
        certStatus = new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 2 } });
        answers.push({ serialHex: id.serialHex, status: 'unknown' });
      } else if (revoked) {
        const info: asn1js.BaseBlock[] = [new asn1js.GeneralizedTime({ valueDate: seconds(revoked.revokedAt) })];
        if (revoked.reason)
          info.push(
            new asn1js.Constructed({
              idBlock: { tagClass: 3, tagNumber: 0 },
              value: [new asn1js.Enumerated({ value: CRL_REASONS[revoked.reason] })],
            }),
          );
        certStatus = new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 1 }, value: info });
        answers.push({
          serialHex: id.serialHex,
          status: 'revoked',
          revokedAt: seconds(revoked.revokedAt).toISOString(),
          ...(revoked.reason ? { reason: revoked.reason } : {}),
        });
      } else {
        certStatus = new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 } });
        answers.push({ serialHex: id.serialHex, status: 'good' });
      }
      return new pkijs.SingleResponse({ certID: toPkijsCertId(id), certStatus, thisUpdate: now, nextUpdate });
    });
    const data = new pkijs.ResponseData({
      responderID: new asn1js.OctetString({ valueHex: keyHashOf(forged?.facts ?? signerCert) }),
      producedAt: now,
      responses: singles,
      ...(req.nonceExtnValue
        ? {
            responseExtensions: [
              new pkijs.Extension({
                extnID: OID.ocspNonce,
                critical: false,
                extnValue: Uint8Array.from(req.nonceExtnValue).buffer,
              }),
            ],
          }
        : {}),
    });
    const tbs = Buffer.from(data.toSchema(true).toBER(false));
    data.tbsView = new Uint8Array(tbs);
    const signature = sign('sha256', tbs, forged?.privateKey ?? signingKey);
    const basic = new pkijs.BasicOCSPResponse({
      tbsResponseData: data,
      signatureAlgorithm: new pkijs.AlgorithmIdentifier({
        algorithmId: SHA256_WITH_RSA_OID,
        algorithmParams: new asn1js.Null(),
      }),
      signature: new asn1js.BitString({ valueHex: signature }),
      ...(forged ? { certs: [pkijsCert(forged.certPem)] } : signerCertPkijs ? { certs: [signerCertPkijs] } : {}),
    });
    const response = new pkijs.OCSPResponse({
      responseStatus: new asn1js.Enumerated({ value: OCSP_RESPONSE_STATUS.successful }),
      responseBytes: new pkijs.ResponseBytes({
        responseType: OID.ocspBasic,
        response: new asn1js.OctetString({ valueHex: basic.toSchema().toBER(false) }),
      }),
    });
    return {
      der: Buffer.from(response.toSchema().toBER(false)),
      responseStatus: 'successful',
      responses: answers,
      nonce: req.nonceExtnValue !== undefined,
      signer: forged?.facts.label ?? signerCert.label,
    };
  };

  return { caLabel: ca.label, signerLabel: signerCert.label, respond };
}
