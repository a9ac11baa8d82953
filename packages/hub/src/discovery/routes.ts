import { createRoute, z } from '@hono/zod-openapi';
import {
  type ComponentApp,
  createRouteModule,
  DiscoveredEndpointSchema,
  type FaultSwitchboard,
  KakehashiError,
  type NodeMetadata,
  problemResponses,
} from '@kakehashi/core';
import type { RegisteredNode, RegistryStore } from '../registry/registry-store.ts';

/** What the discovery routes need: the registry and the participant index derived from it. */
export interface DiscoveryRouteDeps {
  registry: RegistryStore;
  /** The hub's fault switches (`hub.discovery-stale`). */
  faults: FaultSwitchboard;
}

/**
 * What a stale discovery cache still answers for a node (the fault `hub.discovery-stale`): its previous
 * registration when its endpoints or certificates changed since, else its base URL in place of every endpoint (an
 * answer cached before the node published its access point).
 */
export function staleMetadata(node: RegisteredNode, previous: NodeMetadata | undefined): NodeMetadata {
  if (previous) return previous;
  const m = node.metadata;
  return {
    ...m,
    endpoints: { ...m.endpoints, as4: m.url },
    services: m.services.map((s) => ({ ...s, endpoint: m.url })),
  };
}

const ServiceSchema = z.object({
  country: z.string(),
  nodeUrl: z.string(),
  id: z.string(),
  name: z.string(),
  block: z.string(),
  endpoint: z.string(),
  signingCertificate: z.string(),
});

const services = createRoute({
  method: 'get',
  path: '/discovery/services',
  tags: ['discovery'],
  summary: 'Which node offers which building block and service, at which endpoint',
  request: {
    query: z.object({
      block: z.enum(['eid', 'esig', 'edelivery', 'jp-network']).optional(),
      country: z
        .string()
        .regex(/^[A-Za-z]{2}$/)
        .optional(),
    }),
  },
  responses: {
    200: {
      description: 'Matching services',
      content: { 'application/json': { schema: z.object({ services: z.array(ServiceSchema) }) } },
    },
    ...problemResponses(400),
  },
});

const participant = createRoute({
  method: 'get',
  path: '/discovery/participants/{participantId}',
  tags: ['discovery'],
  summary: 'Resolve a participant and service to its access point URL and certificate (SML + SMP)',
  request: {
    params: z.object({
      participantId: z
        .string()
        .min(3)
        .max(200)
        .openapi({ param: { name: 'participantId', in: 'path' }, example: 'urn:kakehashi:participant:de:bzst' }),
    }),
    query: z.object({ service: z.string().min(1).max(200).openapi({ example: 'urn:kakehashi:service:evidence' }) }),
  },
  responses: {
    200: { description: 'Endpoint', content: { 'application/json': { schema: DiscoveredEndpointSchema } } },
    ...problemResponses(400, 404),
  },
});

/**
 * Discovery in the SML/SMP role: which node offers which service, and which access point (URL and
 * certificates) serves a participant for a service.
 * @see OASIS BDX Location 1.0 (the SML role) and OASIS SMP 2.0 (the SMP role)
 */
export function discoveryRoutes(deps: DiscoveryRouteDeps): ComponentApp {
  const r = createRouteModule();
  /** The metadata discovery answers from: the registration, or a stale one while the fault is on. */
  const answerFrom = (n: RegisteredNode): NodeMetadata =>
    deps.faults.fire('hub.discovery-stale', undefined, {
      country: n.country,
      previous: deps.registry.previous(n.country) !== undefined,
    })
      ? staleMetadata(n, deps.registry.previous(n.country))
      : n.metadata;

  r.openapi(services, (c) => {
    const q = c.req.valid('query');
    const found = deps.registry
      .list()
      .filter((n) => !q.country || n.country === q.country.toUpperCase())
      .flatMap((n) => {
        const m = answerFrom(n);
        return m.services
          .filter((s) => !q.block || s.block === q.block)
          .map((s) => ({ country: n.country, nodeUrl: m.url, ...s, signingCertificate: m.certificates.signing }));
      });
    return c.json({ services: found }, 200);
  });

  r.openapi(participant, (c) => {
    const { participantId } = c.req.valid('param');
    const { service } = c.req.valid('query');
    const cc = deps.registry.findParticipant(participantId, service);
    const node = cc ? deps.registry.get(cc) : undefined;
    if (!node) {
      throw new KakehashiError(
        'participant-not-found',
        `No registered node serves participant "${participantId.slice(0, 100)}" for service "${service.slice(0, 100)}". Check the identifier and the service, or GET /registry/nodes for what is registered.`,
      );
    }
    const m = answerFrom(node);
    return c.json(
      {
        participantId,
        service,
        country: node.country,
        endpoint: m.endpoints.as4 ?? m.url,
        certificate: m.certificates.signing,
        encryptionCertificate: m.certificates.encryption,
      },
      200,
    );
  });

  return r;
}
