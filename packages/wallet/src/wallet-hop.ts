import { type HopEvent, recordHop } from '@kakehashi/core';
import type { Context } from 'hono';
import type { WalletDeps } from './wallet-deps.ts';

/**
 * A trace hop of the node's wallet building block (an internal step: an offer made, a token exchanged, a credential
 * issued, a status set, a presentation judged), recorded in the request's trace with its artefact and its verdict:
 * whether it went through, a verifier's checks, or none (`null`: what the verifier made, e.g. a request).
 */
export const walletHop =
  (deps: Pick<WalletDeps, 'traces' | 'clock' | 'country'>) =>
  (c: Context, operation: string, artefact: Record<string, unknown>, verdict: boolean | HopVerdict | null = true) =>
    recordHop(deps.traces, deps.clock, c.get('trace'), {
      component: 'node',
      country: deps.country,
      operation,
      direction: 'internal',
      artefact,
      ...(verdict === null ? {} : { verdict: typeof verdict === 'boolean' ? { valid: verdict } : verdict }),
    });

type HopVerdict = NonNullable<HopEvent['verdict']>;
