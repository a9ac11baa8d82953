import { X509Certificate } from 'node:crypto';
import { type Clock, KakehashiError, parseXml } from '@kakehashi/core';
import { SignedXml } from 'xml-crypto';
import { anchorsFromTrustedList } from './anchors-from-trusted-list.ts';
import { ALGORITHMS, DSIG_NS, SERVICE_STATUS, TSL_NS, TSLX_NS } from './constants.ts';
import { prepareExcC14nListSignature } from './exc-c14n-signature.ts';
import type {
  ServiceHistoryItem,
  TrustedService,
  TslPointer,
  VerifiedListInfo,
  VerifiedLotl,
  VerifiedTrustedList,
} from './z-trusted-list.ts';

export interface VerifyListOptions {
  /** The virtual clock: the list is refused after its NextUpdate. */
  clock: Pick<Clock, 'now'>;
  /** Refuse a list whose TSLSequenceNumber is lower (rollback / replay of an old list). */
  minSequence?: number;
  /** Size limit before parsing (default 4 MiB). */
  maxBytes?: number;
  /** TEST ONLY (weak node, `lenient.trust.tl-expired`): accept a list past its NextUpdate. */
  acceptExpired?: boolean;
}

export interface VerifyLotlOptions extends VerifyListOptions {
  /** The LOTL signer certificates known out of band (the hub's signing certificate). Never taken from KeyInfo. */
  pinnedSignerCerts: (string | X509Certificate)[];
}

export interface VerifyTrustedListOptions extends VerifyListOptions {
  /** The certificates the LOTL pointer lists for this TL (`pointer.signerCertsPem`). Never taken from KeyInfo. */
  signerCerts: (string | X509Certificate)[];
  /** Refuse the list unless its SchemeTerritory is this code. */
  expectedTerritory?: string;
}

const ACCEPTED_SIGNATURE_METHODS = new Set<string>([
  ALGORITHMS.rsaSha256,
  ALGORITHMS.rsaSha512,
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
  'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1',
]);
const ACCEPTED_DIGESTS = new Set<string>([
  ALGORITHMS.sha256,
  ALGORITHMS.sha512,
  'http://www.w3.org/2001/04/xmldsig-more#sha384',
]);
const ACCEPTED_C14N = new Set<string>([ALGORITHMS.excC14n, ALGORITHMS.c14n, 'http://www.w3.org/2006/12/xml-c14n11']);

function invalid(message: string, rule = 'ETSI TS 119 612 §5.7.1'): KakehashiError {
  return new KakehashiError('tl-signature-invalid', message, { rule });
}

function elementChildren(el: Element, ns?: string, localName?: string): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== 1) continue;
    const e = n as Element;
    if ((ns === undefined || e.namespaceURI === ns) && (localName === undefined || e.localName === localName))
      out.push(e);
  }
  return out;
}

function child(el: Element | undefined, localName: string, ns = TSL_NS): Element | undefined {
  return el ? elementChildren(el, ns, localName)[0] : undefined;
}

function text(el: Element | undefined): string {
  return (el?.textContent ?? '').trim();
}

