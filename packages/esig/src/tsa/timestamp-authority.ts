import { randomBytes } from 'node:crypto';
import type { Clock } from '@kakehashi/core';
import {
  bool,
  children,
  type Der,
  DerError,
  decodeOid,
  expectTag,
  generalizedTime,
  integer,
  octets,
  oid,
  readDerExact,
  seq,
  TAG,
  tlv,
} from '../asn1/der.ts';
import { CMS_OID, signCms, signingCertificateV2 } from '../cades/cms.ts';
import { HASH_OID, OID_OF_HASH } from '../common/algorithms.ts';
import { certLabel, pemToDer, type SigningCredential, toX509 } from '../common/certificates.ts';

/** ETSI EN 319 421 best-practices time-stamp policy (id-etsi-tsp-best-practices-ts-policy), used by default. */
export const DEFAULT_TSA_POLICY = '0.4.0.2023.1.1';
export const TIMESTAMP_QUERY_TYPE = 'application/timestamp-query';
export const TIMESTAMP_REPLY_TYPE = 'application/timestamp-reply';

export type ImprintHash = 'sha256' | 'sha384' | 'sha512';

export interface StampOptions {
  /** The requester's nonce (INTEGER content bytes), echoed in TSTInfo. */
  nonce?: Buffer;
  /** Include the TSA certificate and chain in the token (RFC 3161 certReq); default true. */
  certReq?: boolean;
}

export interface IssuedTimestamp {
  /** The TimeStampToken: a ContentInfo with a SignedData over TSTInfo (DER). */
  token: Buffer;
  genTime: Date;
  serialHex: string;
}

/** An RFC 3161 time-stamping unit driven by the virtual clock. */
export interface TimestampAuthority {
  /** The TSA certificate (PEM) and its label. */
  certPem: string;
  label: string;
  policy: string;
  stamp(imprint: { hash: ImprintHash; digest: Buffer }, options?: StampOptions): Promise<IssuedTimestamp>;
  /** Answers a DER TimeStampReq with a DER TimeStampResp (granted, or rejection with a failInfo). */
  respond(requestDer: Buffer): Promise<Buffer>;
}

/** PKIFailureInfo bit numbers (RFC 3161 §2.4.2). */
const FAIL = { badAlg: 0, badRequest: 2, badDataFormat: 5, unacceptedPolicy: 15, unacceptedExtension: 16 } as const;

function rejection(bit: number, text: string): Buffer {
  const bytes = Buffer.alloc(4);
  bytes[bit >> 3] = 0x80 >> (bit & 7);
  const used = (bit >> 3) + 1;
  const failInfo = tlv(TAG.bitString, Buffer.from([7 - (bit & 7)]), bytes.subarray(0, used));
  return seq(seq(integer(2), seq(tlv(TAG.utf8, Buffer.from(text, 'utf8'))), failInfo));
}

/**
 * Creates an RFC 3161 time-stamping unit: TSTInfo (version 1, policy, message imprint, a random serial,
 * genTime from the virtual clock with millisecond precision and an accuracy of one second, the nonce when
 * given) signed as a CMS SignedData whose signed attributes carry the ESS signing-certificate-v2 of the TSA
 * certificate (RFC 5816). The certificate must carry the critical EKU id-kp-timeStamping (RFC 3161 §2.3).
 * @see https://www.rfc-editor.org/rfc/rfc3161#section-2.4.2
 */
