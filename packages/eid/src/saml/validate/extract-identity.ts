import { ATTRIBUTE_BY_URI, NS } from '../constants.ts';
import { attr, childElements, descendants, fullText } from '../xml/dom.ts';
import type { SamlIdentity } from './z-saml-validation.ts';

/**
 * The identity a validated assertion carries: NameID, SessionIndex, LoA and the eIDAS natural-person attributes (Latin-script
 * names apart), read as full string values.
 * @see eIDAS SAML Attribute Profile v1.2 §2.2 (natural person)
 */
export function extractIdentity(assertion: Element, issuer: string, country: string, loa: string): SamlIdentity {
  const nameIdEl = descendants(assertion, NS.saml, 'NameID')[0];
  const identity: SamlIdentity = {
    issuer,
    country,
    assertionId: attr(assertion, 'ID') as string,
    nameId: nameIdEl ? fullText(nameIdEl) : '',
    loa,
  };
  // The IdP session, for Single Logout (GET /saml/sp/logout?…&sessionIndex=).
  const sessionIndex = descendants(assertion, NS.saml, 'AuthnStatement')
    .map((s) => attr(s, 'SessionIndex'))
    .find((v) => v !== undefined);
  if (sessionIndex) identity.sessionIndex = sessionIndex;
  const keys: Record<string, keyof SamlIdentity> = {
    PersonIdentifier: 'personIdentifier',
    FamilyName: 'familyName',
    FirstName: 'firstName',
    DateOfBirth: 'dateOfBirth',
    BirthName: 'birthName',
    PlaceOfBirth: 'placeOfBirth',
    CurrentAddress: 'currentAddress',
    Gender: 'gender',
  };
  for (const a of descendants(assertion, NS.saml, 'Attribute')) {
    const friendly = ATTRIBUTE_BY_URI.get(attr(a, 'Name') ?? '');
    if (!friendly) continue;
    for (const v of childElements(a, NS.saml, 'AttributeValue')) {
      const latin = v.getAttributeNS(NS.eidasNatural, 'LatinScript');
      const value = fullText(v);
      const k = keys[friendly] as keyof SamlIdentity;
      if (latin === 'true' && (friendly === 'FamilyName' || friendly === 'FirstName'))
        identity[friendly === 'FamilyName' ? 'familyNameLatin' : 'firstNameLatin'] = value;
      else (identity as unknown as Record<string, string>)[k] = value;
    }
  }
  return identity;
}
