/**
 * @kakehashi/personas — deterministic synthetic citizens and organisations per country, and the national
 * identifier formats they carry (check digits included). Everything here is fictional test data: see `NOTICE`.
 */
export { getCountry, isCountryCode, listCountries } from './countries/list-countries.ts';
export {
  COUNTRY_CODES,
  type CountryCode,
  CountryCodeSchema,
  type CountryInfo,
  CountryInfoSchema,
  LOA,
  type Loa,
  LoaSchema,
} from './countries/z-country.ts';
export { CIF, checkCif, cifControl, generateCif, validateCif } from './identifiers/cif.ts';
export {
  CODICE_FISCALE,
  checkCodiceFiscale,
  codiceFiscaleCheckChar,
  generateCodiceFiscale,
  givenNameCode,
  surnameCode,
  validateCodiceFiscale,
} from './identifiers/codice-fiscale.ts';
export {
  CORPORATE_NUMBER,
  checkCorporateNumber,
  corporateNumberCheckDigit,
  generateCorporateNumber,
  validateCorporateNumber,
} from './identifiers/corporate-number.ts';
export { checkDni, DNI, dniLetter, generateDni, validateDni } from './identifiers/dni.ts';
export {
  checkIsikukood,
  estonianCheckDigit,
  generateIsikukood,
  ISIKUKOOD,
  validateIsikukood,
} from './identifiers/isikukood.ts';
export {
  checkMyNumber,
  generateMyNumber,
  MY_NUMBER,
  myNumberCheckDigit,
  validateMyNumber,
} from './identifiers/my-number.ts';
export { checkNir, generateNir, NIR, nirKey, validateNir } from './identifiers/nir.ts';
export { checkPartitaIva, generatePartitaIva, PARTITA_IVA, validatePartitaIva } from './identifiers/partita-iva.ts';
export {
  checkRegistrikood,
  generateRegistrikood,
  REGISTRIKOOD,
  validateRegistrikood,
} from './identifiers/registrikood.ts';
export { createIssuer, getIdFormat, ID_FORMATS, type IdIssuer } from './identifiers/registry.ts';
export {
  checkResidentRecordCode,
  generateResidentRecordCode,
  RESIDENT_RECORD_CODE,
  validateResidentRecordCode,
} from './identifiers/resident-record-code.ts';
export { checkSiren, generateSiren, SIREN, validateSiren } from './identifiers/siren.ts';
export {
  checkSozialversicherungsnummer,
  generateSozialversicherungsnummer,
  SOZIALVERSICHERUNGSNUMMER,
  validateSozialversicherungsnummer,
} from './identifiers/sozialversicherungsnummer.ts';
export { checkSteuerId, generateSteuerId, STEUER_ID, validateSteuerId } from './identifiers/steuer-id.ts';
export { AT_UID, atUidCheckDigit, checkAtUid, generateAtUid, validateAtUid } from './identifiers/uid-at.ts';
export { checkUstIdNr, generateUstIdNr, UST_IDNR, validateUstIdNr } from './identifiers/ust-idnr.ts';
export {
  type Gender,
  GenderSchema,
  type IdCheck,
  IdCheckSchema,
  type IdentifierFormat,
  type NationalId,
  NationalIdSchema,
  type PersonFacts,
} from './identifiers/z-identifier.ts';
export { NOTICE } from './notice.ts';
export { generateOrganisations } from './organisations/generate-organisations.ts';
export { type Organisation, OrganisationKindSchema, OrganisationSchema } from './organisations/z-organisation.ts';
export {
  DEFAULT_PERSONA_COUNT,
  drawJapaneseNumbers,
  generatePersonas,
  getPersona,
  type JapaneseNumbers,
  MAX_PERSONA_COUNT,
} from './personas/generate-personas.ts';
export { toLatinAscii, transliterate } from './personas/transliterate.ts';
export {
  type Address,
  AddressSchema,
  type FourFacts,
  FourFactsSchema,
  type Persona,
  PersonaSchema,
} from './personas/z-persona.ts';
