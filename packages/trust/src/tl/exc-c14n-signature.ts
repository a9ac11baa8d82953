import { createHash, timingSafeEqual, verify, type X509Certificate } from 'node:crypto';
import { exclusiveC14n } from '@kakehashi/core';
import { ALGORITHMS, DSIG_NS } from './constants.ts';

/** Node's digest names for the reference digests the one-pass path takes. */
const DIGESTS: Record<string, string> = {
  [ALGORITHMS.sha256]: 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384': 'sha384',
  [ALGORITHMS.sha512]: 'sha512',
};
/** RSA PKCS#1 v1.5 signature methods (RSASSA-PSS goes through xml-crypto), by their digest. */
const RSA_PKCS1: Record<string, string> = {
  [ALGORITHMS.rsaSha256]: 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384': 'sha384',
  [ALGORITHMS.rsaSha512]: 'sha512',
};

/** The parts of a list's enveloped signature, already checked for shape by the caller. */
export interface ListSignatureParts {
  root: Element;
  signature: Element;
  signedInfo: Element;
  reference: Element;
  /** The Reference URI: the one-pass path takes only "" (the whole document), xml-crypto resolves "#id". */
  uri: string | null;
  c14n: string;
  method: string;
  transforms: string[];
  digest: string;
}

/** An exc-c14n list signature made ready to check against candidate certificates. */
export interface PreparedListSignature {
  /** Whether the whole list (without its signature) matches the signed digest. */
  digestMatches: boolean;
  /** The canonical list without its signature: what was signed (exclusive c14n, no comments). */
  signedContent: string;
  /** Whether the SignatureValue verifies over the canonical SignedInfo with this certificate's RSA key. */
  verifiesWith(cert: X509Certificate): boolean;
}

/** The base64 text of `el`, or undefined when it holds anything but text (then xml-crypto decides). */
function base64Of(el: Element | undefined): Buffer | undefined {
  if (!el) return undefined;
  let text = '';
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== 3) return undefined;
    text += (n as Text).data;
  }
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) return undefined;
  return Buffer.from(clean, 'base64');
}

function first(el: Element, localName: string): Element | undefined {
  for (let n = el.firstChild; n; n = n.nextSibling)
    if (n.nodeType === 1 && (n as Element).namespaceURI === DSIG_NS && (n as Element).localName === localName)
      return n as Element;
  return undefined;
}

/**
 * The signature of a list as the project signs its lists — exclusive c14n for SignedInfo and, after the
 * enveloped-signature transform, for the whole list (URI=""); an RSA PKCS#1 v1.5 method; no InclusiveNamespaces — checked
 * in one pass over the DOM the caller parsed, with core's `exclusiveC14n` (xml-crypto's output byte for byte):
 * the digest of the list without its ds:Signature, then the SignatureValue over the canonical SignedInfo. The same
 * two checks xml-crypto's `checkSignature` makes (XML-DSig core validation), without its second parse of the list,
 * its copy of the whole document and its XPath searches, which made verifying the lists most of a start.
 * Returns undefined for any other signature (a "#id" reference, another c14n, RSASSA-PSS, an InclusiveNamespaces
 * prefix list, a value that is not plain base64 text): the caller then verifies it with xml-crypto as before.
 * @see https://www.w3.org/TR/xmldsig-core1/#sec-CoreValidation
 * @see https://www.w3.org/TR/xmldsig-core1/#sec-EnvelopedSignature
 */
export function prepareExcC14nListSignature(parts: ListSignatureParts): PreparedListSignature | undefined {
  const { root, signature, signedInfo, reference } = parts;
  const digestName = DIGESTS[parts.digest];
  const rsaDigest = RSA_PKCS1[parts.method];
  const exc = ALGORITHMS.excC14n;
  // URI present and empty (an absent URI reads as "" in xmldom, and xml-crypto refuses it).
  if (parts.uri !== '' || !reference.hasAttribute('URI')) return undefined;
  if (!digestName || !rsaDigest || parts.c14n !== exc) return undefined;
  if (parts.transforms.length !== 2 || parts.transforms[0] !== ALGORITHMS.enveloped || parts.transforms[1] !== exc)
    return undefined;
  if (signedInfo.getElementsByTagNameNS(exc, 'InclusiveNamespaces').length > 0) return undefined;
  const digestValue = base64Of(first(reference, 'DigestValue'));
  const signatureValue = base64Of(first(signature, 'SignatureValue'));
  if (!digestValue || !signatureValue) return undefined;
  // What the signer's RSA key signed: SignedInfo, canonical where it stands (attached, as xml-crypto reads it).
  const signedInfoC14n = Buffer.from(exclusiveC14n(signedInfo), 'utf8');
  // The enveloped-signature transform: the list without this ds:Signature (its last child), then exc-c14n.
  root.removeChild(signature);
  let signedContent: string;
  try {
    signedContent = exclusiveC14n(root);
  } finally {
    root.appendChild(signature);
  }
  const computed = createHash(digestName).update(signedContent, 'utf8').digest();
  return {
    digestMatches: computed.length === digestValue.length && timingSafeEqual(computed, digestValue),
    signedContent,
    verifiesWith(cert) {
      if (cert.publicKey.asymmetricKeyType !== 'rsa') return false;
      try {
        return verify(rsaDigest, signedInfoC14n, cert.publicKey, signatureValue);
      } catch {
        return false;
      }
    },
  };
}
