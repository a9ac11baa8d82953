import { createRoute, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule, KakehashiError, problemResponses } from '@kakehashi/core';
// The broker raises the once-only block's codes (evidence-requirement-unknown): importing the block registers them.
import '@kakehashi/evidence';
import type { RegistryStore } from '../registry/registry-store.ts';
import {
  type EvidenceDirectory,
  EvidenceTypeSchema,
  loadEvidenceDirectory,
  RequirementSchema,
} from './evidence-directory.ts';

const EVIDENCE_SERVICE = 'urn:kakehashi:service:evidence';

/** What the evidence broker needs: the registry (whether discovery resolves a provider now). */
export interface EvidenceBrokerDeps {
  registry: RegistryStore;
  /** The broker's data (default: `evidence-directory.json` beside this file). */
  directory?: EvidenceDirectory;
}

const DataServiceSchema = z
  .object({
    evidenceType: z.object({
      classification: z.string(),
      kind: z.string(),
      title: z.string(),
      titleLocal: z.string(),
      format: z.string(),
      requirements: z.array(z.string()),
    }),
    country: z.string(),
    provider: z.object({ participantId: z.string(), agencyId: z.string() }),
    service: z.string(),
    levelOfAssurance: z.string(),
    registered: z.boolean().openapi({ description: 'Whether discovery resolves the provider now' }),
  })
  .openapi('DataService');

const CountryQuery = z
  .string()
  .regex(/^[A-Za-z]{2}$/)
  .optional()
  .openapi({ example: 'JP' });

const requirements = createRoute({
  method: 'get',
  path: '/evidence-broker/requirements',
  tags: ['evidence'],
  summary: 'Evidence broker: the requirements a procedure can ask evidence for',
  responses: {
    200: {
      description: 'Requirements',
      content: { 'application/json': { schema: z.object({ requirements: z.array(RequirementSchema) }) } },
    },
  },
});

const requirement = createRoute({
  method: 'get',
  path: '/evidence-broker/requirements/{requirementId}',
  tags: ['evidence'],
  summary: 'Evidence broker: which evidence types satisfy a requirement (optionally in one country)',
  request: {
    params: z.object({
      requirementId: z
        .string()
        .max(200)
        .openapi({ param: { name: 'requirementId', in: 'path' }, example: 'proof-of-residence' }),
    }),
    query: z.object({ country: CountryQuery }),
  },
  responses: {
    200: {
      description: 'The requirement and its evidence types',
      content: {
        'application/json': {
          schema: z.object({ requirement: RequirementSchema, evidenceTypes: z.array(EvidenceTypeSchema) }),
        },
      },
    },
    ...problemResponses(400, 404),
  },
});

const dataServices = createRoute({
  method: 'get',
  path: '/data-service-directory/services',
  tags: ['evidence'],
  summary:
    'Data service directory: who issues which evidence type, as which eDelivery participant (filter by country, requirement, evidenceType, provider)',
  request: {
    query: z.object({
      country: CountryQuery,
      requirement: z.string().max(200).optional().openapi({ example: 'proof-of-residence' }),
      evidenceType: z.string().max(300).optional(),
      provider: z.string().max(200).optional().openapi({ example: 'urn:kakehashi:participant:jp:setagaya-city' }),
    }),
  },
  responses: {
    200: {
      description: 'Matching data services',
      content: { 'application/json': { schema: z.object({ services: z.array(DataServiceSchema) }) } },
    },
    ...problemResponses(400),
  },
});

/**
 * The hub's evidence broker and data service directory for once-only evidence exchange (OOTS-style): which
 * evidence types satisfy a requirement, per country, and which provider issues each, reachable as which
 * eDelivery participant. Seeded from `evidence-directory.json`.
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/OOTS/Technical+Design+Documents (Evidence Broker, Data Service Directory)
 */
export function evidenceBrokerRoutes(deps: EvidenceBrokerDeps): ComponentApp {
  const r = createRouteModule();
  const dir = deps.directory ?? loadEvidenceDirectory();
  const services = (filter: { country?: string; requirement?: string; evidenceType?: string; provider?: string }) =>
    dir.evidenceTypes
      .filter((t) => !filter.country || t.country === filter.country.toUpperCase())
      .filter((t) => !filter.requirement || t.requirements.includes(filter.requirement))
      .filter((t) => !filter.evidenceType || t.classification === filter.evidenceType)
      .flatMap((t) =>
        t.providers
          .filter((p) => !filter.provider || p === filter.provider)
          .map((p) => ({
            evidenceType: {
              classification: t.classification,
              kind: t.kind,
              title: t.title,
              titleLocal: t.titleLocal,
              format: 'application/xml',
              requirements: t.requirements,
            },
            country: t.country,
            provider: { participantId: p, agencyId: p.split(':').at(-1) as string },
            service: EVIDENCE_SERVICE,
            levelOfAssurance: 'High',
            registered: deps.registry.findParticipant(p, EVIDENCE_SERVICE) !== undefined,
          })),
      );

  r.openapi(requirements, (c) => c.json({ requirements: dir.requirements }, 200));

  r.openapi(requirement, (c) => {
    const id = c.req.valid('param').requirementId;
    const found = dir.requirements.find((x) => x.id === id || x.identifier === id);
    if (!found)
      throw new KakehashiError(
        'evidence-requirement-unknown',
        `The evidence broker knows no requirement "${id.slice(0, 80)}"; known: ${dir.requirements.map((x) => x.id).join(', ')}.`,
      );
    const cc = c.req.valid('query').country?.toUpperCase();
    const evidenceTypes = dir.evidenceTypes.filter(
      (t) => t.requirements.includes(found.id) && (!cc || t.country === cc),
    );
    return c.json({ requirement: found, evidenceTypes }, 200);
  });

  r.openapi(dataServices, (c) => {
    const q = c.req.valid('query');
    const req = q.requirement
      ? (dir.requirements.find((x) => x.id === q.requirement || x.identifier === q.requirement)?.id ?? q.requirement)
      : undefined;
    return c.json(
      {
        services: services({
          ...(q.country ? { country: q.country } : {}),
          ...(req ? { requirement: req } : {}),
          ...(q.evidenceType ? { evidenceType: q.evidenceType } : {}),
          ...(q.provider ? { provider: q.provider } : {}),
        }),
      },
      200,
    );
  });

  return r;
}
