import { z } from '@hono/zod-openapi';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** One STIX 2.1 object at the network's boundary: a `type--UUID` id and its type; the rest passes through. */
export const StixObjectSchema = z
  .object({
    type: z
      .string()
      .min(3)
      .max(250)
      .regex(/^[a-z0-9-]+$/),
    id: z.string().regex(new RegExp(`^[a-z0-9-]+--${UUID}$`)),
    spec_version: z.literal('2.1').optional(),
  })
  .passthrough()
  .refine((o) => o.id.startsWith(`${o.type}--`), 'the id must start with the type')
  .openapi('StixObject');

/**
 * A STIX 2.1 bundle (no `spec_version` of its own), at most 2,000 objects.
 * @see https://docs.oasis-open.org/cti/stix/v2.1/os/stix-v2.1-os.html#_gms872kuzdmg (bundle)
 */
export const StixBundleSchema = z
  .object({
    type: z.literal('bundle'),
    id: z.string().regex(new RegExp(`^bundle--${UUID}$`)),
    objects: z.array(StixObjectSchema).max(2000),
  })
  .strict()
  .openapi('StixBundle');
