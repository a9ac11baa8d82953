import { createPublicKey, X509Certificate } from 'node:crypto';
import { KakehashiError } from '@kakehashi/core';
import { BINDING, NS } from '../constants.ts';
import { attr, childElements, derB64ToPem, fullText, parseSamlInstant } from '../xml/dom.ts';
import { parseSamlXml } from '../xml/parse-saml.ts';
import { inspectSignature, verifyInspectedSignature } from '../xml/verify-signature.ts';

export interface Endpoint {
  binding: string;
  location: string;
  /** SingleLogoutService: where responses go, when not to `location`. */
  responseLocation?: string;
  index?: number;
  isDefault?: boolean;
}

/** What Kakehashi reads from an EntityDescriptor. */
export interface ParsedMetadata {
  entityId: string;
  validUntil?: number;
  signingCerts: string[];
  encryptionCerts: string[];
  /** SP: assertion consumer services. */
  acs: Endpoint[];
  /** IdP: single sign-on services. */
  sso: Endpoint[];
  /** Both roles: single logout services. */
  slo: Endpoint[];
  spType?: 'public' | 'private';
  authnRequestsSigned?: boolean;
  root: Element;
}

const invalid = (m: string) => new KakehashiError('saml-metadata-invalid', m, { rule: 'SAML Metadata §2.3.2' });

/**
 * Reads an md:EntityDescriptor (safe parser) for the given role: entityID, validUntil, the signing and
 * encryption certificates (a KeyDescriptor without `use` counts for both), ACS or SSO endpoints, SLO endpoints,
 * SPType.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-metadata-2.0-os.pdf
 */
export function parseMetadata(xml: string, role: 'idp' | 'sp'): ParsedMetadata {
  const doc = parseSamlXml(xml);
  const ed = doc.documentElement;
  if (ed.namespaceURI !== NS.md || ed.localName !== 'EntityDescriptor')
    throw invalid('The metadata root must be md:EntityDescriptor (one entity per document).');
  const entityId = attr(ed, 'entityID');
  if (!entityId || entityId.length > 1024) throw invalid('entityID is missing or longer than 1024 characters.');
  const roleName = role === 'idp' ? 'IDPSSODescriptor' : 'SPSSODescriptor';
  const descriptors = childElements(ed, NS.md, roleName);
  if (descriptors.length !== 1) throw invalid(`The metadata needs exactly one md:${roleName}.`);
  const d = descriptors[0] as Element;
  const signingCerts: string[] = [];
  const encryptionCerts: string[] = [];
  for (const kd of childElements(d, NS.md, 'KeyDescriptor')) {
    const use = attr(kd, 'use');
    for (const ki of childElements(kd, NS.ds, 'KeyInfo'))
      for (const x of childElements(ki, NS.ds, 'X509Data'))
        for (const c of childElements(x, NS.ds, 'X509Certificate')) {
          const pem = derB64ToPem(fullText(c));
          try {
            new X509Certificate(pem);
          } catch {
            throw invalid('A KeyDescriptor certificate cannot be parsed.');
          }
          if (use !== 'encryption') signingCerts.push(pem);
          if (use !== 'signing') encryptionCerts.push(pem);
        }
  }
  const endpoints = (name: string): Endpoint[] =>
    childElements(d, NS.md, name).map((e) => {
      const index = attr(e, 'index');
      const responseLocation = attr(e, 'ResponseLocation');
      return {
        binding: attr(e, 'Binding') ?? '',
        location: attr(e, 'Location') ?? '',
        ...(responseLocation ? { responseLocation } : {}),
        ...(index !== undefined && /^\d{1,5}$/.test(index) ? { index: Number(index) } : {}),
        ...(attr(e, 'isDefault') === 'true' ? { isDefault: true } : {}),
      };
    });
  const spTypeEl = childElements(ed, NS.md, 'Extensions').flatMap((x) => childElements(x, NS.eidas, 'SPType'))[0];
  const spType = spTypeEl ? fullText(spTypeEl).trim() : undefined;
  const validUntil = parseSamlInstant(attr(ed, 'validUntil'));
  const ars = attr(d, 'AuthnRequestsSigned');
  const meta: ParsedMetadata = {
    entityId,
    ...(validUntil !== undefined ? { validUntil } : {}),
    signingCerts,
    encryptionCerts,
    acs: endpoints('AssertionConsumerService'),
    sso: endpoints('SingleSignOnService'),
    slo: endpoints('SingleLogoutService'),
    ...(spType === 'public' || spType === 'private' ? { spType } : {}),
    ...(ars !== undefined ? { authnRequestsSigned: ars === 'true' } : {}),
    root: ed,
  };
  if (role === 'sp' && !meta.acs.some((a) => a.binding === BINDING.post && /^https?:\/\//.test(a.location)))
    throw invalid(
      'The SP metadata needs an AssertionConsumerService with the HTTP-POST binding and an http(s) Location.',
    );
  if (role === 'idp' && meta.sso.length === 0) throw invalid('The IdP metadata needs a SingleSignOnService.');
  return meta;
}

/**
 * Verifies the metadata's enveloped signature with a certificate the caller trusts (validated against the trust
 * fabric): never with a key the document brings. True only for a well-formed signature that verifies.
 */
export function verifyMetadataSignature(meta: ParsedMetadata, trustedCertPem: string): boolean {
  const sig = inspectSignature(meta.root);
  if (!sig.ok) return false;
  const key = createPublicKey(new X509Certificate(trustedCertPem).publicKey.export({ type: 'spki', format: 'pem' }));
  return verifyInspectedSignature(meta.root, sig, key).ok;
}
