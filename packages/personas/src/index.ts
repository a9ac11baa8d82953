/**
 * @kakehashi/personas — deterministic synthetic citizens and organisations per country, and the national
 * identifier formats they carry (check digits included). Everything here is fictional test data: see `NOTICE`
 * (src/notice.ts).
 *
 * This entry exports what other packages use; the package's own tests import the feature files.
 */
export { getCountry, listCountries } from './countries/list-countries.ts';
export { LOA, type Loa, LoaSchema } from './countries/z-country.ts';
export { generateMyNumber, validateMyNumber } from './identifiers/my-number.ts';
export { getIdFormat } from './identifiers/registry.ts';
export { generateResidentRecordCode } from './identifiers/resident-record-code.ts';
export { generatePersonas } from './personas/generate-personas.ts';
export { toLatinAscii } from './personas/transliterate.ts';
export { type Persona, PersonaSchema } from './personas/z-persona.ts';
