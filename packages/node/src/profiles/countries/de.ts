import { defineProfile } from '../define-profile.ts';

/** Germany: the online function of the identity card (Personalausweis, nPA). */
export const DE = defineProfile({
  code: 'DE',
  language: 'de-DE',
  eu: true,
  currency: 'EUR',
  timezone: 'Europe/Berlin',
  idScheme: {
    eid: 'Personalausweis (nPA) online ID function',
    note: 'The German eID carries no national number (only a per-service pseudonym); Kakehashi shows the tax identification number (Steuer-IdNr).',
  },
  agencies: [
    {
      id: 'bzst',
      name: 'Federal Central Tax Office',
      nameLocal: 'Bundeszentralamt für Steuern',
      role: 'both',
      kind: 'tax',
    },
    {
      id: 'koeln-buergeramt',
      name: 'City of Cologne citizens’ office',
      nameLocal: 'Stadt Köln Bürgeramt',
      role: 'both',
      kind: 'municipality',
    },
    {
      id: 'drv-bund',
      name: 'German Pension Insurance',
      nameLocal: 'Deutsche Rentenversicherung Bund',
      role: 'provider',
      kind: 'pension',
    },
    {
      id: 'aok-rh',
      name: 'AOK Rhineland/Hamburg health insurance',
      nameLocal: 'AOK Rheinland/Hamburg',
      role: 'both',
      kind: 'health-insurer',
    },
    {
      id: 'lmu',
      name: 'LMU Munich',
      nameLocal: 'Ludwig-Maximilians-Universität München',
      role: 'requester',
      kind: 'university',
    },
  ],
  services: [
    {
      id: 'elster',
      name: 'ELSTER online tax office',
      nameLocal: 'Mein ELSTER',
      description: 'Register for the online tax office and file income tax returns.',
      kind: 'relying-party',
      agencyId: 'bzst',
      requestedAttributes: ['PersonIdentifier', 'FamilyName', 'FirstName', 'DateOfBirth', 'CurrentAddress'],
      minimumLoa: 'http://eidas.europa.eu/LoA/high',
    },
    {
      id: 'wohnsitzanmeldung',
      name: 'Residence registration',
      nameLocal: 'Elektronische Wohnsitzanmeldung',
      description: 'Register a change of residence with the citizens’ office of the City of Cologne.',
      kind: 'relying-party',
      agencyId: 'koeln-buergeramt',
      requestedAttributes: [
        'PersonIdentifier',
        'FamilyName',
        'FirstName',
        'DateOfBirth',
        'PlaceOfBirth',
        'CurrentAddress',
      ],
      minimumLoa: 'http://eidas.europa.eu/LoA/high',
    },
  ],
});
