import type { OptionSpec } from '@kakehashi/core';
import { z } from 'zod';

/** The eID block's options: which ID-token algorithms the validation accepts, the relying parties registered from a file. */
export const EID_OPTIONS = [
  {
    key: 'idTokenAlgorithms',
    env: 'KAKEHASHI_ID_TOKEN_ALGORITHMS',
    schema: z.union([
      z.array(z.enum(['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'])).min(1),
      z
        .string()
        .transform((s) =>
          s
            .split(',')
            .map((a) => a.trim())
            .filter(Boolean),
        )
        .pipe(z.array(z.enum(['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'])).min(1)),
    ]),
    default: ['RS256', 'ES256'] as string[],
    description:
      'Algorithms the ID-token validation accepts (comma-separated; asymmetric only — never `none` or HMAC). The header never chooses: a key verifies only with its own algorithm.',
    runtime: true,
  },
  {
    key: 'oidcClientsFile',
    env: 'KAKEHASHI_OIDC_CLIENTS_FILE',
    schema: z.string(),
    default: '',
    description:
      'JSON file of OIDC relying-party registrations (an array; an entry with `countries` is registered at those nodes only, else at every node). Empty: only the test RP `kakehashi-demo-rp`.',
  },
] as const satisfies readonly OptionSpec[];

export type EidOptions = typeof EID_OPTIONS;
