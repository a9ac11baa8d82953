import {
  constants,
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  X509Certificate,
} from 'node:crypto';
import { ALG, NS } from '../constants.ts';
import { childElements, escapeXml, fullText, hasCommentOrPi, newSamlId, pemBody } from './dom.ts';

/**
 * Encrypts an XML element (its serialisation, with its own namespace declarations) for a recipient: a fresh
 * AES-256-GCM content key (IV ‖ ciphertext ‖ tag in CipherValue), transported with RSA-OAEP (MGF1-SHA1, SHA-1
 * digest: the combination every SAML stack — xmlsec, OpenSAML, xml-encryption — implements alike) to the
 * recipient's encryption certificate. Returns an `xenc:EncryptedData` element (Type Element) with the
 * `xenc:EncryptedKey` inside its KeyInfo, as eIDAS-Node and OpenSAML emit it.
 * @see https://www.w3.org/TR/xmlenc-core1/ (§5.2.4 AES-GCM, §5.5.2 RSA-OAEP)
 * @see eIDAS Cryptographic Requirements v1.2 §3.3 (AES-GCM content encryption, RSA-OAEP key transport)
 */
export function encryptElement(plainXml: string, recipientCertPem: string, recipient?: string): string {
  const cek = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', cek, iv);
  const ct = Buffer.concat([cipher.update(plainXml, 'utf8'), cipher.final()]);
  const cipherValue = Buffer.concat([iv, ct, cipher.getAuthTag()]).toString('base64');
  const publicKey = createPublicKey(
    new X509Certificate(recipientCertPem).publicKey.export({ type: 'spki', format: 'pem' }),
  );
  const wrapped = publicEncrypt(
    { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    cek,
  ).toString('base64');
  return (
    `<xenc:EncryptedData xmlns:xenc="${NS.xenc}" Id="${newSamlId()}" Type="${ALG.elementType}">` +
    `<xenc:EncryptionMethod Algorithm="${ALG.aes256Gcm}"/>` +
    `<ds:KeyInfo xmlns:ds="${NS.ds}">` +
    `<xenc:EncryptedKey Id="${newSamlId()}"${recipient ? ` Recipient="${escapeXml(recipient)}"` : ''}>` +
    `<xenc:EncryptionMethod Algorithm="${ALG.rsaOaepMgf1p}"><ds:DigestMethod Algorithm="${ALG.sha1}"/></xenc:EncryptionMethod>` +
    `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${pemBody(recipientCertPem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>` +
    `<xenc:CipherData><xenc:CipherValue>${wrapped}</xenc:CipherValue></xenc:CipherData>` +
    `</xenc:EncryptedKey></ds:KeyInfo>` +
    `<xenc:CipherData><xenc:CipherValue>${cipherValue}</xenc:CipherValue></xenc:CipherData>` +
    `</xenc:EncryptedData>`
  );
}

export type DecryptResult =
  | { ok: true; plaintext: string }
  | { ok: false; kind: 'forbidden' | 'malformed' | 'failed'; reason: string };

const OAEP_DIGESTS: Record<string, string> = {
  [ALG.sha1]: 'sha1',
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
};
const MGF_DIGESTS: Record<string, string> = {
  [ALG.mgf1Sha1]: 'sha1',
  'http://www.w3.org/2009/xmlenc11#mgf1sha256': 'sha256',
};

function cipherValue(parent: Element): Buffer | undefined {
  const cd = childElements(parent, NS.xenc, 'CipherData');
  const cv = cd.length === 1 ? childElements(cd[0] as Element, NS.xenc, 'CipherValue') : [];
  if (cv.length !== 1 || hasCommentOrPi(cv[0] as Element)) return undefined;
  const text = fullText(cv[0] as Element).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

/**
 * Decrypts the `xenc:EncryptedData` of a `saml:EncryptedAssertion` with the recipient's private key. Algorithms
 * are allow-listed (X4): content AES-128/256-GCM only (CBC is refused: padding oracles), key transport RSA-OAEP
 * (`rsa-oaep-mgf1p`, or `xmlenc11#rsa-oaep` whose MGF and digest agree). Exactly one EncryptedKey, inside
 * KeyInfo or as a sibling of EncryptedData; no RetrievalMethod.
 * @see https://www.w3.org/TR/xmlenc-core1/#sec-Processing-Decryption
 */
export function decryptEncryptedAssertion(encryptedAssertion: Element, privateKey: KeyObject): DecryptResult {
  const datas = childElements(encryptedAssertion, NS.xenc, 'EncryptedData');
  if (datas.length !== 1)
    return { ok: false, kind: 'malformed', reason: 'EncryptedAssertion needs exactly one xenc:EncryptedData.' };
  const data = datas[0] as Element;
  const method = childElements(data, NS.xenc, 'EncryptionMethod')[0]?.getAttribute('Algorithm') ?? '';
  const aes = { [ALG.aes256Gcm]: 'aes-256-gcm', [ALG.aes128Gcm]: 'aes-128-gcm' }[method];
  if (!aes)
    return {
      ok: false,
      kind: 'forbidden',
      reason: `Content encryption ${JSON.stringify(method.slice(0, 80))} is not allowed: AES-GCM only (eIDAS; CBC invites padding oracles).`,
    };
  const keys: Element[] = [...childElements(encryptedAssertion, NS.xenc, 'EncryptedKey')];
  for (const ki of childElements(data, NS.ds, 'KeyInfo')) {
    if (childElements(ki, NS.ds, 'RetrievalMethod').length > 0)
      return { ok: false, kind: 'forbidden', reason: 'KeyInfo/RetrievalMethod is not allowed.' };
    keys.push(...childElements(ki, NS.xenc, 'EncryptedKey'));
  }
  if (keys.length !== 1)
    return { ok: false, kind: 'malformed', reason: `Expected exactly one xenc:EncryptedKey, found ${keys.length}.` };
  const ek = keys[0] as Element;
  const km = childElements(ek, NS.xenc, 'EncryptionMethod')[0];
  const kAlg = km?.getAttribute('Algorithm') ?? '';
  const digestAlg = (km && childElements(km, NS.ds, 'DigestMethod')[0]?.getAttribute('Algorithm')) || ALG.sha1;
  const mgfAlg = (km && childElements(km, NS.xenc11, 'MGF')[0]?.getAttribute('Algorithm')) || ALG.mgf1Sha1;
  const oaepHash = OAEP_DIGESTS[digestAlg];
  const mgfHash = kAlg === ALG.rsaOaepMgf1p ? 'sha1' : MGF_DIGESTS[mgfAlg];
  if ((kAlg !== ALG.rsaOaepMgf1p && kAlg !== ALG.rsaOaep) || !oaepHash || oaepHash !== mgfHash)
    return {
      ok: false,
      kind: 'forbidden',
      reason: `Key transport ${JSON.stringify(kAlg.slice(0, 80))} with digest ${JSON.stringify(digestAlg.slice(0, 60))} is not allowed: RSA-OAEP with matching MGF1 and digest (rsa-1_5 is refused).`,
    };
  const wrapped = cipherValue(ek);
  const body = cipherValue(data);
  if (!wrapped || !body) return { ok: false, kind: 'malformed', reason: 'A CipherValue is missing or not base64.' };
  const keyLen = aes === 'aes-256-gcm' ? 32 : 16;
  try {
    const cek = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, wrapped);
    if (cek.length !== keyLen) throw new Error('key length');
    if (body.length < 12 + 16) throw new Error('short');
    const decipher = createDecipheriv(aes as 'aes-256-gcm', cek, body.subarray(0, 12));
    decipher.setAuthTag(body.subarray(body.length - 16));
    const plain = Buffer.concat([decipher.update(body.subarray(12, body.length - 16)), decipher.final()]);
    return { ok: true, plaintext: new TextDecoder('utf-8', { fatal: true }).decode(plain) };
  } catch {
    // One reason for every failure: the caller learns nothing that would make an oracle.
    return {
      ok: false,
      kind: 'failed',
      reason:
        'The assertion cannot be decrypted with the given key (wrong recipient key, or the ciphertext was altered).',
    };
  }
}
