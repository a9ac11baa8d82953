import { getCountry } from '@kakehashi/personas';
import { type Agency, type CountryProfile, CountryProfileSchema, EDELIVERY_SERVICES } from './z-profile.ts';

/** An agency as written in a profile file: the participant id is derived, the accepted services defaulted. */
export type AgencyInput = Omit<Agency, 'participantId' | 'acceptsServices'> & { acceptsServices?: string[] };

export type ProfileInput = Omit<
  CountryProfile,
  'participants' | 'agencies' | 'loa' | 'name' | 'nameLocal' | 'idScheme'
> & {
  agencies: AgencyInput[];
  idScheme: { eid: string; note?: string };
};

/**
 * Completes a profile: name, LoA and identifier schemes from `@kakehashi/personas` (one source of truth),
 * participant ids `urn:kakehashi:participant:<cc>:<agency>`, the participant list, then validates it.
 */
export function defineProfile(input: ProfileInput): CountryProfile {
  const country = getCountry(input.code);
  const cc = input.code.toLowerCase();
  const agencies: Agency[] = input.agencies.map((a) => ({
    ...a,
    participantId: `urn:kakehashi:participant:${cc}:${a.id}`,
    acceptsServices:
      a.acceptsServices ??
      (a.role === 'requester'
        ? [EDELIVERY_SERVICES.notification]
        : [EDELIVERY_SERVICES.evidence, EDELIVERY_SERVICES.notification]),
  }));
  const profile: CountryProfile = {
    ...input,
    name: country.name,
    nameLocal: country.nameLocal,
    idScheme: { national: country.personIdScheme, organisation: country.organisationIdScheme, ...input.idScheme },
    loa: country.loa,
    agencies,
    participants: agencies.map((a) => ({
      id: a.participantId,
      agencyId: a.id,
      name: a.name,
      services: a.acceptsServices,
    })),
  };
  return Object.freeze(CountryProfileSchema.parse(profile));
}
