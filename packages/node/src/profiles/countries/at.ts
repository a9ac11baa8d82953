import { defineProfile } from '../define-profile.ts';

/** Austria: ID Austria (successor of the Handy-Signatur / Bürgerkarte). */
export const AT = defineProfile({
  code: 'AT',
  language: 'de-AT',
  eu: true,
  currency: 'EUR',
  timezone: 'Europe/Vienna',
  idScheme: {
    eid: 'ID Austria',
    note: 'Real ID Austria identifies people by sector-specific bPK derived from the ZMR number; Kakehashi shows the social insurance number instead.',
  },
  agencies: [
    {
      id: 'bmf',
      name: 'Federal Ministry of Finance',
      nameLocal: 'Bundesministerium für Finanzen',
      role: 'both',
      kind: 'tax',
    },
    { id: 'stadt-wien', name: 'City of Vienna', nameLocal: 'Stadt Wien', role: 'both', kind: 'municipality' },
    {
      id: 'oegk',
      name: 'Austrian Health Insurance Fund',
      nameLocal: 'Österreichische Gesundheitskasse',
      role: 'both',
      kind: 'health-insurer',
    },
    {
      id: 'pva',
      name: 'Pension Insurance Institution',
      nameLocal: 'Pensionsversicherungsanstalt',
      role: 'provider',
      kind: 'pension',
    },
    {
      id: 'uni-wien',
      name: 'University of Vienna',
      nameLocal: 'Universität Wien',
      role: 'requester',
      kind: 'university',
    },
  ],
  services: [
    {
      id: 'finanzonline',
      name: 'FinanzOnline tax return',
      nameLocal: 'FinanzOnline Arbeitnehmerveranlagung',
      description: 'File the employee tax assessment with the Federal Ministry of Finance.',
      kind: 'relying-party',
      agencyId: 'bmf',
      requestedAttributes: ['PersonIdentifier', 'FamilyName', 'FirstName', 'DateOfBirth'],
      minimumLoa: 'http://eidas.europa.eu/LoA/high',
    },
    {
      id: 'meldebestaetigung',
      name: 'Registration certificate',
      nameLocal: 'Meldebestätigung',
      description: 'Download a confirmation of the registered main residence from the City of Vienna.',
      kind: 'relying-party',
      agencyId: 'stadt-wien',
      requestedAttributes: ['PersonIdentifier', 'FamilyName', 'FirstName', 'DateOfBirth', 'CurrentAddress'],
      minimumLoa: 'http://eidas.europa.eu/LoA/substantial',
    },
  ],
});
