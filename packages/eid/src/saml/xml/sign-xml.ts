import type { KeyObject } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { ALG } from '../constants.ts';

/** A signing key with its certificate (PEM); the certificate goes into KeyInfo for information only. */
export interface XmlSigner {
  privateKey: KeyObject;
  certPem: string;
}

/**
 * Signs the root element of `xml` with an enveloped XML-DSig signature as SAML requires: RSA-SHA256,
 * exclusive c14n, one SHA-256 Reference `#<ID of the root>` with the transforms enveloped-signature and exc-c14n,
 * the certificate in KeyInfo. The signature goes right after the root's `Issuer` child (`after-issuer`, the place
 * the SAML schemas give it) or first (`first`, metadata).
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-core-2.0-os.pdf (§5 SAML and XML Signature Syntax)
 */
export function signRoot(xml: string, signer: XmlSigner, place: 'after-issuer' | 'first'): string {
  const sig = new SignedXml({
    privateKey: signer.privateKey,
    publicCert: signer.certPem,
    signatureAlgorithm: ALG.rsaSha256,
    canonicalizationAlgorithm: ALG.excC14n,
    getKeyInfoContent: SignedXml.getKeyInfoContent,
  });
  sig.addReference({
    xpath: '/*',
    transforms: [ALG.enveloped, ALG.excC14n],
    digestAlgorithm: ALG.sha256,
  });
  sig.computeSignature(xml, {
    prefix: 'ds',
    location:
      place === 'first'
        ? { reference: '/*', action: 'prepend' }
        : { reference: "/*/*[local-name(.)='Issuer']", action: 'after' },
  });
  return sig.getSignedXml();
}
