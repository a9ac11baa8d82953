import { createPublicKey, X509Certificate } from 'node:crypto';
import { KakehashiError } from '@kakehashi/core';
import type { Loa } from '@kakehashi/personas';
import { loaRank } from '../../loa/loa.ts';
import type { DecodedBindingMessage } from '../authn-request/decode-request.ts';
import { verifyQuerySignature } from '../authn-request/decode-request.ts';
import {
  ATTRIBUTE_BY_URI,
  AUTHN_REQUEST_MAX_AGE_SECONDS,
  BINDING,
  MINIMUM_DATA_SET,
  NAMEID_FORMAT,
  NS,
  STATUS,
} from '../constants.ts';
import { attr, childElements, fullText, hasCommentOrPi, parseSamlInstant } from '../xml/dom.ts';
import { inspectSignature, verifyInspectedSignature } from '../xml/verify-signature.ts';
import type { KnownSp, SpDirectory } from './sp-directory.ts';
import type { SamlStatus, ValidatedAuthnRequest } from './z-saml-request.ts';

const NCNAME = /^[A-Za-z_][\w.-]{0,255}$/;

const reqError = (m: string, rule: string) => new KakehashiError('saml-request-invalid', m, { rule });

/** The parts of an AuthnRequest read before the SP is known (Issuer), without trusting anything yet. */
export function readAuthnRequestIssuer(doc: Document): { root: Element; issuer: string; id: string } {
  const root = doc.documentElement;
  if (root.namespaceURI !== NS.samlp || root.localName !== 'AuthnRequest')
    throw reqError(`Expected samlp:AuthnRequest, got <${root.nodeName.slice(0, 60)}>.`, 'SAML Core §3.4.1');
  const issuers = childElements(root, NS.saml, 'Issuer');
  const issuerEl = issuers[0];
  if (issuers.length !== 1 || !issuerEl || hasCommentOrPi(issuerEl))
    throw reqError(
      'The AuthnRequest needs exactly one saml:Issuer (the SP entity ID), without comments.',
      'eIDAS SAML Message Format §3.1',
    );
  const issuer = fullText(issuerEl).trim();
  const format = attr(issuerEl, 'Format');
  if (!issuer || (format !== undefined && format !== NAMEID_FORMAT.entity))
    throw reqError('saml:Issuer must be an entity ID (Format entity or none).', 'SAML Core §8.3.6');
  const id = attr(root, 'ID') ?? '';
  return { root, issuer, id };
}

/**
 * Verifies the AuthnRequest's signature with the SP's signing certificates from its metadata (never KeyInfo):
 * the Redirect binding's query signature, or the POST binding's enveloped XML signature (one Reference to the
 * AuthnRequest itself). The demo SP may send unsigned requests; every other SP must sign (eIDAS).
 * @see eIDAS SAML Message Format v1.2 §3 (AuthnRequest MUST be signed)
 */
export function verifyAuthnRequestSignature(root: Element, message: DecodedBindingMessage, sp: KnownSp): void {
  const fail = (m: string) =>
    new KakehashiError('saml-request-signature-invalid', m, { rule: 'SAML Bindings §3.4.4.1 / §3.5.4' });
  if (message.binding === 'redirect') {
    if (!message.querySignature) {
      if (sp.requireSignedRequests)
        throw fail(
          `Requests from ${sp.entityId.slice(0, 100)} must be signed: add SigAlg and Signature (HTTP-Redirect).`,
        );
      return;
    }
    const r = verifyQuerySignature(message.querySignature, sp.signingCerts);
    if (!r.ok) throw fail(r.reason);
    return;
  }
  const sig = inspectSignature(root);
  if (!sig.ok) {
    if (sig.kind === 'absent' && !sp.requireSignedRequests) return;
    throw fail(`The AuthnRequest signature is refused: ${sig.reason}`);
  }
  for (const pem of sp.signingCerts) {
    const key = createPublicKey(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'pem' }));
    if (verifyInspectedSignature(root, sig, key).ok) return;
  }
  throw fail("The AuthnRequest's XML signature does not verify with the SP's signing certificate.");
}

export type AuthnRequestValidation =
  | { ok: true; request: ValidatedAuthnRequest; persona?: string | undefined }
  | { ok: false; acsUrl: string; requestId: string; relayState?: string | undefined; status: SamlStatus };

