import { type KeyObject, sign } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import type { Loa } from '@kakehashi/personas';
import {
  ALG,
  ATTRNAME_FORMAT_URI,
  BINDING,
  EIDAS_NATURAL_PERSON,
  type EidasAttributeName,
  MINIMUM_DATA_SET,
  NAMEID_FORMAT,
} from '../constants.ts';
import { el, root, serialize } from '../xml/build.ts';
import { newSamlId, samlInstant } from '../xml/dom.ts';
import { signRoot, type XmlSigner } from '../xml/sign-xml.ts';

export interface AuthnRequestInput {
  /** The SP entity ID (its metadata URL for a node's connector). */
  issuer: string;
  /** The IdP's SingleSignOnService URL. */
  destination: string;
  /** Where the Response goes (HTTP-POST). */
  acsUrl: string;
  /** The minimum LoA (`Comparison="minimum"`). */
  requestedLoa: Loa;
  spType?: 'public' | 'private';
  /** Requested natural-person attributes (default: the minimum data set, required). */
  requestedAttributes?: readonly { name: EidasAttributeName; required: boolean }[];
  nameIdFormat?: string;
  forceAuthn?: boolean;
  providerName?: string;
  /** Virtual-clock time of issue. */
  nowMs: number;
  id?: string;
}

/**
 * Builds an eIDAS AuthnRequest: ID, IssueInstant, Destination, ForceAuthn, the ACS (HTTP-POST), Issuer (entity
 * format), `eidas:SPType` and `eidas:RequestedAttributes` in Extensions, a persistent NameIDPolicy and
 * `RequestedAuthnContext Comparison="minimum"` with the LoA URI. Unsigned: sign it for the binding with
 * {@link encodeRedirectRequest} or {@link encodePostRequest}.
 * @see eIDAS SAML Message Format v1.2 §3 (AuthnRequest)
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-core-2.0-os.pdf (§3.4.1)
 */
export function buildAuthnRequest(input: AuthnRequestInput): { id: string; xml: string } {
  const id = input.id ?? newSamlId();
  const r = root('samlp:AuthnRequest', {
    ID: id,
    Version: '2.0',
    IssueInstant: samlInstant(input.nowMs),
    Destination: input.destination,
    ForceAuthn: input.forceAuthn === false ? 'false' : 'true',
    IsPassive: 'false',
    ProtocolBinding: BINDING.post,
    AssertionConsumerServiceURL: input.acsUrl,
    ProviderName: input.providerName,
  });
  el(r, 'saml:Issuer', { Format: NAMEID_FORMAT.entity }, input.issuer);
  const ext = el(r, 'samlp:Extensions');
  el(ext, 'eidas:SPType', {}, input.spType ?? 'public');
  const ra = el(ext, 'eidas:RequestedAttributes');
  const attrs = input.requestedAttributes ?? MINIMUM_DATA_SET.map((name) => ({ name, required: true }));
  for (const a of attrs)
    el(ra, 'eidas:RequestedAttribute', {
      FriendlyName: a.name,
      Name: EIDAS_NATURAL_PERSON[a.name].name,
      NameFormat: ATTRNAME_FORMAT_URI,
      isRequired: String(a.required),
    });
  el(r, 'samlp:NameIDPolicy', { AllowCreate: 'true', Format: input.nameIdFormat ?? NAMEID_FORMAT.persistent });
  const rac = el(r, 'samlp:RequestedAuthnContext', { Comparison: 'minimum' });
  el(rac, 'saml:AuthnContextClassRef', {}, input.requestedLoa);
  return { id, xml: serialize(r) };
}

/**
 * HTTP-Redirect encoding of a SAML request: DEFLATE (raw), base64, URL-encoded `SAMLRequest`, `RelayState`, and —
 * with a key — `SigAlg` (RSA-SHA256) and `Signature` over the exact octets `SAMLRequest=…&RelayState=…&SigAlg=…`.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-bindings-2.0-os.pdf (§3.4.4.1)
 */
export function encodeRedirectRequest(
  destination: string,
  xml: string,
  opts: { relayState?: string; signingKey?: KeyObject; extraParams?: Record<string, string> } = {},
): string {
  return encodeRedirectMessage(destination, xml, 'SAMLRequest', opts);
}

/** HTTP-Redirect encoding of any SAML message: `SAMLRequest` (requests) or `SAMLResponse` (LogoutResponse). */
export function encodeRedirectMessage(
  destination: string,
  xml: string,
  kind: 'SAMLRequest' | 'SAMLResponse',
  opts: { relayState?: string; signingKey?: KeyObject; extraParams?: Record<string, string> } = {},
): string {
  let query = `${kind}=${encodeURIComponent(deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64'))}`;
  if (opts.relayState !== undefined) query += `&RelayState=${encodeURIComponent(opts.relayState)}`;
  if (opts.signingKey) {
    query += `&SigAlg=${encodeURIComponent(ALG.rsaSha256)}`;
    const sig = sign('sha256', Buffer.from(query, 'utf8'), opts.signingKey).toString('base64');
    query += `&Signature=${encodeURIComponent(sig)}`;
  }
  for (const [k, v] of Object.entries(opts.extraParams ?? {}))
    query += `&${encodeURIComponent(k)}=${encodeURIComponent(v)}`;
  return `${destination}${destination.includes('?') ? '&' : '?'}${query}`;
}

/**
 * HTTP-POST encoding: the request signed enveloped (XML-DSig, after Issuer) and base64-encoded, as the form
 * fields `SAMLRequest` and `RelayState`.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-bindings-2.0-os.pdf (§3.5.4)
 */
export function encodePostRequest(
  xml: string,
  opts: { relayState?: string; signer?: XmlSigner } = {},
): Record<string, string> {
  const signed = opts.signer ? signRoot(xml, opts.signer, 'after-issuer') : xml;
  return {
    SAMLRequest: Buffer.from(signed, 'utf8').toString('base64'),
    ...(opts.relayState !== undefined ? { RelayState: opts.relayState } : {}),
  };
}
