import { createHash, type KeyObject, sign } from 'node:crypto';
import { parseXml, serializeXml } from '@kakehashi/core';
import type { ReferenceInfo } from '../message/build-signal.ts';
import { childrenNs } from '../message/dom.ts';
import { ALG, NS, WSS } from '../message/ns.ts';
import { certificateOf } from './certificates.ts';
import { rsaSha256SignOffThread } from './rsa-off-thread.ts';
import { el, excC14n, idResolver } from './xml-helpers.ts';

/** What the signer needs: its key and certificate, the identifiers of the parts to sign, the attachments. */
export interface SignOptions {
  certPem: string;
  privateKey: KeyObject;
  /** Identifiers (id / wsu:Id) of the elements to sign, e.g. the eb:Messaging id and the Body wsu:Id. */
  elementIds: string[];
  /** Attachments to sign with the Attachment-Content-Signature-Transform (content = the bytes sent, pre-encryption). */
  attachments: { contentId: string; body: Buffer }[];
  /** wsu:Created of the WS-Security Timestamp. */
  created: Date;
  /** Lifetime of the timestamp in seconds (wsu:Expires = created + ttl); omitted: no Expires. */
  ttlSeconds?: number | undefined;
  /** Prefix for the wsu:Id values of the token, timestamp and signature. */
  idPrefix: string;
}

export interface SignedEnvelope {
  xml: string;
  /** The signature's references, as a receipt's non-repudiation information must repeat them. */
  references: ReferenceInfo[];
  timestampId: string;
}

const xmlTime = (d: Date) => d.toISOString();

export function digest(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('base64');
}

export function pemToDerBase64(pem: string): string {
  return certificateOf(pem).raw.toString('base64');
}

/**
 * Adds a WS-Security header to a SOAP 1.2 envelope and signs it as the eDelivery AS4 1.15 profile requires:
 * X.509 BinarySecurityToken, a Timestamp, and an RSA-SHA256 XML signature (exclusive c14n, SHA-256 digests) over
 * the given elements (eb:Messaging, Body), the Timestamp and every attachment (Attachment-Content-Signature-Transform).
 * @see https://docs.oasis-open.org/wss-m/wss/v1.1.1/os/wss-SOAPMessageSecurity-v1.1.1-os.html §8
 * @see https://docs.oasis-open.org/wss-m/wss/v1.1.1/os/wss-SwAProfile-v1.1.1-os.html §5.3
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/DIGITAL/eDelivery+AS4+-+1.15 §3.2.6.1
 */
export function signEnvelope(envelopeXml: string, opts: SignOptions): SignedEnvelope {
  const doc = parseXml(envelopeXml, { maxBytes: 4 * 1024 * 1024, maxDepth: 64, fast: true });
  const signed = signEnvelopeDocument(doc, opts);
  return { xml: serializeXml(doc), ...signed };
}

/**
 * {@link signEnvelope} on a parsed envelope, in place: the sender goes on to encrypt the same document, so the
 * envelope is parsed and serialised once per message, not once per step.
 */
export function signEnvelopeDocument(doc: Document, opts: SignOptions): Omit<SignedEnvelope, 'xml'> {
  const p = prepareSignature(doc, opts);
  p.complete(sign('sha256', p.signedInfo, opts.privateKey));
  return p.signed;
}

/**
 * {@link signEnvelopeDocument} with the RSA signature computed on the thread pool (`./rsa-off-thread.ts`): the same
 * document, references and signature; the event loop is free while the private-key operation runs.
 */
export async function signEnvelopeDocumentOffThread(
  doc: Document,
  opts: SignOptions,
): Promise<Omit<SignedEnvelope, 'xml'>> {
  const p = prepareSignature(doc, opts);
  p.complete(await rsaSha256SignOffThread(p.signedInfo, opts.privateKey));
  return p.signed;
}

/**
 * Everything of the signature but its value: the Security header with the token and the Timestamp, the references'
 * digests and the canonical SignedInfo to sign; `complete` puts the signature value in.
 */
