import { createRoute, z } from '@hono/zod-openapi';
import {
  type ComponentApp,
  createRouteModule,
  KakehashiError,
  problemResponses,
  recordHop,
  requireJson,
} from '@kakehashi/core';
import '../error-codes.ts';
import type { WalletDeps } from '../wallet-deps.ts';
import { issuerEndpoints } from './metadata.ts';
import type { PidIssuerKey } from './pid-issuer-key.ts';
import { STATUS, STATUS_LIST_SIZE, STATUS_LIST_TTL, type StatusRegistry, statusListToken } from './status-list.ts';

const SetStatusSchema = z
  .object({
    idx: z
      .number()
      .int()
      .min(0)
      .max(STATUS_LIST_SIZE - 1)
      .openapi({ description: "The PID's status.status_list.idx" }),
    status: z.enum(['valid', 'invalid', 'suspended']),
  })
  .strict()
  .openapi('WalletSetStatus');

/**
 * The PID provider's Token Status List: `GET /wallet/issuer/status-lists/1` serves the signed list
 * (`application/statuslist+jwt`), `POST /admin/wallet/status` revokes, suspends or reinstates one PID by its index.
 * @see https://www.ietf.org/archive/id/draft-ietf-oauth-status-list-20.html#section-8
 */
export function statusRoutes(deps: WalletDeps, key: PidIssuerKey, statuses: StatusRegistry): ComponentApp {
  const uri = issuerEndpoints(deps.publicUrl).statusList;
  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'get',
      path: '/wallet/issuer/status-lists/1',
      tags: ['wallet'],
      summary:
        "The PID provider's Token Status List (statuslist+jwt, 2 bits an entry: 0 valid, 1 invalid, 2 suspended), signed with the PID key and its x5c",
      responses: {
        200: {
          description: 'The status list token',
          content: { 'application/statuslist+jwt': { schema: z.string().openapi({ description: 'A compact JWT' }) } },
        },
      },
    }),
    async (c) => {
      const token = await statusListToken({ uri, key, list: statuses.list(), now: deps.clock.now() });
      return c.body(token, 200, {
        'content-type': 'application/statuslist+jwt',
        'cache-control': `max-age=${STATUS_LIST_TTL}`,
      }) as never;
    },
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/admin/wallet/status',
      tags: ['wallet', 'admin'],
      security: [{ adminToken: [] }],
      summary: "Set a PID's status in the provider's status list: invalid (revoked), suspended, or valid again",
      request: { body: { required: true, content: { 'application/json': { schema: SetStatusSchema } } } },
      responses: {
        200: {
          description: 'The status now',
          content: { 'application/json': { schema: z.object({ idx: z.number(), status: z.string() }) } },
        },
        ...problemResponses(400, 401, 404, 415),
      },
    }),
    (c) => {
      requireJson(c.req.header('content-type'));
      const { idx, status } = c.req.valid('json');
      if (!statuses.isAllocated(idx))
        throw new KakehashiError('vci-unknown-status-index', `No PID of this provider has the status index ${idx}.`);
      statuses.set(idx, STATUS[status]);
      recordHop(deps.traces, deps.clock, c.get('trace'), {
        component: 'node',
        country: deps.country,
        operation: `wallet: PID status set to ${status}`,
        direction: 'internal',
        artefact: { type: 'status_list_entry', idx, status },
        verdict: { valid: true },
      });
      return c.json({ idx, status }, 200);
    },
  );
  return r;
}
