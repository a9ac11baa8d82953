import { createHash, verify, type X509Certificate } from 'node:crypto';
import { EbmsError } from '../errors/ebms-error.ts';
import type { ReferenceInfo } from '../message/build-signal.ts';
import { childrenNs, elementChildren, textOf } from '../message/dom.ts';
import { ALG, NS, WSS } from '../message/ns.ts';
import type { ParsedEnvelope } from '../message/parse-envelope.ts';
import { certificateOfDer } from './certificates.ts';
import { excC14n, idResolver } from './xml-helpers.ts';

/** At most this many references per signature (attack-catalogue X4). */
export const MAX_REFERENCES = 60;

const SIGNATURE_ALGORITHMS: Record<string, string> = {
  [ALG.rsaSha256]: 'sha256',
  [ALG.rsaSha384]: 'sha384',
  [ALG.rsaSha512]: 'sha512',
};
const DIGEST_ALGORITHMS: Record<string, string> = {
  [ALG.sha256]: 'sha256',
  [ALG.sha384]: 'sha384',
  [ALG.sha512]: 'sha512',
};

export interface VerifyOptions {
  /** Now, from the virtual clock. */
  now: Date;
  /** Tolerated clock skew, seconds. */
  skewSeconds: number;
  /** Require wsu:Expires (UserMessages: yes; receipts, which may be replayed for a duplicate: no). */
  requireExpires: boolean;
  /** The attachments as processed (decrypted), by Content-ID. */
  attachments: ReadonlyMap<string, Buffer>;
  /** Content-IDs that must be covered by the signature (every attachment, every PartInfo cid). */
  requiredCids: Iterable<string>;
}

export interface VerifiedSignature {
  /** The signer's certificate (from the BinarySecurityToken), PEM. Its trust is the caller's to check. */
  certPem: string;
  references: ReferenceInfo[];
  timestamp: { created: string; expires?: string | undefined };
  signatureValue: string;
}

const auth = (detail: string, rule: string) => new EbmsError('EBMS:0101', detail, { rule });
const policy = (detail: string, rule: string) => new EbmsError('EBMS:0103', detail, { rule });
/** Exclusive c14n of a signed element; what the canonicalizer cannot take (e.g. `<??>`) is a refused signature. */
function c14n(element: Element, prefixes: string[], what: string): string {
  try {
    return excC14n(element, prefixes);
  } catch (e) {
    throw auth(
      `${what} cannot be canonicalized (exclusive c14n): ${(e as Error).message.slice(0, 120)}.`,
      'W3C Exclusive XML Canonicalization 1.0; XML-DSig §3.2',
    );
  }
}

/**
 * Verifies the WS-Security header of a parsed AS4 envelope and binds every reference to what is processed:
 * exactly one Security header, Timestamp and Signature; allow-listed algorithms only (RSA-SHA256/384/512, SHA-2
 * digests, exclusive c14n, the SwA attachment transform); the key from the message's own X.509 token; each
 * `#id` reference resolving to exactly one element; the processed `eb:Messaging`, Body and Timestamp and every
 * attachment among the signed parts. Failures: `EBMS:0101` (authentication) or `EBMS:0103` (policy).
 * @see https://docs.oasis-open.org/wss-m/wss/v1.1.1/os/wss-SOAPMessageSecurity-v1.1.1-os.html §8, §10
 * @see https://www.w3.org/TR/xmldsig-core1/#sec-CoreValidation
 * @see shared/design/attack-catalogue.md E4, E5, E7, E8, E9
 */