function toPem(b64: string): string {
  const clean = b64.replace(/\s+/g, '');
  return `-----BEGIN CERTIFICATE-----\n${clean.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

function x509Of(c: string | X509Certificate): X509Certificate {
  return c instanceof X509Certificate ? c : new X509Certificate(c);
}

/**
 * Checks the signature of a TrustServiceStatusList and returns the signed content (re-parsed from the
 * canonical bytes that were verified, so nothing unsigned is ever consumed).
 *
 * Enforced beyond the cryptography: exactly one ds:Signature in the document, as the last child of the root;
 * exactly one Reference, with URI="" or "#<root Id>", transforms enveloped-signature then (exclusive) c14n
 * only; SHA-256 or stronger; the key from a pinned certificate (KeyInfo is ignored). The project's own profile
 * (exc-c14n, RSA PKCS#1 v1.5) is checked in one pass over this DOM (`prepareExcC14nListSignature`), any other
 * accepted profile by xml-crypto.
 */
function verifySignedList(
  xml: string,
  signerCerts: (string | X509Certificate)[],
  options: VerifyListOptions,
): { root: Element; signerCertPem: string } {
  const doc = parseXml(xml, { maxBytes: options.maxBytes ?? 4 * 1024 * 1024 });
  const root = doc.documentElement;
  if (root.namespaceURI !== TSL_NS || root.localName !== 'TrustServiceStatusList') {
    throw new KakehashiError('validation-failed', 'The document is not an ETSI TS 119 612 TrustServiceStatusList.', {
      rule: 'ETSI TS 119 612 §5',
    });
  }
  const signatures = doc.getElementsByTagNameNS(DSIG_NS, 'Signature');
  if (signatures.length !== 1) {
    throw invalid(`The trusted list must carry exactly one ds:Signature; it has ${signatures.length}.`);
  }
  const signature = signatures.item(0) as Element;
  const rootChildren = elementChildren(root);
  if (signature.parentNode !== root || rootChildren[rootChildren.length - 1] !== signature) {
    throw invalid(
      'The ds:Signature must be the last child of TrustServiceStatusList (enveloped signature over the whole list).',
    );
  }
  const signedInfo = child(signature, 'SignedInfo', DSIG_NS);
  const c14n = child(signedInfo, 'CanonicalizationMethod', DSIG_NS)?.getAttribute('Algorithm') ?? '';
  const method = child(signedInfo, 'SignatureMethod', DSIG_NS)?.getAttribute('Algorithm') ?? '';
  if (!ACCEPTED_C14N.has(c14n)) throw invalid(`Canonicalization method ${c14n || '(none)'} is not accepted.`);
  if (!ACCEPTED_SIGNATURE_METHODS.has(method)) {
    throw invalid(
      `Signature method ${method || '(none)'} is not accepted: use RSA with SHA-256 or stronger.`,
      'ETSI TS 119 312 (cryptographic suites)',
    );
  }
  const references = signedInfo ? elementChildren(signedInfo, DSIG_NS, 'Reference') : [];
  if (references.length !== 1)
    throw invalid(`The signature must have exactly one Reference; it has ${references.length}.`);
  const reference = references[0] as Element;
  const uri = reference.getAttribute('URI');
  const rootId = root.getAttribute('Id');
  if (!(uri === '' || (rootId && uri === `#${rootId}`))) {
    throw invalid(
      `The Reference URI "${(uri ?? '(absent)').slice(0, 60)}" does not cover the whole list: it must be "" or "#${rootId ?? 'root Id'}".`,
    );
  }
  if (uri !== '') {
    // "#Id" must designate the root and nothing else (signature wrapping via a duplicated Id).
    let count = 0;
    const all = doc.getElementsByTagName('*');
    for (let i = 0; i < all.length; i++) if ((all.item(i) as Element).getAttribute('Id') === rootId) count++;
    if (count !== 1) throw invalid(`The Id "${rootId}" appears ${count} times: the signed element is ambiguous.`);
  }
  const transforms = elementChildren(child(reference, 'Transforms', DSIG_NS) ?? reference, DSIG_NS, 'Transform').map(
    (t) => t.getAttribute('Algorithm') ?? '',
  );
  if (
    transforms[0] !== ALGORITHMS.enveloped ||
    transforms.length > 2 ||
    (transforms.length === 2 && !ACCEPTED_C14N.has(transforms[1] as string))
  ) {
    throw invalid('The Reference transforms must be enveloped-signature followed by a canonicalization, nothing else.');
  }
  const digest = child(reference, 'DigestMethod', DSIG_NS)?.getAttribute('Algorithm') ?? '';
  if (!ACCEPTED_DIGESTS.has(digest))
    throw invalid(`Digest method ${digest || '(none)'} is not accepted: use SHA-256 or stronger.`);
  if (signerCerts.length === 0) throw invalid('No signer certificate is pinned for this list: it cannot be verified.');

  const now = options.clock.now();
  let lastError = 'the signature does not verify with any pinned certificate';
  // The project's own profile (exc-c14n, RSA PKCS#1 v1.5) in one pass over this DOM; anything else by xml-crypto.
  const fast = prepareExcC14nListSignature({
    root,
    signature,
    signedInfo: signedInfo as Element,
    reference,
    uri,
    c14n,
    method,
    transforms,
    digest,
  });
  if (fast && !fast.digestMatches)
    lastError = 'the list content does not match the signed digest (altered after signing)';
  for (const candidate of signerCerts) {
    const cert = x509Of(candidate);
    let ok = false;
    let signedContent: string | undefined;
    if (fast) {
      ok = fast.digestMatches && fast.verifiesWith(cert);
      signedContent = fast.signedContent;
    } else {
      const sig = new SignedXml({ publicCert: cert.toString(), getCertFromKeyInfo: () => null });
      sig.loadSignature(signature);
      try {
        ok = sig.checkSignature(xml);
      } catch (e) {
        lastError =
          e instanceof Error && /digest/i.test(e.message)
            ? 'the list content does not match the signed digest (altered after signing)'
            : lastError;
      }
      const signed = ok ? sig.getSignedReferences() : [];
      if (ok && signed.length !== 1) throw invalid('The signature did not yield exactly one signed reference.');
      signedContent = signed[0];
    }
    if (!ok || signedContent === undefined) continue;
    if (now.getTime() > new Date(cert.validTo).getTime() || now.getTime() < new Date(cert.validFrom).getTime()) {
      throw invalid(
        `The list is signed by "${cert.subject.split('\n').pop()}", whose certificate is valid only from ${new Date(cert.validFrom).toISOString()} to ${new Date(cert.validTo).toISOString()} (checked at ${now.toISOString()}).`,
      );
    }
    const signedDoc = parseXml(signedContent, { maxBytes: options.maxBytes ?? 4 * 1024 * 1024 });
    const signedRoot = signedDoc.documentElement;
    if (signedRoot.namespaceURI !== TSL_NS || signedRoot.localName !== 'TrustServiceStatusList')
      throw invalid('The signed content is not the list.');
    return { root: signedRoot, signerCertPem: cert.toString() };
  }
  throw invalid(
    `The trusted list signature is invalid: ${lastError}. Fetch the list again from its TSLLocation; if it persists, the list was tampered with or signed by another key.`,
  );
}

