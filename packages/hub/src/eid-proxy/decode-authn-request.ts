import { KakehashiError, parseXml } from '@kakehashi/core';
import { decodeRedirectRequest } from '@kakehashi/eid';

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';

/** What the relay reads of an AuthnRequest to route it. */
export interface RoutedAuthnRequest {
  id: string;
  destination: string;
  issuer: string;
  /** The decoded request, for the trace. */
  xml: string;
}

/**
 * Decodes an HTTP-Redirect `SAMLRequest` (the eID block's strict binding decoder: base64, raw DEFLATE with a
 * size limit) far enough to route it: ID, Destination and Issuer, with the XML for the trace. Signatures are the
 * proxy service's business, not the relay's.
 * @see SAML 2.0 Bindings §3.4.4.1 (DEFLATE encoding)
 */
export function decodeAuthnRequest(rawQuery: string): RoutedAuthnRequest {
  const { xml } = decodeRedirectRequest(rawQuery);
  const root = parseXml(xml).documentElement;
  if (root?.localName !== 'AuthnRequest' || root.namespaceURI !== SAMLP)
    throw new KakehashiError('bad-request', 'SAMLRequest is not a samlp:AuthnRequest.');
  const issuer = [...Array.from(root.childNodes)].find(
    (n) => n.nodeType === 1 && (n as Element).localName === 'Issuer' && (n as Element).namespaceURI === SAML,
  );
  const destination = root.getAttribute('Destination') ?? '';
  if (!/^https?:\/\//.test(destination))
    throw new KakehashiError('bad-request', 'The AuthnRequest has no http(s) Destination.');
  return { id: root.getAttribute('ID') ?? '', destination, issuer: issuer?.textContent?.trim() ?? '', xml };
}
