import { createHash } from 'node:crypto';
import type { Loa, Persona } from '@kakehashi/personas';
import type { AuthenticatedIdentity } from '../../id-token/z-identity.ts';
import {
  ASSERTION_TTL_SECONDS,
  ATTRNAME_FORMAT_URI,
  BEARER,
  EIDAS_NATURAL_PERSON,
  type EidasAttributeName,
  NAMEID_FORMAT,
  NS,
  STATUS,
} from '../constants.ts';
import type { SamlStatus, ValidatedAuthnRequest } from '../idp/z-saml-request.ts';
import { type Builder, el, root, serialize, xmlns } from '../xml/build.ts';
import { escapeXml, newSamlId, samlInstant } from '../xml/dom.ts';
import { signRoot, type XmlSigner } from '../xml/sign-xml.ts';
import { encryptElement } from '../xml/xml-encryption.ts';

export interface AssertionInput {
  idpEntityId: string;
  request: Pick<ValidatedAuthnRequest, 'requestId' | 'spEntityId' | 'acsUrl' | 'attributes'>;
  identity: AuthenticatedIdentity;
  /** The persona, when the identity is one (source of the optional attributes). */
  persona?: Persona | undefined;
  /** The LoA reached (AuthnContextClassRef). */
  loa: Loa;
  personIdentifier: string;
  nowMs: number;
  /** Issuing country (for the address). */
  country: string;
  /** The IdP login session this assertion starts: SessionIndex and SessionNotOnOrAfter (Single Logout ends it). */
  session?: { index: string; notOnOrAfterMs: number };
  /**
   * What a forged assertion states instead of the values that follow from the request (the `saml.*` faults):
   * its ID, Issuer, Audience, Recipient and InResponseTo.
   */
  overrides?: AssertionOverrides | undefined;
}

/** See {@link AssertionInput.overrides}. */
export interface AssertionOverrides {
  id?: string | undefined;
  issuer?: string | undefined;
  audience?: string | undefined;
  recipient?: string | undefined;
  inResponseTo?: string | undefined;
}

/** The eIDAS CurrentAddress value: base64 of the CurrentAddressStructuredType elements. @see eIDAS Attribute Profile v1.2 §2.2.3 */
export function eidasAddress(p: Persona): string {
  const e = (name: string, v: string | undefined) =>
    v ? `<eidas-natural:${name} xmlns:eidas-natural="${NS.eidasNatural}">${escapeXml(v)}</eidas-natural:${name}>` : '';
  const xml =
    e('Thoroughfare', p.address.street) +
    e('PostName', p.address.city) +
    e('AdminunitFirstline', p.address.countryCode) +
    e('AdminunitSecondline', p.address.region) +
    e('PostCode', p.address.postCode) +
    e('LocatorDesignator', undefined);
  return Buffer.from(xml, 'utf8').toString('base64');
}

function attributeValues(input: AssertionInput): [EidasAttributeName, string, boolean?][] {
  const { identity, persona } = input;
  const out: [EidasAttributeName, string, boolean?][] = [
    ['PersonIdentifier', input.personIdentifier],
    ['FamilyName', identity.familyName],
    ['FirstName', identity.givenName],
    ['DateOfBirth', identity.birthdate],
  ];
  // A name not in Latin script comes with its transliteration (LatinScript="true" on the Latin value).
  if (identity.familyNameLatin) {
    out[1] = ['FamilyName', identity.familyName, false];
    out.push(['FamilyName', identity.familyNameLatin, true]);
  }
  if (identity.givenNameLatin) {
    out[2] = ['FirstName', identity.givenName, false];
    out.push(['FirstName', identity.givenNameLatin, true]);
  }
  const wanted = new Set(input.request.attributes);
  if (persona) {
    if (wanted.has('BirthName')) out.push(['BirthName', `${persona.givenName} ${persona.familyName}`]);
    if (wanted.has('PlaceOfBirth')) out.push(['PlaceOfBirth', persona.placeOfBirth]);
    if (wanted.has('CurrentAddress')) out.push(['CurrentAddress', eidasAddress(persona)]);
    if (wanted.has('Gender'))
      out.push(['Gender', persona.gender === 'male' ? 'Male' : persona.gender === 'female' ? 'Female' : 'Unspecified']);
  }
  return out;
}

/**
 * The eIDAS assertion (unsigned): Issuer = the IdP metadata URL; Subject with a persistent NameID = the
 * PersonIdentifier and a bearer SubjectConfirmation (InResponseTo, Recipient = ACS, NotOnOrAfter); Conditions
 * (NotBefore, NotOnOrAfter, AudienceRestriction = the SP entity ID); AuthnStatement with the LoA as
 * AuthnContextClassRef; AttributeStatement with the natural-person attributes (xsi:type from the eIDAS schema).
 * @see eIDAS SAML Message Format v1.2 §4 (Assertion), eIDAS SAML Attribute Profile v1.2
 */
