import { createRoute, z } from '@hono/zod-openapi';
import {
  adminAuth,
  type ComponentApp,
  type ComponentDeps,
  createRouteModule,
  KakehashiError,
  problemResponses,
  requireJson,
} from '@kakehashi/core';
import type { Context } from 'hono';
import '../error-codes.ts';
import type { StixBundle } from '../stix/build-stix.ts';
import { StixBundleSchema, StixObjectSchema } from '../stix/z-stix.ts';
import type { CsirtNetwork, FeedQuery } from './csirt-network.ts';

/** The one TAXII collection: the CSIRT network's shared objects. */
export const TAXII_COLLECTION_ID = 'c5a1e2f0-9b7d-4c3e-8f21-6d0b4a7e9c12';
export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';
const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';
const security = [{ adminToken: [] }];

/** The TAXII 2.1 resources this server answers with (§4.1 discovery, §4.2 API root, §5 collections, §3.7 envelope). */
const TaxiiDiscoverySchema = z
  .object({ title: z.string(), description: z.string(), default: z.string(), api_roots: z.array(z.string()) })
  .openapi('TaxiiDiscovery');
const TaxiiApiRootSchema = z
  .object({ title: z.string(), versions: z.array(z.string()), max_content_length: z.number().int() })
  .openapi('TaxiiApiRoot');
const TaxiiCollectionSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    can_read: z.boolean(),
    can_write: z.boolean(),
    media_types: z.array(z.string()),
  })
  .openapi('TaxiiCollection');
const TaxiiCollectionsSchema = z.object({ collections: z.array(TaxiiCollectionSchema) }).openapi('TaxiiCollections');
const TaxiiEnvelopeSchema = z
  .object({ more: z.boolean(), next: z.string().optional(), objects: z.array(StixObjectSchema).optional() })
  .openapi('TaxiiEnvelope');
const TaxiiManifestSchema = z
  .object({
    more: z.boolean(),
    next: z.string().optional(),
    objects: z
      .array(z.object({ id: z.string(), date_added: z.string(), version: z.string(), media_type: z.string() }))
      .optional(),
  })
  .openapi('TaxiiManifest');

const FeedQuerySchema = z.object({
  since: z
    .string()
    .datetime({ offset: true })
    .optional()
    .openapi({ description: 'Objects added at or after (ISO 8601)' }),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .optional()
    .openapi({ description: 'Objects the CSIRT of this country shared' }),
  type: z
    .string()
    .regex(/^[a-z0-9-]+(,[a-z0-9-]+)*$/)
    .optional()
    .openapi({ description: 'STIX types, comma-separated (indicator,sighting)' }),
});

/** A query checked against its schema (a plain handler's boundary), as the component's `validation-failed`. */
function parseQuery<T extends z.ZodType>(schema: T, c: Context): z.infer<T> {
  const r = schema.safeParse(c.req.query());
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new KakehashiError(
      'validation-failed',
      `The query does not match the schema${issue ? `: ${issue.path.join('.') || '(root)'}: ${issue.message}` : ''}.`,
    );
  }
  return r.data;
}

/** The member asking (a node calls with `x-kakehashi-caller: node:CC`): it sees what the TLP lets it see. */
function readerOf(c: Context): string | undefined {
  const m = /^node:([A-Z]{2})$/.exec(c.req.header('x-kakehashi-caller') ?? '');
  return m ? m[1] : undefined;
}

/** An empty bundle has no `objects` member (the schema asks for at least one when it is present). */
function bundleBody(b: StixBundle) {
  return b.objects.length > 0 ? b : { type: b.type, id: b.id };
}

/** TAXII answers its own media type; a client that accepts neither it nor JSON gets 406. */
function taxii(c: Context, body: unknown, headers: Record<string, string> = {}): Response {
  const accept = c.req.header('accept') ?? '*/*';
  if (!/application\/taxii\+json|application\/json|\*\/\*|application\/\*/.test(accept))
    throw new KakehashiError(
      'taxii-not-acceptable',
      `Ask with "Accept: ${TAXII_MEDIA_TYPE}" (got "${accept.slice(0, 80)}").`,
    );
  return c.body(JSON.stringify(body), 200, { 'content-type': TAXII_MEDIA_TYPE, ...headers });
}

