import { randomBytes } from 'node:crypto';
import { parseTraceparent } from '@kakehashi/core';

/**
 * What a scenario needs of a federation: the origins of its components and a `fetch` that reaches them.
 * A `Federation` (from `createFederation`) is one; so is a federation already running elsewhere, reached by URL
 * (the teaching console runs scenarios against the federation that serves it).
 */
export interface ScenarioTarget {
  urls: { hub: string; nodes: Record<string, string> };
  fetch: typeof fetch;
}

export interface ScenarioStep {
  title: string;
  /** The title in Japanese, for the console's `?lang=ja` (the CLI prints `title`). */
  titleJa?: string;
  /** `state` carries what one step hands the next (a URL, a code, a trace id). Returns a one-line detail. */
  run(f: ScenarioTarget, state: Record<string, string>): Promise<string>;
}

export interface Scenario {
  description: string;
  steps: ScenarioStep[];
}

/** Scenarios by name, in the order `scenario list` prints them. */
export type ScenarioRegistry = Readonly<Record<string, Scenario>>;

/** The outcome of one run, step by step, with the trace ids its requests carried (to open in the console). */
export interface ScenarioReport {
  name: string;
  description: string;
  passed: boolean;
  /**
   * Each step's outcome; `spans` are the span ids of the `traceparent`s its requests carried (the parents of the
   * hops they caused), so the console can say which hops of the trace belong to which step.
   */
  steps: { title: string; titleJa?: string; ok: boolean; detail: string; durationMs: number; spans: string[] }[];
  traceIds: string[];
  durationMs: number;
}

/** Every scenario's name and description, in the registry's order. */
export function describeScenariosOf(registry: ScenarioRegistry): { name: string; description: string }[] {
  return Object.entries(registry).map(([name, s]) => ({ name, description: s.description }));
}

/**
 * Runs one scenario of `registry` against a federation that is already running and returns its report (a failed
 * step does not stop the next ones: each says what it found). Every request a step makes without its own
 * `traceparent` joins the run's trace (`state.traceId`, which a step may replace), so the console can draw the
 * whole run.
 * @see https://www.w3.org/TR/trace-context/#traceparent-header
 */
export async function runScenarioOf(
  registry: ScenarioRegistry,
  target: ScenarioTarget,
  name: string,
  opts: { onStep?: (step: ScenarioReport['steps'][number], index: number) => void } = {},
): Promise<ScenarioReport> {
  const scenario = registry[name];
  if (!scenario) throw new Error(`unknown scenario "${name}"; known: ${Object.keys(registry).join(', ')}`);
  const started = performance.now();
  const state: Record<string, string> = { traceId: randomBytes(16).toString('hex') };
  const traceIds = new Set<string>();
  let spans: string[] = [];
  const tracedFetch: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    if (!headers.has('traceparent') && state.traceId)
      headers.set('traceparent', `00-${state.traceId}-${randomBytes(8).toString('hex')}-01`);
    const ctx = parseTraceparent(headers.get('traceparent'));
    if (ctx) {
      traceIds.add(ctx.traceId);
      if (spans.length < 1000) spans.push(ctx.spanId);
    }
    return target.fetch(input, { ...init, headers });
  };
  const t: ScenarioTarget = { urls: target.urls, fetch: tracedFetch };
  const steps: ScenarioReport['steps'] = [];
  for (const [i, step] of scenario.steps.entries()) {
    const t0 = performance.now();
    spans = [];
    let ok = true;
    let detail: string;
    try {
      detail = await step.run(t, state);
    } catch (e) {
      ok = false;
      detail = e instanceof Error ? e.message : String(e);
    }
    const result = {
      title: step.title,
      ...(step.titleJa ? { titleJa: step.titleJa } : {}),
      ok,
      detail,
      durationMs: Math.round(performance.now() - t0),
      spans,
    };
    steps.push(result);
    opts.onStep?.(result, i);
  }
  return {
    name,
    description: scenario.description,
    passed: steps.every((s) => s.ok),
    steps,
    traceIds: [...traceIds],
    durationMs: Math.round(performance.now() - started),
  };
}