function prepareSignature(
  doc: Document,
  opts: SignOptions,
): { signed: Omit<SignedEnvelope, 'xml'>; signedInfo: Buffer; complete(value: Buffer): void } {
  const envelope = doc.documentElement as Element;
  const header = childrenNs(envelope, NS.soap, 'Header')[0] as Element;
  const bstId = `${opts.idPrefix}-bst`;
  const timestampId = `${opts.idPrefix}-ts`;
  const timestamp = el(doc, NS.wsu, 'wsu:Timestamp', { 'wsu:Id': timestampId }, [
    el(doc, NS.wsu, 'wsu:Created', {}, [xmlTime(opts.created)]),
    ...(opts.ttlSeconds !== undefined
      ? [el(doc, NS.wsu, 'wsu:Expires', {}, [xmlTime(new Date(opts.created.getTime() + opts.ttlSeconds * 1000))])]
      : []),
  ]);
  const bst = el(
    doc,
    NS.wsse,
    'wsse:BinarySecurityToken',
    { 'wsu:Id': bstId, EncodingType: WSS.base64Binary, ValueType: WSS.x509v3 },
    [pemToDerBase64(opts.certPem)],
  );
  const security = el(doc, NS.wsse, 'wsse:Security', { 'env:mustUnderstand': 'true' }, [bst, timestamp]);
  header.appendChild(security);

  const references: ReferenceInfo[] = [];
  // The envelope is complete but for its signature: its identifiers are indexed once for all the references.
  const elementById = idResolver(doc);
  for (const id of [...opts.elementIds, timestampId]) {
    references.push({
      uri: `#${id}`,
      transforms: [ALG.excC14n],
      digestMethod: ALG.sha256,
      digestValue: digest(excC14n(elementById(id))),
    });
  }
  for (const a of opts.attachments) {
    references.push({
      uri: `cid:${a.contentId}`,
      transforms: [ALG.attachmentContentSignature],
      digestMethod: ALG.sha256,
      digestValue: digest(a.body),
    });
  }
  const signedInfo = el(doc, NS.ds, 'ds:SignedInfo', {}, [
    el(doc, NS.ds, 'ds:CanonicalizationMethod', { Algorithm: ALG.excC14n }),
    el(doc, NS.ds, 'ds:SignatureMethod', { Algorithm: ALG.rsaSha256 }),
    ...references.map((r) => referenceElement(doc, r)),
  ]);
  const signatureValue = el(doc, NS.ds, 'ds:SignatureValue');
  const signature = el(doc, NS.ds, 'ds:Signature', { Id: `${opts.idPrefix}-sig` }, [
    signedInfo,
    signatureValue,
    el(doc, NS.ds, 'ds:KeyInfo', {}, [
      el(doc, NS.wsse, 'wsse:SecurityTokenReference', {}, [
        el(doc, NS.wsse, 'wsse:Reference', { URI: `#${bstId}`, ValueType: WSS.x509v3 }),
      ]),
    ]),
  ]);
  security.appendChild(signature);
  return {
    signed: { references, timestampId },
    signedInfo: Buffer.from(excC14n(signedInfo), 'utf8'),
    complete: (value) => {
      signatureValue.appendChild(doc.createTextNode(value.toString('base64')));
    },
  };
}

/** A `ds:Reference` element for `r`. */
export function referenceElement(doc: Document, r: ReferenceInfo): Element {
  return el(doc, NS.ds, 'ds:Reference', { URI: r.uri }, [
    el(
      doc,
      NS.ds,
      'ds:Transforms',
      {},
      r.transforms.map((t) => el(doc, NS.ds, 'ds:Transform', { Algorithm: t })),
    ),
    el(doc, NS.ds, 'ds:DigestMethod', { Algorithm: r.digestMethod }),
    el(doc, NS.ds, 'ds:DigestValue', {}, [r.digestValue]),
  ]);
}
