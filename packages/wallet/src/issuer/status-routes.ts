import { createRoute, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule, KakehashiError, problemResponses, requireJson } from '@kakehashi/core';
import '../error-codes.ts';
import type { WalletDeps } from '../wallet-deps.ts';
import { walletHop } from '../wallet-hop.ts';
import type { CredentialIssuerProfile, IssuerEndpoints } from './issuer-profile.ts';
import type { PidIssuerKey } from './pid-issuer-key.ts';
import { STATUS, STATUS_LIST_SIZE, STATUS_LIST_TTL, type StatusRegistry, statusListToken } from './status-list.ts';

const SetStatusSchema = z
  .object({
    idx: z
      .number()
      .int()
      .min(0)
      .max(STATUS_LIST_SIZE - 1)
      .openapi({ description: "The credential's status.status_list.idx" }),
    status: z.enum(['valid', 'invalid', 'suspended']),
  })
  .strict()
  .openapi('WalletSetStatus');

/**
 * A credential issuer's Token Status List: `GET <basePath>/status-lists/1` serves the signed list
 * (`application/statuslist+jwt`), `POST /admin/wallet/status` revokes, suspends or reinstates one credential by its
 * index (the node's one wallet issuer: the PID provider at an EU node, Setagaya City at Japan's).
 * @see https://www.ietf.org/archive/id/draft-ietf-oauth-status-list-20.html#section-8
 */
export function statusRoutes(
  deps: WalletDeps,
  profile: Pick<CredentialIssuerProfile, 'name' | 'credentialName' | 'basePath'>,
  key: PidIssuerKey,
  statuses: StatusRegistry,
  endpoints: Pick<IssuerEndpoints, 'statusList'>,
): ComponentApp {
  const uri = endpoints.statusList;
  const { name, credentialName } = profile;
  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'get',
      path: `${profile.basePath}/status-lists/1`,
      tags: ['wallet'],
      summary: `Token Status List of ${name} (statuslist+jwt, 2 bits an entry: 0 valid, 1 invalid, 2 suspended) signed with its key and x5c`,
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
      summary: `Set a ${credentialName}'s status in ${name}'s status list: invalid (revoked), suspended, or valid again`,
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
        throw new KakehashiError(
          'vci-unknown-status-index',
          `No ${credentialName} of ${name} has the status index ${idx}.`,
        );
      statuses.set(idx, STATUS[status]);
      walletHop(deps)(c, `wallet: ${credentialName} status set to ${status}`, {
        type: 'status_list_entry',
        idx,
        status,
      });
      return c.json({ idx, status }, 200);
    },
  );
  return r;
}