export function buildAssertion(input: AssertionInput): { id: string; xml: string; notOnOrAfter: string } {
  const o = input.overrides ?? {};
  const id = o.id ?? newSamlId();
  const issuer = o.issuer ?? input.idpEntityId;
  const now = samlInstant(input.nowMs);
  const notOnOrAfter = samlInstant(input.nowMs + ASSERTION_TTL_SECONDS * 1000);
  const a = root('saml:Assertion', { ID: id, Version: '2.0', IssueInstant: now });
  xmlns(a, 'xsi', NS.xsi);
  xmlns(a, 'xs', NS.xs);
  xmlns(a, 'eidas-natural', NS.eidasNatural);
  el(a, 'saml:Issuer', { Format: NAMEID_FORMAT.entity }, issuer);
  const subject = el(a, 'saml:Subject');
  el(
    subject,
    'saml:NameID',
    { Format: NAMEID_FORMAT.persistent, NameQualifier: issuer, SPNameQualifier: input.request.spEntityId },
    input.personIdentifier,
  );
  const sc = el(subject, 'saml:SubjectConfirmation', { Method: BEARER });
  el(sc, 'saml:SubjectConfirmationData', {
    InResponseTo: o.inResponseTo ?? input.request.requestId,
    NotOnOrAfter: notOnOrAfter,
    Recipient: o.recipient ?? input.request.acsUrl,
  });
  const conditions = el(a, 'saml:Conditions', { NotBefore: now, NotOnOrAfter: notOnOrAfter });
  el(el(conditions, 'saml:AudienceRestriction'), 'saml:Audience', {}, o.audience ?? input.request.spEntityId);
  const authn = el(a, 'saml:AuthnStatement', {
    AuthnInstant: now,
    SessionIndex: input.session?.index,
    SessionNotOnOrAfter: input.session ? samlInstant(input.session.notOnOrAfterMs) : notOnOrAfter,
  });
  el(el(authn, 'saml:AuthnContext'), 'saml:AuthnContextClassRef', {}, input.loa);
  const stmt = el(a, 'saml:AttributeStatement');
  const byName = new Map<EidasAttributeName, [string, boolean?][]>();
  for (const [name, value, latin] of attributeValues(input)) {
    const list = byName.get(name) ?? [];
    list.push([value, latin]);
    byName.set(name, list);
  }
  for (const [name, values] of byName) {
    const def = EIDAS_NATURAL_PERSON[name];
    const attrEl: Builder = el(stmt, 'saml:Attribute', {
      FriendlyName: name,
      Name: def.name,
      NameFormat: ATTRNAME_FORMAT_URI,
    });
    for (const [value, latin] of values) {
      const v = el(attrEl, 'saml:AttributeValue');
      v.att(NS.xsi, 'xsi:type', `eidas-natural:${def.type}`);
      if (latin !== undefined) v.att(NS.eidasNatural, 'eidas-natural:LatinScript', String(latin));
      v.txt(value);
    }
  }
  return { id, xml: serialize(a), notOnOrAfter };
}

/**
 * Deliberate defects of a Response (the `saml.*` faults, see `faults.ts`), applied while it is built so that every
 * other part stays exactly as a correct IdP makes it (the Response signature covers the result).
 */
export interface ResponseForgery {
  /** The assertion goes out unsigned (S10). */
  unsignedAssertion?: boolean | undefined;
  /** Changes the signed assertion before it is encrypted (S10: digest mismatch). */
  tamper?: ((signedAssertionXml: string) => string) | undefined;
  /** What is encrypted instead of the signed assertion alone: an evil assertion wrapped around it (XSW3–6, 8). */
  wrapAssertion?: ((signedAssertionXml: string) => string) | undefined;
  /** An unsigned assertion hidden in samlp:Extensions (XSW7, S7). */
  extensionsXml?: string | undefined;
  /** What is sent instead of the signed Response: an evil Response wrapped around it (XSW1, XSW2). */
  wrapResponse?: ((signedResponseXml: string) => string) | undefined;
  /** The assertion is carried although the status is not Success (S19). */
  assertionDespiteStatus?: boolean | undefined;
}

function statusXml(parent: Builder, status: SamlStatus): void {
  const s = el(parent, 'samlp:Status');
  const code = el(s, 'samlp:StatusCode', { Value: status.top });
  if (status.second) el(code, 'samlp:StatusCode', { Value: status.second });
  if (status.top !== STATUS.success) el(s, 'samlp:StatusMessage', {}, status.message);
}

