/**
 * `@kakehashi/client`: typed HTTP clients for the Kakehashi hub and national nodes. The paths, parameters, bodies
 * and responses are generated from the OpenAPI documents the components serve (`src/generated/`, by
 * `scripts/generate.ts` with openapi-typescript); requests go through openapi-fetch. TEST ONLY, like everything
 * Kakehashi serves.
 */
import createClient, { type Client, type ClientOptions, type Middleware } from 'openapi-fetch';
import type { components as HubComponents, paths as HubPaths } from './generated/hub.d.ts';
import type { components as NodeComponents, paths as NodePaths } from './generated/node.d.ts';
import type { components as JpNodeComponents, paths as JpNodePaths } from './generated/node-jp.d.ts';

export type { HubPaths, JpNodePaths, NodePaths };
/** The named schemas of each document (`HubSchemas['Problem']`, `NodeSchemas['Persona']`, …). */
export type HubSchemas = HubComponents['schemas'];
export type NodeSchemas = NodeComponents['schemas'];
export type JpNodeSchemas = JpNodeComponents['schemas'];

export type HubClient = Client<HubPaths>;
export type NodeClient = Client<NodePaths>;
export type JpNodeClient = Client<JpNodePaths>;

/** The admin token every component accepts unless `adminToken` is configured: a published, test-only value. */
export const TEST_ADMIN_TOKEN = 'kakehashi-admin-test-only';

export interface KakehashiClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /**
   * Sent as `Authorization: Bearer <token>` on `/admin/*` requests only (other routes, such as the OIDC userinfo
   * endpoint, use the header for their own tokens). `true`: the test-only default, {@link TEST_ADMIN_TOKEN}.
   * A request that sets its own `authorization` header keeps it.
   */
  adminToken?: string | true;
}

/** openapi-fetch middleware that adds the admin bearer token to requests under `/admin/`. */
export function adminTokenMiddleware(token: string): Middleware {
  return {
    onRequest({ request, schemaPath }) {
      if (schemaPath.startsWith('/admin/') && !request.headers.has('authorization'))
        request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
  };
}

function create<Paths extends {}>(baseUrl: string, options: KakehashiClientOptions): Client<Paths> {
  const { adminToken, ...rest } = options;
  const client = createClient<Paths>({ ...rest, baseUrl: baseUrl.replace(/\/+$/, '') });
  if (adminToken !== undefined) client.use(adminTokenMiddleware(adminToken === true ? TEST_ADMIN_TOKEN : adminToken));
  return client;
}

/**
 * A client of the hub at `baseUrl` (its origin, e.g. `http://127.0.0.1:7000`): registry, discovery, trust
 * publication, audit, traces, the eID proxy, the evidence broker, the console API and the admin surface.
 *
 * ```ts
 * const hub = kakehashiHub('http://127.0.0.1:7000', { adminToken: true });
 * const { data } = await hub.GET('/registry/nodes'); // data?.nodes: typed
 * ```
 */
export function kakehashiHub(baseUrl: string, options: KakehashiClientOptions = {}): HubClient {
  return create<HubPaths>(baseUrl, options);
}

/**
 * A client of a national node at `baseUrl`: personas, profile, eID (OIDC and SAML), signatures, eDelivery,
 * evidence, trust status, peers and the admin surface — the routes every node serves. For Japan's node, with the
 * Cooperation Network and the card login, use {@link kakehashiJpNode}.
 */
export function kakehashiNode(baseUrl: string, options: KakehashiClientOptions = {}): NodeClient {
  return create<NodePaths>(baseUrl, options);
}

/** A client of Japan's national node: every node route plus the Cooperation Network, J-LIS, agencies, portal. */
export function kakehashiJpNode(baseUrl: string, options: KakehashiClientOptions = {}): JpNodeClient {
  return create<JpNodePaths>(baseUrl, options);
}
