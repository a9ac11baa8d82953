import { KakehashiError } from '@kakehashi/core';
import { NAMEID_FORMAT, NS, STATUS } from '../constants.ts';
import type { SamlStatus } from '../idp/z-saml-request.ts';
import { el, root, serialize, xmlns } from '../xml/build.ts';
import { attr, childElements, fullText, hasCommentOrPi } from '../xml/dom.ts';

/**
 * A LogoutRequest (unsigned: the HTTP-Redirect binding signs the query): Issuer, the principal's NameID (with its
 * qualifiers, as the assertion carried it) and the SessionIndex of the session to end.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-core-2.0-os.pdf (§3.7.1 LogoutRequest)
 */
export function buildLogoutRequest(input: {
  id: string;
  issuer: string;
  destination: string;
  nameId: string;
  nameIdFormat?: string;
  nameQualifier?: string;
  spNameQualifier?: string;
  sessionIndex?: string;
  nowMs: number;
}): string {
  const r = root('samlp:LogoutRequest', {
    ID: input.id,
    Version: '2.0',
    IssueInstant: new Date(input.nowMs).toISOString(),
    Destination: input.destination,
  });
  xmlns(r, 'saml', NS.saml);
  el(r, 'saml:Issuer', { Format: NAMEID_FORMAT.entity }, input.issuer);
  el(
    r,
    'saml:NameID',
    {
      Format: input.nameIdFormat ?? NAMEID_FORMAT.persistent,
      NameQualifier: input.nameQualifier,
      SPNameQualifier: input.spNameQualifier,
    },
    input.nameId,
  );
  if (input.sessionIndex) el(r, 'samlp:SessionIndex', {}, input.sessionIndex);
  return serialize(r);
}

/**
 * A LogoutResponse (unsigned: the HTTP-Redirect binding signs the query): Issuer (entity format) and the status.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-core-2.0-os.pdf (§3.7.2 LogoutResponse)
 */
export function buildLogoutResponse(input: {
  id: string;
  issuer: string;
  destination: string;
  inResponseTo: string;
  status: SamlStatus;
  nowMs: number;
}): string {
  const r = root('samlp:LogoutResponse', {
    ID: input.id,
    Version: '2.0',
    IssueInstant: new Date(input.nowMs).toISOString(),
    Destination: input.destination,
    InResponseTo: input.inResponseTo,
  });
  xmlns(r, 'saml', NS.saml);
  el(r, 'saml:Issuer', { Format: NAMEID_FORMAT.entity }, input.issuer);
  const s = el(r, 'samlp:Status');
  const code = el(s, 'samlp:StatusCode', { Value: input.status.top });
  if (input.status.second) el(code, 'samlp:StatusCode', { Value: input.status.second });
  if (input.status.top !== STATUS.success) el(s, 'samlp:StatusMessage', {}, input.status.message);
  return serialize(r);
}

const invalid = (m: string, rule: string) => new KakehashiError('saml-logout-invalid', m, { rule });

/**
 * The root of a logout message and its Issuer, read before anything is trusted: the expected element, exactly one
 * saml:Issuer (entity format or none), without comments.
 */
export function readLogoutMessage(
  doc: Document,
  localName: 'LogoutRequest' | 'LogoutResponse',
): { root: Element; issuer: string; id: string } {
  const r = doc.documentElement;
  if (r.namespaceURI !== NS.samlp || r.localName !== localName)
    throw invalid(`Expected samlp:${localName}, got <${r.nodeName.slice(0, 60)}>.`, 'SAML Core §3.7');
  const issuers = childElements(r, NS.saml, 'Issuer');
  const issuerEl = issuers[0];
  if (issuers.length !== 1 || !issuerEl || hasCommentOrPi(issuerEl))
    throw invalid(`The ${localName} needs exactly one saml:Issuer, without comments.`, 'SAML Profiles §4.4.4.1');
  const format = attr(issuerEl, 'Format');
  const issuer = fullText(issuerEl).trim();
  if (!issuer || (format !== undefined && format !== NAMEID_FORMAT.entity))
    throw invalid('saml:Issuer must be an entity ID (Format entity or none).', 'SAML Core §8.3.6');
  return { root: r, issuer, id: attr(r, 'ID') ?? '' };
}

/** The status of a LogoutResponse: top-level and second-level codes, the message. */
export function readStatus(r: Element): { top: string; second?: string; message?: string } {
  const status = childElements(r, NS.samlp, 'Status')[0];
  const code = status ? childElements(status, NS.samlp, 'StatusCode')[0] : undefined;
  const second = code ? childElements(code, NS.samlp, 'StatusCode')[0] : undefined;
  const message = status ? childElements(status, NS.samlp, 'StatusMessage')[0] : undefined;
  const secondValue = second ? attr(second, 'Value') : undefined;
  return {
    top: (code && attr(code, 'Value')) ?? '',
    ...(secondValue ? { second: secondValue } : {}),
    ...(message ? { message: fullText(message) } : {}),
  };
}
