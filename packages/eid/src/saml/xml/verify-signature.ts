import { createHash, type KeyObject, timingSafeEqual, verify } from 'node:crypto';
import { type ErrorCode, exclusiveC14n } from '@kakehashi/core';
import { ALG, DIGEST_ALGORITHMS, NS, SIGNATURE_ALGORITHMS } from '../constants.ts';
import { attr, childElements, ELEMENT_NODE, fullText, hasCommentOrPi } from './dom.ts';

/** Why a signature was refused: the structural kinds come before any cryptography. */
export type SignatureProblemKind =
  | 'absent' // no ds:Signature child (S10)
  | 'differential' // several signatures / SignedInfo, comments in values (S20)
  | 'forbidden' // transform, algorithm, reference count, Object, RetrievalMethod outside the allow-list (X4)
  | 'reference' // the single Reference does not point at the signature's parent (S1–S8)
  | 'digest' // the referenced element was changed after signing (S10)
  | 'signature'; // SignedInfo does not verify with the trusted key (S10)

export interface SignatureProblem {
  ok: false;
  kind: SignatureProblemKind;
  reason: string;
}

/** A ds:Signature whose shape passed every structural check. */
export interface InspectedSignature {
  ok: true;
  signature: Element;
  signedInfo: Element;
  referenceUri: string;
  digestAlgorithm: string;
  digestValue: Buffer;
  signatureAlgorithm: string;
  signatureValue: Buffer;
  inclusivePrefixes: string[];
  /** The certificates in KeyInfo (base64 DER, whitespace removed): never used as keys, only compared (S11). */
  keyInfoCertificates: string[];
}

const fail = (kind: SignatureProblemKind, reason: string): SignatureProblem => ({ ok: false, kind, reason });

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;
function b64Value(el: Element, what: string): Buffer | SignatureProblem {
  if (hasCommentOrPi(el) || childElements(el).length > 0)
    return fail(
      'differential',
      `${what} contains a comment, processing instruction or element: parsers disagree on its value.`,
    );
  const text = fullText(el).replace(/\s+/g, '');
  if (!B64.test(text) || text.length % 4 !== 0) return fail('differential', `${what} is not base64.`);
  return Buffer.from(text, 'base64');
}

function prefixList(method: Element): string[] {
  const inc = childElements(method, ALG.excC14n, 'InclusiveNamespaces');
  if (inc.length === 0) return [];
  return (inc[0]?.getAttribute('PrefixList') ?? '').split(/\s+/).filter(Boolean);
}

/**
 * Inspects the enveloped ds:Signature of `signed` without any cryptography: exactly one Signature child, one
 * SignedInfo, exc-c14n, an allowed RSA signature method, exactly one Reference whose URI is `#` + the ID of
 * `signed` (the signature's parent: the element that will be consumed), the transforms enveloped + exc-c14n
 * only, an allowed digest, base64 values without comments, no ds:Object, no RetrievalMethod.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-core-2.0-os.pdf (§5.4.2 References, §5.4.4 Transforms)
 * @see https://www.w3.org/TR/xmldsig-bestpractices/ (§2.1 reference the element consumed, §2.2 limit transforms)
 */