function parseDate(s: string, what: string): Date {
  const d = new Date(s);
  if (Number.isNaN(d.getTime()))
    throw new KakehashiError('validation-failed', `${what} "${s.slice(0, 40)}" is not an xsd:dateTime.`);
  return d;
}

function readInfo(root: Element, signerCertPem: string, options: VerifyListOptions, what: string): VerifiedListInfo {
  const si = child(root, 'SchemeInformation');
  const sequenceNumber = Number.parseInt(text(child(si, 'TSLSequenceNumber')), 10);
  const nextText = text(child(child(si, 'NextUpdate'), 'dateTime'));
  const info: VerifiedListInfo = {
    tslType: text(child(si, 'TSLType')),
    territory: text(child(si, 'SchemeTerritory')),
    sequenceNumber,
    issueDate: parseDate(text(child(si, 'ListIssueDateTime')), 'ListIssueDateTime'),
    nextUpdate: nextText ? parseDate(nextText, 'NextUpdate') : new Date(0),
    schemeOperatorName: text(child(child(si, 'SchemeOperatorName'), 'Name')),
    signerCertPem,
  };
  const now = options.clock.now();
  if (!nextText) {
    throw new KakehashiError(
      'tl-expired',
      `The ${what} is closed (empty NextUpdate): the scheme has ceased; do not use it.`,
      {
        rule: 'ETSI TS 119 612 §5.3.15',
      },
    );
  }
  if (now.getTime() > info.nextUpdate.getTime() && !options.acceptExpired) {
    throw new KakehashiError(
      'tl-expired',
      `The ${what} (sequence ${sequenceNumber}) was due to be replaced at ${info.nextUpdate.toISOString()}; it is now ${now.toISOString()}. Fetch a fresh list.`,
      { rule: 'ETSI TS 119 612 §5.3.15', extra: { nextUpdate: info.nextUpdate.toISOString() } },
    );
  }
  if (!Number.isSafeInteger(sequenceNumber) || sequenceNumber < 1) {
    throw new KakehashiError('validation-failed', `The ${what} has no valid TSLSequenceNumber.`, {
      rule: 'ETSI TS 119 612 §5.3.2',
    });
  }
  if (options.minSequence !== undefined && sequenceNumber < options.minSequence) {
    throw new KakehashiError(
      'tl-rollback',
      `The ${what} has sequence number ${sequenceNumber}, lower than ${options.minSequence} already seen: an older list is being replayed.`,
      { rule: 'ETSI TS 119 612 §5.3.2', extra: { sequenceNumber, minSequence: options.minSequence } },
    );
  }
  return info;
}

function certsOf(sdi: Element | undefined): string[] {
  if (!sdi) return [];
  return elementChildren(sdi, TSL_NS, 'DigitalId')
    .map((d) => text(child(d, 'X509Certificate')))
    .filter((b) => b !== '')
    .map(toPem);
}

/**
 * Verifies the list of trusted lists: signature by a pinned LOTL signer certificate (never KeyInfo), then
 * NextUpdate against the virtual clock (`tl-expired`) and the sequence number (`tl-rollback`); returns
 * the pointers to the national lists with the certificates allowed to sign each.
 * @see https://www.etsi.org/deliver/etsi_ts/119600_119699/119612/ §5.3.13, §5.7
 */
