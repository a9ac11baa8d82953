import { defineProfile } from '../define-profile.ts';
import { EDELIVERY_SERVICES } from '../z-profile.ts';

/**
 * Japan: the My Number Card's JPKI certificates. Agencies exchange data through the Cooperation Network
 * (per-agency codes); see `jp-cooperation-network.md`.
 */
export const JP = defineProfile({
  code: 'JP',
  language: 'ja-JP',
  eu: false,
  currency: 'JPY',
  timezone: 'Asia/Tokyo',
  idScheme: {
    eid: 'My Number Card (JPKI)',
    note: 'Japan is not an eIDAS country: Kakehashi maps JPKI user authentication (card + PIN) to the eIDAS "high" URI so that it interoperates with the EU nodes.',
  },
  agencies: [
    { id: 'setagaya-city', name: 'Setagaya City', nameLocal: '世田谷区', role: 'both', kind: 'municipality' },
    {
      id: 'japan-pension-service',
      name: 'Japan Pension Service',
      nameLocal: '日本年金機構',
      role: 'both',
      kind: 'pension',
    },
    { id: 'national-tax-agency', name: 'National Tax Agency', nameLocal: '国税庁', role: 'both', kind: 'tax' },
    {
      id: 'kyokai-kenpo',
      name: 'Japan Health Insurance Association',
      nameLocal: '全国健康保険協会',
      role: 'both',
      kind: 'health-insurer',
    },
    {
      id: 'j-lis',
      name: 'Japan Agency for Local Authority Information Systems (J-LIS)',
      nameLocal: '地方公共団体情報システム機構',
      role: 'provider',
      kind: 'registry',
      acceptsServices: [EDELIVERY_SERVICES.evidence],
    },
    { id: 'digital-agency', name: 'Digital Agency', nameLocal: 'デジタル庁', role: 'requester', kind: 'ministry' },
  ],
  services: [
    {
      id: 'mynaportal',
      name: 'Mynaportal',
      nameLocal: 'マイナポータル',
      description: 'The citizen portal: see who exchanged which of your data, when and why (access records).',
      kind: 'relying-party',
      agencyId: 'digital-agency',
      requestedAttributes: ['PersonIdentifier'],
      minimumLoa: 'http://eidas.europa.eu/LoA/high',
    },
    {
      id: 'e-tax',
      name: 'e-Tax',
      nameLocal: '国税電子申告・納税システム（e-Tax）',
      description: 'File the final income tax return with the National Tax Agency.',
      kind: 'relying-party',
      agencyId: 'national-tax-agency',
      requestedAttributes: ['PersonIdentifier', 'FamilyName', 'FirstName', 'DateOfBirth', 'CurrentAddress'],
      minimumLoa: 'http://eidas.europa.eu/LoA/high',
    },
    {
      id: 'nenkin-net',
      name: 'Nenkin Net',
      nameLocal: 'ねんきんネット',
      description: 'Check pension records and estimated benefits with the Japan Pension Service.',
      kind: 'relying-party',
      agencyId: 'japan-pension-service',
      requestedAttributes: ['PersonIdentifier', 'FamilyName', 'FirstName', 'DateOfBirth', 'Gender'],
      minimumLoa: 'http://eidas.europa.eu/LoA/high',
    },
  ],
});
