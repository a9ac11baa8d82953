import { createRoute, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule, KakehashiError, problemResponses } from '@kakehashi/core';
import '../../error-codes.ts';
import type { SamlContext } from '../saml-context.ts';

const tags = ['eid', 'admin'];
const security = [{ adminToken: [] }];
const SpViewSchema = z.object({ entityId: z.string(), country: z.string(), registeredAt: z.string() });
const RegisteredSpSchema = z.object({ entityId: z.string(), country: z.string(), created: z.boolean() });

/**
 * The IdP's SPs registered by the admin API from their metadata XML: an out-of-band trust decision (the
 * connectors of registered nodes and the demo SP are known without it).
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-metadata-2.0-os.pdf (§2.4.4 SPSSODescriptor)
 */
export function samlAdminRoutes(ctx: SamlContext): ComponentApp {
  const { deps, directory } = ctx;
  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'get',
      path: '/admin/saml/sps',
      tags,
      security,
      summary: 'SAML service providers registered at this IdP by the admin API',
      responses: {
        200: {
          description: 'SPs',
          content: { 'application/json': { schema: z.object({ sps: z.array(SpViewSchema) }) } },
        },
        ...problemResponses(401),
      },
    }),
    (c) => c.json({ sps: directory.list() }, 200),
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/admin/saml/sps',
      tags,
      security,
      summary:
        'Register (or replace) an SP from its metadata XML (application/samlmetadata+xml); ?country=CC sets the PersonIdentifier destination',
      // Documented only: the XML is read and checked by the metadata parser (a JSON or form schema would validate).
      request: { body: { required: true, content: { 'application/samlmetadata+xml': { schema: z.string() } } } },
      parameters: [
        {
          name: 'country',
          in: 'query',
          required: false,
          description:
            "The SP's country: destination of the PersonIdentifier in its assertions (two letters; default the node's own)",
          schema: { type: 'string', pattern: '^[A-Za-z]{2}$', example: 'DE' },
        },
      ],
      responses: {
        200: { description: 'Replaced', content: { 'application/json': { schema: RegisteredSpSchema } } },
        201: { description: 'Registered', content: { 'application/json': { schema: RegisteredSpSchema } } },
        ...problemResponses(400, 401, 409, 415),
      },
    }),
    async (c) => {
      const type = (c.req.header('content-type') ?? '').toLowerCase();
      if (!/^(application\/(samlmetadata\+)?xml|text\/xml)\b/.test(type))
        throw new KakehashiError(
          'unsupported-media-type',
          'Send the SP metadata as application/samlmetadata+xml (or application/xml).',
        );
      const country = (new URL(c.req.url).searchParams.get('country') ?? deps.country).toUpperCase();
      if (!/^[A-Z]{2}$/.test(country)) throw new KakehashiError('bad-request', 'country must be a two-letter code.');
      const reg = directory.register(await c.req.text(), country);
      deps.logger.info('SAML SP registered', { entityId: reg.entityId, created: reg.created });
      return c.json({ entityId: reg.entityId, country, created: reg.created }, reg.created ? 201 : 200);
    },
  );
  return r;
}
