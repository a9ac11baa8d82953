import { defineProfile } from '../define-profile.ts';

/** Estonia: ID-card, Mobile-ID and Smart-ID. */
export const EE = defineProfile({
  code: 'EE',
  language: 'et-EE',
  eu: true,
  currency: 'EUR',
  timezone: 'Europe/Tallinn',
  idScheme: { eid: 'ID-card / Mobile-ID / Smart-ID' },
  agencies: [
    { id: 'emta', name: 'Estonian Tax and Customs Board', nameLocal: 'Maksu- ja Tolliamet', role: 'both', kind: 'tax' },
    {
      id: 'rik',
      name: 'Centre of Registers and Information Systems',
      nameLocal: 'Registrite ja Infosüsteemide Keskus',
      role: 'provider',
      kind: 'company-register',
    },
    {
      id: 'tallinn',
      name: 'Tallinn City Government',
      nameLocal: 'Tallinna Linnavalitsus',
      role: 'both',
      kind: 'municipality',
    },
    {
      id: 'tervisekassa',
      name: 'Estonian Health Insurance Fund',
      nameLocal: 'Tervisekassa',
      role: 'both',
      kind: 'health-insurer',
    },
    {
      id: 'ska',
      name: 'Social Insurance Board',
      nameLocal: 'Sotsiaalkindlustusamet',
      role: 'provider',
      kind: 'pension',
    },
    {
      id: 'tartu-ulikool',
      name: 'University of Tartu',
      nameLocal: 'Tartu Ülikool',
      role: 'requester',
      kind: 'university',
    },
  ],
  services: [
    {
      id: 'e-maksuamet',
      name: 'e-Tax/e-Customs',
      nameLocal: 'e-Maksuamet/e-Toll',
      description: 'Submit the income tax return to the Tax and Customs Board.',
      kind: 'relying-party',
      agencyId: 'emta',
      requestedAttributes: ['PersonIdentifier', 'FamilyName', 'FirstName', 'DateOfBirth'],
      minimumLoa: 'http://eidas.europa.eu/LoA/high',
    },
    {
      id: 'ariregister',
      name: 'e-Business Register',
      nameLocal: 'e-Äriregister',
      description: 'Found a company or file annual reports in the e-Business Register.',
      kind: 'relying-party',
      agencyId: 'rik',
      requestedAttributes: ['PersonIdentifier', 'FamilyName', 'FirstName', 'DateOfBirth'],
      minimumLoa: 'http://eidas.europa.eu/LoA/substantial',
    },
  ],
});
