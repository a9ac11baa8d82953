import { verify as verifyOneShot, type X509Certificate } from 'node:crypto';
import { isKakehashiError, parseXml } from '@kakehashi/core';
import {
  type HashName,
  keyFitsScheme,
  XADES_NS,
  XADES_SIGNED_PROPERTIES_TYPE,
  XML_DIGEST,
  XML_SIGNATURE,
  XMLDSIG,
} from '../common/algorithms.ts';
import { type CertificateBytes, certificateBytes, parseX509, pemOf, publicKeyOf, sha } from '../common/certificates.ts';
import {
  emptyOutcome,
  type FormatOutcome,
  failed,
  passed,
  type SignatureInput,
  type SignatureValidationContext,
} from '../common/signature-facts.ts';
import { C14N_ALGORITHMS, canonicalize, canonicalizeDocument } from './c14n.ts';

const MAX_REFERENCES = 16;
const RULE = 'ETSI EN 319 132-1';

function kids(el: Element | undefined, ns: string, local?: string): Element[] {
  const out: Element[] = [];
  if (!el) return out;
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== 1) continue;
    const e = n as Element;
    if (e.namespaceURI === ns && (local === undefined || e.localName === local)) out.push(e);
  }
  return out;
}
const kid = (el: Element | undefined, ns: string, local: string) => kids(el, ns, local)[0];
/** The text of an element: its one text child directly (the usual case), else the DOM's textContent. */
const text = (el: Element | undefined) => {
  const only = el?.firstChild;
  if (only && only.nodeType === 3 && !only.nextSibling) return (only as Text).data.trim();
  return (el?.textContent ?? '').trim();
};

class FormatError extends Error {}

/** Every element of the document in document order (as getElementsByTagName('*'), without a live list). */
function allElements(doc: Document): Element[] {
  const all: Element[] = [];
  const walk = (el: Element) => {
    all.push(el);
    for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) walk(n as Element);
  };
  walk(doc.documentElement);
  return all;
}

/** Every element carrying an Id/ID/id attribute, by value; duplicates are refused (X5: ambiguous references). */
function indexIds(all: Element[]): Map<string, Element> {
  const map = new Map<string, Element>();
  for (const el of all) {
    // One pass over the attributes (most elements have none or one), not a lookup per spelling.
    const attrs = el.attributes;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs.item(i) as Attr;
      if (a.name !== 'Id' && a.name !== 'ID' && a.name !== 'id') continue;
      const v = a.value;
      if (v === '') continue;
      if (map.has(v) && map.get(v) !== el)
        throw new FormatError(
          `The identifier "${v.slice(0, 40)}" is used by two elements: a reference to it would be ambiguous (signature wrapping).`,
        );
      map.set(v, el);
    }
  }
  return map;
}

/** The first descendant element of `el` named `ns`:`local`, in document order (no live NodeList built for it). */
function firstDescendant(el: Element, ns: string, local: string): Element | undefined {
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== 1) continue;
    const e = n as Element;
    if (e.namespaceURI === ns && e.localName === local) return e;
    const deeper = firstDescendant(e, ns, local);
    if (deeper) return deeper;
  }
  return undefined;
}

function isAncestor(a: Node, b: Node): boolean {
  for (let p: Node | null = b.parentNode; p; p = p.parentNode) if (p === a) return true;
  return false;
}

/**
 * Reads and cryptographically verifies a XAdES signature (B-B or B-T), enforcing the reference binding:
 * exactly one ds:Signature; at most 16 References, each resolved by a unique Id within the document, by ""
 * (the whole document, only with the enveloped-signature transform) or, for detached content, by the name
 * the caller supplied; transforms only enveloped-signature and the c14n family (no XPath, XSLT, base64);
 * exactly one SignedProperties Reference (Type …#SignedProperties) pointing at the xades:SignedProperties
 * of this signature's QualifyingProperties; the signing certificate is the KeyInfo certificate whose digest
 * SigningCertificateV2 holds — KeyInfo alone never selects the key.
 * @see https://www.etsi.org/deliver/etsi_en/319100_319199/31913201/
 * @see https://www.w3.org/TR/xmldsig-core1/#sec-CoreValidation
 */
