import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger, LayeredConfig } from '@kakehashi/core';
import { createFederation, FEDERATION_OPTIONS, type Federation, SCENARIOS } from '@kakehashi/federation';
import { TRUST_CACHE } from './trust-cache.ts';

/** Trust material is cached here across test files and processes (see trust-cache.ts). */
export { TRUST_CACHE };
export const ADMIN = { authorization: 'Bearer kakehashi-admin-test-only' };

export interface TestFederation extends Federation {
  dataDir: string;
  logs: Record<string, unknown>[];
  dispose(): Promise<void>;
}

/** An in-process federation (no sockets) on a temporary data directory. */
export async function startTestFederation(
  options: {
    countries?: string[];
    seed?: string;
    clockStart?: string;
    /** Faults switched on at start (the option `faults`: `DE:lenient.*` makes node DE a weak node). */
    faults?: string[];
    /** Wraps the federation's outbound fetch (e.g. one node unreachable). */
    wrapFetch?: (inner: typeof fetch) => typeof fetch;
  } = {},
): Promise<TestFederation> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kakehashi-test-'));
  const env: Record<string, string> = { KAKEHASHI_HEALTH_INTERVAL_MS: '0' };
  if (options.countries) env.KAKEHASHI_COUNTRIES = options.countries.join(',');
  if (options.clockStart) env.KAKEHASHI_CLOCK_START = options.clockStart;
  if (options.faults) env.KAKEHASHI_FAULTS = options.faults.join(',');
  const config = new LayeredConfig(FEDERATION_OPTIONS, {
    env,
    cli: { dataDir, seed: options.seed ?? 'kakehashi-test', trustCacheDir: TRUST_CACHE },
  });
  const logger = createMemoryLogger('info');
  const f = await createFederation({
    config,
    mode: 'in-process',
    logger,
    scenarios: SCENARIOS,
    ...(options.wrapFetch ? { wrapFetch: options.wrapFetch } : {}),
  });
  return Object.assign(f, {
    dataDir,
    logs: logger.lines,
    dispose: async () => {
      await f.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/** JSON body of a response, asserting the status. */
export async function json<T = Record<string, unknown>>(
  res: Response | Promise<Response>,
): Promise<{ status: number; body: T; type: string }> {
  const r = await res;
  return { status: r.status, body: (await r.json()) as T, type: r.headers.get('content-type') ?? '' };
}
