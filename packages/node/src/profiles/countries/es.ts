import { defineProfile } from '../define-profile.ts';

/** Spain: Cl@ve (with the DNIe as its highest-assurance credential). */
export const ES = defineProfile({
  code: 'ES',
  language: 'es-ES',
  eu: true,
  currency: 'EUR',
  timezone: 'Europe/Madrid',
  idScheme: { eid: 'Cl@ve / DNIe' },
  agencies: [
    {
      id: 'aeat',
      name: 'Spanish Tax Agency',
      nameLocal: 'Agencia Estatal de Administración Tributaria',
      role: 'both',
      kind: 'tax',
    },
    {
      id: 'ayto-madrid',
      name: 'Madrid City Council',
      nameLocal: 'Ayuntamiento de Madrid',
      role: 'both',
      kind: 'municipality',
    },
    {
      id: 'inss',
      name: 'National Social Security Institute',
      nameLocal: 'Instituto Nacional de la Seguridad Social',
      role: 'provider',
      kind: 'pension',
    },
    {
      id: 'rmc',
      name: 'Central Mercantile Register',
      nameLocal: 'Registro Mercantil Central',
      role: 'provider',
      kind: 'company-register',
    },
    {
      id: 'ucm',
      name: 'Complutense University of Madrid',
      nameLocal: 'Universidad Complutense de Madrid',
      role: 'requester',
      kind: 'university',
    },
  ],
  services: [
    {
      id: 'sede-aeat',
      name: 'Tax Agency e-office',
      nameLocal: 'Sede electrónica de la Agencia Tributaria',
      description: 'File the personal income tax return (Renta) and download tax certificates.',
      kind: 'relying-party',
      agencyId: 'aeat',
      requestedAttributes: ['PersonIdentifier', 'FamilyName', 'FirstName', 'DateOfBirth'],
      minimumLoa: 'http://eidas.europa.eu/LoA/substantial',
    },
    {
      id: 'empadronamiento',
      name: 'Certificate of registration',
      nameLocal: 'Certificado de empadronamiento',
      description: 'Obtain a certificate of registration in the municipal register of Madrid.',
      kind: 'relying-party',
      agencyId: 'ayto-madrid',
      requestedAttributes: ['PersonIdentifier', 'FamilyName', 'FirstName', 'DateOfBirth', 'CurrentAddress'],
      minimumLoa: 'http://eidas.europa.eu/LoA/substantial',
    },
  ],
});
