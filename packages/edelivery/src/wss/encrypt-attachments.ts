import {
  constants,
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import { parseXml, serializeXml } from '@kakehashi/core';
import forge from 'node-forge';
import { EbmsError } from '../errors/ebms-error.ts';
import { childrenNs, elementChildren, textOf } from '../message/dom.ts';
import { ALG, NS, WSS } from '../message/ns.ts';
import type { ParsedEnvelope } from '../message/parse-envelope.ts';
import { certificateOf, remembered } from './certificates.ts';
import { rsaOaepSha256DecryptOffThread } from './rsa-off-thread.ts';
import { el } from './xml-helpers.ts';

export interface Attachment {
  contentId: string;
  body: Buffer;
}

/** The certificate's X.509 SubjectKeyIdentifier, base64 (how the EncryptedKey names the recipient's key). */
export function subjectKeyIdentifier(certPem: string): string {
  return remembered(SKIS, certPem, () => {
    const ext = forge.pki.certificateFromPem(certPem).getExtension('subjectKeyIdentifier') as
      | { subjectKeyIdentifier?: string }
      | undefined;
    if (!ext?.subjectKeyIdentifier)
      throw new Error('The encryption certificate has no SubjectKeyIdentifier extension.');
    return Buffer.from(ext.subjectKeyIdentifier, 'hex').toString('base64');
  });
}
const SKIS = new Map<string, string>();

const SKI_VALUE_TYPE =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509SubjectKeyIdentifier';

/**
 * Encrypts every attachment for the receiving access point as the eDelivery AS4 1.15 profile sets it: one fresh
 * AES-128-GCM key (ciphertext = IV ‖ data ‖ tag), transported with RSA-OAEP (SHA-256, MGF1-SHA-256) under the
 * recipient's encryption certificate; an `xenc:EncryptedKey` and one `xenc:EncryptedData` per attachment
 * (Attachment-Content-Only, CipherReference to the `cid:`) at the top of the Security header.
 * Runs after signing: the signature covers the plaintext attachments.
 * @see https://docs.oasis-open.org/wss-m/wss/v1.1.1/os/wss-SwAProfile-v1.1.1-os.html §5.4
 * @see https://www.w3.org/TR/xmlenc-core1/#sec-AES-GCM
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/DIGITAL/eDelivery+AS4+-+1.15 §3.2.6.2
 */
export function encryptAttachments(
  envelopeXml: string,
  attachments: readonly Attachment[],
  recipientCertPem: string,
  idPrefix: string,
): { xml: string; attachments: Attachment[] } {
  if (attachments.length === 0) return { xml: envelopeXml, attachments: [] };
  const doc = parseXml(envelopeXml, { maxBytes: 4 * 1024 * 1024, fast: true });
  const out = encryptAttachmentsInDocument(doc, attachments, recipientCertPem, idPrefix);
  return { xml: serializeXml(doc), attachments: out };
}

/** {@link encryptAttachments} on a parsed (signed) envelope, in place; returns the encrypted attachments. */
export function encryptAttachmentsInDocument(
  doc: Document,
  attachments: readonly Attachment[],
  recipientCertPem: string,
  idPrefix: string,
): Attachment[] {
  if (attachments.length === 0) return [];
  const recipient = certificateOf(recipientCertPem);
  const header = childrenNs(doc.documentElement as Element, NS.soap, 'Header')[0] as Element;
  const security = childrenNs(header, NS.wsse, 'Security')[0];
  if (!security) throw new Error('encryptAttachments: sign the envelope first (no wsse:Security header).');
  const key = randomBytes(16);
  // AES with a KeyObject: node:crypto checks a Buffer key by throwing and catching inside (~9 µs a cipher).
  const secret = createSecretKey(key);
  const encryptedKeyId = `${idPrefix}-ek`;
  const out: Attachment[] = [];
  const dataRefs: Element[] = [];
  const dataEls: Element[] = [];
  attachments.forEach((a, i) => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-128-gcm', secret, iv);
    const ct = Buffer.concat([iv, cipher.update(a.body), cipher.final(), cipher.getAuthTag()]);
    out.push({ contentId: a.contentId, body: ct });
    const edId = `${idPrefix}-ed-${i + 1}`;
    dataRefs.push(el(doc, NS.xenc, 'xenc:DataReference', { URI: `#${edId}` }));
    dataEls.push(
      el(
        doc,
        NS.xenc,
        'xenc:EncryptedData',
        { Id: edId, MimeType: 'application/octet-stream', Type: ALG.attachmentContentOnly },
        [
          el(doc, NS.xenc, 'xenc:EncryptionMethod', { Algorithm: ALG.aes128Gcm }),
          el(doc, NS.ds, 'ds:KeyInfo', {}, [
            el(doc, NS.wsse, 'wsse:SecurityTokenReference', { 'wsse11:TokenType': WSS.encryptedKeyTokenType }, [
              el(doc, NS.wsse, 'wsse:Reference', { URI: `#${encryptedKeyId}` }),
            ]),
          ]),
          el(doc, NS.xenc, 'xenc:CipherData', {}, [
            el(doc, NS.xenc, 'xenc:CipherReference', { URI: `cid:${a.contentId}` }, [
              el(doc, NS.xenc, 'xenc:Transforms', {}, [
                el(doc, NS.ds, 'ds:Transform', { Algorithm: ALG.attachmentCiphertext }),
              ]),
            ]),
          ]),
        ],
      ),
    );
  });
  const wrapped = publicEncrypt(
    { key: recipient.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    key,
  );
  const encryptedKey = el(doc, NS.xenc, 'xenc:EncryptedKey', { Id: encryptedKeyId }, [
    el(doc, NS.xenc, 'xenc:EncryptionMethod', { Algorithm: ALG.rsaOaep }, [
      el(doc, NS.ds, 'ds:DigestMethod', { Algorithm: ALG.sha256 }),
      el(doc, NS.xenc11, 'xenc11:MGF', { Algorithm: ALG.mgf1Sha256 }),
    ]),
    el(doc, NS.ds, 'ds:KeyInfo', {}, [
      el(doc, NS.wsse, 'wsse:SecurityTokenReference', {}, [
        el(doc, NS.wsse, 'wsse:KeyIdentifier', { EncodingType: WSS.base64Binary, ValueType: SKI_VALUE_TYPE }, [
          subjectKeyIdentifier(recipientCertPem),
        ]),
      ]),
    ]),
    el(doc, NS.xenc, 'xenc:CipherData', {}, [el(doc, NS.xenc, 'xenc:CipherValue', {}, [wrapped.toString('base64')])]),
    el(doc, NS.xenc, 'xenc:ReferenceList', {}, dataRefs),
  ]);
  const first = security.firstChild;
  for (const n of [encryptedKey, ...dataEls]) security.insertBefore(n, first);
  return out;
}

const failed = (detail: string) => new EbmsError('EBMS:0102', detail, { rule: 'WSS SwA profile §5.4 / XML-Enc 1.1' });

/**
 * Decrypts the attachments an `xenc:EncryptedKey` of the Security header points at, with the receiver's
 * encryption key. Only the profile's algorithms are accepted (RSA-OAEP with SHA-256/MGF1-SHA-256, AES-128-GCM);
 * anything else, a key for another certificate, or a failed GCM tag is `EBMS:0102` FailedDecryption.
 * Returns the attachments with decrypted content and the set of Content-IDs that were encrypted.
 */
export function decryptAttachments(
  env: ParsedEnvelope,
  attachments: ReadonlyMap<string, Buffer>,
  own: { certPem: string; privateKey: KeyObject },
): Decrypted {
  const ek = encryptedKeyOf(env, own);
  if (!ek) return { attachments: new Map(attachments), encrypted: new Set() };
  let key: Buffer;
  try {
    key = privateDecrypt(
      { key: own.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      ek.wrapped,
    );
  } catch {
    throw failed(UNWRAP_FAILED);
  }
  return decryptWithKey(ek, key, attachments);
}

/**
 * {@link decryptAttachments} with the RSA-OAEP key unwrap computed on the thread pool (`./rsa-off-thread.ts`): the
 * same checks in the same order and the same errors; the event loop is free while the private-key operation runs.
 */
export async function decryptAttachmentsOffThread(
  env: ParsedEnvelope,
  attachments: ReadonlyMap<string, Buffer>,
  own: { certPem: string; privateKey: KeyObject },
): Promise<Decrypted> {
  const ek = encryptedKeyOf(env, own);
  if (!ek) return { attachments: new Map(attachments), encrypted: new Set() };
  let key: Buffer;
  try {
    key = await rsaOaepSha256DecryptOffThread(ek.wrapped, own.privateKey);
  } catch {
    throw failed(UNWRAP_FAILED);
  }
  return decryptWithKey(ek, key, attachments);
}

type Decrypted = { attachments: Map<string, Buffer>; encrypted: Set<string> };
const UNWRAP_FAILED = 'The payload key cannot be decrypted with this access point’s encryption key.';

/** The message's one xenc:EncryptedKey, checked (algorithms, recipient), and its wrapped key; none: not encrypted. */
function encryptedKeyOf(
  env: ParsedEnvelope,
  own: { certPem: string },
): { security: Element; ek: Element; wrapped: Buffer } | undefined {
  const security = env.securities[0];
  if (!security) return undefined;
  const keys = childrenNs(security, NS.xenc, 'EncryptedKey');
  if (keys.length === 0) return undefined;
  if (keys.length > 1) throw failed('More than one xenc:EncryptedKey; the AS4 profile uses one per message.');
  const ek = keys[0] as Element;
  const method = childrenNs(ek, NS.xenc, 'EncryptionMethod')[0];
  if (method?.getAttribute('Algorithm') !== ALG.rsaOaep) throw failed(`Key transport must be ${ALG.rsaOaep}.`);
  const digestAlg = childrenNs(method, NS.ds, 'DigestMethod')[0]?.getAttribute('Algorithm');
  const mgf = childrenNs(method, NS.xenc11, 'MGF')[0]?.getAttribute('Algorithm');
  if (digestAlg !== ALG.sha256 || mgf !== ALG.mgf1Sha256) throw failed('RSA-OAEP must use SHA-256 with MGF1-SHA-256.');
  const keyId = elementChildren(ek)
    .find((e) => e.localName === 'KeyInfo')
    ?.getElementsByTagNameNS(NS.wsse, 'KeyIdentifier')[0] as Element | undefined;
  if (keyId && textOf(keyId).replace(/\s+/g, '') !== subjectKeyIdentifier(own.certPem))
    throw failed(
      'The payload key was encrypted for another certificate than this access point’s encryption certificate.',
    );
  const wrapped = Buffer.from(
    textOf(childrenNs(childrenNs(ek, NS.xenc, 'CipherData')[0] ?? ek, NS.xenc, 'CipherValue')[0]).replace(/\s+/g, ''),
    'base64',
  );
  return { security, ek, wrapped };
}

/** The attachments the EncryptedKey's references name, decrypted with the unwrapped key (AES-128-GCM). */
function decryptWithKey(
  { security, ek }: { security: Element; ek: Element },
  key: Buffer,
  attachments: ReadonlyMap<string, Buffer>,
): Decrypted {
  const result = new Map(attachments);
  const encrypted = new Set<string>();
  if (key.length !== 16) throw failed('The payload key is not an AES-128 key.');
  // A KeyObject, as when encrypting: a Buffer key costs node:crypto a thrown and caught check per decipher.
  const secret = createSecretKey(key);
  const refs = childrenNs(childrenNs(ek, NS.xenc, 'ReferenceList')[0] ?? ek, NS.xenc, 'DataReference');
  if (refs.length === 0 || refs.length > 50) throw failed('The EncryptedKey has no (or too many) DataReference.');
  for (const ref of refs) {
    const id = (ref.getAttribute('URI') ?? '').replace(/^#/, '');
    const data = childrenNs(security, NS.xenc, 'EncryptedData').filter((d) => d.getAttribute('Id') === id);
    if (data.length !== 1)
      throw failed(`DataReference #${id.slice(0, 60)} matches ${data.length} EncryptedData elements.`);
    const ed = data[0] as Element;
    if (ed.getAttribute('Type') !== ALG.attachmentContentOnly)
      throw failed('EncryptedData must be of type Attachment-Content-Only.');
    if (childrenNs(ed, NS.xenc, 'EncryptionMethod')[0]?.getAttribute('Algorithm') !== ALG.aes128Gcm)
      throw failed(`Payload encryption must be ${ALG.aes128Gcm}.`);
    const cref = childrenNs(childrenNs(ed, NS.xenc, 'CipherData')[0] ?? ed, NS.xenc, 'CipherReference')[0];
    const uri = cref?.getAttribute('URI') ?? '';
    let cid: string;
    try {
      cid = decodeURIComponent(uri.replace(/^cid:/, ''));
    } catch {
      throw failed('CipherReference URI is not a valid cid: URI.');
    }
    const ct = uri.startsWith('cid:') ? result.get(cid) : undefined;
    if (!ct) throw failed(`CipherReference ${uri.slice(0, 80)} names no attachment of the message.`);
    if (encrypted.has(cid)) throw failed(`Attachment cid:${cid.slice(0, 60)} is encrypted twice.`);
    if (ct.length < 12 + 16) throw failed(`Attachment cid:${cid.slice(0, 60)} is too short for AES-GCM.`);
    try {
      const decipher = createDecipheriv('aes-128-gcm', secret, ct.subarray(0, 12));
      decipher.setAuthTag(ct.subarray(ct.length - 16));
      result.set(cid, Buffer.concat([decipher.update(ct.subarray(12, ct.length - 16)), decipher.final()]));
    } catch {
      throw failed(`Attachment cid:${cid.slice(0, 60)} fails AES-GCM authentication: it was altered or swapped.`);
    }
    encrypted.add(cid);
  }
  return { attachments: result, encrypted };
}
