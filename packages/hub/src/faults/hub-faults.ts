import { defineFaults, type FaultSwitchboard } from '@kakehashi/core';

/**
 * The hub's faults: outages of its cross-border eID relay and a stale discovery answer, so that the callers — the
 * nodes' connectors and access points, and an integrator's own — can be seen to survive a slow or failing hub (a
 * 502/504 problem after a bounded wait, never a 500 or a hang).
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.6.3 (502 Bad Gateway), §15.6.5 (504 Gateway Timeout)
 */
export const HUB_FAULTS = defineFaults('hub', [
  {
    name: 'hub.relay-slow',
    kind: 'outage',
    description:
      'The eID relay (`/eid/proxy/{country}/authorize`, `/saml`, `/token`) waits `relaySlowMs` (default 20 s, beyond the connector’s 15 s timeout) before it relays; a caller that gives up ends the wait.',
    perRequest: true,
  },
  {
    name: 'hub.relay-failing',
    kind: 'outage',
    description:
      'The eID relay answers 502 `upstream-unavailable` as if country A’s proxy service were down (the token relay in OAuth JSON, `temporarily_unavailable`), without contacting it.',
    perRequest: true,
  },
  {
    name: 'hub.discovery-stale',
    kind: 'outage',
    description:
      'Discovery answers from a stale cache: the endpoint and certificates of the node’s previous registration (before its last change), or, for a node registered once, its base URL instead of its AS4 endpoint.',
    perRequest: true,
  },
]);

/** The longest `relaySlowMs` the option accepts: a slow relay is bounded, never a hang. */
export const RELAY_SLOW_MAX_MS = 120_000;

/**
 * Waits `ms` (real time: the caller's timeout is real time too), or less when `signal` aborts — the caller gave up,
 * so the relay stops waiting for it. Resolves true when the wait ran to its end.
 */
export function relayDelay(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const done = (full: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(full);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), Math.min(Math.max(ms, 0), RELAY_SLOW_MAX_MS));
    timer.unref?.();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * What the relay does before it relays, when a fault is on: `fail` (answer 502), `abandoned` (the caller gave up
 * while the slow relay waited: relay nothing, so that no code is redeemed for nobody) or `relay` (after any delay).
 */
export async function relayFaults(
  faults: FaultSwitchboard,
  opts: { country: string; delayMs: number; signal: AbortSignal | undefined },
): Promise<'fail' | 'abandoned' | 'relay'> {
  if (faults.fire('hub.relay-failing', undefined, { country: opts.country })) return 'fail';
  if (
    faults.fire('hub.relay-slow', undefined, { country: opts.country, delayMs: opts.delayMs }) &&
    !(await relayDelay(opts.delayMs, opts.signal))
  )
    return 'abandoned';
  return 'relay';
}
