import { SeededRandom } from '@kakehashi/core';
import { getCountry } from '../countries/list-countries.ts';
import type { CountryCode } from '../countries/z-country.ts';
import { generateCif } from '../identifiers/cif.ts';
import { generateRegistrikood } from '../identifiers/registrikood.ts';
import { getIdFormat } from '../identifiers/registry.ts';
import { COUNTRY_DATA } from '../personas/data/index.ts';
import type { Organisation } from './z-organisation.ts';

interface Template {
  name: string;
  nameLatin: string;
  legalForm: string;
  kind: Organisation['kind'];
  /** Draws the identifier when the country's default generator does not fit (EE non-profit, ES S.A./S.L.). */
  draw?: (rng: SeededRandom) => string;
}

// Invented names: no real company is meant. 架空 means "fictional".
const TEMPLATES: Record<CountryCode, readonly Template[]> = {
  JP: [
    { name: '株式会社かけはし商事', nameLatin: 'Kakehashi Shoji K.K.', legalForm: '株式会社', kind: 'company' },
    { name: '架空テクノロジーズ株式会社', nameLatin: 'Kaku Technologies K.K.', legalForm: '株式会社', kind: 'company' },
    {
      name: '一般社団法人さくら試験協会',
      nameLatin: 'Sakura Testing Association',
      legalForm: '一般社団法人',
      kind: 'non-profit',
    },
  ],
  DE: [
    { name: 'Brückenbau Muster GmbH', nameLatin: 'Brueckenbau Muster GmbH', legalForm: 'GmbH', kind: 'company' },
    { name: 'Beispiel Software AG', nameLatin: 'Beispiel Software AG', legalForm: 'AG', kind: 'company' },
    { name: 'Testdaten für Alle e.V.', nameLatin: 'Testdaten fuer Alle e.V.', legalForm: 'e.V.', kind: 'non-profit' },
  ],
  AT: [
    { name: 'Beispiel Handels GmbH', nameLatin: 'Beispiel Handels GmbH', legalForm: 'GmbH', kind: 'company' },
    { name: 'Musterbau Alpen GmbH', nameLatin: 'Musterbau Alpen GmbH', legalForm: 'GmbH', kind: 'company' },
    { name: 'Donau Prüfdaten OG', nameLatin: 'Donau Pruefdaten OG', legalForm: 'OG', kind: 'company' },
  ],
  EE: [
    { name: 'Näidis Tarkvara OÜ', nameLatin: 'Naidis Tarkvara OU', legalForm: 'OÜ', kind: 'company' },
    { name: 'Sild Andmed AS', nameLatin: 'Sild Andmed AS', legalForm: 'AS', kind: 'company' },
    {
      name: 'Testimetsa Selts MTÜ',
      nameLatin: 'Testimetsa Selts MTU',
      legalForm: 'MTÜ',
      kind: 'non-profit',
      draw: (rng) => generateRegistrikood(rng, '8'),
    },
  ],
  IT: [
    { name: 'Esempio Software S.r.l.', nameLatin: 'Esempio Software S.r.l.', legalForm: 'S.r.l.', kind: 'company' },
    { name: 'Ponte Dati S.p.A.', nameLatin: 'Ponte Dati S.p.A.', legalForm: 'S.p.A.', kind: 'company' },
    { name: 'Prova & Servizi S.n.c.', nameLatin: 'Prova & Servizi S.n.c.', legalForm: 'S.n.c.', kind: 'company' },
  ],
  ES: [
    {
      name: 'Ejemplo Soluciones S.L.',
      nameLatin: 'Ejemplo Soluciones S.L.',
      legalForm: 'S.L.',
      kind: 'company',
      draw: (rng) => generateCif(rng, 'B'),
    },
    {
      name: 'Puente de Datos S.A.',
      nameLatin: 'Puente de Datos S.A.',
      legalForm: 'S.A.',
      kind: 'company',
      draw: (rng) => generateCif(rng, 'A'),
    },
    {
      name: 'Pruebas Ibéricas S.L.',
      nameLatin: 'Pruebas Ibericas S.L.',
      legalForm: 'S.L.',
      kind: 'company',
      draw: (rng) => generateCif(rng, 'B'),
    },
  ],
  FR: [
    { name: 'Exemple Logiciels SAS', nameLatin: 'Exemple Logiciels SAS', legalForm: 'SAS', kind: 'company' },
    { name: 'Pont des Données SA', nameLatin: 'Pont des Donnees SA', legalForm: 'SA', kind: 'company' },
    { name: 'Essai & Fils SARL', nameLatin: 'Essai & Fils SARL', legalForm: 'SARL', kind: 'company' },
  ],
};

/**
 * Deterministic synthetic organisations of `countryCode` (three per country: companies and an association),
 * each with a valid national organisation identifier drawn from the seed. All are `fictional: true`.
 * @throws KakehashiError `unknown-country`.
 */
export function generateOrganisations(seed: string, countryCode: string): Organisation[] {
  const country = getCountry(countryCode);
  const code = country.code;
  const format = getIdFormat(country.organisationIdScheme);
  const data = COUNTRY_DATA[code];
  const taken = new Set<string>();
  return TEMPLATES[code].map((t, i) => {
    const id = `${code.toLowerCase()}-org-${String(i + 1).padStart(3, '0')}`;
    const rng = new SeededRandom(seed, `organisations/${code}/${id}`);
    const idStream = rng.fork('identifier');
    let value = t.draw ? t.draw(idStream) : format.generate(idStream);
    while (taken.has(value)) value = t.draw ? t.draw(idStream) : format.generate(idStream);
    taken.add(value);
    const domain = t.nameLatin
      .toLowerCase()
      .replace(/&/g, 'and')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
    return {
      id,
      country: code,
      name: t.name,
      nameLatin: t.nameLatin,
      kind: t.kind,
      legalForm: t.legalForm,
      identifier: { scheme: format.scheme, value },
      address: data.address(rng.fork('address'), rng.fork('area').pick(data.areas)),
      email: `info@${domain}.${code.toLowerCase()}.organisations.kakehashi.test`,
      fictional: true,
    };
  });
}
