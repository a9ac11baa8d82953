import type { Loa } from '@kakehashi/personas';
import { ALG, ATTRNAME_FORMAT_URI, BINDING, EIDAS_NATURAL_PERSON, NAMEID_FORMAT, NS } from '../constants.ts';
import { type Builder, el, root, serialize, xmlns } from '../xml/build.ts';
import { newSamlId, pemBody, samlInstant } from '../xml/dom.ts';
import { signRoot, type XmlSigner } from '../xml/sign-xml.ts';

/** How long metadata says it is valid (validUntil), on the virtual clock. */
export const METADATA_VALIDITY_SECONDS = 86_400;
const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';

function keyDescriptor(parent: Builder, use: 'signing' | 'encryption', certPem: string): void {
  const kd = el(parent, 'md:KeyDescriptor', { use });
  const ki = el(kd, 'ds:KeyInfo');
  el(el(ki, 'ds:X509Data'), 'ds:X509Certificate', {}, pemBody(certPem));
  if (use === 'encryption') {
    el(kd, 'md:EncryptionMethod', { Algorithm: ALG.aes256Gcm });
    el(kd, 'md:EncryptionMethod', { Algorithm: ALG.aes128Gcm });
    el(kd, 'md:EncryptionMethod', { Algorithm: ALG.rsaOaepMgf1p });
  }
}

function organization(parent: Builder, name: string, url: string): void {
  const org = el(parent, 'md:Organization');
  el(org, 'md:OrganizationName', { 'xml:lang': 'en' }, name);
  el(org, 'md:OrganizationDisplayName', { 'xml:lang': 'en' }, `${name} (Kakehashi, TEST ONLY)`);
  el(org, 'md:OrganizationURL', { 'xml:lang': 'en' }, url);
  const contact = el(parent, 'md:ContactPerson', { contactType: 'technical' });
  el(contact, 'md:Company', {}, 'Kakehashi test federation (TEST ONLY)');
  el(contact, 'md:EmailAddress', {}, 'mailto:noreply@kakehashi.invalid');
}

export interface IdpMetadataInput {
  entityId: string;
  ssoUrl: string;
  /** SingleLogoutService (HTTP-Redirect). */
  sloUrl: string;
  loa: Loa;
  signing: XmlSigner;
  encryptionCertPem: string;
  organizationName: string;
  organizationUrl: string;
  nowMs: number;
}

/**
 * The signed metadata of a node's IdP (eIDAS proxy service): IDPSSODescriptor with the signing and encryption
 * certificates, SingleLogoutService (HTTP-Redirect), SingleSignOnService for HTTP-Redirect and HTTP-POST, the NameID formats, the natural-person
 * attributes it releases (saml:Attribute), and the LoA as an entity attribute
 * (`urn:oasis:names:tc:SAML:attribute:assurance-certification`, as eIDAS metadata publishes it).
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-metadata-2.0-os.pdf (§2.4.3 IDPSSODescriptor)
 * @see eIDAS SAML Message Format v1.2 §2.3 (metadata)
 */
export function buildIdpMetadata(input: IdpMetadataInput): string {
  const ed = root('md:EntityDescriptor', {
    entityID: input.entityId,
    ID: newSamlId(),
    validUntil: samlInstant(input.nowMs + METADATA_VALIDITY_SECONDS * 1000),
  });
  xmlns(ed, 'ds', NS.ds);
  xmlns(ed, 'saml', NS.saml);
  const ext = el(ed, 'md:Extensions');
  const ea = el(ext, 'mdattr:EntityAttributes');
  const a = el(ea, 'saml:Attribute', {
    Name: 'urn:oasis:names:tc:SAML:attribute:assurance-certification',
    NameFormat: ATTRNAME_FORMAT_URI,
  });
  el(a, 'saml:AttributeValue', {}, input.loa);
  const idp = el(ed, 'md:IDPSSODescriptor', { WantAuthnRequestsSigned: 'true', protocolSupportEnumeration: PROTOCOL });
  keyDescriptor(idp, 'signing', input.signing.certPem);
  keyDescriptor(idp, 'encryption', input.encryptionCertPem);
  el(idp, 'md:SingleLogoutService', { Binding: BINDING.redirect, Location: input.sloUrl });
  el(idp, 'md:NameIDFormat', {}, NAMEID_FORMAT.persistent);
  el(idp, 'md:NameIDFormat', {}, NAMEID_FORMAT.unspecified);
  el(idp, 'md:SingleSignOnService', { Binding: BINDING.redirect, Location: input.ssoUrl });
  el(idp, 'md:SingleSignOnService', { Binding: BINDING.post, Location: input.ssoUrl });
  for (const [friendly, def] of Object.entries(EIDAS_NATURAL_PERSON))
    el(idp, 'saml:Attribute', { Name: def.name, NameFormat: ATTRNAME_FORMAT_URI, FriendlyName: friendly });
  organization(ed, input.organizationName, input.organizationUrl);
  return signRoot(serialize(ed), input.signing, 'first');
}

export interface SpMetadataInput {
  entityId: string;
  acsUrl: string;
  /** SingleLogoutService (HTTP-Redirect), where LogoutResponses come back. */
  sloUrl?: string;
  spType: 'public' | 'private';
  signing: XmlSigner | { certPem: string };
  encryptionCertPem: string;
  organizationName: string;
  organizationUrl: string;
  nowMs: number;
  /** Sign the metadata (default true; the demo SP's is signed with its own key). */
  sign?: boolean;
}

/**
 * The signed metadata of a node's SP (eIDAS connector): SPSSODescriptor with signing and encryption
 * certificates, AuthnRequestsSigned and WantAssertionsSigned, the SingleLogoutService (HTTP-Redirect), the ACS
 * (HTTP-POST), and `eidas:SPType`.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-metadata-2.0-os.pdf (§2.4.4 SPSSODescriptor)
 */
export function buildSpMetadata(input: SpMetadataInput): string {
  const ed = root('md:EntityDescriptor', {
    entityID: input.entityId,
    ID: newSamlId(),
    validUntil: samlInstant(input.nowMs + METADATA_VALIDITY_SECONDS * 1000),
  });
  xmlns(ed, 'ds', NS.ds);
  el(el(ed, 'md:Extensions'), 'eidas:SPType', {}, input.spType);
  const sp = el(ed, 'md:SPSSODescriptor', {
    AuthnRequestsSigned: 'true',
    WantAssertionsSigned: 'true',
    protocolSupportEnumeration: PROTOCOL,
  });
  keyDescriptor(sp, 'signing', input.signing.certPem);
  keyDescriptor(sp, 'encryption', input.encryptionCertPem);
  if (input.sloUrl) el(sp, 'md:SingleLogoutService', { Binding: BINDING.redirect, Location: input.sloUrl });
  el(sp, 'md:NameIDFormat', {}, NAMEID_FORMAT.persistent);
  el(sp, 'md:AssertionConsumerService', {
    Binding: BINDING.post,
    Location: input.acsUrl,
    index: '0',
    isDefault: 'true',
  });
  organization(ed, input.organizationName, input.organizationUrl);
  const xml = serialize(ed);
  return input.sign !== false && 'privateKey' in input.signing ? signRoot(xml, input.signing, 'first') : xml;
}
