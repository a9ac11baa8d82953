import type { OptionSpec } from '@kakehashi/core';
import { z } from 'zod';

const positive = z.coerce.number().int().positive();

/** The trust fabric's options: how long published trusted lists and CRLs stay valid. */
export const TRUST_OPTIONS = [
  {
    key: 'trustListValidityDays',
    env: 'KAKEHASHI_TRUST_LIST_VALIDITY_DAYS',
    schema: positive,
    default: 30,
    description: 'NextUpdate of published trusted lists and CRLs, in days after issue.',
    runtime: true,
  },
] as const satisfies readonly OptionSpec[];

export type TrustOptions = typeof TRUST_OPTIONS;