export function createTimestampAuthority(options: {
  credential: SigningCredential;
  clock: Pick<Clock, 'now'>;
  policy?: string;
}): TimestampAuthority {
  const { credential, clock } = options;
  const policy = options.policy ?? DEFAULT_TSA_POLICY;
  const cert = toX509(credential.certPem);
  if (!cert) throw new Error('the TSA certificate cannot be parsed');
  const certDer = pemToDer(credential.certPem);

  const stamp: TimestampAuthority['stamp'] = async (imprint, opts = {}) => {
    const genTime = clock.now();
    const serial = randomBytes(16);
    serial[0] = ((serial[0] as number) & 0x3f) | 0x40;
    const tstInfo = seq(
      integer(1),
      oid(policy),
      seq(seq(oid(OID_OF_HASH[imprint.hash])), octets(imprint.digest)),
      integer(serial),
      generalizedTime(genTime),
      seq(integer(1)),
      ...(opts.nonce ? [tlv(TAG.integer, opts.nonce)] : []),
    );
    const { der } = await signCms({
      signerCertPem: credential.certPem,
      chainPem: credential.chainPem,
      privateKey: credential.privateKey,
      eContentType: CMS_OID.tstInfo,
      content: tstInfo,
      encapsulate: true,
      signedAttributes: [signingCertificateV2(certDer)],
      includeCertificates: opts.certReq !== false,
    });
    return { token: der, genTime, serialHex: serial.toString('hex') };
  };

  const respond: TimestampAuthority['respond'] = async (requestDer) => {
    let req: Der[];
    try {
      req = children(expectTag(readDerExact(requestDer), TAG.sequence, 'TimeStampReq'));
    } catch (e) {
      return rejection(FAIL.badDataFormat, `The request is not a DER TimeStampReq: ${(e as Error).message}.`);
    }
    try {
      if (integerIs(req[0], 1) === false)
        return rejection(FAIL.badRequest, 'Only TimeStampReq version 1 is supported.');
      const [alg, hashed] = children(expectTag(req[1], TAG.sequence, 'messageImprint'));
      const hash = HASH_OID[decodeOid(children(alg)[0])];
      if (hash !== 'sha256' && hash !== 'sha384' && hash !== 'sha512') {
        return rejection(FAIL.badAlg, 'The message imprint must use SHA-256, SHA-384 or SHA-512.');
      }
      const digest = Buffer.from(expectTag(hashed, TAG.octetString, 'hashedMessage').value);
      const lengths = { sha256: 32, sha384: 48, sha512: 64 } as const;
      if (digest.length !== lengths[hash]) {
        return rejection(FAIL.badDataFormat, `The ${hash} imprint must be ${lengths[hash]} bytes.`);
      }
      let nonce: Buffer | undefined;
      let certReq = false;
      for (const item of req.slice(2)) {
        if (item.tag === TAG.oid && decodeOid(item) !== policy)
          return rejection(FAIL.unacceptedPolicy, `This TSA only issues under policy ${policy}.`);
        if (item.tag === TAG.integer) nonce = Buffer.from(item.value);
        if (item.tag === TAG.boolean) certReq = item.value[0] !== 0;
        if (item.tag === 0xa0) return rejection(FAIL.unacceptedExtension, 'Request extensions are not supported.');
      }
      const issued = await stamp({ hash, digest }, { ...(nonce ? { nonce } : {}), certReq });
      return seq(seq(integer(0)), issued.token);
    } catch (e) {
      return rejection(
        FAIL.badDataFormat,
        `The TimeStampReq is malformed: ${e instanceof DerError ? e.message : 'bad structure'}.`,
      );
    }
  };

  return { certPem: credential.certPem, label: certLabel(cert), policy, stamp, respond };
}

function integerIs(d: Der | undefined, n: number): boolean {
  return !!d && d.tag === TAG.integer && d.value.length === 1 && d.value[0] === n;
}

/** Builds a DER TimeStampReq (for clients and tests). */
export function buildTimestampRequest(
  digest: Buffer,
  options: { hash?: ImprintHash; nonce?: bigint; certReq?: boolean } = {},
): Buffer {
  return seq(
    integer(1),
    seq(seq(oid(OID_OF_HASH[options.hash ?? 'sha256'])), octets(digest)),
    ...(options.nonce !== undefined ? [integer(options.nonce)] : []),
    ...(options.certReq ? [bool(true)] : []),
  );
}
