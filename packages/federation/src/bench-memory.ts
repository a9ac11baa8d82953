/**
 * Memory after logins for `kakehashi bench` (issue 15: "memory after 10,000 logins after a forced GC"): the whole
 * federation started as `kakehashi start` in its own process with `--expose-gc`, then complete OIDC logins (code +
 * PKCE, the ID token verified; `oidcLoginFlow`) at one node over loopback HTTP, and the process's memory read
 * after a full collection (SIGUSR2 → its `memory` line) once warmed up and again after the logins. What a login
 * leaves behind for good (a cache without a bound, a map never emptied) shows as heap growth per login.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverTarget, KAKEHASHI_DEMO_RP, type OidcTarget, oidcLoginFlow } from './bench-oidc.ts';
import { type ProcessMemory, startProcess } from './bench-start.ts';

/** `count` logins, `concurrency` at a time. */
async function logins(target: OidcTarget, count: number, concurrency: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        await oidcLoginFlow(target);
      }
    }),
  );
}

export interface MemoryFigures {
  logins: number;
  node: string;
  concurrency: number;
  loginsPerSecond: number;
  /** Whether the process ran a full GC before each reading (it runs with --expose-gc). */
  forcedGc: boolean;
  /** After start and 200 warm-up logins. */
  beforeLoginsMB: Omit<ProcessMemory, 'gc'>;
  /** After the `logins`, after a forced GC. */
  afterLoginsMB: Omit<ProcessMemory, 'gc'>;
  /** (heap used after − before) ÷ logins: what each login leaves behind that no collection frees. */
  heapGrowthPerLoginBytes: number;
}

/** Starts the federation (`kakehashi start`, --expose-gc), logs in `count` times at one node, reads its memory. */
export async function benchMemoryAfterLogins(opts: {
  count: number;
  concurrency: number;
  port: number;
  trustCacheDir?: string;
}): Promise<MemoryFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'kakehashi-bench-memory-'));
  const proc = await startProcess(dir, opts.port, {
    nodeArgs: ['--expose-gc'],
    ...(opts.trustCacheDir ? { trustCacheDir: opts.trustCacheDir } : {}),
  });
  try {
    const cc = 'DE' in proc.nodes ? 'DE' : (Object.keys(proc.nodes)[0] as string);
    const target = await discoverTarget(proc.nodes[cc] as string, KAKEHASHI_DEMO_RP, {
      extraParams: { kakehashi_persona: `${cc.toLowerCase()}-001` },
    });
    await logins(target, 200, opts.concurrency);
    await new Promise((r) => setTimeout(r, 1000));
    const { gc: gcBefore, ...before } = await proc.memory();
    const t0 = performance.now();
    await logins(target, opts.count, opts.concurrency);
    const seconds = (performance.now() - t0) / 1000;
    // Idle a moment first: what is written behind the last requests (trace events, audit) is then in the stores.
    await new Promise((r) => setTimeout(r, 1000));
    const { gc: gcAfter, ...after } = await proc.memory();
    return {
      logins: opts.count,
      node: cc,
      concurrency: opts.concurrency,
      loginsPerSecond: Math.round(opts.count / seconds),
      forcedGc: gcBefore && gcAfter,
      beforeLoginsMB: before,
      afterLoginsMB: after,
      heapGrowthPerLoginBytes: Math.round(((after.heapUsedMb - before.heapUsedMb) * 2 ** 20) / opts.count),
    };
  } finally {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
