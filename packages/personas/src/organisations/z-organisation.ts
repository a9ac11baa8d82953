import { z } from 'zod';
import { CountryCodeSchema } from '../countries/z-country.ts';
import { getIdFormat } from '../identifiers/registry.ts';
import { NationalIdSchema } from '../identifiers/z-identifier.ts';
import { AddressSchema } from '../personas/z-persona.ts';

export const OrganisationKindSchema = z.enum(['company', 'non-profit']);

export const OrganisationSchema = z
  .object({
    /** Stable id, `<cc>-org-NNN`. */
    id: z.string().regex(/^(at|de|ee|es|fr|it|jp)-org-\d{3,}$/),
    country: CountryCodeSchema,
    /** Registered name in the local script. */
    name: z.string().min(1),
    /** Latin-script (ASCII) name. */
    nameLatin: z.string().regex(/^[\x20-\x7E]+$/),
    kind: OrganisationKindSchema,
    /** Legal form as registered (株式会社, GmbH, OÜ, S.r.l., S.L., SAS, …). */
    legalForm: z.string().min(1),
    identifier: NationalIdSchema,
    address: AddressSchema,
    email: z.email(),
    fictional: z.literal(true),
  })
  .superRefine((o, ctx) => {
    try {
      const f = getIdFormat(o.identifier.scheme);
      if (f.country !== o.country || f.subject !== 'organisation') {
        ctx.addIssue({
          code: 'custom',
          path: ['identifier', 'scheme'],
          message: 'not an organisation id of this country',
        });
      }
      const c = f.check(o.identifier.value);
      if (!c.valid) ctx.addIssue({ code: 'custom', path: ['identifier', 'value'], message: c.reason });
    } catch {
      ctx.addIssue({
        code: 'custom',
        path: ['identifier', 'scheme'],
        message: `unknown scheme ${o.identifier.scheme}`,
      });
    }
  });
/** A synthetic company or association. */
export type Organisation = z.infer<typeof OrganisationSchema>;