export function inspectSignature(signed: Element): InspectedSignature | SignatureProblem {
  const sigs = childElements(signed, NS.ds, 'Signature');
  if (sigs.length === 0) return fail('absent', `<${signed.localName}> carries no ds:Signature.`);
  if (sigs.length > 1)
    return fail(
      'differential',
      `<${signed.localName}> carries ${sigs.length} ds:Signature elements; exactly one is allowed.`,
    );
  const signature = sigs[0] as Element;
  const parts = childElements(signature);
  const objects = parts.filter((p) => p.localName === 'Object');
  if (objects.length > 0) return fail('forbidden', 'ds:Object is not allowed in an enveloped SAML signature.');
  for (const p of parts)
    if (p.namespaceURI !== NS.ds || !['SignedInfo', 'SignatureValue', 'KeyInfo'].includes(p.localName))
      return fail('differential', `Unexpected element <${p.localName}> inside ds:Signature.`);
  const signedInfos = childElements(signature, NS.ds, 'SignedInfo');
  if (signedInfos.length !== 1)
    return fail('differential', `ds:Signature has ${signedInfos.length} SignedInfo elements; exactly one is allowed.`);
  const signedInfo = signedInfos[0] as Element;
  const sigValues = childElements(signature, NS.ds, 'SignatureValue');
  if (sigValues.length !== 1) return fail('differential', 'ds:Signature needs exactly one SignatureValue.');

  const c14ns = childElements(signedInfo, NS.ds, 'CanonicalizationMethod');
  if (c14ns.length !== 1 || c14ns[0]?.getAttribute('Algorithm') !== ALG.excC14n)
    return fail('forbidden', `CanonicalizationMethod must be exclusive c14n without comments (${ALG.excC14n}).`);
  const methods = childElements(signedInfo, NS.ds, 'SignatureMethod');
  const sigAlg = methods[0]?.getAttribute('Algorithm') ?? '';
  if (methods.length !== 1 || !SIGNATURE_ALGORITHMS[sigAlg])
    return fail(
      'forbidden',
      `SignatureMethod ${JSON.stringify(sigAlg.slice(0, 80))} is not allowed (RSA-SHA256, RSA-SHA512).`,
    );
  const refs = childElements(signedInfo, NS.ds, 'Reference');
  if (refs.length === 0) return fail('absent', 'SignedInfo has no Reference: nothing is signed.');
  if (refs.length > 1)
    return fail('forbidden', `SignedInfo has ${refs.length} References; a SAML signature has exactly one.`);
  const ref = refs[0] as Element;
  const uri = ref.getAttribute('URI') ?? '';
  const id = attr(signed, 'ID');
  if (!id || uri !== `#${id}`)
    return fail(
      'reference',
      `The Reference URI ${JSON.stringify(uri.slice(0, 80))} does not point at the signature's parent <${signed.localName} ID=${JSON.stringify((id ?? '').slice(0, 80))}>.`,
    );
  const transformsEl = childElements(ref, NS.ds, 'Transforms');
  const transforms = transformsEl.length === 1 ? childElements(transformsEl[0] as Element, NS.ds, 'Transform') : [];
  const algs = transforms.map((t) => t.getAttribute('Algorithm') ?? '');
  if (transformsEl.length !== 1 || algs.length !== 2 || algs[0] !== ALG.enveloped || algs[1] !== ALG.excC14n)
    return fail(
      'forbidden',
      `Transforms must be exactly enveloped-signature then exc-c14n (got ${algs.join(', ') || 'none'}).`,
    );
  const digestMethods = childElements(ref, NS.ds, 'DigestMethod');
  const digestAlg = digestMethods[0]?.getAttribute('Algorithm') ?? '';
  if (digestMethods.length !== 1 || !DIGEST_ALGORITHMS[digestAlg])
    return fail(
      'forbidden',
      `DigestMethod ${JSON.stringify(digestAlg.slice(0, 80))} is not allowed (SHA-256, SHA-512).`,
    );
  const digestValues = childElements(ref, NS.ds, 'DigestValue');
  if (digestValues.length !== 1) return fail('differential', 'The Reference needs exactly one DigestValue.');
  const digestValue = b64Value(digestValues[0] as Element, 'DigestValue');
  if (!Buffer.isBuffer(digestValue)) return digestValue;
  const signatureValue = b64Value(sigValues[0] as Element, 'SignatureValue');
  if (!Buffer.isBuffer(signatureValue)) return signatureValue;

  const keyInfoCertificates: string[] = [];
  for (const ki of childElements(signature, NS.ds, 'KeyInfo')) {
    for (const k of childElements(ki)) {
      if (k.localName === 'RetrievalMethod') return fail('forbidden', 'KeyInfo/RetrievalMethod is not allowed.');
      if (k.localName === 'X509Data')
        for (const c of childElements(k, NS.ds, 'X509Certificate'))
          keyInfoCertificates.push(fullText(c).replace(/\s+/g, ''));
    }
  }
  return {
    ok: true,
    signature,
    signedInfo,
    referenceUri: uri,
    digestAlgorithm: digestAlg,
    digestValue,
    signatureAlgorithm: sigAlg,
    signatureValue,
    inclusivePrefixes: prefixList(transforms[1] as Element),
    keyInfoCertificates,
  };
}

