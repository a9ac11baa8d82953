import { createVerify, type X509Certificate } from 'node:crypto';
import { type CertificateFacts, CRL_REASONS, type CrlReason, inspectCertificate, OID } from '@kakehashi/trust';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CMS_SIGNATURE_OID, STRONG_HASHES } from '../common/algorithms.ts';
import {
  type CertIdFacts,
  certIdFor,
  decodeAll,
  facts,
  fromPkijsCertId,
  keyHashOf,
  nonceOf,
  OCSP_STATUS_NAME,
  type OcspResponseStatusName,
  sameCertId,
} from './ocsp-common.ts';

/** Why an OCSP response was not accepted. */
export type OcspProblem = 'malformed' | 'responder-error' | 'signature' | 'signer' | 'cert-id' | 'nonce' | 'freshness';

/** An OCSP response that was accepted: what it says about the certificate. */
export interface OcspAccepted {
  ok: true;
  status: 'good' | 'revoked' | 'unknown';
  producedAt: Date;
  thisUpdate: Date;
  nextUpdate?: Date;
  revokedAt?: Date;
  reason?: CrlReason;
  /** Label of the certificate that signed the response. */
  signer: string;
  /** True when signed by a delegated responder (EKU id-kp-OCSPSigning) rather than by the CA. */
  delegated: boolean;
}

/** An OCSP response that was refused, with the rule it breaks. */
export interface OcspRejected {
  ok: false;
  problem: OcspProblem;
  reason: string;
  rule: string;
  /** The responder's status when it was not `successful` (e.g. `tryLater`). */
  responseStatus?: OcspResponseStatusName;
}

export type OcspCheck = OcspAccepted | OcspRejected;

export interface CheckOcspOptions {
  /** The certificate asked about and its issuing CA (whose key signs, or issued the delegated signer). */
  certificate: string | X509Certificate | CertificateFacts;
  issuer: string | X509Certificate | CertificateFacts;
  /** The nonce sent: the response must echo it (RFC 8954). */
  nonce?: Buffer;
  /** Validation time (the virtual clock). */
  at: Date;
  /** Tolerance for thisUpdate in the future, seconds (default 60). */
  clockSkewSeconds?: number;
  /** Without nextUpdate, how old thisUpdate may be, seconds (default one day). */
  maxAgeSeconds?: number;
}

const iso = (d: Date) => d.toISOString();
const REASON_BY_CODE = new Map<number, CrlReason>(Object.entries(CRL_REASONS).map(([k, v]) => [v, k as CrlReason]));
const reject = (problem: OcspProblem, reason: string, rule: string): OcspRejected => ({
  ok: false,
  problem,
  reason,
  rule,
});

function verifyWith(tbs: Uint8Array, signatureOid: string, signature: Buffer, cert: CertificateFacts): boolean {
  const scheme = CMS_SIGNATURE_OID[signatureOid];
  if (!scheme || !STRONG_HASHES.has(scheme.hash)) return false;
  // Reading the key is inside the try: a certificate that parses may carry a key that does not decode.
  try {
    const key = cert.x509.publicKey;
    if ((scheme.key === 'ec') !== (key.asymmetricKeyType === 'ec')) return false;
    return createVerify(scheme.hash).update(tbs).verify(key, signature);
  } catch {
    return false;
  }
}

/** Names `issuer` as issuer and its signature (SHA-256 or stronger) verifies with `issuer`'s key. */
function issuedBy(cert: CertificateFacts, issuer: CertificateFacts): boolean {
  return cert.issuerDer.equals(issuer.subjectDer) && verifyWith(cert.tbsDer, cert.signatureOid, cert.signature, issuer);
}

/**
 * Checks an OCSP response about one certificate as RFC 6960 §3.2 asks a client to: a successful BasicOCSPResponse;
 * the signature over ResponseData (bytes as received, SHA-256 or stronger) by the CA itself or by a delegated
 * responder whose certificate the CA issued with id-kp-OCSPSigning and that is valid now (§4.2.2.2); a
 * SingleResponse whose CertID is the certificate's (issuer name and key hashes, serial); thisUpdate not in the
 * future and nextUpdate not passed (§4.2.2.1); the nonce echoed. Never throws: a response that fails any check is
 * an {@link OcspRejected} naming the check.
 * @see https://www.rfc-editor.org/rfc/rfc6960#section-3.2
 * @see https://www.rfc-editor.org/rfc/rfc8954
 */
