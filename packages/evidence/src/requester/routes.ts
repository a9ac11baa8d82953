import { createRoute, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule, KakehashiError, problemResponses, requireJson } from '@kakehashi/core';
import type { EvidenceContext } from '../context.ts';
import '../error-codes.ts';
import type { EvidenceInbox } from '../inbox/process-inbox.ts';
import { CreateRequestSchema, RequestViewSchema, requestUrl, viewRequest } from './request-view.ts';
import { sendFirstRequest, sendSecondRequest } from './send-request.ts';

const IdParam = z.object({
  id: z
    .string()
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' }, description: 'request id (urn:uuid)', example: 'urn:uuid:…' }),
});

/**
 * The requester side of the once-only exchange: a service of this node asks for evidence, follows its request,
 * sends the citizen to the provider's preview and back, and reads the evidence once it arrived.
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/OOTS/Technical+Design+Documents
 */
export function requesterRoutes(ctx: EvidenceContext, inbox: EvidenceInbox): ComponentApp {
  const r = createRouteModule();
  const { publicUrl } = ctx.deps;

  r.openapi(
    createRoute({
      method: 'post',
      path: '/evidence/requests',
      tags: ['evidence'],
      summary:
        'A service of this node asks for evidence: broker + directory at the hub, then a RegRep QueryRequest over AS4',
      request: { body: { required: true, content: { 'application/json': { schema: CreateRequestSchema } } } },
      responses: {
        202: { description: 'Sent', content: { 'application/json': { schema: RequestViewSchema } } },
        ...problemResponses(400, 404, 413, 415, 502),
      },
    }),
    async (c) => {
      requireJson(c.req.header('content-type'));
      const row = await sendFirstRequest(ctx, c.req.valid('json'), {
        fetcher: c.get('fetch'),
        traceId: c.get('trace').traceId,
        ensureSubscribed: inbox.ensureSubscribed,
      });
      return c.json(viewRequest(row, publicUrl), 202);
    },
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/evidence/requests/{id}',
      tags: ['evidence'],
      summary: 'An evidence request: status, preview location, the EDM error or the evidence with its validation',
      request: { params: IdParam },
      responses: {
        200: { description: 'The request', content: { 'application/json': { schema: RequestViewSchema } } },
        ...problemResponses(404),
      },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      ctx.requests.mustGet(id);
      await inbox.process().catch(() => 0);
      return c.json(viewRequest(ctx.requests.mustGet(id), publicUrl), 200);
    },
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/evidence/requests/{id}/preview',
      tags: ['evidence'],
      summary: "Sends the citizen to the provider's preview (302 to the PreviewLocation with returnurl)",
      description: 'Query `persona` (TEST ONLY) is passed on for a headless login at the provider.',
      request: {
        params: IdParam,
        query: z.object({
          persona: z
            .string()
            .optional()
            .openapi({ description: 'TEST ONLY: a persona id of the provider country, to log in headless' }),
        }),
      },
      responses: {
        302: { description: 'To the PreviewLocation' },
        ...problemResponses(404, 409),
      },
    }),
    (c) => {
      const row = ctx.requests.mustGet(c.req.valid('param').id);
      if (row.status !== 'preview-required' || !row.previewLocation)
        throw new KakehashiError('conflict', `The request is ${row.status}: there is no preview to go to.`);
      const u = new URL(row.previewLocation);
      u.searchParams.set('returnurl', `${requestUrl(publicUrl, row.id)}/return`);
      u.searchParams.set('returnmethod', 'GET');
      const persona = c.req.query('persona');
      if (persona) u.searchParams.set('persona', persona);
      return c.redirect(u.toString(), 302);
    },
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/evidence/requests/{id}/return',
      tags: ['evidence'],
      summary:
        'Back from the preview: sends the second QueryRequest with the PreviewLocation; answers the request view',
      request: { params: IdParam },
      responses: {
        200: { description: 'The request', content: { 'application/json': { schema: RequestViewSchema } } },
        ...problemResponses(404),
      },
    }),
    async (c) => {
      const row = ctx.requests.mustGet(c.req.valid('param').id);
      await sendSecondRequest(ctx, row);
      return c.json(viewRequest(ctx.requests.mustGet(row.id), publicUrl), 200);
    },
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/evidence/requests/{id}/evidence',
      tags: ['evidence'],
      summary: 'The signed evidence document (XAdES enveloped) once received',
      request: { params: IdParam },
      responses: {
        200: { description: 'The evidence document', content: { 'application/xml': { schema: z.string() } } },
        ...problemResponses(404),
      },
    }),
    (c) => {
      const row = ctx.requests.mustGet(c.req.valid('param').id);
      if (!row.evidenceXml)
        throw new KakehashiError('not-found', `The request is ${row.status}: no evidence has arrived.`);
      return c.body(row.evidenceXml, 200, { 'content-type': 'application/xml; charset=utf-8' });
    },
  );
  return r;
}