/**
 * The CSIRT network's API at the hub, behind the admin token (the members hold it): `POST /csirt/share` (a
 * member's STIX bundle), `GET /csirt/feed` (the feed as one STIX 2.1 bundle, by time, country and type) and a
 * TAXII 2.1 server — discovery at `/taxii2/`, the API root `/csirt/taxii/`, one collection with `objects/` and
 * `manifest/` (paging with `limit` and `next`), media type `application/taxii+json;version=2.1`.
 * @see https://docs.oasis-open.org/cti/taxii/v2.1/os/taxii-v2.1-os.html
 */
export function mountCsirtNetwork(
  app: ComponentApp,
  deps: Pick<ComponentDeps, 'config'> & { publicUrl: string },
  network: CsirtNetwork,
): void {
  for (const path of ['/csirt/share', '/csirt/feed', '/csirt/summary', '/csirt/taxii/*', '/taxii2/*', '/taxii2'])
    app.use(path, adminAuth(deps as unknown as ComponentDeps));
  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'post',
      path: '/csirt/share',
      tags: ['csirt'],
      security,
      summary:
        'A member CSIRT shares a STIX 2.1 bundle; the hub keeps it and delivers it to the members its TLP allows',
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z
                .object({
                  from: z.string().regex(/^[A-Z]{2}$/),
                  shareWith: z
                    .array(z.string().regex(/^[A-Z]{2}$/))
                    .max(30)
                    .default([]),
                  bundle: StixBundleSchema,
                })
                .strict(),
            },
          },
        },
      },
      responses: {
        200: {
          description: 'Kept, and where it went',
          content: {
            'application/json': {
              schema: z
                .object({
                  added: z.number().int(),
                  deliveries: z.array(
                    z.object({ country: z.string(), delivered: z.boolean(), detail: z.string().optional() }),
                  ),
                })
                .openapi('CsirtShareResult'),
            },
          },
        },
        ...problemResponses(400, 401, 403, 415),
      },
    }),
    async (c) => {
      requireJson(c.req.header('content-type'));
      const body = c.req.valid('json');
      return c.json(await network.share({ ...body, bundle: body.bundle as StixBundle }), 200);
    },
  );
  const Counts = z.record(z.string(), z.number().int());
  r.openapi(
    createRoute({
      method: 'get',
      path: '/csirt/summary',
      tags: ['csirt'],
      security,
      summary:
        "The network's anonymised summary (NIS2 art. 23(9), the SPOC's aggregate for ENISA): per sharing country, objects by STIX type and TLP — counts only",
      responses: {
        200: {
          description: 'Counts',
          content: {
            'application/json': {
              schema: z
                .object({ countries: z.record(z.string(), z.object({ byType: Counts, byTlp: Counts })) })
                .openapi('CsirtNetworkSummary'),
            },
          },
        },
        ...problemResponses(401),
      },
    }),
    (c) => c.json(network.summary(), 200),
  );
  const feedRoute = createRoute({
    method: 'get',
    path: '/csirt/feed',
    tags: ['csirt'],
    security,
    summary: 'The CSIRT network feed: one STIX 2.1 bundle with TLP 2.0 markings, filtered by time, country and type',
    request: { query: FeedQuerySchema },
    responses: {
      200: { description: 'A STIX 2.1 bundle', content: { 'application/stix+json': { schema: StixBundleSchema } } },
      ...problemResponses(400, 401),
    },
  });
  // Documented as a route, served as a plain handler: the body is STIX's own media type, not application/json.
  r.openAPIRegistry.registerPath(feedRoute);
  r.get('/csirt/feed', (c) => {
    const q = parseQuery(FeedQuerySchema, c);
    const bundle = network.feed({ ...q, types: q.type?.split(','), reader: readerOf(c) });
    return c.body(JSON.stringify(bundleBody(bundle)), 200, { 'content-type': STIX_MEDIA_TYPE });
  });

  const apiRoot = `${deps.publicUrl}/csirt/taxii/`;
  const collection = {
    id: TAXII_COLLECTION_ID,
    title: 'Kakehashi CSIRT network',
    description: 'Indicators, sightings and incidents the national CSIRTs share (TEST ONLY: synthetic incidents).',
    can_read: true,
    can_write: false,
    media_types: [STIX_MEDIA_TYPE],
  };
  const PageQuery = z.object({
    added_after: z.string().datetime({ offset: true }).optional(),
    'match[type]': z
      .string()
      .regex(/^[a-z0-9-]+(,[a-z0-9-]+)*$/)
      .optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    next: z.string().regex(/^\d+$/).optional(),
  });
  const taxiiDoc = (summary: string, path: string, schema: z.ZodType, query?: typeof PageQuery) =>
    createRoute({
      method: 'get',
      path,
      tags: ['csirt', 'taxii'],
      security,
      summary,
      request: {
        ...(query ? { query } : {}),
        ...(path.includes('{id}') ? { params: z.object({ id: z.string() }) } : {}),
      },
      responses: {
        200: { description: 'TAXII 2.1 resource', content: { 'application/taxii+json': { schema } } },
        ...problemResponses(401, 404, 406),
      },
    });
  const requireCollection = (id: string) => {
    if (id !== TAXII_COLLECTION_ID)
      throw new KakehashiError(
        'taxii-collection-not-found',
        `No collection ${id.slice(0, 60)}; GET /csirt/taxii/collections/ lists it.`,
      );
  };
  const serve = (route: ReturnType<typeof taxiiDoc>, handler: (c: Context) => Response) => {
    r.openAPIRegistry.registerPath(route);
    r.get(route.path.replace('{id}', ':id'), handler);
  };
  serve(taxiiDoc('TAXII 2.1 discovery', '/taxii2/', TaxiiDiscoverySchema), (c) =>
    taxii(c, {
      title: 'Kakehashi CSIRT network (TEST ONLY)',
      description: 'The hub of the mock federation serves the CSIRT network feed.',
      default: apiRoot,
      api_roots: [apiRoot],
    }),
  );
  serve(taxiiDoc('TAXII 2.1 API root', '/csirt/taxii/', TaxiiApiRootSchema), (c) =>
    taxii(c, {
      title: 'CSIRT network',
      versions: [TAXII_MEDIA_TYPE],
      max_content_length: 1_048_576,
    }),
  );
  serve(taxiiDoc('TAXII 2.1 collections', '/csirt/taxii/collections/', TaxiiCollectionsSchema), (c) =>
    taxii(c, { collections: [collection] }),
  );
  serve(taxiiDoc('TAXII 2.1 collection', '/csirt/taxii/collections/{id}/', TaxiiCollectionSchema), (c) => {
    requireCollection(c.req.param('id') ?? '');
    return taxii(c, collection);
  });
  const page = (c: Context, q: z.infer<typeof PageQuery>) => {
    requireCollection(c.req.param('id') ?? '');
    const query: FeedQuery = {
      ...(q.added_after ? { since: new Date(Date.parse(q.added_after) + 1).toISOString() } : {}),
      types: q['match[type]']?.split(','),
      afterSeq: q.next ? Number(q.next) : undefined,
      limit: q.limit + 1,
      reader: readerOf(c),
    };
    const entries = network.entries(query);
    const more = entries.length > q.limit;
    const shown = entries.slice(0, q.limit);
    const headers: Record<string, string> = shown.length
      ? {
          'x-taxii-date-added-first': shown[0]?.addedAt as string,
          'x-taxii-date-added-last': shown[shown.length - 1]?.addedAt as string,
        }
      : {};
    return { shown, more, headers, next: more ? String(shown[shown.length - 1]?.seq) : undefined };
  };
  serve(
    taxiiDoc(
      'TAXII 2.1 objects of the collection',
      '/csirt/taxii/collections/{id}/objects/',
      TaxiiEnvelopeSchema,
      PageQuery,
    ),
    (c) => {
      const p = page(c, parseQuery(PageQuery, c));
      return taxii(
        c,
        {
          more: p.more,
          ...(p.next ? { next: p.next } : {}),
          ...(p.shown.length ? { objects: p.shown.map((e) => e.object) } : {}),
        },
        p.headers,
      );
    },
  );
  serve(
    taxiiDoc(
      'TAXII 2.1 manifest of the collection',
      '/csirt/taxii/collections/{id}/manifest/',
      TaxiiManifestSchema,
      PageQuery,
    ),
    (c) => {
      const p = page(c, parseQuery(PageQuery, c));
      return taxii(
        c,
        {
          more: p.more,
          ...(p.next ? { next: p.next } : {}),
          ...(p.shown.length
            ? {
                objects: p.shown.map((e) => ({
                  id: e.object.id,
                  date_added: e.addedAt,
                  version: (e.object.modified as string | undefined) ?? e.addedAt,
                  media_type: STIX_MEDIA_TYPE,
                })),
              }
            : {}),
        },
        p.headers,
      );
    },
  );
  app.route('/', r);
}
