import { getIdFormat, type Loa, LoaSchema } from '@kakehashi/personas';
import { z } from 'zod';

/** eIDAS LoA order, low < substantial < high. */
const LOA_RANK: Record<Loa, number> = {
  'http://eidas.europa.eu/LoA/low': 1,
  'http://eidas.europa.eu/LoA/substantial': 2,
  'http://eidas.europa.eu/LoA/high': 3,
};

/** True when `a` is at least as high as `b`. */
export function loaAtLeast(a: Loa, b: Loa): boolean {
  return LOA_RANK[a] >= LOA_RANK[b];
}

/**
 * The attributes of the eIDAS minimum data set for natural persons (SAML friendly names) a relying party
 * may request.
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/DIGITAL/eIDAS+eID+Profile (eIDAS SAML Attribute Profile v1.2 §2.2)
 */
export const EIDAS_NATURAL_PERSON_ATTRIBUTES = [
  'PersonIdentifier',
  'FamilyName',
  'FirstName',
  'DateOfBirth',
  'BirthName',
  'PlaceOfBirth',
  'CurrentAddress',
  'Gender',
] as const;
export const EidasAttributeSchema = z.enum(EIDAS_NATURAL_PERSON_ATTRIBUTES);

/** eDelivery service (document) types participants receive. */
export const EDELIVERY_SERVICES = {
  /** Once-only evidence requests and responses. */
  evidence: 'urn:kakehashi:service:evidence',
  /** Official notifications and decisions delivered to another authority. */
  notification: 'urn:kakehashi:service:notification',
} as const;

const Kebab = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lower-case kebab id');

export const AgencyKindSchema = z.enum([
  'municipality',
  'tax',
  'pension',
  'health-insurer',
  'social-security',
  'registry',
  'company-register',
  'university',
  'ministry',
]);
export type AgencyKind = z.infer<typeof AgencyKindSchema>;

export const AgencySchema = z.object({
  id: Kebab.max(60),
  /** English name. */
  name: z.string().min(1).max(200),
  /** Name in the country's language and script. */
  nameLocal: z.string().min(1).max(200),
  /** Provides data (evidence), requests it, or both. */
  role: z.enum(['provider', 'requester', 'both']),
  kind: AgencyKindSchema,
  /** eDelivery participant identifier, `urn:kakehashi:participant:<cc>:<agency id>`. */
  participantId: z.string().regex(/^urn:kakehashi:participant:[a-z]{2}:[a-z0-9-]+$/),
  /** eDelivery service types the agency receives. */
  acceptsServices: z.array(z.string().startsWith('urn:kakehashi:service:')).min(1),
});
export type Agency = z.infer<typeof AgencySchema>;

export const ServiceSchema = z.object({
  id: Kebab.max(100),
  name: z.string().min(1).max(200),
  nameLocal: z.string().min(1).max(200),
  description: z.string().min(1).max(500),
  kind: z.literal('relying-party'),
  /** The agency that runs the service. */
  agencyId: Kebab,
  requestedAttributes: z.array(EidasAttributeSchema).min(1),
  minimumLoa: LoaSchema,
});
export type Service = z.infer<typeof ServiceSchema>;

/** An eDelivery participant of the node (one per agency). */
export const EdeliveryParticipantSchema = z.object({
  id: z.string().min(3).max(200),
  agencyId: Kebab,
  name: z.string().min(1).max(200),
  services: z.array(z.string().min(1).max(200)).min(1),
});
export type EdeliveryParticipant = z.infer<typeof EdeliveryParticipantSchema>;

export const IdSchemeSchema = z.object({
  /** The persons' national identifier format (a scheme of `@kakehashi/personas` `ID_FORMATS`). */
  national: z.string().min(1),
  /** The organisations' identifier format. */
  organisation: z.string().min(1),
  /** The eID scheme(s) citizens log in with. */
  eid: z.string().min(1),
  /** What Kakehashi simplifies about this scheme. */
  note: z.string().optional(),
});

let zones: ReadonlySet<string> | undefined;
/** The IANA time zones this runtime knows, listed once (a start validates each country's profile with them). */
function timeZones(): ReadonlySet<string> {
  zones ??= new Set(Intl.supportedValuesOf('timeZone'));
  return zones;
}

/** A country profile: everything a national node is built from. */
export const CountryProfileSchema = z
  .object({
    code: z.string().regex(/^[A-Z]{2}$/),
    name: z.string().min(1),
    nameLocal: z.string().min(1),
    /** BCP 47 language tag of the node's default language. */
    language: z.string().regex(/^[a-z]{2,3}(-[A-Z]{2})?$/),
    eu: z.boolean(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
    timezone: z.string().refine((tz) => timeZones().has(tz), 'an IANA time zone'),
    idScheme: IdSchemeSchema,
    /** The highest LoA of the country's eID scheme (as Kakehashi models it). */
    loa: LoaSchema,
    agencies: z.array(AgencySchema).min(3),
    services: z.array(ServiceSchema).min(1),
    participants: z.array(EdeliveryParticipantSchema).min(1),
  })
  .superRefine((p, ctx) => {
    const cc = p.code.toLowerCase();
    for (const [key, wanted] of [
      ['national', 'person'],
      ['organisation', 'organisation'],
    ] as const) {
      try {
        const f = getIdFormat(p.idScheme[key]);
        if (f.country !== p.code || f.subject !== wanted) {
          ctx.addIssue({ code: 'custom', path: ['idScheme', key], message: `not a ${wanted} identifier of ${p.code}` });
        }
      } catch {
        ctx.addIssue({
          code: 'custom',
          path: ['idScheme', key],
          message: `unknown identifier scheme ${p.idScheme[key]}`,
        });
      }
    }
    const agencyIds = new Set<string>();
    p.agencies.forEach((a, i) => {
      if (agencyIds.has(a.id))
        ctx.addIssue({ code: 'custom', path: ['agencies', i, 'id'], message: `duplicate agency id ${a.id}` });
      agencyIds.add(a.id);
      if (a.participantId !== `urn:kakehashi:participant:${cc}:${a.id}`) {
        ctx.addIssue({
          code: 'custom',
          path: ['agencies', i, 'participantId'],
          message: `must be urn:kakehashi:participant:${cc}:${a.id}`,
        });
      }
    });
    const serviceIds = new Set<string>();
    p.services.forEach((s, i) => {
      if (serviceIds.has(s.id))
        ctx.addIssue({ code: 'custom', path: ['services', i, 'id'], message: `duplicate service id ${s.id}` });
      serviceIds.add(s.id);
      if (!agencyIds.has(s.agencyId))
        ctx.addIssue({ code: 'custom', path: ['services', i, 'agencyId'], message: `no agency ${s.agencyId}` });
      if (!loaAtLeast(p.loa, s.minimumLoa)) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', i, 'minimumLoa'],
          message: 'higher than the country eID scheme offers',
        });
      }
    });
    const participantIds = p.participants.map((x) => x.id).sort();
    const expected = p.agencies.map((a) => a.participantId).sort();
    if (JSON.stringify(participantIds) !== JSON.stringify(expected)) {
      ctx.addIssue({
        code: 'custom',
        path: ['participants'],
        message: 'participants must be exactly the agencies’ participant ids',
      });
    }
  });
export type CountryProfile = z.infer<typeof CountryProfileSchema>;
