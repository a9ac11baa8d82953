import type { Clock } from '@kakehashi/core';
import { KakehashiError } from '@kakehashi/core';
import { signCades } from '../cades/sign-cades.ts';
import { type SigningCredential, sha } from '../common/certificates.ts';
import type { Packaging, SignatureLevel } from '../common/signature-facts.ts';
import { signJades } from '../jades/sign-jades.ts';
import type { TimestampAuthority } from '../tsa/timestamp-authority.ts';
import { signXades } from '../xades/sign-xades.ts';

export type SignatureFormatName = 'xades' | 'jades' | 'cades';

export interface SignDocumentInput {
  format: SignatureFormatName;
  level: SignatureLevel;
  /** XAdES: enveloped | enveloping | detached; JAdES and CAdES: enveloping (attached) | detached. */
  packaging: Packaging;
  credential: SigningCredential;
  content: Uint8Array;
  mimeType?: string;
  detachedName?: string;
  clock: Pick<Clock, 'now'>;
  /** Required for B-T. */
  tsa?: TimestampAuthority;
  /**
   * TEST ONLY (fault `esig.missing-signing-certificate`): leave out the signed reference to the signing
   * certificate, which every baseline signature must carry.
   */
  omitSigningCertificate?: boolean;
  /**
   * TEST ONLY (fault `esig.weak-algorithm`): digests and the signature with SHA-1, which validators must refuse
   * (ETSI TS 119 312). JAdES has no SHA-1 algorithm in JOSE and ignores it.
   */
  weakHash?: boolean;
}

export interface SignedDocument {
  format: 'XAdES' | 'JAdES' | 'CAdES';
  level: SignatureLevel;
  packaging: Packaging;
  /** XML text (XAdES), a JWS (JAdES: compact for B-B, flattened JSON for B-T) or base64 DER (CAdES). */
  signature: string;
  signatureEncoding: 'xml' | 'jws-compact' | 'jws-json' | 'base64-der';
  mediaType: string;
  signingTime: string;
  timestamp?: { genTime: string; tsa: string };
}

/**
 * Signs a document in the requested AdES format, level and packaging with `credential` (an agency key or a
 * citizen's JPKI signature key). B-T asks `tsa` for an RFC 3161 time-stamp over the signature value.
 */
export async function signDocument(input: SignDocumentInput): Promise<SignedDocument> {
  const signingTime = new Date(Math.floor(input.clock.now().getTime() / 1000) * 1000);
  let stamped: { genTime: Date; tsa: string } | undefined;
  let timestamp: ((covered: Buffer) => Promise<Buffer>) | undefined;
  if (input.level === 'B-T') {
    const tsa = input.tsa;
    if (!tsa)
      throw new KakehashiError(
        'esig-timestamp-unavailable',
        'B-T needs a time-stamp authority, and this component has none: sign at B-B.',
      );
    timestamp = async (covered) => {
      const issued = await tsa.stamp({ hash: 'sha256', digest: sha('sha256', covered) });
      stamped = { genTime: issued.genTime, tsa: tsa.label };
      return issued.token;
    };
  }
  const common = {
    credential: input.credential,
    content: input.content,
    signingTime,
    ...(input.mimeType ? { mimeType: input.mimeType } : {}),
    ...(input.detachedName ? { detachedName: input.detachedName } : {}),
    ...(timestamp ? { timestamp } : {}),
    ...(input.omitSigningCertificate ? { omitSigningCertificate: true } : {}),
    ...(input.weakHash ? { weakHash: true } : {}),
  };
  let out: Omit<SignedDocument, 'level' | 'packaging' | 'signingTime' | 'timestamp'>;
  if (input.format === 'xades') {
    out = {
      format: 'XAdES',
      signature: await signXades({ ...common, packaging: input.packaging }),
      signatureEncoding: 'xml',
      mediaType: 'application/xml',
    };
  } else {
    if (input.packaging === 'enveloped')
      throw new KakehashiError(
        'esig-packaging-unsupported',
        `${input.format.toUpperCase()} has no enveloped packaging: use enveloping (attached) or detached.`,
      );
    const packaging = input.packaging;
    if (input.format === 'jades') {
      const jws = await signJades({ ...common, packaging });
      out = {
        format: 'JAdES',
        signature: jws,
        signatureEncoding: input.level === 'B-T' ? 'jws-json' : 'jws-compact',
        mediaType: input.level === 'B-T' ? 'application/jose+json' : 'application/jose',
      };
    } else {
      const der = await signCades({ ...common, packaging });
      out = {
        format: 'CAdES',
        signature: der.toString('base64'),
        signatureEncoding: 'base64-der',
        mediaType: 'application/pkcs7-signature',
      };
    }
  }
  const result: SignedDocument = {
    ...out,
    level: input.level,
    packaging: input.packaging,
    signingTime: signingTime.toISOString(),
  };
  if (stamped)
    result.timestamp = {
      genTime: (stamped as { genTime: Date }).genTime.toISOString(),
      tsa: (stamped as { tsa: string }).tsa,
    };
  return result;
}
