import { defineProfile } from '../define-profile.ts';

/** Italy: SPID (public digital identity system) and CIE (electronic identity card). */
export const IT = defineProfile({
  code: 'IT',
  language: 'it-IT',
  eu: true,
  currency: 'EUR',
  timezone: 'Europe/Rome',
  idScheme: { eid: 'SPID / CIE' },
  agencies: [
    { id: 'agenzia-entrate', name: 'Revenue Agency', nameLocal: 'Agenzia delle Entrate', role: 'both', kind: 'tax' },
    { id: 'roma-capitale', name: 'Rome City Council', nameLocal: 'Roma Capitale', role: 'both', kind: 'municipality' },
    {
      id: 'inps',
      name: 'National Social Security Institute',
      nameLocal: 'Istituto Nazionale della Previdenza Sociale',
      role: 'both',
      kind: 'pension',
    },
    {
      id: 'registro-imprese',
      name: 'Companies Register (InfoCamere)',
      nameLocal: 'Registro delle Imprese',
      role: 'provider',
      kind: 'company-register',
    },
    {
      id: 'unibo',
      name: 'University of Bologna',
      nameLocal: 'Alma Mater Studiorum – Università di Bologna',
      role: 'requester',
      kind: 'university',
    },
  ],
  services: [
    {
      id: 'dichiarazione-precompilata',
      name: 'Pre-filled tax return',
      nameLocal: 'Dichiarazione precompilata',
      description: 'Review and submit the pre-filled income tax return (730) with the Revenue Agency.',
      kind: 'relying-party',
      agencyId: 'agenzia-entrate',
      requestedAttributes: ['PersonIdentifier', 'FamilyName', 'FirstName', 'DateOfBirth'],
      minimumLoa: 'http://eidas.europa.eu/LoA/substantial',
    },
    {
      id: 'myinps',
      name: 'MyINPS',
      nameLocal: 'MyINPS',
      description: 'Consult the pension contribution statement and apply for benefits.',
      kind: 'relying-party',
      agencyId: 'inps',
      requestedAttributes: ['PersonIdentifier', 'FamilyName', 'FirstName', 'DateOfBirth', 'PlaceOfBirth'],
      minimumLoa: 'http://eidas.europa.eu/LoA/substantial',
    },
  ],
});
