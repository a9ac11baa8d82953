/**
 * Start-up for `kakehashi bench`: `kakehashi start --json` spawned as its own process, timed from spawn to its
 * `federation-ready` line, and its resident memory read from /proc once ready. Cold: a fresh data directory (the
 * trust fabric is generated); warm: the same directory again (trust material loaded from the cache). With 2, 4 and
 * 7 countries (the hub plus that many nodes). Each start runs as `./kakehashi start` runs it: with
 * START_NODE_FLAGS and Node's compile cache, and from the CLI bundle, built first when the checkout changed since
 * (`ensureCliBundle`; each figure says whether its warm starts all ran from it).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { median } from './bench-report.ts';
import { findBundle } from './cli-bundle.ts';

// `cli.ts` beside this file in the repository, `cli.js` in the built package.
const CLI = join(dirname(fileURLToPath(import.meta.url)), `cli${extname(fileURLToPath(import.meta.url))}`);

/**
 * The V8 flags a start runs with, as `./kakehashi` passes them: a young generation of 8 MB per semi-space, at most and
 * from the start. A start allocates much that lives (modules, schemas, routers, keys) and V8 then grows the young
 * generation to its default maximum: ~50 MB more RSS once ready, for no measured gain in throughput (server CPU per
 * OIDC login the same within noise with 8 MB). Grown from V8's 1 MB instead of starting at 8 MB, the young
 * generation's first scavenges promote what would have died young: ~15 MB more RSS once ready, no less CPU (warm
 * start of hub + 7 nodes, interleaved, medians of 6: RSS 160 → 143 MB, CPU to ready 1130 → 1115 ms).
 * @see https://v8.dev/blog/orinoco-parallel-scavenger
 */
export const START_NODE_FLAGS = ['--max-semi-space-size=8', '--min-semi-space-size=8'] as const;

/**
 * Node's compile cache for the spawned start, where `cli.ts` keeps it (`.kakehashi/compile-cache`, or
 * `NODE_COMPILE_CACHE`), as `./kakehashi` sets it: the entry module itself then comes type-stripped from the cache
 * too (`cli.ts` can only switch the cache on for what it imports after its first line: without the variable, the
 * entry is stripped on every start, which loads Node's TypeScript stripper: ~17 MB of RSS and ~50 ms).
 */
function compileCacheDir(): string {
  return process.env.NODE_COMPILE_CACHE ?? join(dotKakehashi(), 'compile-cache');
}

/** `.kakehashi` of the checkout, where `cli.ts` keeps its compile cache and its bundle. */
function dotKakehashi(): string {
  return join(process.env.KAKEHASHI_ROOT ?? join(dirname(CLI), '..', '..', '..'), '.kakehashi');
}

/**
 * Builds the CLI bundle a start from the sources runs from (see `cli-bundle.ts`), awaited, when it is missing or
 * stale, so that a timed start runs as a second `./kakehashi start` on an unchanged checkout runs: from the bundle.
 * A start that finds it stale runs from the sources while a builder works (2–3× the time): a figure of the edits
 * made to the checkout just before, not of the start. Returns whether a start now runs from a bundle (never from
 * the built package, nor with `KAKEHASHI_BUNDLE=0`).
 */
export async function ensureCliBundle(
  buildDir = join(dotKakehashi(), 'build'),
  entry = join(dirname(CLI), `run-cli${extname(CLI)}`),
): Promise<boolean> {
  if (extname(entry) !== '.ts' || process.env.KAKEHASHI_BUNDLE === '0') return false;
  if (findBundle(buildDir, entry)) return true;
  // The builder as a script in its own process, as a start spawns it: importing it here would put rolldown into the
  // bundle this module itself runs from. It fails when a source is saved during the build (no bundle then).
  await new Promise<void>((resolve) => {
    const builder = spawn(process.execPath, [join(dirname(CLI), `cli-bundle-build${extname(CLI)}`), buildDir, entry], {
      stdio: 'ignore',
    });
    builder.once('exit', () => resolve());
    builder.once('error', () => resolve());
  });
  return findBundle(buildDir, entry) !== undefined;
}

/** The default countries, in the order subsets are taken (JP and DE first: the AS4 and JP sections use them). */
export const START_COUNTRIES = ['JP', 'DE', 'EE', 'AT', 'ES', 'FR', 'IT'] as const;

export interface StartRun {
  readyMs: number;
  rssMb: number;
  /** Whether the start ran from the CLI bundle (see {@link ensureCliBundle}). */
  fromBundle: boolean;
}

/** What a start reports on SIGUSR2 (see `memoryNow` in run-cli.ts). */
export interface ProcessMemory {
  gc: boolean;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  arrayBuffersMb: number;
}

/** A federation process: time to ready, RSS, its URLs, and how to stop it. */
export async function startProcess(
  dataDir: string,
  port: number,
  opts: { trustCacheDir?: string; countries?: readonly string[]; nodeArgs?: readonly string[] } = {},
): Promise<
  StartRun & { stop(): Promise<void>; memory(): Promise<ProcessMemory>; hub: string; nodes: Record<string, string> }
