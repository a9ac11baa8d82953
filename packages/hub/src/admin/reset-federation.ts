import { z } from '@hono/zod-openapi';
import type { AuditLog, ClockState, Logger } from '@kakehashi/core';
import type { RegistryStore } from '../registry/registry-store.ts';
import type { HubTrust } from '../trust/hub-trust.ts';
import type { PushOutcome, PushToNodes } from './push-to-nodes.ts';

const PushOutcomeSchema = z.object({ country: z.string(), ok: z.boolean(), detail: z.string().optional() });

/** What `POST /admin/reset` at the hub answers besides `reset: true`: what it did, component by component. */
export const FederationResetSchema = z.object({
  registry: z
    .object({ kept: z.array(z.string()) })
    .openapi({ description: 'The registered nodes (kept: the nodes stay registered, their metadata unchanged)' }),
  revocationsUndone: z
    .array(z.object({ serialHex: z.string(), caName: z.string(), name: z.string().optional() }))
    .openapi({ description: 'The revocations taken back (the CRLs are re-issued without them)' }),
  clock: z.object({ now: z.string(), frozen: z.boolean(), offsetMs: z.number() }).openapi({
    description:
      "The hub's clock after the reset (where the federation started: clockStart, else real time), pushed to every node",
  }),
  faults: z.array(z.string()).openapi({ description: "The hub's faults in force after the reset (the start ones)" }),
  tracesCleared: z.boolean(),
  nodes: z.array(
    z.object({
      country: z.string(),
      reset: PushOutcomeSchema.omit({ country: true }),
      clock: PushOutcomeSchema.omit({ country: true }),
      trustRefreshed: PushOutcomeSchema.omit({ country: true }),
    }),
  ),
});

export type FederationReset = z.infer<typeof FederationResetSchema>;

/** What the federation reset needs of the hub. */
export interface ResetFederationDeps {
  registry: RegistryStore;
  trust: HubTrust;
  audit: AuditLog;
  logger: Logger;
  push: PushToNodes;
  clock: { state(): ClockState };
  /** Puts the hub's clock back where the federation started (option clockStart, frozen; else real time). */
  restartClock: () => void;
  faultsInForce: () => string[];
  /** The hub's own runtime state (traces, eID tables). */
  clearHubState: () => void;
}

/**
 * `POST /admin/reset` at the hub resets the whole federation coherently, in an order where no node is left
 * believing something the hub forgot: the registry is kept (every node stays registered, so discovery and
 * cross-border logins keep working), the hub's revocations are taken back, the hub's clock goes back to where the federation started,
 * then each node is reset (its faults, runtime options and block state), given the hub's clock, and told to reload
 * the trust fabric (lists and CRLs re-issued at the reset time). The answer says what each step did, node by node.
 */
export async function resetFederation(deps: ResetFederationDeps): Promise<FederationReset> {
  deps.clearHubState();
  const undone = deps.trust.unrevoke();
  deps.restartClock();
  const clock = deps.clock.state();
  const byCountry = (outcomes: PushOutcome[]) =>
    new Map(outcomes.map(({ country, ...rest }) => [country, rest] as const));
  const reset = byCountry(await deps.push('/admin/reset', undefined));
  const clocks = byCountry(await deps.push('/admin/clock', { action: 'set', at: clock.now, frozen: clock.frozen }));
  const refreshed = byCountry(await deps.push('/admin/trust/refresh', undefined));
  const kept = deps.registry.list().map((n) => n.country);
  const missing = { ok: false, detail: 'not asked (registered during the reset)' };
  const nodes = kept.map((country) => ({
    country,
    reset: reset.get(country) ?? missing,
    clock: clocks.get(country) ?? missing,
    trustRefreshed: refreshed.get(country) ?? missing,
  }));
  const answer: FederationReset = {
    registry: { kept },
    revocationsUndone: undone.map((r) => ({
      serialHex: r.serialHex,
      caName: r.caName,
      ...(r.name ? { name: r.name } : {}),
    })),
    clock,
    faults: deps.faultsInForce(),
    tracesCleared: true,
    nodes,
  };
  const failed = nodes.filter((n) => !(n.reset.ok && n.clock.ok && n.trustRefreshed.ok)).map((n) => n.country);
  deps.audit.append({
    actor: 'admin',
    action: 'reset',
    outcome: failed.length === 0 ? 'success' : 'error',
    details: { nodes: kept, revocationsUndone: undone.length, ...(failed.length ? { failed } : {}) },
  });
  deps.logger.warn('federation reset', { nodes: kept, revocationsUndone: undone.length, failed });
  return answer;
}