/**
 * Validates a signed AuthnRequest of a known SP. Problems before the ACS is established (its URL not in the SP's
 * metadata, a binding other than HTTP-POST) are thrown (problem+json: nowhere safe to answer); after that every
 * refusal is a SAML status for a signed error Response: version, ID, IssueInstant within skew on the virtual
 * clock, Destination, NameIDPolicy, IsPassive, `RequestedAuthnContext Comparison="minimum"` with eIDAS LoA URIs
 * (NoAuthnContext when the node's LoA is below), SPType, requested attributes.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-profiles-2.0-os.pdf (§4.1.4.1)
 * @see eIDAS SAML Message Format v1.2 §3
 */
export function validateAuthnRequest(opts: {
  root: Element;
  requestId: string;
  message: DecodedBindingMessage;
  sp: KnownSp;
  directory: SpDirectory;
  ssoUrl: string;
  nodeLoa: Loa;
  nowMs: number;
  skewSeconds: number;
  seenBefore: (id: string) => boolean;
}): AuthnRequestValidation {
  const { root, sp } = opts;
  const acsAttr = attr(root, 'AssertionConsumerServiceURL');
  const idxAttr = attr(root, 'AssertionConsumerServiceIndex');
  if (acsAttr !== undefined && idxAttr !== undefined)
    throw new KakehashiError(
      'saml-acs-invalid',
      'Send AssertionConsumerServiceURL or AssertionConsumerServiceIndex, not both.',
      {
        rule: 'SAML Core §3.4.1',
      },
    );
  const acsUrl = opts.directory.chooseAcs(sp, {
    ...(acsAttr !== undefined ? { url: acsAttr } : {}),
    ...(idxAttr !== undefined && /^\d{1,5}$/.test(idxAttr) ? { index: Number(idxAttr) } : {}),
  });
  if (!acsUrl)
    throw new KakehashiError(
      'saml-acs-invalid',
      acsAttr !== undefined
        ? `AssertionConsumerServiceURL ${JSON.stringify(acsAttr.slice(0, 200))} is not an HTTP-POST ACS in the metadata of ${sp.entityId.slice(0, 100)}${sp.anyLoopbackAcs ? ' (nor a loopback http URL)' : ''}; no Response was sent.`
        : `No AssertionConsumerService of ${sp.entityId.slice(0, 100)} matches the request.`,
      { rule: 'SAML Profiles §4.1.4.1' },
    );
  const binding = attr(root, 'ProtocolBinding');
  if (binding !== undefined && binding !== BINDING.post)
    throw new KakehashiError('saml-acs-invalid', `ProtocolBinding must be HTTP-POST (got ${binding.slice(0, 100)}).`, {
      rule: 'SAML Profiles §4.1.4.1',
    });
  const requestId = opts.requestId;
  const refuse = (top: string, second: string | undefined, message: string): AuthnRequestValidation => ({
    ok: false,
    acsUrl,
    requestId,
    relayState: opts.message.relayState,
    status: { top, ...(second ? { second } : {}), message },
  });

  if (attr(root, 'Version') !== '2.0') return refuse(STATUS.versionMismatch, undefined, 'Version must be 2.0.');
  if (!NCNAME.test(requestId)) return refuse(STATUS.requester, STATUS.requestDenied, 'ID must be an xsd:ID (NCName).');
  const issued = parseSamlInstant(attr(root, 'IssueInstant'));
  if (issued === undefined)
    return refuse(STATUS.requester, STATUS.requestDenied, 'IssueInstant must be an xs:dateTime in UTC (…Z).');
  const skewMs = opts.skewSeconds * 1000;
  if (issued > opts.nowMs + skewMs)
    return refuse(
      STATUS.requester,
      STATUS.requestDenied,
      `IssueInstant is in the future (skew ${opts.skewSeconds} s).`,
    );
  if (issued < opts.nowMs - AUTHN_REQUEST_MAX_AGE_SECONDS * 1000 - skewMs)
    return refuse(
      STATUS.requester,
      STATUS.requestDenied,
      `IssueInstant is older than ${AUTHN_REQUEST_MAX_AGE_SECONDS} s (+ skew ${opts.skewSeconds} s): send a fresh request.`,
    );
  const destination = attr(root, 'Destination');
  if (destination !== opts.ssoUrl)
    return refuse(
      STATUS.requester,
      STATUS.requestDenied,
      `Destination must be ${opts.ssoUrl} (got ${destination === undefined ? 'none' : JSON.stringify(destination.slice(0, 100))}).`,
    );
  if (opts.seenBefore(requestId))
    return refuse(STATUS.requester, STATUS.requestDenied, 'This AuthnRequest ID was already used (replay).');
  if (attr(root, 'IsPassive') === 'true')
    return refuse(
      STATUS.responder,
      STATUS.noPassive,
      'IsPassive: Kakehashi keeps no session, so a login is always needed.',
    );

  const policy = childElements(root, NS.samlp, 'NameIDPolicy')[0];
  const format = policy ? attr(policy, 'Format') : undefined;
  if (format !== undefined && format !== NAMEID_FORMAT.persistent && format !== NAMEID_FORMAT.unspecified)
    return refuse(
      STATUS.responder,
      STATUS.invalidNameIdPolicy,
      `NameIDPolicy Format ${format.slice(0, 100)} is not supported: persistent or unspecified (the PersonIdentifier).`,
    );

  const racs = childElements(root, NS.samlp, 'RequestedAuthnContext');
  if (racs.length !== 1)
    return refuse(
      STATUS.requester,
      STATUS.noAuthnContext,
      'RequestedAuthnContext with Comparison="minimum" and an eIDAS LoA URI is required.',
    );
  const rac = racs[0] as Element;
  const comparison = attr(rac, 'Comparison') ?? 'exact';
  if (comparison !== 'minimum')
    return refuse(
      STATUS.requester,
      STATUS.requestUnsupported,
      `Comparison must be "minimum" (eIDAS), got "${comparison.slice(0, 20)}".`,
    );
  const refs = childElements(rac, NS.saml, 'AuthnContextClassRef').map((e) => fullText(e).trim());
  const loas = refs.filter((r) => loaRank(r) > 0) as Loa[];
  if (refs.length === 0 || loas.length !== refs.length)
    return refuse(
      STATUS.requester,
      STATUS.noAuthnContext,
      'AuthnContextClassRef must be eIDAS LoA URIs (http://eidas.europa.eu/LoA/low|substantial|high).',
    );
  const requestedLoa = loas.sort((a, b) => loaRank(a) - loaRank(b))[0] as Loa;
  if (loaRank(opts.nodeLoa) < loaRank(requestedLoa))
    return refuse(
      STATUS.responder,
      STATUS.noAuthnContext,
      `The minimum ${requestedLoa} is above what this node's eID scheme offers (${opts.nodeLoa}).`,
    );

  const extensions = childElements(root, NS.samlp, 'Extensions')[0];
  const spTypeEl = extensions ? childElements(extensions, NS.eidas, 'SPType')[0] : undefined;
  const spTypeText = spTypeEl ? fullText(spTypeEl).trim() : undefined;
  if (spTypeText !== undefined && spTypeText !== 'public' && spTypeText !== 'private')
    return refuse(STATUS.requester, STATUS.requestDenied, 'eidas:SPType must be public or private.');
  const spType = (spTypeText ?? sp.spType) as 'public' | 'private' | undefined;
  if (!spType)
    return refuse(
      STATUS.requester,
      STATUS.requestDenied,
      'SPType is required: in the request (eidas:SPType) or the SP metadata.',
    );

  const attributes = new Set<string>(MINIMUM_DATA_SET);
  const requested = extensions ? childElements(extensions, NS.eidas, 'RequestedAttributes')[0] : undefined;
  for (const ra of requested ? childElements(requested, NS.eidas, 'RequestedAttribute') : []) {
    const name = attr(ra, 'Name') ?? '';
    const friendly = ATTRIBUTE_BY_URI.get(name);
    if (friendly) attributes.add(friendly);
    else if (attr(ra, 'isRequired') === 'true')
      return refuse(
        STATUS.requester,
        STATUS.invalidAttrNameOrValue,
        `The required attribute ${name.slice(0, 120)} is not an eIDAS natural-person attribute this IdP releases.`,
      );
  }

  return {
    ok: true,
    persona: opts.message.persona,
    request: {
      requestId,
      spEntityId: sp.entityId,
      spKind: sp.kind,
      acsUrl,
      ...(opts.message.relayState !== undefined ? { relayState: opts.message.relayState } : {}),
      requestedLoa,
      attributes: [...attributes],
      spType,
      destinationCountry: sp.country,
      encryptionCert: sp.encryptionCert,
    },
  };
}
