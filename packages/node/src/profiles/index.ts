/**
 * Country profiles: what a national node is built from (country, language, identifier formats, eID scheme
 * and LoA, agencies, relying-party services, eDelivery participants). All agencies are real-world names used
 * for realism; everything they hold in Kakehashi is synthetic.
 */
export { type AgencyInput, defineProfile, type ProfileInput } from './define-profile.ts';
export { COUNTRY_PROFILES, getProfile } from './get-profile.ts';
export {
  type Agency,
  type AgencyKind,
  AgencyKindSchema,
  AgencySchema,
  type CountryProfile,
  CountryProfileSchema,
  EDELIVERY_SERVICES,
  type EdeliveryParticipant,
  EdeliveryParticipantSchema,
  EIDAS_NATURAL_PERSON_ATTRIBUTES,
  EidasAttributeSchema,
  IdSchemeSchema,
  loaAtLeast,
  type Service,
  ServiceSchema,
} from './z-profile.ts';
