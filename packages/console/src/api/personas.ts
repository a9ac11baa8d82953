import { KakehashiError } from '@kakehashi/core';
import { z } from 'zod';
import type { ConsoleDeps } from '../console-deps.ts';
import { getUpstreamJson } from './upstream.ts';

/** What the persona browser shows of a persona; every other field is passed through for the JSON view. */
export const ConsolePersonaSchema = z.looseObject({
  id: z.string().min(1).max(64),
  country: z.string().max(2).optional(),
  familyName: z.string().max(200).optional(),
  givenName: z.string().max(200).optional(),
  familyNameLatin: z.string().max(200).optional(),
  givenNameLatin: z.string().max(200).optional(),
  dateOfBirth: z.string().max(20).optional(),
  loa: z.string().max(40).optional(),
  nationalId: z.looseObject({ scheme: z.string().max(80).optional(), value: z.string().max(80).optional() }).optional(),
});

/** The node that `country` names, or an `unknown-country` problem listing the known ones. */
export function nodeUrl(deps: ConsoleDeps, country: string): string {
  const cc = country.toUpperCase();
  const url = /^[A-Z]{2}$/.test(cc) ? deps.nodes[cc] : undefined;
  if (!url)
    throw new KakehashiError(
      'unknown-country',
      `No national node "${country.slice(0, 8)}" in this federation; known: ${Object.keys(deps.nodes).join(', ') || 'none'}.`,
    );
  return url;
}

/** A node's synthetic personas, from its `GET /personas`. */
export async function readPersonas(deps: ConsoleDeps, country: string) {
  const url = nodeUrl(deps, country);
  const personas = await getUpstreamJson(
    deps,
    `${url}/personas`,
    z.array(ConsolePersonaSchema).max(5000),
    `Node ${country.toUpperCase()}`,
  );
  return { country: country.toUpperCase(), personas };
}
