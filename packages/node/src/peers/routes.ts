import { createRoute, z } from '@hono/zod-openapi';
import {
  type Clock,
  type ComponentApp,
  createRouteModule,
  type HubClient,
  KakehashiError,
  NodeMetadataSchema,
  problemResponses,
} from '@kakehashi/core';
import type { ValidateCertificate } from '../trust/certificate-validator.ts';
import { CertificateVerdictSchema } from '../trust/routes.ts';
import { verifyPeerMetadata } from './verify-peer-metadata.ts';

const PeersSchema = z.object({
  peers: z.array(
    z.object({
      country: z.string(),
      url: z.string(),
      name: z.string(),
      health: z
        .object({ status: z.string(), checkedAt: z.string().nullable(), detail: z.string().optional() })
        .optional(),
    }),
  ),
});

const PeerCheckSchema = z
  .object({
    country: z.string(),
    url: z.string().optional(),
    trusted: z.boolean(),
    certificate: CertificateVerdictSchema,
    signatureValid: z.boolean(),
    countryMatches: z.boolean(),
    metadata: NodeMetadataSchema.optional(),
  })
  .openapi('PeerCheck');

/** What the peer routes need: the hub, this node's country, the one certificate validator, the clock. */
export interface PeerRouteDeps {
  hub: HubClient;
  country: string;
  validateCertificate: ValidateCertificate;
  clock: Clock;
}

/**
 * Peer discovery through the hub: the registered peers, and one peer's signed metadata verified by this node
 * against its own trust view (the hub only relays it).
 */
export function peerRoutes(deps: PeerRouteDeps): ComponentApp {
  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'get',
      path: '/peers',
      tags: ['discovery'],
      summary: 'Peers registered at the hub',
      responses: {
        200: { description: 'Peers', content: { 'application/json': { schema: PeersSchema } } },
        ...problemResponses(502, 504),
      },
    }),
    async (c) => {
      const nodes = await deps.hub.registeredNodes(c.get('fetch'));
      return c.json(
        {
          peers: nodes
            .filter((n) => n.country !== deps.country)
            .map((n) => ({ country: n.country, url: n.metadata.url, name: n.metadata.name, health: n.health })),
        },
        200,
      );
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/peers/{country}',
      tags: ['discovery'],
      summary: "A peer's signed metadata, verified by this node against its own trust view",
      request: { params: z.object({ country: z.string().openapi({ description: 'ISO 3166 code' }) }) },
      responses: {
        200: { description: 'The verified peer', content: { 'application/json': { schema: PeerCheckSchema } } },
        ...problemResponses(400, 404, 502, 504),
      },
    }),
    async (c) => {
      const cc = c.req.valid('param').country.toUpperCase();
      if (!/^[A-Z]{2}$/.test(cc)) throw new KakehashiError('bad-request', 'The country must be a two-letter code.');
      const node = await deps.hub.node(cc, c.get('fetch'));
      if (!node) throw new KakehashiError('not-found', `The hub has no registered node ${cc}.`);
      return c.json(await verifyPeerMetadata(node.signedMetadata, cc, deps), 200);
    },
  );
  return r;
}
