import { SignedXml } from 'xml-crypto';
import type { KeyCert } from '../pki/types.ts';
import { ALGORITHMS } from './constants.ts';

/**
 * Signs a trusted list (or list of trusted lists) with an enveloped XML-DSig signature (ETSI TS 119 612
 * §5.7.1): exclusive c14n, RSA-SHA256, one SHA-256 Reference with URI="" covering the whole document, the
 * signer's certificate in KeyInfo/X509Data, and the ds:Signature appended as the last child of
 * TrustServiceStatusList (where the schema places it).
 *
 * Simplification: a real trusted list carries a XAdES-BES signature (SignedProperties with the signing
 * certificate digest and signing time); this one is a plain XML-DSig signature.
 * @see https://www.w3.org/TR/xmldsig-core1/#sec-EnvelopedSignature
 */
export function signList(
  xml: string,
  signer: Pick<KeyCert, 'keyPem' | 'certPem'>,
  ids: { signatureId: string; referenceId: string },
): string {
  const sig = new SignedXml({
    privateKey: signer.keyPem,
    publicCert: signer.certPem,
    signatureAlgorithm: ALGORITHMS.rsaSha256,
    canonicalizationAlgorithm: ALGORITHMS.excC14n,
    getKeyInfoContent: SignedXml.getKeyInfoContent,
  });
  sig.addReference({
    xpath: '/*',
    transforms: [ALGORITHMS.enveloped, ALGORITHMS.excC14n],
    digestAlgorithm: ALGORITHMS.sha256,
    isEmptyUri: true,
    id: ids.referenceId,
  });
  sig.computeSignature(xml, {
    prefix: 'ds',
    attrs: { Id: ids.signatureId },
    location: { reference: '/*', action: 'append' },
  });
  return sig.getSignedXml();
}