/**
 * The signed Response: Issuer, Status, and (on success) one `saml:EncryptedAssertion` holding the signed
 * assertion encrypted for the SP; then the Response itself signed (RSA-SHA256, exc-c14n, enveloped, Reference to
 * the Response ID). A failure status carries no assertion.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-profiles-2.0-os.pdf (§4.1.4.2)
 * @see eIDAS SAML Message Format v1.2 §4 (Response signed; assertion signed and encrypted)
 */
export function buildResponse(input: {
  idpEntityId: string;
  signer: XmlSigner;
  destination: string;
  inResponseTo: string;
  nowMs: number;
  status: SamlStatus;
  assertion?: { xml: string; encryptFor: { certPem: string; entityId: string } };
  /** Deliberate defects (the `saml.*` faults); none in normal operation. */
  forge?: ResponseForgery | undefined;
}): { id: string; xml: string } {
  const forge = input.forge ?? {};
  const id = newSamlId();
  const r = root('samlp:Response', {
    ID: id,
    Version: '2.0',
    IssueInstant: samlInstant(input.nowMs),
    Destination: input.destination,
    InResponseTo: input.inResponseTo,
    Consent: 'urn:oasis:names:tc:SAML:2.0:consent:obtained',
  });
  xmlns(r, 'saml', NS.saml);
  el(r, 'saml:Issuer', { Format: NAMEID_FORMAT.entity }, input.idpEntityId);
  statusXml(r, input.status);
  let xml = serialize(r);
  // XSW7: an unsigned assertion hidden in samlp:Extensions (after Issuer; the signature goes in between).
  if (forge.extensionsXml)
    xml = xml.replace('<samlp:Status>', `<samlp:Extensions>${forge.extensionsXml}</samlp:Extensions><samlp:Status>`);
  if (input.assertion && (input.status.top === STATUS.success || forge.assertionDespiteStatus)) {
    let signedAssertion = forge.unsignedAssertion
      ? input.assertion.xml
      : signRoot(input.assertion.xml, input.signer, 'after-issuer');
    if (forge.tamper) signedAssertion = forge.tamper(signedAssertion);
    const encrypted = encryptElement(
      forge.wrapAssertion ? forge.wrapAssertion(signedAssertion) : signedAssertion,
      input.assertion.encryptFor.certPem,
      input.assertion.encryptFor.entityId,
    );
    xml = xml.replace(
      '</samlp:Response>',
      `<saml:EncryptedAssertion>${encrypted}</saml:EncryptedAssertion></samlp:Response>`,
    );
  }
  const signed = signRoot(xml, input.signer, 'after-issuer');
  return { id, xml: forge.wrapResponse ? forge.wrapResponse(signed) : signed };
}

/** The one script of the HTTP-POST binding's page: it submits the form at once. */
const AUTO_SUBMIT = 'document.forms[0].submit();';
/** The CSP source that allows exactly {@link AUTO_SUBMIT} (its SHA-256): no other script runs on the page. */
export const AUTO_SUBMIT_SCRIPT_SOURCE = `'sha256-${createHash('sha256').update(AUTO_SUBMIT).digest('base64')}'`;

/**
 * The HTTP-POST binding's auto-submitting form (also readable headless: the `SAMLResponse` field); the button
 * for a browser without JavaScript. Its script is allowed by hash ({@link AUTO_SUBMIT_SCRIPT_SOURCE}).
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-bindings-2.0-os.pdf (§3.5.4)
 */
export function renderPostForm(
  action: string,
  fields: Record<string, string>,
  kind: 'SAMLResponse' | 'SAMLRequest',
): string {
  const inputs = Object.entries(fields)
    .map(
      ([k, v]) => `<input type="hidden" name="${escapeXml(k)}" value="${escapeXml(v)}" data-testid="${escapeXml(k)}">`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kakehashi — sending the SAML ${kind === 'SAMLResponse' ? 'response' : 'request'} (TEST ONLY)</title>
<style>body{font:15px system-ui;margin:0}.kk-watermark{background:#b00020;color:#fff;font-weight:600;padding:6px 12px;text-align:center}main{max-width:46rem;margin:1rem auto;padding:0 1rem}</style></head>
<body><div class="kk-watermark" data-testid="test-only-banner">KAKEHASHI — TEST ONLY. Synthetic personas and test keys.</div>
<main><form method="post" action="${escapeXml(action)}" data-testid="saml-post-form">
${inputs}
<noscript><p>JavaScript is off: press the button to continue.</p></noscript>
<button type="submit" data-testid="saml-post-submit">Continue</button></form></main>
<script>${AUTO_SUBMIT}</script></body></html>`;
}
