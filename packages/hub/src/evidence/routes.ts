import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRoute, z } from '@hono/zod-openapi';
import { type ComponentApp, KakehashiError, problemResponses } from '@kakehashi/core';
import type { RegistryStore } from '../registry/registry-store.ts';

const EVIDENCE_SERVICE = 'urn:kakehashi:service:evidence';

const RequirementSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]{3,60}$/),
    identifier: z.string().startsWith('urn:'),
    name: z.string().min(1),
    description: z.string().min(1),
  })
  .openapi('EvidenceRequirement');

const EvidenceTypeSchema = z
  .object({
    classification: z.string().startsWith('urn:kakehashi:evidence-type:'),
    country: z.string().regex(/^[A-Z]{2}$/),
    kind: z.enum(['residence', 'birth', 'income']),
    requirements: z.array(z.string()).min(1),
    title: z.string().min(1),
    titleLocal: z.string().min(1),
    providers: z.array(z.string().startsWith('urn:kakehashi:participant:')).min(1),
  })
  .openapi('EvidenceType');

const DirectorySchema = z.object({
  requirements: z.array(RequirementSchema).min(1),
  evidenceTypes: z.array(EvidenceTypeSchema).min(1),
});
export type EvidenceDirectory = z.infer<typeof DirectorySchema>;

/**
 * Loads and checks the evidence broker's data file: every evidence type names known requirements, and a
 * classification appears once.
 */
export function loadEvidenceDirectory(path = join(import.meta.dirname, 'evidence-directory.json')): EvidenceDirectory {
  const d = DirectorySchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  const ids = new Set(d.requirements.map((r) => r.id));
  const seen = new Set<string>();
  for (const t of d.evidenceTypes) {
    if (seen.has(t.classification)) throw new Error(`evidence directory: ${t.classification} appears twice`);
    seen.add(t.classification);
    for (const r of t.requirements)
      if (!ids.has(r)) throw new Error(`evidence directory: ${t.classification} names unknown requirement ${r}`);
  }
  return d;
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

/**
 * The hub's evidence broker and data service directory for once-only evidence exchange (OOTS-style): which
 * evidence types satisfy a requirement, per country, and which provider issues each, reachable as which
 * eDelivery participant. Seeded from `evidence-directory.json`; every route is in the hub's OpenAPI document.
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/OOTS/Technical+Design+Documents (Evidence Broker, Data Service Directory)
 */
export function mountEvidenceBroker(app: ComponentApp, deps: { registry: RegistryStore }): EvidenceDirectory {
  const dir = loadEvidenceDirectory();
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

  app.openapi(
    createRoute({
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
    }),
    (c) => c.json({ requirements: dir.requirements }, 200),
  );
  app.openapi(
    createRoute({
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
    }),
    (c) => {
      const id = c.req.valid('param').requirementId;
      const requirement = dir.requirements.find((r) => r.id === id || r.identifier === id);
      if (!requirement)
        throw new KakehashiError(
          'evidence-requirement-unknown',
          `The evidence broker knows no requirement "${id.slice(0, 80)}"; known: ${dir.requirements.map((r) => r.id).join(', ')}.`,
        );
      const cc = c.req.valid('query').country?.toUpperCase();
      const evidenceTypes = dir.evidenceTypes.filter(
        (t) => t.requirements.includes(requirement.id) && (!cc || t.country === cc),
      );
      return c.json({ requirement, evidenceTypes }, 200);
    },
  );
  app.openapi(
    createRoute({
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
    }),
    (c) => {
      const q = c.req.valid('query');
      const requirement = q.requirement
        ? (dir.requirements.find((r) => r.id === q.requirement || r.identifier === q.requirement)?.id ?? q.requirement)
        : undefined;
      return c.json(
        {
          services: services({
            ...(q.country ? { country: q.country } : {}),
            ...(requirement ? { requirement } : {}),
            ...(q.evidenceType ? { evidenceType: q.evidenceType } : {}),
            ...(q.provider ? { provider: q.provider } : {}),
          }),
        },
        200,
      );
    },
  );
  return dir;
}