> {
  const fromBundle = await ensureCliBundle();
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
      ...START_NODE_FLAGS,
      ...(opts.nodeArgs ?? []),
      CLI,
      'start',
      '--json',
      '--data-dir',
      dataDir,
      '--port',
      String(port),
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ...(process.env.NODE_DISABLE_COMPILE_CACHE ? {} : { NODE_COMPILE_CACHE: compileCacheDir() }),
        KAKEHASHI_LOG_LEVEL: 'warn',
        KAKEHASHI_HEALTH_INTERVAL_MS: '0',
        ...(opts.trustCacheDir ? { KAKEHASHI_TRUST_CACHE_DIR: opts.trustCacheDir } : {}),
        ...(opts.countries ? { KAKEHASHI_COUNTRIES: opts.countries.join(',') } : {}),
      },
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const lines = createInterface({ input: child.stdout });
  const memoryWaiters: ((m: ProcessMemory) => void)[] = [];
  lines.on('line', (l) => {
    if (!l.includes('"memory"')) return;
    try {
      const { event, ...m } = JSON.parse(l) as { event?: string } & ProcessMemory;
      if (event === 'memory') memoryWaiters.shift()?.(m);
    } catch {
      /* not a JSON line */
    }
  });
  const ready = await new Promise<{ hub: string; nodes: Record<string, string> }>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`federation not ready after 120 s: ${stderr.slice(-500)}`)), 120_000);
    lines.on('line', (l) => {
      try {
        const e = JSON.parse(l) as { event?: string; hub?: string; nodes?: Record<string, string> };
        if (e.event === 'federation-ready') {
          clearTimeout(timer);
          res({ hub: e.hub as string, nodes: e.nodes ?? {} });
        }
      } catch {
        /* banner lines */
      }
    });
    child.once('exit', (code) => rej(new Error(`federation exited with ${code}: ${stderr.slice(-500)}`)));
  });
  const readyMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 300));
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return {
    readyMs,
    rssMb: rssKb / 1024,
    fromBundle,
    hub: ready.hub,
    nodes: ready.nodes,
    // SIGUSR2: the start answers with a `memory` line (after a full GC when it runs with --expose-gc).
    memory: () =>
      new Promise<ProcessMemory>((res, rej) => {
        const timer = setTimeout(() => rej(new Error('no memory line within 30 s of SIGUSR2')), 30_000);
        memoryWaiters.push((m) => {
          clearTimeout(timer);
          res(m);
        });
        child.kill('SIGUSR2');
      }),
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null || child.signalCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGTERM');
      }),
  };
}

/** Cold and warm start figures of one federation size: medians of `runs`, and every run. */
export interface StartFigures {
  countries: number;
  coldMs: number;
  warmMs: number;
  warmRssMb: number;
  coldRunsMs: number[];
  warmRunsMs: number[];
  /** Whether every warm start ran from the CLI bundle (false: some ran from the sources; see `ensureCliBundle`). */
  warmFromBundle: boolean;
  /**
   * Another server's start timed right after each warm start (`alongside` of {@link benchStart}): the same load on
   * the machine for both figures, which sections minutes apart do not have.
   */
  alongside?: { name: string; startMs: number; runsMs: number[] } | { name: string; error: string };
}

/** A server whose start is timed beside ours (the bench: MockPass, spawn to its first discovery answer). */
export interface AlongsideStart {
  name: string;
  /** Starts it, stops it, and resolves to its start time in ms. */
  startMs(): Promise<number>;
}

/**
 * Cold then warm start, `runs` times, for the hub plus the first `n` of START_COUNTRIES; with `alongside`, its start
 * timed after each warm start (its failure is recorded, ours go on).
 */
export async function benchStart(
  n: number,
  runs: number,
  basePort: number,
  alongside?: AlongsideStart,
): Promise<StartFigures> {
  const countries = START_COUNTRIES.slice(0, n);
  const cold: StartRun[] = [];
  const warm: StartRun[] = [];
  const besideMs: number[] = [];
  let besideError: string | undefined;
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'kakehashi-bench-start-'));
    try {
      const c = await startProcess(dir, basePort + i * 10, { countries });
      cold.push(c);
      await c.stop();
      const w = await startProcess(dir, basePort + i * 10, { countries });
      warm.push(w);
      await w.stop();
      if (alongside && besideError === undefined)
        try {
          besideMs.push(Math.round(await alongside.startMs()));
        } catch (e) {
          besideError = e instanceof Error ? e.message : String(e);
        }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return {
    countries: n,
    coldMs: Math.round(median(cold.map((r) => r.readyMs))),
    warmMs: Math.round(median(warm.map((r) => r.readyMs))),
    warmRssMb: Math.round(median(warm.map((r) => r.rssMb))),
    coldRunsMs: cold.map((r) => Math.round(r.readyMs)),
    warmRunsMs: warm.map((r) => Math.round(r.readyMs)),
    warmFromBundle: warm.every((r) => r.fromBundle),
    ...(alongside
      ? {
          alongside:
            besideError !== undefined
              ? { name: alongside.name, error: besideError }
              : { name: alongside.name, startMs: Math.round(median(besideMs)), runsMs: besideMs },
        }
      : {}),
  };
}