export function verifyLotl(xml: string, options: VerifyLotlOptions): VerifiedLotl {
  const { root, signerCertPem } = verifySignedList(xml, options.pinnedSignerCerts, options);
  const info = readInfo(root, signerCertPem, options, 'list of trusted lists');
  const pointers: TslPointer[] = [];
  const si = child(root, 'SchemeInformation');
  for (const p of elementChildren(child(si, 'PointersToOtherTSL') ?? si!, TSL_NS, 'OtherTSLPointer')) {
    const signerCerts: string[] = [];
    for (const sdi of elementChildren(child(p, 'ServiceDigitalIdentities') ?? p, TSL_NS, 'ServiceDigitalIdentity')) {
      signerCerts.push(...certsOf(sdi));
    }
    const pointer: TslPointer = {
      territory: '',
      location: text(child(p, 'TSLLocation')),
      tslType: '',
      signerCerts,
      signerCertsPem: signerCerts,
    };
    for (const other of elementChildren(child(p, 'AdditionalInformation') ?? p, TSL_NS, 'OtherInformation')) {
      const tslType = child(other, 'TSLType');
      const territory = child(other, 'SchemeTerritory');
      const operator = child(other, 'SchemeOperatorName');
      const mime = child(other, 'MimeType', TSLX_NS);
      if (tslType) pointer.tslType = text(tslType);
      if (territory) pointer.territory = text(territory);
      if (operator) pointer.schemeOperatorName = text(child(operator, 'Name'));
      if (mime) pointer.mimeType = text(mime);
    }
    pointers.push(pointer);
  }
  return { ...info, pointers };
}

function statusName(uri: string): TrustedService['statusName'] {
  if (uri === SERVICE_STATUS.granted) return 'granted';
  if (uri === SERVICE_STATUS.withdrawn) return 'withdrawn';
  return 'other';
}

/**
 * Verifies a national trusted list: signature by one of `signerCerts` (from the verified LOTL pointer, never
 * KeyInfo), NextUpdate (`tl-expired`), sequence number (`tl-rollback`), optionally the territory; returns
 * its services with their certificates, current status and status history.
 * @see https://www.etsi.org/deliver/etsi_ts/119600_119699/119612/ §5.5, §5.6, §5.7
 */
export function verifyTrustedList(xml: string, options: VerifyTrustedListOptions): VerifiedTrustedList {
  const { root, signerCertPem } = verifySignedList(xml, options.signerCerts, options);
  const info = readInfo(root, signerCertPem, options, 'trusted list');
  if (options.expectedTerritory && info.territory !== options.expectedTerritory.toUpperCase()) {
    throw new KakehashiError(
      'validation-failed',
      `The trusted list is for territory "${info.territory}" but was fetched for ${options.expectedTerritory.toUpperCase()}.`,
      { rule: 'ETSI TS 119 612 §5.3.10' },
    );
  }
  const services: TrustedService[] = [];
  for (const tsp of elementChildren(child(root, 'TrustServiceProviderList') ?? root, TSL_NS, 'TrustServiceProvider')) {
    const tspName = text(child(child(child(tsp, 'TSPInformation'), 'TSPName'), 'Name'));
    for (const svc of elementChildren(child(tsp, 'TSPServices') ?? tsp, TSL_NS, 'TSPService')) {
      const si = child(svc, 'ServiceInformation');
      const status = text(child(si, 'ServiceStatus'));
      const history: ServiceHistoryItem[] = elementChildren(
        child(svc, 'ServiceHistory') ?? svc,
        TSL_NS,
        'ServiceHistoryInstance',
      ).map((h) => ({
        type: text(child(h, 'ServiceTypeIdentifier')),
        serviceName: text(child(child(h, 'ServiceName'), 'Name')),
        status: text(child(h, 'ServiceStatus')),
        statusStartingTime: parseDate(text(child(h, 'StatusStartingTime')), 'StatusStartingTime'),
      }));
      services.push({
        tspName,
        serviceName: text(child(child(si, 'ServiceName'), 'Name')),
        type: text(child(si, 'ServiceTypeIdentifier')),
        status,
        statusName: statusName(status),
        statusStartingTime: parseDate(text(child(si, 'StatusStartingTime')), 'StatusStartingTime'),
        certificatesPem: certsOf(child(si, 'ServiceDigitalIdentity')),
        history: history.sort((a, b) => b.statusStartingTime.getTime() - a.statusStartingTime.getTime()),
      });
    }
  }
  return { ...info, services, anchors: anchorsFromTrustedList({ territory: info.territory, services }) };
}
