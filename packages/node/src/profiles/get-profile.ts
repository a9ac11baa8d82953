import { KakehashiError } from '@kakehashi/core';
import { AT } from './countries/at.ts';
import { DE } from './countries/de.ts';
import { EE } from './countries/ee.ts';
import { ES } from './countries/es.ts';
import { FR } from './countries/fr.ts';
import { IT } from './countries/it.ts';
import { JP } from './countries/jp.ts';
import type { CountryProfile } from './z-profile.ts';

/**
 * Every shipped country profile, in the federation's fixed order: the EU member states alphabetically, then
 * Japan. Nodes get their ports in this order.
 */
export const COUNTRY_PROFILES: readonly CountryProfile[] = Object.freeze([AT, DE, EE, ES, FR, IT, JP]);

/**
 * The profile of `cc` (case-insensitive).
 * @throws KakehashiError `unknown-country`, naming the known codes.
 */
export function getProfile(cc: string): CountryProfile {
  const code = cc.toUpperCase();
  const profile = COUNTRY_PROFILES.find((p) => p.code === code);
  if (!profile) {
    const known = COUNTRY_PROFILES.map((p) => p.code).join(', ');
    throw new KakehashiError(
      'unknown-country',
      `[Kakehashi] No country profile '${cc.slice(0, 20)}'. Known countries: ${known}. Pick one of these (e.g. --only node:JP).`,
      { extra: { known: COUNTRY_PROFILES.map((p) => p.code) } },
    );
  }
  return profile;
}