export function verifyEnvelope(env: ParsedEnvelope, opts: VerifyOptions): VerifiedSignature {
  if (env.securities.length === 0)
    throw policy(
      'The message carries no wsse:Security header; this P-Mode requires a signed message.',
      'eDelivery AS4 §3.2.6 (E7)',
    );
  if (env.securities.length > 1)
    throw policy(
      `The message carries ${env.securities.length} wsse:Security headers; the AS4 profile uses exactly one.`,
      'AS4 profile §5.1.5',
    );
  const security = env.securities[0] as Element;

  // ---- Timestamp (E9) ---------------------------------------------------------------------------------
  const timestamps = childrenNs(security, NS.wsu, 'Timestamp');
  if (timestamps.length !== 1)
    throw policy(
      `The Security header must hold exactly one wsu:Timestamp (found ${timestamps.length}).`,
      'WSS 1.1 §10 (E9)',
    );
  const tsEl = timestamps[0] as Element;
  const created = textOf(childrenNs(tsEl, NS.wsu, 'Created')[0]);
  const expires = textOf(childrenNs(tsEl, NS.wsu, 'Expires')[0]) || undefined;
  const createdMs = Date.parse(created);
  const skew = opts.skewSeconds * 1000;
  if (!created || Number.isNaN(createdMs))
    throw policy('The wsu:Timestamp has no valid wsu:Created.', 'WSS 1.1 §10 (E9)');
  if (createdMs > opts.now.getTime() + skew)
    throw auth(`The wsu:Timestamp was created in the future (${created}).`, 'WSS 1.1 §10 (E9)');
  if (opts.requireExpires && !expires)
    throw policy('The wsu:Timestamp has no wsu:Expires.', 'eDelivery AS4 §3.2.6 (E9)');
  if (expires) {
    const expiresMs = Date.parse(expires);
    if (Number.isNaN(expiresMs)) throw policy('The wsu:Expires is not a dateTime.', 'WSS 1.1 §10 (E9)');
    if (expiresMs + skew < opts.now.getTime())
      throw auth(`The message expired at ${expires} (WS-Security Timestamp); send a fresh one.`, 'WSS 1.1 §10 (E9)');
  }

  // ---- Signature structure and algorithms (E7, X4) -------------------------------------------------------
  const signatures = childrenNs(security, NS.ds, 'Signature');
  if (signatures.length === 0)
    throw policy('The Security header holds no ds:Signature; signing is required.', 'eDelivery AS4 §3.2.6 (E7)');
  if (signatures.length > 1) throw auth('The Security header holds more than one ds:Signature.', 'AS4 profile §5.1.5');
  const signature = signatures[0] as Element;
  const signedInfos = childrenNs(signature, NS.ds, 'SignedInfo');
  if (signedInfos.length !== 1)
    throw auth('The ds:Signature must hold exactly one ds:SignedInfo.', 'XML-DSig §4.4 (S20)');
  const signedInfo = signedInfos[0] as Element;
  const c14nMethod = childrenNs(signedInfo, NS.ds, 'CanonicalizationMethod')[0];
  if (c14nMethod?.getAttribute('Algorithm') !== ALG.excC14n)
    throw policy(`SignedInfo canonicalization must be ${ALG.excC14n}.`, 'eDelivery AS4 §3.2.6 (E7)');
  const sigAlg = childrenNs(signedInfo, NS.ds, 'SignatureMethod')[0]?.getAttribute('Algorithm') ?? '';
  const hash = SIGNATURE_ALGORITHMS[sigAlg];
  if (!hash)
    throw policy(
      `Signature algorithm "${sigAlg.slice(0, 80)}" is refused; use ${ALG.rsaSha256}.`,
      'eDelivery AS4 §3.2.6 (E7 downgrade)',
    );
  const refEls = childrenNs(signedInfo, NS.ds, 'Reference');
  if (refEls.length === 0 || refEls.length > MAX_REFERENCES)
    throw policy(
      `The signature has ${refEls.length} references (1 to ${MAX_REFERENCES} allowed).`,
      'attack-catalogue X4',
    );

  // Every reference's digest algorithm is checked before any cryptography (a downgrade is a policy failure).
  for (const r of refEls) {
    const m = childrenNs(r, NS.ds, 'DigestMethod')[0]?.getAttribute('Algorithm') ?? '';
    if (!DIGEST_ALGORITHMS[m])
      throw policy(
        `Digest algorithm "${m.slice(0, 80)}" is refused; use ${ALG.sha256}.`,
        'eDelivery AS4 §3.2.6 (E7 downgrade)',
      );
  }

  // ---- Key: the message's own BinarySecurityToken --------------------------------------------------------
  const str = childrenNs(childrenNs(signature, NS.ds, 'KeyInfo')[0] ?? signature, NS.wsse, 'SecurityTokenReference')[0];
  const tokenRef = str ? childrenNs(str, NS.wsse, 'Reference')[0] : undefined;
  const tokenUri = tokenRef?.getAttribute('URI') ?? '';
  if (!tokenUri.startsWith('#'))
    throw auth(
      'ds:KeyInfo must reference the X.509 BinarySecurityToken of the Security header (wsse:Reference URI="#…").',
      'WSS X.509 token profile §3.3',
    );
  const bst = childrenNs(security, NS.wsse, 'BinarySecurityToken').filter(
    (b) => b.getAttributeNS(NS.wsu, 'Id') === tokenUri.slice(1),
  );
  if (bst.length !== 1)
    throw auth(
      `No (single) BinarySecurityToken ${tokenUri.slice(0, 80)} in the Security header.`,
      'WSS X.509 token profile §3.1',
    );
  const token = bst[0] as Element;
  if (token.getAttribute('ValueType') !== WSS.x509v3)
    throw auth('The BinarySecurityToken is not an X509v3 token.', 'WSS X.509 token profile §3.1');
  let cert: X509Certificate;
  try {
    cert = certificateOfDer(textOf(token).replace(/\s+/g, ''));
  } catch {
    throw auth('The BinarySecurityToken does not hold a parsable X.509 certificate.', 'WSS X.509 token profile §3.1');
  }

  // ---- Cryptographic signature ---------------------------------------------------------------------------
  const signatureValue = textOf(childrenNs(signature, NS.ds, 'SignatureValue')[0]).replace(/\s+/g, '');
  const prefixes = inclusivePrefixes(c14nMethod);
  const ok = verify(
    hash,
    Buffer.from(c14n(signedInfo, prefixes, 'SignedInfo'), 'utf8'),
    cert.publicKey,
    Buffer.from(signatureValue, 'base64'),
  );
  if (!ok)
    throw auth(
      'The signature value does not verify with the certificate of the BinarySecurityToken.',
      'XML-DSig §3.2.2',
    );

  // ---- References: digest and binding (E4, E5, E8) -------------------------------------------------------
  const references: ReferenceInfo[] = [];
  // The document does not change while the references are resolved: its identifiers are indexed once.
  const elementById = idResolver(env.doc);
  const signedElements = new Set<Element>();
  const signedCids = new Set<string>();
  for (const r of refEls) {
    const uri = r.getAttribute('URI') ?? '';
    const transformEls = childrenNs(r, NS.ds, 'Transforms').flatMap((t) => childrenNs(t, NS.ds, 'Transform'));
    const transforms = transformEls.map((t) => t.getAttribute('Algorithm') ?? '');
    const digestMethod = childrenNs(r, NS.ds, 'DigestMethod')[0]?.getAttribute('Algorithm') ?? '';
    const digestAlg = DIGEST_ALGORITHMS[digestMethod];
    if (!digestAlg)
      throw policy(
        `Digest algorithm "${digestMethod.slice(0, 80)}" is refused; use ${ALG.sha256}.`,
        'eDelivery AS4 §3.2.6 (E7 downgrade)',
      );
    const digestValue = textOf(childrenNs(r, NS.ds, 'DigestValue')[0]).replace(/\s+/g, '');
    let computed: string;
    if (uri.startsWith('#')) {
      if (transforms.length !== 1 || transforms[0] !== ALG.excC14n)
        throw policy(
          `Reference ${uri.slice(0, 80)} must use exactly the exclusive c14n transform.`,
          'attack-catalogue X4',
        );
      const target = elementById(uri.slice(1));
      signedElements.add(target);
      computed = createHash(digestAlg)
        .update(c14n(target, inclusivePrefixes(transformEls[0]), `The element of reference ${uri.slice(0, 80)}`))
        .digest('base64');
    } else if (uri.startsWith('cid:')) {
      if (transforms.length !== 1 || transforms[0] !== ALG.attachmentContentSignature)
        throw policy(
          `Reference ${uri.slice(0, 80)} must use the Attachment-Content-Signature-Transform.`,
          'WSS SwA profile §5.3.2',
        );
      const cid = decodeCid(uri);
      const content = cid === undefined ? undefined : opts.attachments.get(cid);
      if (content === undefined || cid === undefined)
        throw auth(
          `The signature references ${uri.slice(0, 80)}, but no such attachment came with the message.`,
          'WSS SwA profile §5.3 (E5)',
        );
      signedCids.add(cid);
      computed = createHash(digestAlg).update(content).digest('base64');
    } else {
      throw auth(
        `Reference URI "${uri.slice(0, 80)}" is neither a same-document (#id) nor an attachment (cid:) reference.`,
        'attack-catalogue X3',
      );
    }
    if (computed !== digestValue) {
      throw auth(
        `The digest of ${uri.slice(0, 80)} does not match: the part was altered after signing.`,
        'XML-DSig §3.2.1 reference validation (E4/E5)',
      );
    }
    references.push({ uri, transforms, digestMethod, digestValue });
  }
  for (const [what, element] of [
    ['eb:Messaging', env.messaging],
    ['the SOAP Body', env.body],
    ['the wsu:Timestamp', tsEl],
  ] as const) {
    if (!signedElements.has(element))
      throw auth(
        `${what} that is processed is not covered by the signature (a signed copy elsewhere does not count).`,
        'eDelivery AS4 §3.2.6 (E8)',
      );
  }
  for (const cid of opts.requiredCids) {
    if (!signedCids.has(cid))
      throw auth(`Attachment cid:${cid.slice(0, 80)} is not covered by the signature.`, 'eDelivery AS4 §3.2.6 (E5)');
  }
  return {
    certPem: cert.toString(),
    references,
    timestamp: { created, expires },
    signatureValue,
  };
}

function inclusivePrefixes(el: Element | undefined): string[] {
  if (!el) return [];
  const inc = elementChildren(el).find((c) => c.localName === 'InclusiveNamespaces');
  return (inc?.getAttribute('PrefixList') ?? '').split(/\s+/).filter(Boolean);
}

function decodeCid(uri: string): string | undefined {
  try {
    return decodeURIComponent(uri.slice(4));
  } catch {
    return undefined;
  }
}
