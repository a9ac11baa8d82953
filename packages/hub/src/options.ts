import type { OptionSpec } from '@kakehashi/core';
import { z } from 'zod';
import { RELAY_SLOW_MAX_MS } from './faults/hub-faults.ts';

const positive = z.coerce.number().int().positive();

/** The hub's options: how fresh signed node metadata must be, how often nodes are polled, how slow the relay is while `hub.relay-slow` is on. */
export const HUB_OPTIONS = [
  {
    key: 'registrationMaxAgeSeconds',
    env: 'KAKEHASHI_REGISTRATION_MAX_AGE_SECONDS',
    schema: positive,
    default: 300,
    description: 'Signed node metadata older (or further in the future) than this is refused.',
    runtime: true,
  },
  {
    key: 'healthIntervalMs',
    env: 'KAKEHASHI_HEALTH_INTERVAL_MS',
    schema: z.coerce.number().int().min(0),
    default: 10_000,
    description: "How often the hub polls every node's `/health` (0: never; the hub still checks on request).",
    runtime: true,
  },
  {
    key: 'relaySlowMs',
    env: 'KAKEHASHI_RELAY_SLOW_MS',
    schema: z.coerce.number().int().min(0).max(RELAY_SLOW_MAX_MS),
    default: 20_000,
    description:
      "How long the eID relay waits while the fault `hub.relay-slow` is on (default: beyond the connector's 15 s timeout, so the caller's timeout fires; at most 120 s).",
    runtime: true,
  },
] as const satisfies readonly OptionSpec[];

export type HubOptions = typeof HUB_OPTIONS;
