import { recordHop } from '@kakehashi/core';
import type { Context } from 'hono';
import type { WalletDeps } from './wallet-deps.ts';

/**
 * A trace hop of the node's wallet building block (an internal step: an offer made, a token exchanged, a credential
 * issued, a status set), recorded in the request's trace with its artefact and whether it went through.
 */
export const walletHop =
  (deps: Pick<WalletDeps, 'traces' | 'clock' | 'country'>) =>
  (c: Context, operation: string, artefact: Record<string, unknown>, valid = true) =>
    recordHop(deps.traces, deps.clock, c.get('trace'), {
      component: 'node',
      country: deps.country,
      operation,
      direction: 'internal',
      artefact,
      verdict: { valid },
    });
