import { createHash } from 'node:crypto';
import { cborEncode, DataItem } from '@animo-id/mdoc';
import { base64url, calculateJwkThumbprint, type JWK } from 'jose';

/** What binds an mdoc presentation to one OpenID4VP request (the OpenID4VPHandoverInfo). */
export interface Openid4vpHandoverInput {
  /** The full client_id, with its prefix. */
  clientId: string;
  nonce: string;
  /** The response URI (direct_post, direct_post.jwt). */
  responseUri: string;
  /** direct_post.jwt: the verifier's encryption key (its RFC 7638 SHA-256 thumbprint is bound); else none. */
  encryptionJwk?: JWK | undefined;
}

/**
 * The `SessionTranscriptBytes` of an mdoc presented over OpenID4VP 1.0 (Annex B.2.6.1):
 * `#6.24(bstr .cbor [null, null, ["OpenID4VPHandover", SHA-256(CBOR [client_id, nonce, jwkThumbprint / null,
 * response_uri])]])`, encoded with @animo-id/mdoc's CBOR (its `DataItem` is the tag 24). The 0.5.2 library only
 * knows the 18013-7 draft handover (`usingSessionTranscriptForOID4VP`, with an mdoc nonce), so the 1.0 structure is
 * built here and given to it as bytes (`usingSessionTranscriptBytes`), on both sides.
 * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html#appendix-B.2.6.1
 */
export async function openid4vpSessionTranscriptBytes(input: Openid4vpHandoverInput): Promise<Uint8Array> {
  const thumbprint = input.encryptionJwk
    ? base64url.decode(await calculateJwkThumbprint(input.encryptionJwk, 'sha256'))
    : null;
  const info = cborEncode([input.clientId, input.nonce, thumbprint, input.responseUri]);
  const infoHash = new Uint8Array(createHash('sha256').update(info).digest());
  return cborEncode(DataItem.fromData([null, null, ['OpenID4VPHandover', infoHash]]));
}
