import type { CountryCode } from '../../countries/z-country.ts';
import { AT } from './at.ts';
import type { CountryData } from './country-data.ts';
import { DE } from './de.ts';
import { EE } from './ee.ts';
import { ES } from './es.ts';
import { FR } from './fr.ts';
import { IT } from './it.ts';
import { JP } from './jp.ts';

export const COUNTRY_DATA: Readonly<Record<CountryCode, CountryData>> = Object.freeze({ AT, DE, EE, ES, FR, IT, JP });
