import { isKakehashiError } from '@kakehashi/core';
import { z } from 'zod';
import type { ConsoleDeps } from '../console-deps.ts';
import { getUpstreamJson } from './upstream.ts';

const HealthSchema = z.looseObject({
  status: z.string().max(40),
  component: z.string().max(40),
  name: z.string().max(200).optional(),
  time: z.string().max(40).optional(),
  country: z.string().max(2).optional(),
  nodes: z.number().int().nonnegative().optional(),
  registered: z.boolean().optional(),
  trust: z.string().max(40).optional(),
});

export interface ComponentStatus {
  url: string;
  status: 'ok' | 'degraded' | 'unreachable';
  name?: string | undefined;
  time?: string | undefined;
  detail?: string | undefined;
}

export interface Topology {
  hub: ComponentStatus & { registeredNodes?: number | undefined };
  nodes: (ComponentStatus & { country: string; registered?: boolean | undefined; trust?: string | undefined })[];
}

async function health(deps: ConsoleDeps, url: string, what: string) {
  try {
    const h = await getUpstreamJson(deps, `${url}/health`, HealthSchema, what);
    return { ok: true as const, h };
  } catch (e) {
    return { ok: false as const, detail: isKakehashiError(e) ? e.message : 'no answer' };
  }
}

/**
 * The topology from every component's `GET /health`: liveness, name, the hub's count of registered nodes, each
 * node's registration and trust state. Only `/health` is asked because it is not traced: polling it does not
 * fill the trace store.
 * @see the health convention in the root README ("Conventions"): `GET /health` on every component
 */
export async function readTopology(deps: ConsoleDeps): Promise<Topology> {
  const [hub, ...nodes] = await Promise.all([
    health(deps, deps.hubUrl, 'The hub'),
    ...Object.entries(deps.nodes).map(([cc, url]) => health(deps, url, `Node ${cc}`)),
  ]);
  const status = (r: Awaited<ReturnType<typeof health>>): ComponentStatus['status'] =>
    r.ok ? (r.h.status === 'ok' ? 'ok' : 'degraded') : 'unreachable';
  return {
    hub: {
      url: deps.hubUrl,
      status: status(hub!),
      ...(hub!.ok ? { name: hub!.h.name, time: hub!.h.time, registeredNodes: hub!.h.nodes } : { detail: hub!.detail }),
    },
    nodes: Object.entries(deps.nodes).map(([country, url], i) => {
      const r = nodes[i]!;
      return {
        country,
        url,
        status: status(r),
        ...(r.ok
          ? { name: r.h.name, time: r.h.time, registered: r.h.registered, trust: r.h.trust }
          : { detail: r.detail }),
      };
    }),
  };
}
