import { createRoute, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule, KakehashiError, problemResponses } from '@kakehashi/core';
import { type Persona, PersonaSchema } from '@kakehashi/personas';
import { AgencySchema, type CountryProfile, CountryProfileSchema, ServiceSchema } from './z-profile.ts';

/** What the profile routes show: the profile the node is built from and its personas. */
export interface ProfileRouteDeps {
  profile: CountryProfile;
  personas: readonly Persona[];
}

/**
 * The node's profile as data: its synthetic personas, agencies, services (relying parties) and the whole
 * country profile. Test data only, public on purpose.
 */
export function profileRoutes(deps: ProfileRouteDeps): ComponentApp {
  const { profile, personas } = deps;
  const r = createRouteModule();
  const json = (schema: z.ZodType, description: string) => ({
    200: { description, content: { 'application/json': { schema } } },
  });

  r.openapi(
    createRoute({
      method: 'get',
      path: '/personas',
      tags: ['personas'],
      summary: "The node's synthetic personas (JSON array; each has an id). Test data only.",
      responses: json(z.array(PersonaSchema), 'Personas'),
    }),
    (c) => c.json([...personas], 200),
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/personas/{id}',
      tags: ['personas'],
      summary: 'One persona',
      request: { params: z.object({ id: z.string().openapi({ description: 'persona id, e.g. jp-001' }) }) },
      responses: { ...json(PersonaSchema, 'The persona'), ...problemResponses(404) },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const p = personas.find((x) => x.id === id);
      if (!p)
        throw new KakehashiError(
          'not-found',
          `No persona "${id.slice(0, 40)}" at node ${profile.code}; GET /personas lists them.`,
        );
      return c.json(p, 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/agencies',
      tags: ['profile'],
      summary: 'Agencies of the country (data providers and requesters)',
      responses: json(z.object({ country: z.string(), agencies: z.array(AgencySchema) }), 'Agencies'),
    }),
    (c) => c.json({ country: profile.code, agencies: profile.agencies }, 200),
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/services',
      tags: ['profile'],
      summary: 'Services (relying parties) of the country',
      responses: json(z.object({ country: z.string(), services: z.array(ServiceSchema) }), 'Services'),
    }),
    (c) => c.json({ country: profile.code, services: profile.services }, 200),
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/services/{id}',
      tags: ['profile'],
      summary: 'One service (the endpoint the node metadata advertises for it)',
      request: { params: z.object({ id: z.string().openapi({ description: 'service id' }) }) },
      responses: {
        ...json(ServiceSchema.extend({ country: z.string() }), 'The service'),
        ...problemResponses(404),
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const svc = profile.services.find((x) => x.id === id);
      if (!svc)
        throw new KakehashiError(
          'not-found',
          `No service "${id.slice(0, 60)}" at node ${profile.code}; GET /services lists them.`,
        );
      return c.json({ country: profile.code, ...svc }, 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/profile',
      tags: ['profile'],
      summary: 'The whole country profile the node is built from',
      responses: json(CountryProfileSchema, 'The country profile'),
    }),
    (c) => c.json(profile, 200),
  );
  return r;
}
