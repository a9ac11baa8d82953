import { KakehashiError } from '@kakehashi/core';
import { z } from 'zod';
import type { ConsoleDeps } from '../console-deps.ts';

/** A fault as a component's `GET /admin/faults` lists it (validated: a component is another trust domain). */
export const ConsoleFaultSchema = z.object({
  name: z.string().max(200),
  block: z.string().max(40),
  kind: z.enum(['forge', 'lenient', 'outage', 'incident']),
  description: z.string().max(2000),
  rule: z.string().max(200).optional(),
  perRequest: z.boolean().optional(),
  enabled: z.boolean(),
});
const FaultListSchema = z.object({ faults: z.array(ConsoleFaultSchema).max(1000) });

/** One component's faults as the console shows them: `hub` or `node:CC`, or why they could not be read. */
export const ComponentFaultsSchema = z.object({
  component: z.string(),
  url: z.string(),
  available: z.boolean(),
  detail: z.string().optional(),
  faults: z.array(ConsoleFaultSchema),
});
export type ComponentFaults = z.infer<typeof ComponentFaultsSchema>;

/** The body of the console's switch: names or patterns to switch on and off (as `PUT /admin/faults` takes it). */
export const ConsoleFaultSwitchSchema = z
  .object({
    enable: z.array(z.string().min(1).max(200)).max(500).optional(),
    disable: z.array(z.string().min(1).max(200)).max(500).optional(),
  })
  .strict();

/** Where a component of the federation is: `hub`, or a node by its country code. */
function componentUrl(deps: ConsoleDeps, component: string): { key: string; url: string } {
  if (component === 'hub') return { key: 'hub', url: deps.hubUrl };
  const cc = component.toUpperCase();
  const url = /^[A-Z]{2}$/.test(cc) ? deps.nodes[cc] : undefined;
  if (!url)
    throw new KakehashiError(
      'not-found',
      `No component "${component.slice(0, 20)}": use hub or a node's country code (${Object.keys(deps.nodes).join(', ')}).`,
    );
  return { key: `node:${cc}`, url };
}

/**
 * Calls a component's `/admin/faults` with the federation's admin token and validates the answer. A refusal the
 * component explains (an unknown fault: `fault-unknown`) is passed on with its code; anything else is an
 * `upstream-unavailable` naming the component, never its body.
 */
async function adminFaults(
  deps: ConsoleDeps,
  url: string,
  what: string,
  change?: z.infer<typeof ConsoleFaultSwitchSchema>,
): Promise<z.infer<typeof FaultListSchema>> {
  let res: Response;
  try {
    res = await deps.fetch(`${url}/admin/faults`, {
      method: change ? 'PUT' : 'GET',
      headers: {
        accept: 'application/json',
        authorization: `Bearer ${deps.adminToken()}`,
        'x-kakehashi-caller': 'console',
        ...(change ? { 'content-type': 'application/json' } : {}),
      },
      ...(change ? { body: JSON.stringify(change) } : {}),
      signal: AbortSignal.timeout(deps.timeoutMs ?? 3000),
    });
  } catch (e) {
    throw new KakehashiError(
      'upstream-unavailable',
      `${what} did not answer (${e instanceof Error ? e.name : 'error'}); check that the component is running.`,
    );
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (res.status === 400) {
    const problem = z.object({ code: z.string(), detail: z.string().max(2000) }).safeParse(body);
    if (problem.success && problem.data.code === 'fault-unknown')
      throw new KakehashiError('fault-unknown', `${what}: ${problem.data.detail}`);
  }
  if (!res.ok) throw new KakehashiError('upstream-unavailable', `${what} answered HTTP ${res.status}.`);
  const parsed = FaultListSchema.safeParse(body);
  if (!parsed.success) throw new KakehashiError('upstream-unavailable', `${what} answered faults of another shape.`);
  return parsed.data;
}

/** Every component's faults (`GET /admin/faults` of the hub and of each node), one entry per component. */
export async function readFaults(deps: ConsoleDeps): Promise<ComponentFaults[]> {
  const components = [
    { key: 'hub', url: deps.hubUrl, what: 'The hub' },
    ...Object.entries(deps.nodes).map(([cc, url]) => ({ key: `node:${cc}`, url, what: `Node ${cc}` })),
  ];
  return Promise.all(
    components.map(async (c) => {
      try {
        return {
          component: c.key,
          url: c.url,
          available: true,
          faults: (await adminFaults(deps, c.url, c.what)).faults,
        };
      } catch (e) {
        return {
          component: c.key,
          url: c.url,
          available: false,
          detail: e instanceof Error ? e.message : 'no answer',
          faults: [],
        };
      }
    }),
  );
}

/** Switches faults of one component (`hub` or a country code) and answers its faults after the switch. */
export async function switchFaults(
  deps: ConsoleDeps,
  component: string,
  change: z.infer<typeof ConsoleFaultSwitchSchema>,
): Promise<ComponentFaults> {
  const { key, url } = componentUrl(deps, component);
  const what = key === 'hub' ? 'The hub' : `Node ${key.slice(5)}`;
  const { faults } = await adminFaults(deps, url, what, change);
  deps.logger?.warn('faults switched from the console', { component: key, ...change });
  return { component: key, url, available: true, faults };
}
