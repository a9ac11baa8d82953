import { signingTime as signingTimeDer } from '../asn1/der.ts';
import { pemToDer, type SigningCredential } from '../common/certificates.ts';
import { attribute, CMS_OID, signCms, signingCertificateV2 } from './cms.ts';

export interface SignCadesInput {
  credential: SigningCredential;
  content: Uint8Array;
  /** `enveloping`: the content is encapsulated (attached); `detached`: it is not. */
  packaging: 'enveloping' | 'detached';
  signingTime: Date;
  /** Adds a signature-time-stamp-token unsigned attribute over the signature value: level B-T. */
  timestamp?: (covered: Buffer) => Promise<Buffer>;
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

/**
 * Creates a CAdES baseline signature (ETSI EN 319 122-1): a CMS SignedData over id-data with the signed
 * attributes content-type, message-digest, signing-time and ESS signing-certificate-v2 (SHA-256 of the signer
 * certificate with its IssuerSerial), RSA-SHA256, the signer certificate and chain included; B-T adds the
 * id-aa-signatureTimeStampToken unsigned attribute (an RFC 3161 token over the signature value).
 * @see https://www.etsi.org/deliver/etsi_en/319100_319199/31912201/ §5.2, §5.3
 */
export async function signCades(input: SignCadesInput): Promise<Buffer> {
  const content = Buffer.from(input.content);
  const { der } = await signCms({
    signerCertPem: input.credential.certPem,
    chainPem: input.credential.chainPem,
    privateKey: input.credential.privateKey,
    eContentType: CMS_OID.data,
    ...(input.weakHash ? { hash: 'sha1' as const } : {}),
    content,
    encapsulate: input.packaging === 'enveloping',
    signedAttributes: [
      attribute(CMS_OID.signingTime, signingTimeDer(input.signingTime)),
      ...(input.omitSigningCertificate ? [] : [signingCertificateV2(pemToDer(input.credential.certPem))]),
    ],
    ...(input.timestamp
      ? {
          unsignedAttributes: async (signatureValue: Buffer) => [
            attribute(
              CMS_OID.signatureTimeStampToken,
              await (input.timestamp as (c: Buffer) => Promise<Buffer>)(signatureValue),
            ),
          ],
        }
      : {}),
  });
  return der;
}
