import { readFileSync } from 'node:fs';
import { KakehashiError } from '@kakehashi/core';
import type { ClientRegistrationInput } from './z-client.ts';
import { ClientsFileSchema } from './z-client.ts';

/**
 * Reads the relying-party registrations file (option `oidcClientsFile`): a JSON array of registrations, each
 * optionally with `countries` (the nodes it is registered at; absent: every node). Returns the registrations
 * for `country`. An empty path means no file.
 */
export function readClientsFile(path: string, country: string): ClientRegistrationInput[] {
  if (!path) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new KakehashiError('config-invalid', `oidcClientsFile ${path}: cannot read it as JSON.`, { cause });
  }
  const parsed = ClientsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new KakehashiError(
      'config-invalid',
      `oidcClientsFile ${path}: ${first ? `[${first.path.join('.')}] ${first.message}` : 'invalid'} (a JSON array of client registrations).`,
    );
  }
  return parsed.data
    .filter((c) => !c.countries || c.countries.includes(country.toUpperCase()))
    .map(({ countries: _countries, ...c }) => c as ClientRegistrationInput);
}