export function checkOcspResponse(der: Uint8Array, options: CheckOcspOptions): OcspCheck {
  let cert: CertificateFacts;
  let issuer: CertificateFacts;
  try {
    cert = facts(options.certificate);
    issuer = facts(options.issuer);
  } catch {
    return reject('malformed', 'The certificate or its issuer cannot be read.', 'RFC 6960 §4.1.1');
  }
  let basic: pkijs.BasicOCSPResponse;
  try {
    const response = new pkijs.OCSPResponse({ schema: decodeAll(der, 'The OCSP response') });
    const status = response.responseStatus.valueBlock.valueDec;
    if (status !== 0) {
      const name = OCSP_STATUS_NAME.get(status);
      const r = reject(
        'responder-error',
        `The OCSP responder answered "${name ?? `status ${status}`}" instead of a status.`,
        'RFC 6960 §4.2.1',
      );
      if (name) r.responseStatus = name;
      return r;
    }
    if (!response.responseBytes || response.responseBytes.responseType !== OID.ocspBasic)
      return reject('malformed', 'The OCSP response is not a BasicOCSPResponse.', 'RFC 6960 §4.2.1');
    basic = new pkijs.BasicOCSPResponse({
      schema: decodeAll(response.responseBytes.response.valueBlock.valueHexView, 'The BasicOCSPResponse'),
    });
  } catch (e) {
    return reject(
      'malformed',
      `The OCSP response cannot be decoded: ${(e as Error).message.slice(0, 160)}.`,
      'RFC 6960 §4.2.1',
    );
  }

  // ---- who signed: the CA, or a delegated responder it authorised (RFC 6960 §4.2.2.2)
  const data = basic.tbsResponseData;
  const tbs = data.tbsView;
  const sigOid = basic.signatureAlgorithm.algorithmId;
  const signature = Buffer.from(basic.signature.valueBlock.valueHexView);
  const rid = data.responderID;
  const byKey = rid instanceof asn1js.OctetString ? Buffer.from(rid.valueBlock.valueHexView) : undefined;
  const byName = rid instanceof pkijs.RelativeDistinguishedNames ? Buffer.from(rid.toSchema().toBER(false)) : undefined;
  const named = (c: CertificateFacts) => (byKey ? keyHashOf(c).equals(byKey) : !!byName && c.subjectDer.equals(byName));
  const included: CertificateFacts[] = [];
  for (const c of basic.certs ?? []) {
    try {
      included.push(inspectCertificate(new Uint8Array(c.toSchema().toBER(false))));
    } catch {
      // an unreadable certificate can sign nothing
    }
  }
  const scheme = CMS_SIGNATURE_OID[sigOid];
  if (!scheme || !STRONG_HASHES.has(scheme.hash))
    return reject(
      'signature',
      `The OCSP response is signed with ${scheme?.name ?? sigOid}, which is not accepted (SHA-256 or stronger).`,
      'RFC 6960 §4.3; ETSI TS 119 312',
    );
  let signer: CertificateFacts | undefined;
  let delegated = false;
  if (named(issuer) && verifyWith(tbs, sigOid, signature, issuer)) signer = issuer;
  else {
    const candidate = included.find((c) => named(c) && verifyWith(tbs, sigOid, signature, c));
    if (!candidate) {
      return reject(
        'signature',
        `The signature of the OCSP response does not verify with the key of "${issuer.label}" nor of a responder certificate it carries: the response was altered or forged.`,
        'RFC 6960 §3.2 (2), §4.2.1',
      );
    }
    if (!issuedBy(candidate, issuer))
      return reject(
        'signer',
        `The OCSP response is signed by "${candidate.label}", which was not issued by "${issuer.label}" — the CA of "${cert.label}" — so it may not answer for it.`,
        'RFC 6960 §3.2 (3), §4.2.2.2',
      );
    if (!candidate.extKeyUsage?.includes(OID.ocspSigning))
      return reject(
        'signer',
        `The OCSP response is signed by "${candidate.label}", which "${issuer.label}" issued without the extended key usage id-kp-OCSPSigning: it is not an authorised responder.`,
        'RFC 6960 §3.2 (3), §4.2.2.2',
      );
    const t = options.at.getTime();
    if (t < candidate.notBefore.getTime() || t > candidate.notAfter.getTime())
      return reject(
        'signer',
        `The OCSP responder certificate "${candidate.label}" is not valid at ${iso(options.at)} (valid ${iso(candidate.notBefore)} to ${iso(candidate.notAfter)}).`,
        'RFC 6960 §4.2.2.2',
      );
    signer = candidate;
    delegated = true;
  }

  // ---- the status of this very certificate (CertID), fresh, with our nonce
  const responses = data.responses.map((r) => ({ single: r, id: fromPkijsCertId(r.certID) }));
  const wanted = new Map<string, CertIdFacts>();
  const match = responses.find(({ id }) => {
    if (!id) return false;
    let mine = wanted.get(id.hash);
    if (!mine) {
      mine = certIdFor(cert, issuer, id.hash);
      wanted.set(id.hash, mine);
    }
    return sameCertId(id, mine);
  });
  if (!match)
    return reject(
      'cert-id',
      `The OCSP response carries no status for "${cert.label}" (serial ${cert.serialHex}) issued by "${issuer.label}": its CertID names another certificate or issuer.`,
      'RFC 6960 §3.2 (1), §4.1.1',
    );
  const single = match.single;
  const skew = (options.clockSkewSeconds ?? 60) * 1000;
  const at = options.at.getTime();
  if (single.thisUpdate.getTime() > at + skew)
    return reject(
      'freshness',
      `The OCSP response's thisUpdate ${iso(single.thisUpdate)} is after the validation time ${iso(options.at)}.`,
      'RFC 6960 §3.2 (4)',
    );
  if (single.nextUpdate && single.nextUpdate.getTime() < at)
    return reject(
      'freshness',
      `The OCSP response is stale: its nextUpdate ${iso(single.nextUpdate)} is before the validation time ${iso(options.at)}.`,
      'RFC 6960 §3.2 (5), §4.2.2.1',
    );
  if (!single.nextUpdate && at - single.thisUpdate.getTime() > (options.maxAgeSeconds ?? 86_400) * 1000)
    return reject(
      'freshness',
      `The OCSP response was produced at ${iso(single.thisUpdate)}, too long before the validation time ${iso(options.at)}.`,
      'RFC 6960 §4.2.2.1',
    );
  if (options.nonce) {
    const echoed = nonceOf(data.responseExtensions);
    if (!echoed?.equals(options.nonce))
      return reject(
        'nonce',
        echoed
          ? 'The OCSP response echoes another nonce than the one sent: it answers another request (replay).'
          : 'The OCSP response does not echo the nonce that was sent: it may be a replayed response.',
        'RFC 6960 §4.4.1; RFC 8954',
      );
  }
  const out: OcspAccepted = {
    ok: true,
    status: 'good',
    producedAt: data.producedAt,
    thisUpdate: single.thisUpdate,
    signer: signer.label,
    delegated,
  };
  if (single.nextUpdate) out.nextUpdate = single.nextUpdate;
  const cs = single.certStatus as asn1js.BaseBlock;
  const tag = cs.idBlock.tagNumber;
  if (tag === 1 && cs.idBlock.isConstructed) {
    out.status = 'revoked';
    const info = (cs as asn1js.Constructed).valueBlock.value;
    const time = info[0];
    if (time instanceof asn1js.GeneralizedTime) out.revokedAt = time.toDate();
    const reasonWrap = info[1];
    if (reasonWrap instanceof asn1js.Constructed) {
      const e = reasonWrap.valueBlock.value[0];
      if (e instanceof asn1js.Enumerated) {
        const r = REASON_BY_CODE.get(e.valueBlock.valueDec);
        if (r) out.reason = r;
      }
    }
    if (!out.revokedAt)
      return reject('malformed', 'The OCSP response says "revoked" without a revocation time.', 'RFC 6960 §4.2.1');
  } else if (tag === 2) out.status = 'unknown';
  else if (tag !== 0)
    return reject('malformed', 'The OCSP certStatus is not good, revoked or unknown.', 'RFC 6960 §4.2.1');
  return out;
}
