import { defineProfile } from '../define-profile.ts';

/** France: FranceConnect (FranceConnect+ for substantial assurance). */
export const FR = defineProfile({
  code: 'FR',
  language: 'fr-FR',
  eu: true,
  currency: 'EUR',
  timezone: 'Europe/Paris',
  idScheme: {
    eid: 'FranceConnect / FranceConnect+',
    note: 'Modelled at LoA substantial, the level of France’s notified identity providers behind FranceConnect+.',
  },
  agencies: [
    {
      id: 'dgfip',
      name: 'Public Finances Directorate General',
      nameLocal: 'Direction générale des Finances publiques',
      role: 'both',
      kind: 'tax',
    },
    { id: 'ville-lyon', name: 'City of Lyon', nameLocal: 'Ville de Lyon', role: 'both', kind: 'municipality' },
    {
      id: 'cnav',
      name: 'National Old-Age Insurance Fund',
      nameLocal: 'Caisse nationale d’assurance vieillesse',
      role: 'provider',
      kind: 'pension',
    },
    {
      id: 'cpam-paris',
      name: 'Paris Primary Health Insurance Fund',
      nameLocal: 'Caisse primaire d’assurance maladie de Paris',
      role: 'both',
      kind: 'health-insurer',
    },
    {
      id: 'inpi',
      name: 'National Institute of Industrial Property (company register)',
      nameLocal: 'Institut national de la propriété industrielle',
      role: 'provider',
      kind: 'company-register',
    },
    {
      id: 'sorbonne',
      name: 'Sorbonne University',
      nameLocal: 'Sorbonne Université',
      role: 'requester',
      kind: 'university',
    },
  ],
  services: [
    {
      id: 'impots-gouv',
      name: 'Personal tax space',
      nameLocal: 'Espace particulier impots.gouv.fr',
      description: 'Declare income and pay taxes online with the DGFiP.',
      kind: 'relying-party',
      agencyId: 'dgfip',
      requestedAttributes: ['PersonIdentifier', 'FamilyName', 'FirstName', 'DateOfBirth', 'PlaceOfBirth', 'Gender'],
      minimumLoa: 'http://eidas.europa.eu/LoA/substantial',
    },
    {
      id: 'ameli',
      name: 'Health insurance account',
      nameLocal: 'Compte ameli',
      description: 'Follow reimbursements and download certificates from the Assurance Maladie.',
      kind: 'relying-party',
      agencyId: 'cpam-paris',
      requestedAttributes: ['PersonIdentifier', 'FamilyName', 'FirstName', 'DateOfBirth'],
      minimumLoa: 'http://eidas.europa.eu/LoA/low',
    },
  ],
});