export function readXades(input: SignatureInput, ctx: Pick<SignatureValidationContext, 'maxXmlBytes'>): FormatOutcome {
  const fo = emptyOutcome('XAdES');
  try {
    read(input, ctx, fo);
  } catch (e) {
    if (e instanceof FormatError) fo.formatFailure = e.message;
    else if (isKakehashiError(e)) fo.formatFailure = `The XML cannot be accepted: ${e.message} (${e.code}).`;
    else
      fo.formatFailure = `The XAdES signature cannot be read: ${e instanceof Error ? e.message.slice(0, 160) : 'bad structure'}.`;
    fo.formatChecks.push(failed('format', fo.formatFailure, RULE));
  }
  return fo;
}

function read(input: SignatureInput, ctx: Pick<SignatureValidationContext, 'maxXmlBytes'>, fo: FormatOutcome): void {
  const doc = parseXml(input.signature, { maxBytes: ctx.maxXmlBytes ?? 8 * 1024 * 1024, fast: true });
  const all = allElements(doc);
  const sigs = all.filter((el) => el.localName === 'Signature' && el.namespaceURI === XMLDSIG.ns);
  if (sigs.length !== 1)
    throw new FormatError(`The document must hold exactly one ds:Signature; it holds ${sigs.length}.`);
  const sig = sigs[0] as Element;
  const ids = indexIds(all);
  const signedInfo = kids(sig, XMLDSIG.ns, 'SignedInfo');
  if (signedInfo.length !== 1) throw new FormatError('ds:Signature must have exactly one ds:SignedInfo.');
  const si = signedInfo[0] as Element;
  const c14nAlg = kid(si, XMLDSIG.ns, 'CanonicalizationMethod')?.getAttribute('Algorithm') ?? '';
  if (!C14N_ALGORITHMS.has(c14nAlg))
    throw new FormatError(`The canonicalization method "${c14nAlg.slice(0, 80) || '(none)'}" is not supported.`);
  const methodUri = kid(si, XMLDSIG.ns, 'SignatureMethod')?.getAttribute('Algorithm') ?? '';
  const scheme = XML_SIGNATURE[methodUri];
  if (!scheme)
    throw new FormatError(
      `The signature method "${methodUri.slice(0, 80) || '(none)'}" is unknown or not accepted (HMAC and DSA are refused).`,
    );
  fo.signatureScheme = scheme;
  const refs = kids(si, XMLDSIG.ns, 'Reference');
  if (refs.length === 0 || refs.length > MAX_REFERENCES)
    throw new FormatError(`SignedInfo must have between 1 and ${MAX_REFERENCES} References; it has ${refs.length}.`);
  const valueEl = kid(sig, XMLDSIG.ns, 'SignatureValue');
  if (!valueEl) throw new FormatError('ds:SignatureValue is missing.');
  const sigValue = Buffer.from(text(valueEl).replace(/\s+/g, ''), 'base64');

  // QualifyingProperties / SignedProperties of *this* signature.
  const qps: Element[] = [];
  for (const o of kids(sig, XMLDSIG.ns, 'Object')) qps.push(...kids(o, XADES_NS, 'QualifyingProperties'));
  if (qps.length !== 1)
    throw new FormatError(
      `A XAdES signature has exactly one xades:QualifyingProperties in a ds:Object; found ${qps.length}.`,
    );
  const qp = qps[0] as Element;
  const sigId = sig.getAttribute('Id');
  if (sigId && qp.getAttribute('Target') !== `#${sigId}`)
    throw new FormatError('xades:QualifyingProperties Target does not point at this ds:Signature.');
  const sp = kid(qp, XADES_NS, 'SignedProperties');
  if (!sp) throw new FormatError('xades:SignedProperties is missing (XAdES B-B requires it).');
  const spRefs = refs.filter((r) => r.getAttribute('Type') === XADES_SIGNED_PROPERTIES_TYPE);
  if (spRefs.length !== 1)
    throw new FormatError(
      `Exactly one Reference must have Type ${XADES_SIGNED_PROPERTIES_TYPE}; found ${spRefs.length}.`,
    );
  const spTarget = ids.get((spRefs[0]?.getAttribute('URI') ?? '').replace(/^#/, ''));
  if (spTarget !== sp)
    throw new FormatError(
      'The SignedProperties Reference does not point at the xades:SignedProperties of this signature.',
    );
  fo.formatChecks.push(
    passed(
      'structure',
      `One ds:Signature with ${refs.length} reference(s), ${scheme.name}, SignedProperties bound by a typed Reference.`,
      RULE,
    ),
  );

  // Signed properties: SigningTime, SigningCertificateV2.
  const ssp = kid(sp, XADES_NS, 'SignedSignatureProperties');
  const st = text(kid(ssp, XADES_NS, 'SigningTime'));
  if (st) {
    const d = new Date(st);
    if (Number.isNaN(d.getTime())) throw new FormatError(`SigningTime "${st.slice(0, 40)}" is not an xsd:dateTime.`);
    fo.claimedSigningTime = d;
  }
  const certEls = kids(kid(kid(sig, XMLDSIG.ns, 'KeyInfo'), XMLDSIG.ns, 'X509Data'), XMLDSIG.ns, 'X509Certificate');
  const certs = certEls.slice(0, 8).map((c) => certificateBytes(text(c).replace(/\s+/g, '')));
  const scv2 = kid(ssp, XADES_NS, 'SigningCertificateV2') ?? kid(ssp, XADES_NS, 'SigningCertificate');
  const certRef = kid(scv2, XADES_NS, 'Cert');
  const certDigestEl = kid(certRef, XADES_NS, 'CertDigest');
  const refHash = XML_DIGEST[kid(certDigestEl, XMLDSIG.ns, 'DigestMethod')?.getAttribute('Algorithm') ?? ''];
  const refValue = Buffer.from(text(kid(certDigestEl, XMLDSIG.ns, 'DigestValue')), 'base64');
  const signing = refHash ? certs.find((c) => c.digest(refHash).equals(refValue)) : undefined;
  let signingDer: CertificateBytes | undefined = signing;
  if (!scv2) {
    fo.iscFailure =
      'SignedProperties has no SigningCertificateV2: nothing binds the signature to a certificate (XAdES B-B requires it).';
    signingDer = certs[0];
  } else if (!signing) {
    fo.iscFailure =
      certs.length === 0
        ? 'KeyInfo carries no certificate, so the signing certificate named in SigningCertificateV2 is not available.'
        : 'The SigningCertificateV2 digest matches none of the certificates in KeyInfo: the signature points to another certificate.';
    signingDer = certs[0];
  } else {
    const is = text(kid(certRef, XADES_NS, 'IssuerSerialV2'));
    if (is && !Buffer.from(is, 'base64').equals(signing.issuerSerial()))
      fo.iscFailure = 'IssuerSerialV2 does not name the signing certificate.';
    else
      fo.iscChecks.push(
        passed(
          'signing certificate',
          `SigningCertificateV2 holds the ${refHash?.toUpperCase()} digest of the KeyInfo certificate.`,
          `${RULE} §5.2.2`,
        ),
      );
  }
  if (refHash) fo.digestAlgorithms.push(refHash);
  if (fo.iscFailure) fo.iscChecks.push(failed('signing certificate', fo.iscFailure, `${RULE} §5.2.2`));
  if (!signingDer) return;
  let signer: X509Certificate;
  try {
    signer = parseX509(signingDer.pem);
  } catch {
    throw new FormatError('The KeyInfo certificate cannot be parsed.');
  }
  fo.signingCertPem = pemOf(signer);
  const signingBytes = signingDer.der;
  fo.chainPem = certs.filter((c) => !c.der.equals(signingBytes)).map((c) => c.pem);

  // References.
  for (const ref of refs) {
    const uri = ref.getAttribute('URI');
    const digestUri = kid(ref, XMLDSIG.ns, 'DigestMethod')?.getAttribute('Algorithm') ?? '';
    const hash: HashName | undefined = XML_DIGEST[digestUri];
    if (!hash || hash === 'md5')
      throw new FormatError(`The digest method "${digestUri.slice(0, 80) || '(none)'}" is not supported.`);
    fo.digestAlgorithms.push(hash);
    const transforms = kids(kid(ref, XMLDSIG.ns, 'Transforms'), XMLDSIG.ns, 'Transform');
    if (transforms.length > 4) throw new FormatError('A Reference has more than 4 transforms.');
    let enveloped = false;
    let c14n: string | undefined;
    let prefixes: string[] = [];
    for (const t of transforms) {
      const alg = t.getAttribute('Algorithm') ?? '';
      if (alg === XMLDSIG.enveloped) enveloped = true;
      else if (C14N_ALGORITHMS.has(alg)) {
        c14n = alg;
        const inc = firstDescendant(t, XMLDSIG.excC14n, 'InclusiveNamespaces');
        prefixes = inc ? (inc.getAttribute('PrefixList') ?? '').split(/\s+/).filter(Boolean) : [];
      } else
        throw new FormatError(
          `The transform "${alg.slice(0, 80)}" is not allowed (only enveloped-signature and canonicalization).`,
        );
    }
    const expected = Buffer.from(text(kid(ref, XMLDSIG.ns, 'DigestValue')), 'base64');
    let actual: Buffer;
    let label: string;
    const isSp = ref.getAttribute('Type') === XADES_SIGNED_PROPERTIES_TYPE;
    if (uri === null) throw new FormatError('A Reference without URI is not supported.');
    if (uri === '') {
      if (!enveloped)
        throw new FormatError('A Reference to the whole document (URI="") must use the enveloped-signature transform.');
      const root = doc.documentElement;
      if (root === sig) throw new FormatError('URI="" cannot designate the signature itself.');
      actual = sha(hash, canonicalizeDocument(doc, c14n ?? XMLDSIG.c14n, prefixes, sig));
      label = `the whole document <${root.localName}>`;
      fo.packaging = 'enveloped';
    } else if (uri.startsWith('#')) {
      const target = ids.get(uri.slice(1));
      if (!target) throw new FormatError(`The Reference "${uri.slice(0, 60)}" points at no element of the document.`);
      if (enveloped && !isAncestor(target, sig))
        throw new FormatError(
          'The enveloped-signature transform is used on an element that does not contain the signature.',
        );
      actual = sha(hash, canonicalize(target, c14n ?? XMLDSIG.c14n, prefixes, enveloped ? sig : undefined));
      label = isSp ? 'the signed properties' : `<${target.localName} Id="${uri.slice(1, 40)}">`;
      if (!isSp) {
        if (target.parentNode === sig && target.localName === 'Object') fo.packaging = 'enveloping';
        else if (isAncestor(target, sig)) fo.packaging = 'enveloped';
        else fo.packaging ??= 'enveloped';
      }
    } else {
      if (transforms.length > 0) throw new FormatError('A detached Reference must not use transforms here.');
      if (/^[a-z][a-z0-9+.-]*:/i.test(uri) && !/^urn:/i.test(uri) && !/^(https?|file):/i.test(uri)) {
        throw new FormatError(`The Reference URI scheme of "${uri.slice(0, 60)}" is not supported.`);
      }
      fo.packaging = 'detached';
      label = `the detached content "${uri.slice(0, 80)}"`;
      if (!input.detachedContent) {
        fo.signedDataNotFound = `The signature covers the detached content "${uri.slice(0, 80)}", which was not supplied: send it as detachedContent.`;
        fo.cvChecks.push(failed('reference', fo.signedDataNotFound, 'W3C XML-DSig §4.4.3.3'));
        fo.signedData.push({ reference: uri, digestAlgorithm: hash });
        continue;
      }
      if (input.detachedName && input.detachedName !== uri) {
        fo.signedDataNotFound = `The signature covers "${uri.slice(0, 80)}", not "${input.detachedName.slice(0, 80)}".`;
        fo.cvChecks.push(failed('reference', fo.signedDataNotFound, 'W3C XML-DSig §4.4.3.3'));
        continue;
      }
      actual = sha(hash, input.detachedContent);
    }
    if (!actual.equals(expected)) {
      fo.hashFailure ??= `The digest of ${label} does not match the signed value: ${isSp ? 'the signed properties were altered' : 'the data was changed after signing'}.`;
      fo.cvChecks.push(failed('reference digest', `Digest mismatch for ${label}.`, 'W3C XML-DSig §3.2.1'));
    } else
      fo.cvChecks.push(
        passed('reference digest', `${hash.toUpperCase()} digest of ${label} matches.`, 'W3C XML-DSig §3.2.1'),
      );
    if (!isSp) {
      const entry: FormatOutcome['signedData'][number] = {
        reference: uri === '' ? '(whole document)' : uri,
        digestAlgorithm: hash,
        digest: actual.toString('hex'),
      };
      const dof = kids(kid(sp, XADES_NS, 'SignedDataObjectProperties'), XADES_NS, 'DataObjectFormat').find(
        (d) => d.getAttribute('ObjectReference') === `#${ref.getAttribute('Id') ?? '\0'}`,
      );
      const mime = text(kid(dof, XADES_NS, 'MimeType'));
      if (mime) entry.mimeType = mime;
      fo.signedData.push(entry);
    }
  }
  if (fo.signedData.length === 0 && !fo.signedDataNotFound)
    throw new FormatError('The signature references no data besides its signed properties.');

  // Signature value over the canonical SignedInfo.
  const key = publicKeyOf(signer);
  if (!keyFitsScheme(key, scheme))
    fo.sigCryptoFailure = `The ${scheme.name} signature cannot have been made with the certificate's ${key.asymmetricKeyType} key.`;
  else {
    try {
      // The one-shot verification over the canonical SignedInfo (no Verify stream object per signature).
      const signed = Buffer.from(canonicalize(si, c14nAlg), 'utf8');
      const ok =
        scheme.key === 'rsa-pss'
          ? verifyOneShot(scheme.hash, signed, { key, padding: 6, saltLength: 32 }, sigValue)
          : verifyOneShot(
              scheme.hash,
              signed,
              scheme.key === 'ec' ? { key, dsaEncoding: 'ieee-p1363' } : key,
              sigValue,
            );
      if (!ok)
        fo.sigCryptoFailure =
          "The signature value does not verify with the signing certificate's key: SignedInfo or the signature value was altered.";
    } catch {
      fo.sigCryptoFailure = 'The signature value is malformed.';
    }
  }
  fo.cvChecks.push(
    fo.sigCryptoFailure
      ? failed('signature value', fo.sigCryptoFailure, 'W3C XML-DSig §3.2.2')
      : passed(
          'signature value',
          `The ${scheme.name} signature over the canonical SignedInfo verifies.`,
          'W3C XML-DSig §3.2.2',
        ),
  );

  // B-T: signature time-stamps over the canonicalized SignatureValue.
  const usp = kid(kid(qp, XADES_NS, 'UnsignedProperties'), XADES_NS, 'UnsignedSignatureProperties');
  const tsts = kids(usp, XADES_NS, 'SignatureTimeStamp');
  for (const t of tsts.slice(0, 4)) {
    const alg = kid(t, XMLDSIG.ns, 'CanonicalizationMethod')?.getAttribute('Algorithm') ?? XMLDSIG.c14n;
    if (!C14N_ALGORITHMS.has(alg))
      throw new FormatError('The SignatureTimeStamp canonicalization method is not supported.');
    const enc = text(kid(t, XADES_NS, 'EncapsulatedTimeStamp'));
    if (!enc) throw new FormatError('SignatureTimeStamp carries no EncapsulatedTimeStamp.');
    fo.timestamps.push({
      token: Buffer.from(enc.replace(/\s+/g, ''), 'base64'),
      covered: Buffer.from(canonicalize(valueEl, alg), 'utf8'),
    });
  }
  fo.level = tsts.length > 0 ? 'B-T' : 'B-B';
}