/** The namespace declarations in scope above `el` (for InclusiveNamespaces prefixes). */
function ancestorNamespaces(el: Element): { prefix: string; namespaceURI: string }[] {
  const seen = new Map<string, string>();
  for (let n = el.parentNode; n && n.nodeType === ELEMENT_NODE; n = n.parentNode) {
    const e = n as Element;
    for (let i = 0; i < e.attributes.length; i++) {
      const a = e.attributes[i] as Attr;
      if (a.name.startsWith('xmlns:') && !seen.has(a.localName)) seen.set(a.localName, a.value);
    }
  }
  return [...seen].map(([prefix, namespaceURI]) => ({ prefix, namespaceURI }));
}

/** Exclusive c14n (no comments) of a copy of `el`, from the same DOM. */
export function canonicalize(el: Element, prefixes: string[], transform?: (copy: Element) => void): string {
  const copy = el.cloneNode(true) as Element;
  transform?.(copy);
  return exclusiveC14n(copy, { inclusiveNamespacesPrefixList: prefixes, ancestorNamespaces: ancestorNamespaces(el) });
}

/**
 * Verifies an inspected enveloped signature with a key from trust, canonicalising from the same DOM the
 * caller consumes: the digest of `signed` without its signature (enveloped transform, exc-c14n), then the RSA
 * signature over the exc-c14n SignedInfo.
 * @see https://www.w3.org/TR/xmldsig-core1/#sec-CoreValidation
 */
export function verifyInspectedSignature(
  signed: Element,
  sig: InspectedSignature,
  key: KeyObject,
): { ok: true } | SignatureProblem {
  const index = childElements(signed).indexOf(sig.signature);
  const content = canonicalize(signed, sig.inclusivePrefixes, (copy) => {
    const clone = childElements(copy)[index];
    if (clone) copy.removeChild(clone);
  });
  const digest = createHash(DIGEST_ALGORITHMS[sig.digestAlgorithm] as string)
    .update(content, 'utf8')
    .digest();
  if (digest.length !== sig.digestValue.length || !timingSafeEqual(digest, sig.digestValue))
    return fail('digest', `The digest of <${signed.localName}> does not match: it was changed after signing.`);
  const c14nMethod = childElements(sig.signedInfo, NS.ds, 'CanonicalizationMethod')[0] as Element;
  const signedInfo = canonicalize(sig.signedInfo, prefixList(c14nMethod));
  let valid = false;
  try {
    valid = verify(
      SIGNATURE_ALGORITHMS[sig.signatureAlgorithm] as string,
      Buffer.from(signedInfo, 'utf8'),
      key,
      sig.signatureValue,
    );
  } catch {
    valid = false;
  }
  if (!valid) return fail('signature', 'The SignatureValue does not verify over SignedInfo with the trusted key.');
  return { ok: true };
}

/** The error code for a signature problem kind. */
export function signatureProblemCode(kind: SignatureProblemKind): ErrorCode {
  return {
    absent: 'saml-unsigned',
    differential: 'saml-parser-differential',
    forbidden: 'saml-algorithm-forbidden',
    reference: 'saml-wrapping',
    digest: 'saml-signature-invalid',
    signature: 'saml-signature-invalid',
  }[kind] as ErrorCode;
}
