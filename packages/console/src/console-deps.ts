import type { Logger } from '@kakehashi/core';
import { z } from 'zod';

/** A scenario as the console lists it (a button per scenario). */
export interface ScenarioInfo {
  name: string;
  description: string;
}

/** The report of one scenario run, as `POST /console/api/scenarios/{name}/run` answers it. */
export const ScenarioReportSchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  passed: z.boolean(),
  steps: z.array(
    z.object({
      title: z.string(),
      titleJa: z.string().optional().describe("The step's title in Japanese, when the scenario gives one"),
      ok: z.boolean(),
      detail: z.string(),
      durationMs: z.number().optional(),
      spans: z
        .array(z.string().regex(/^[0-9a-f]{16}$/))
        .max(1000)
        .optional()
        .describe("The span ids of the step's requests (the parents of the hops it caused)"),
    }),
  ),
  traceIds: z.array(z.string().regex(/^[0-9a-f]{32}$/)),
  durationMs: z.number().optional(),
  undo: z
    .object({
      restored: z.boolean(),
      actions: z.array(z.string()),
      problems: z.array(z.string()),
      traceId: z
        .string()
        .regex(/^[0-9a-f]{32}$/)
        .optional()
        .describe("The one trace holding the undo's admin requests (read before, put back, read after)"),
    })
    .optional()
    .describe('What undoing the run did (clock, revocations, faults put back) and whether the federation is as before'),
});
export type ScenarioReport = z.infer<typeof ScenarioReportSchema>;

/**
 * What the console needs, as plain values: it never imports the federation (the federation imports it) and
 * reaches every component through its HTTP API, as a browser or another country would.
 */
export interface ConsoleDeps {
  /** The hub's public origin; the console is served on it, under `/console`. */
  hubUrl: string;
  /** Every national node: ISO 3166 code → origin. */
  nodes: Record<string, string>;
  /** Outbound HTTP to the hub and the nodes (in-process routing in that mode). */
  fetch: typeof fetch;
  /** The scenarios the federation knows, and a way to run one against the running federation. */
  scenarios: { list(): ScenarioInfo[]; run(name: string): Promise<ScenarioReport> };
  /** True when the federation uses the published test-only admin token: then the page prefills it. */
  adminTokenIsDefault: boolean;
  /** The admin token the federation is configured with now (option adminToken): scenario runs need it. */
  adminToken: () => string;
  logger?: Logger | undefined;
  /** How long a call to a component may take before it counts as unreachable (default 3000 ms). */
  timeoutMs?: number | undefined;
}
