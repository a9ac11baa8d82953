import { createSign, randomBytes } from 'node:crypto';
import { KakehashiError, parseXml } from '@kakehashi/core';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { create } from 'xmlbuilder2';
import { XADES_NS, XADES_SIGNED_PROPERTIES_TYPE, XML_DIGEST_URI, XMLDSIG } from '../common/algorithms.ts';
import { issuerSerialDer, pemToDer, type SigningCredential, sha } from '../common/certificates.ts';
import type { Packaging } from '../common/signature-facts.ts';
import { canonicalize, canonicalizeDocument } from './c14n.ts';

export interface SignXadesInput {
  credential: SigningCredential;
  /** The document: XML text for enveloped/enveloping XML content, any bytes for detached or base64 enveloping. */
  content: Uint8Array;
  packaging: Packaging;
  mimeType?: string;
  /** The Reference URI of detached content (default `document`). */
  detachedName?: string;
  signingTime: Date;
  /** Adds a signature time-stamp over the canonicalized SignatureValue (level B-T). */
  timestamp?: (covered: Buffer) => Promise<Buffer>;
  /** Largest XML document accepted, bytes (default 8 MiB). */
  maxXmlBytes?: number;
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

const B64 = 'http://www.w3.org/2000/09/xmldsig#base64';
const RSA_SHA1_URI = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const SHA1_URI = 'http://www.w3.org/2000/09/xmldsig#sha1';
const hashOf = (input: SignXadesInput) => (input.weakHash ? 'sha1' : 'sha256');
const digestUri = (input: SignXadesInput) => (input.weakHash ? SHA1_URI : XML_DIGEST_URI.sha256);

function b64Lines(der: Buffer): string {
  return der.toString('base64');
}

function isXml(content: Uint8Array): boolean {
  const head = Buffer.from(content.subarray(0, 64))
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  return head.startsWith('<');
}

/** The Ids that tie the parts of one signature together. */
interface SignatureIds {
  id: string;
  sigId: string;
  spId: string;
  refId: string;
  objId: string;
}

/** Where the signature goes: into the XML document (enveloped), or a new ds:Signature document, and what it references. */
function targetOf(
  input: SignXadesInput,
  ids: SignatureIds,
  limit: number,
): { doc: Document; parent: Element | undefined; dataUri: string } {
  if (input.packaging === 'enveloped') {
    if (!isXml(input.content))
      throw new KakehashiError(
        'esig-packaging-unsupported',
        'An enveloped XAdES signature needs an XML document; use enveloping or detached for other content.',
      );
    const doc = parseXml(input.content, { maxBytes: limit });
    return { doc, parent: doc.documentElement, dataUri: '' };
  }
  const doc = new DOMParser().parseFromString(
    `<ds:Signature xmlns:ds="${XMLDSIG.ns}"/>`,
    'application/xml',
  ) as unknown as Document;
  const dataUri = input.packaging === 'enveloping' ? `#${ids.objId}` : (input.detachedName ?? 'document');
  if (input.packaging === 'detached' && (/^#/.test(dataUri) || dataUri === '' || /[\s"<>]/.test(dataUri))) {
    throw new KakehashiError(
      'validation-failed',
      'The detached name must be a relative URI without spaces, quotes or a leading "#".',
    );
  }
  return { doc, parent: undefined, dataUri };
}

/**
 * The signature skeleton, built with xmlbuilder2: SignedInfo with the data and SignedProperties references
 * (digests empty), an empty SignatureValue, KeyInfo with the certificate and chain, the QualifyingProperties
 * (SigningTime, SigningCertificateV2, DataObjectFormat) and, enveloping, the content in a ds:Object.
 */
function skeleton(input: SignXadesInput, ids: SignatureIds, dataUri: string, certDer: Buffer, limit: number): string {
  const contentIsXml = isXml(input.content);
  const signedInfoXml = create({ version: '1.0' })
    .ele(XMLDSIG.ns, 'ds:Signature', { Id: ids.sigId })
    .ele('ds:SignedInfo')
    .ele('ds:CanonicalizationMethod', { Algorithm: XMLDSIG.excC14n })
    .up()
    .ele('ds:SignatureMethod', { Algorithm: input.weakHash ? RSA_SHA1_URI : XMLDSIG.rsaSha256 })
    .up();
  const dataRefXml = signedInfoXml.ele('ds:Reference', { Id: ids.refId, URI: dataUri });
  if (input.packaging === 'enveloped') {
    const t = dataRefXml.ele('ds:Transforms');
    t.ele('ds:Transform', { Algorithm: XMLDSIG.enveloped });
    t.ele('ds:Transform', { Algorithm: XMLDSIG.excC14n });
  } else if (input.packaging === 'enveloping') {
    dataRefXml.ele('ds:Transforms').ele('ds:Transform', { Algorithm: XMLDSIG.excC14n });
  }
  dataRefXml.ele('ds:DigestMethod', { Algorithm: digestUri(input) });
  dataRefXml.ele('ds:DigestValue');
  const sigXml = signedInfoXml
    .ele('ds:Reference', { Type: XADES_SIGNED_PROPERTIES_TYPE, URI: `#${ids.spId}` })
    .ele('ds:Transforms')
    .ele('ds:Transform', { Algorithm: XMLDSIG.excC14n })
    .up()
    .up()
    .ele('ds:DigestMethod', { Algorithm: digestUri(input) })
    .up()
    .ele('ds:DigestValue')
    .up()
    .up()
    .up()
    .ele('ds:SignatureValue', { Id: `value-${ids.id}` })
    .up()
    .ele('ds:KeyInfo')
    .ele('ds:X509Data')
    .ele('ds:X509Certificate')
    .txt(b64Lines(certDer))
    .up();
  for (const c of input.credential.chainPem)
    sigXml
      .ele('ds:X509Certificate')
      .txt(b64Lines(pemToDer(c)))
      .up();
  const signature = sigXml.up().up();
  const qp = signature.ele('ds:Object').ele(XADES_NS, 'xades:QualifyingProperties', { Target: `#${ids.sigId}` });
  const sp = qp.ele('xades:SignedProperties', { Id: ids.spId });
  const ssp = sp.ele('xades:SignedSignatureProperties');
  ssp.ele('xades:SigningTime').txt(input.signingTime.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  if (!input.omitSigningCertificate) {
    const cert = ssp.ele('xades:SigningCertificateV2').ele('xades:Cert');
    const digest = cert.ele('xades:CertDigest');
    digest.ele(XMLDSIG.ns, 'ds:DigestMethod', { Algorithm: XML_DIGEST_URI.sha256 });
    digest.ele(XMLDSIG.ns, 'ds:DigestValue').txt(sha('sha256', certDer).toString('base64'));
    cert.ele('xades:IssuerSerialV2').txt(issuerSerialDer(certDer).toString('base64'));
  }
  sp.ele('xades:SignedDataObjectProperties')
    .ele('xades:DataObjectFormat', { ObjectReference: `#${ids.refId}` })
    .ele('xades:MimeType')
    .txt(input.mimeType ?? (contentIsXml ? 'text/xml' : 'application/octet-stream'));
  if (input.packaging === 'enveloping') {
    const obj = signature.ele('ds:Object', { Id: ids.objId });
    if (contentIsXml) {
      const inner = parseXml(input.content, { maxBytes: limit });
      obj.att('MimeType', input.mimeType ?? 'text/xml');
      obj.import(create(new XMLSerializer().serializeToString(inner.documentElement)));
    } else {
      obj.att('MimeType', input.mimeType ?? 'application/octet-stream').att('Encoding', B64);
      obj.txt(Buffer.from(input.content).toString('base64'));
    }
  }
  return signature.end({ headless: true });
}

function byLocal(el: Element, local: string): Element[] {
  const out: Element[] = [];
  const all = el.getElementsByTagNameNS('*', local);
  for (let i = 0; i < all.length; i++) out.push(all.item(i) as Element);
  return out;
}

/**
 * Fills in the digests of the data (enveloped: the document without the signature) and of SignedProperties, then
 * signs the canonical SignedInfo; returns the SignatureValue element.
 */
function digestAndSign(doc: Document, sigEl: Element, input: SignXadesInput, objId: string): Element {
  const [dataRef, spRef] = byLocal(sigEl, 'Reference');
  const spEl = byLocal(sigEl, 'SignedProperties')[0] as Element;
  let dataDigest: Buffer;
  if (input.packaging === 'enveloped') {
    const root = doc.documentElement;
    const next = sigEl.nextSibling;
    root.removeChild(sigEl);
    dataDigest = sha(hashOf(input), canonicalizeDocument(doc, XMLDSIG.excC14n));
    root.insertBefore(sigEl, next);
  } else if (input.packaging === 'enveloping') {
    const obj = byLocal(sigEl, 'Object').find((o) => o.getAttribute('Id') === objId) as Element;
    dataDigest = sha(hashOf(input), canonicalize(obj, XMLDSIG.excC14n));
  } else dataDigest = sha(hashOf(input), input.content);
  const setDigest = (ref: Element | undefined, value: Buffer) => {
    const dv = byLocal(ref as Element, 'DigestValue')[0] as Element;
    dv.appendChild(doc.createTextNode(value.toString('base64')));
  };
  setDigest(dataRef, dataDigest);
  setDigest(spRef, sha(hashOf(input), canonicalize(spEl, XMLDSIG.excC14n)));
  const signedInfo = byLocal(sigEl, 'SignedInfo')[0] as Element;
  const signer = createSign(hashOf(input));
  signer.update(canonicalize(signedInfo, XMLDSIG.excC14n));
  const value = signer.sign(input.credential.privateKey);
  const valueEl = byLocal(sigEl, 'SignatureValue')[0] as Element;
  valueEl.appendChild(doc.createTextNode(value.toString('base64')));
  return valueEl;
}

/** Adds the SignatureTimeStamp (B-T) as an unsigned signature property. */
function appendTimestamp(doc: Document, sigEl: Element, token: Buffer, id: string): void {
  const qpEl = byLocal(sigEl, 'QualifyingProperties')[0] as Element;
  const usp = doc.createElementNS(XADES_NS, 'xades:UnsignedProperties');
  const ussp = doc.createElementNS(XADES_NS, 'xades:UnsignedSignatureProperties');
  const tst = doc.createElementNS(XADES_NS, 'xades:SignatureTimeStamp');
  tst.setAttribute('Id', `tst-${id}`);
  const cm = doc.createElementNS(XMLDSIG.ns, 'ds:CanonicalizationMethod');
  cm.setAttribute('Algorithm', XMLDSIG.excC14n);
  const enc = doc.createElementNS(XADES_NS, 'xades:EncapsulatedTimeStamp');
  enc.appendChild(doc.createTextNode(token.toString('base64')));
  tst.appendChild(cm);
  tst.appendChild(enc);
  ussp.appendChild(tst);
  usp.appendChild(ussp);
  qpEl.appendChild(usp);
}

/**
 * Creates a XAdES baseline signature (ETSI EN 319 132-1): B-B with SigningTime, SigningCertificateV2 (SHA-256
 * of the signer certificate with IssuerSerialV2) and DataObjectFormat in SignedProperties; B-T adds a
 * SignatureTimeStamp over the exclusive-canonical SignatureValue element.
 *
 * Packaging: `enveloped` (ds:Signature appended to the XML document's root, Reference URI "" with the
 * enveloped-signature and exclusive c14n transforms), `enveloping` (the content inside a ds:Object — XML as is,
 * anything else base64 — referenced by Id), `detached` (a Reference to an external URI over the raw bytes).
 * Algorithms: RSA-SHA256, SHA-256 digests, exclusive c14n. The signer's certificate and chain are in KeyInfo.
 * @see https://www.etsi.org/deliver/etsi_en/319100_319199/31913201/ §4, §5.2
 */
export async function signXades(input: SignXadesInput): Promise<string> {
  const id = randomBytes(8).toString('hex');
  const ids: SignatureIds = { id, sigId: `sig-${id}`, spId: `xades-${id}`, refId: `ref-${id}`, objId: `content-${id}` };
  const certDer = pemToDer(input.credential.certPem);
  const limit = input.maxXmlBytes ?? 8 * 1024 * 1024;
  const target = targetOf(input, ids, limit);
  let doc = target.doc;
  const sigDoc = new DOMParser().parseFromString(
    skeleton(input, ids, target.dataUri, certDer, limit),
    'application/xml',
  ) as unknown as Document;
  let sigEl: Element;
  if (target.parent) {
    sigEl = doc.importNode(sigDoc.documentElement, true) as Element;
    target.parent.appendChild(sigEl);
  } else {
    doc = sigDoc;
    sigEl = doc.documentElement;
  }
  const valueEl = digestAndSign(doc, sigEl, input, ids.objId);
  if (input.timestamp) {
    const token = await input.timestamp(Buffer.from(canonicalize(valueEl, XMLDSIG.excC14n), 'utf8'));
    appendTimestamp(doc, sigEl, token, id);
  }
  const out = new XMLSerializer().serializeToString(doc as unknown as Node);
  return out.startsWith('<?xml') ? out : `<?xml version="1.0" encoding="UTF-8"?>\n${out}`;
}
