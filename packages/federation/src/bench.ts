/**
 * `kakehashi bench`: every block measured against the ceiling of its own cryptography and against its peers, in
 * one run, written as one JSON (`bench-results/federation.json`, checked with `benchReportSchema`) with the
 * hardware and the `ratios` of issue 15 (see `RATIO_TARGETS`). Ratios survive noisy shared machines better than
 * absolute numbers because both sides are measured in the same run; each is the median of `runs` rounds.
 *
 * Sections (each in its own module): start (bench-start), AS4 (bench-as4), Japan's mediated queries (bench-jp),
 * eID (bench-eid), EUDI wallet presentations (bench-wallet), eSignature (bench-esig), peers (bench-peers + bench-oidc), memory after 10,000 logins
 * (bench-memory, `sections.memory.afterLoginsMB`), msw (bench-msw). A section that
 * fails is recorded with its error (loudly, on stderr too) and the run goes on: its ratios are then null, unmet.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createHubClient, createLogger, LayeredConfig, openStore } from '@kakehashi/core';
import { createHubTrust } from '@kakehashi/hub';
import { as4CryptoCeiling, benchAs4 } from './bench-as4.ts';
import { benchAs4TwoProcesses, startAs4Processes } from './bench-as4-processes.ts';
import { benchEid } from './bench-eid.ts';
import { benchEsig } from './bench-esig.ts';
import { benchJpQueries, jpQueryCryptoCeiling } from './bench-jp.ts';
import { rate } from './bench-measure.ts';
import { benchMemoryAfterLogins } from './bench-memory.ts';
import { benchMsw } from './bench-msw.ts';
import { discoverTarget, interleavedLoginLoad, KAKEHASHI_DEMO_RP, type LoginFigures } from './bench-oidc.ts';
import { installPeers, PEER_VERSIONS, type PeerName, type RunningPeer, startPeer } from './bench-peers.ts';
import { computeRatios } from './bench-ratios.ts';
import { type BenchReport, formatComparison, median, parseBenchReport, r3, renderBenchTable } from './bench-report.ts';
import { benchStart, type StartFigures, startProcess } from './bench-start.ts';
import { benchWallet } from './bench-wallet.ts';
import { createFederation, type Federation } from './create-federation.ts';
import { FEDERATION_OPTIONS } from './options.ts';
import { type LoadedMaterial, loadTrustMaterial } from './trust-material.ts';

/** The sections `--sections` can choose from (every one runs without it). */
export const BENCH_SECTIONS = ['start', 'as4', 'jp', 'eid', 'wallet', 'esig', 'peers', 'memory', 'msw'] as const;
type BenchSection = (typeof BENCH_SECTIONS)[number];

/** The knobs of one run (`--quick`: short windows and one start per size; every key still measured). */
interface Settings {
  quick: boolean;
  runs: number;
  windowMs: number;
  concurrency: number;
  oidcWindowMs: number;
  oidcClients: number;
  oidcRounds: number;
  startRuns: number;
}

const settingsFor = (quick: boolean): Settings => ({
  quick,
  runs: 3,
  windowMs: quick ? 400 : 1500,
  concurrency: 8,
  oidcWindowMs: quick ? 1500 : 5000,
  oidcClients: 4,
  oidcRounds: quick ? 3 : 5,
  startRuns: quick ? 1 : 3,
});

const log = (s: string) => process.stderr.write(`bench: ${s}\n`);

/** Runs a section; on failure records `{ error }` (and says so on stderr) instead of ending the run. */
async function section<T>(name: string, fn: () => Promise<T>): Promise<T | { error: string }> {
  const t0 = performance.now();
  log(`${name}…`);
  try {
    const r = await fn();
    log(`${name} done in ${Math.round((performance.now() - t0) / 1000)} s`);
    return r;
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    log(`${name} FAILED: ${error}`);
    return { error };
  }
}
const ok = <T>(x: T | { error: string }): x is T => !(typeof x === 'object' && x !== null && 'error' in x);

/** `n` rounds of `fn`, each returning named figures; the median of each figure and every round's. */
async function rounds<K extends string>(n: number, fn: () => Promise<Record<K, number>>) {
  const all: Record<K, number>[] = [];
  for (let i = 0; i < n; i++) all.push(await fn());
  const keys = Object.keys(all[0] ?? {}) as K[];
  return {
    median: Object.fromEntries(keys.map((k) => [k, r3(median(all.map((r) => r[k])))])) as Record<K, number>,
    rounds: all,
  };
}

/**
 * Certificate path validations as a function call (the hub's trust over the federation's material), against raw
 * RSA-2048 verifications in the same run: a 3-certificate path costs 4 RSA verifications (two signatures, two CRLs).
 */
async function benchPathValidation(f: Federation, b: { windowMs: number; dir: string }) {
  const cc = [...f.nodes.keys()].find((c) => c !== 'JP') ?? 'DE';
  const peer = await createHubClient({ hubUrl: f.urls.hub, fetch: f.fetch, caller: 'bench' }).node(cc);
  if (!peer) throw new Error(`bench: the hub has no node ${cc}`);
  const loaded = await loadTrustMaterial({
    seed: f.config.get('seed'),
    countries: Object.keys(f.urls.nodes),
    cacheDir: join(b.dir, 'trust'),
    hubUrl: f.urls.hub,
    logger: f.logger,
  });
  const hubTrust = createHubTrust(loaded.material, {
    clock: f.clock,
    store: openStore({ name: 'bench' }),
    hubUrl: f.urls.hub,
    validityDays: () => 30,
  });
  const leaf = peer.metadata.certificates.signing;
  const fn = await rate(b.windowMs, () => {
    if (!hubTrust.validateCertificate(leaf, [], { at: f.clock.now(), usage: ['digitalSignature'] }).valid)
      throw new Error('validation failed in bench');
  });
  return { loaded, figures: { pathValidationsPerSecondFunction: Math.round(fn) } };
}

/** Our node (in a separate process, loopback HTTP) beside every peer, same flow, clients and window, interleaved. */
async function benchPeers(s: Settings, peerDir: string, trustCacheDir: string) {
  const installError = await installPeers(peerDir);
  const peers: Record<string, unknown> = { versions: PEER_VERSIONS, directory: peerDir };
  if (installError) {
    log(`peers SKIPPED: ${installError}`);
    peers.skipped = installError;
  }
  const proc = await startProcess(mkdtempSync(join(tmpdir(), 'kakehashi-bench-http-')), 17_300, {
    trustCacheDir,
  });
  const running: RunningPeer[] = [];
  const starts: Record<string, number[]> = {};
  try {
    if (!installError)
      for (const name of Object.keys(PEER_VERSIONS) as PeerName[]) {
        try {
          // Start time: `runs` fresh starts; the last one stays up for the login comparison.
          for (let i = 0; i < s.runs; i++) {
            const p = await startPeer(peerDir, name);
            starts[name] = [...(starts[name] ?? []), Math.round(p.startToDiscoveryMs)];
            if (i < s.runs - 1) await p.stop();
            else running.push(p);
          }
        } catch (e) {
          const why = e instanceof Error ? e.message : String(e);
          log(`peer ${name} SKIPPED: ${why}`);
          peers[name] = { skipped: why };
        }
      }
    const cc = 'JP' in proc.nodes ? 'JP' : (Object.keys(proc.nodes)[0] as string);
    const ours = await discoverTarget(proc.nodes[cc] as string, KAKEHASHI_DEMO_RP, {
      extraParams: { kakehashi_persona: `${cc.toLowerCase()}-001` },
    });
    const usable: RunningPeer[] = [];
    for (const p of running) {
      try {
        await interleavedLoginLoad(50, 1, 1, [p.target]);
        usable.push(p);
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        log(`peer ${p.name}: login flow SKIPPED: ${why}`);
        peers[p.name] = { startToDiscoveryMs: median(starts[p.name] ?? [0]), loginSkipped: why };
      }
    }
    const figures = await interleavedLoginLoad(s.oidcWindowMs, s.oidcClients, s.oidcRounds, [
      ours,
      ...usable.map((p) => p.target),
    ]);
    const kakehashi = figures[0] as LoginFigures;
    for (const [i, p] of usable.entries())
      peers[p.name] = {
        version: p.version,
        startToDiscoveryMs: median(starts[p.name] ?? [0]),
        startRunsMs: starts[p.name],
        login: figures[i + 1],
      };
    for (const p of running)
      if (!usable.includes(p)) (peers[p.name] as Record<string, unknown>).startRunsMs = starts[p.name];
    const fastest = usable
      .map((p, i) => ({ name: p.name, login: figures[i + 1] as LoginFigures }))
      .sort((a, b) => b.login.perSecond - a.login.perSecond)[0];
    return {
      kakehashi: { node: cc, process: 'kakehashi start (its own process), loopback HTTP', login: kakehashi },
      peers,
      fastestPeer: fastest?.name ?? null,
      clients: s.oidcClients,
      windowMs: s.oidcWindowMs,
      interleavedRounds: s.oidcRounds,
      flow: 'authorize → headless login → token → ID token verified (jose: RS256 with the cached JWKS, iss, aud, exp, nonce)',
      mockPassStartMs: starts['@opengovsg/mockpass'] ? median(starts['@opengovsg/mockpass']) : null,
      _fastestLogin: fastest?.login ?? null,
    };
  } finally {
    await Promise.all(running.map((p) => p.stop()));
    await proc.stop();
  }
}

const hardwareNow = () => ({
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
});
const load3 = () => loadavg().map((x) => Math.round(x * 100) / 100);

/** Runs every section and writes the report; returns the process exit code. */
export async function runBench(opts: {
  out?: string | undefined;
  quick?: boolean;
  compare?: string | undefined;
  /** Only these sections (names of `BENCH_SECTIONS`); the others are recorded as skipped and their ratios null. */
  sections?: readonly string[] | undefined;
}): Promise<number> {
  const s = settingsFor(opts.quick === true);
  const unknown = (opts.sections ?? []).filter((n) => !(BENCH_SECTIONS as readonly string[]).includes(n));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown section(s) ${unknown.join(', ')}; known: ${BENCH_SECTIONS.join(', ')}\n`);
    return 2;
  }
  const wanted = (name: BenchSection) => !opts.sections || opts.sections.includes(name);
  const skipped = { skipped: 'not in --sections' };
  const root = process.env.KAKEHASHI_ROOT ?? process.cwd();
  const loadStart = load3();
  const t0 = performance.now();
  const sections: Record<string, unknown> = {};

  // 1. Start-up: 2, 4 and 7 countries, cold and warm, each its own process.
  const start: Record<string, StartFigures | { error: string }> = {};
  if (wanted('start')) {
    // MockPass's start is timed right after each warm start of the full federation (the ratio's two sides under the
    // same load), beside the peers section's own starts of it.
    const peerDir = resolve(root, '.kakehashi', 'bench-peers');
    const installError = await installPeers(peerDir);
    const mockPass = installError
      ? undefined
      : {
          name: '@opengovsg/mockpass',
          startMs: async () => {
            const p = await startPeer(peerDir, '@opengovsg/mockpass');
            await p.stop();
            return p.startToDiscoveryMs;
          },
        };
    for (const [i, n] of [2, 4, 7].entries())
      start[`countries${n}`] = await section(`start with ${n} countries`, () =>
        benchStart(n, s.startRuns, 17_100 + i * 60, n === 7 ? mockPass : undefined),
      );
  }
  sections.start = wanted('start') ? start : skipped;

  // 2. The in-process federation: AS4, JP, path validation, eID, eSignature.
  const dir = mkdtempSync(join(tmpdir(), 'kakehashi-bench-'));
  const config = new LayeredConfig(FEDERATION_OPTIONS, {
    cli: { dataDir: dir },
    env: { KAKEHASHI_HEALTH_INTERVAL_MS: '0' },
  });
  const f = await createFederation({ config, mode: 'in-process', logger: createLogger({ level: 'error' }) });
  let peersResult: Awaited<ReturnType<typeof benchPeers>> | { error: string } = { error: 'not run' };
  try {
    // AS4 two ways in each round: two nodes of this process, and two node processes (started once for the rounds).
    sections.as4 = !wanted('as4')
      ? skipped
      : await section('AS4', async () => {
          const procs = await startAs4Processes();
          try {
            return await rounds(s.runs, async () => {
              const ceiling = await as4CryptoCeiling(s.windowMs / 2);
              const m = await benchAs4(f, { windowMs: s.windowMs * 2, concurrency: s.concurrency });
              const two = await benchAs4TwoProcesses(procs, { windowMs: s.windowMs * 2, concurrency: s.concurrency });
              return {
                messagesPerSecond: m.messagesPerSecond,
                p50Ms: m.p50Ms,
                p99Ms: m.p99Ms,
                cpuPerWallSecond: m.cpuPerWallSecond,
                rsaSignsPerSecond: ceiling.signs,
                rsaOaepDecryptsPerSecond: ceiling.decrypts,
                ceilingPerSecond: ceiling.ceiling,
                ratio: m.messagesPerSecond / ceiling.ceiling,
                twoProcessesMessagesPerSecond: two.messagesPerSecond,
                twoProcessesP50Ms: two.p50Ms,
                twoProcessesP99Ms: two.p99Ms,
                twoProcessesNodeCpuPerWallSecond: two.nodeCpuPerWallSecond,
                twoProcessesRatio: two.messagesPerSecond / ceiling.ceiling,
              };
            });
          } finally {
            await procs.stop();
          }
        });
    sections.jp = !wanted('jp')
      ? skipped
      : await section("Japan's mediated queries", () =>
          rounds(s.runs, async () => {
            const c = await jpQueryCryptoCeiling(s.windowMs / 4);
            const q = await benchJpQueries(f, { windowMs: s.windowMs * 2, concurrency: s.concurrency });
            return { ...q, ...c, ratio: q.queriesPerSecond / (c.ceilingPerSecond as number) };
          }),
        );
    const needsTrust = wanted('eid') || wanted('wallet');
    const pv = !needsTrust
      ? skipped
      : await section('path validation', () => benchPathValidation(f, { windowMs: s.windowMs, dir }));
    sections.pathValidation = 'skipped' in pv ? pv : ok(pv) ? pv.figures : pv;
    const loaded: LoadedMaterial | undefined = 'loaded' in pv ? pv.loaded : undefined;
    sections.eid = !wanted('eid')
      ? skipped
      : await section('eID', async () => {
          if (!loaded) throw new Error('no trust material (path validation failed)');
          const all: Record<string, unknown>[] = [];
          for (let i = 0; i < s.runs; i++)
            all.push(
              await benchEid(f, loaded, {
                windowMs: s.windowMs,
                poolSize: s.quick ? 600 : 2000,
                logins: s.quick ? 10 : 40,
              }),
            );
          return { rounds: all };
        });
    sections.wallet = !wanted('wallet')
      ? skipped
      : await section('EUDI wallet presentations', async () => {
          if (!loaded) throw new Error('no trust material (path validation failed)');
          const all: Record<string, number>[] = [];
          for (let i = 0; i < s.runs; i++) all.push(await benchWallet(f, loaded, { windowMs: s.windowMs }));
          return { rounds: all };
        });
    sections.esig = !wanted('esig')
      ? skipped
      : await section('eSignature', async () => {
          const all: Record<string, unknown>[] = [];
          for (let i = 0; i < s.runs; i++)
            all.push(
              await benchEsig({ windowMs: s.quick ? 250 : 800, cacheDir: join(dir, 'esig-trust'), xadesjs: i === 0 }),
            );
          return { rounds: all };
        });
    if (wanted('peers'))
      peersResult = await section('peers', () =>
        benchPeers(s, resolve(root, '.kakehashi', 'bench-peers'), join(dir, 'trust')),
      );
    else peersResult = { error: 'not in --sections' };
    // The whole federation in its own process (--expose-gc): memory after 10,000 logins, after a forced GC.
    sections.memory = !wanted('memory')
      ? skipped
      : await section('memory after 10,000 logins', () =>
          benchMemoryAfterLogins({
            count: 10_000,
            concurrency: s.concurrency,
            port: 17_400,
            trustCacheDir: join(dir, 'trust'),
          }),
        );
    // msw is no ratio key: left out of --quick (it keeps --quick under five minutes).
    sections.msw = !wanted('msw')
      ? skipped
      : s.quick
        ? { skipped: 'not in --quick' }
        : await section('msw', () => benchMsw({ quick: false }));
  } finally {
    await f.close();
    rmSync(dir, { recursive: true, force: true });
  }
  if (ok(peersResult)) {
    const { _fastestLogin, ...rest } = peersResult;
    sections.oidcPeers = rest;
  } else sections.oidcPeers = peersResult;

  const report: BenchReport = {
    kind: 'kakehashi-bench',
    version: 2,
    time: new Date().toISOString(),
    quick: s.quick,
    runs: s.runs,
    hardware: { ...hardwareNow(), loadAverageStart: loadStart, loadAverageEnd: load3() },
    ratios: computeRatios(sections, ok(peersResult) ? peersResult : sections.oidcPeers),
    sections: { ...sections, settings: s, durationS: Math.round((performance.now() - t0) / 1000) },
  };
  const out = resolve(opts.out ?? join(root, 'bench-results', 'federation.json'));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(parseBenchReport(report), null, 2)}\n`);
  process.stdout.write(`${renderBenchTable(report)}\n\nwritten to ${out}\n`);
  if (opts.compare) process.stdout.write(`\n${compareFile(opts.compare, report)}`);
  return 0;
}

/** The change of every ratio from the report in `file` to `current`. */
export function compareFile(file: string, current: BenchReport): string {
  return formatComparison(parseBenchReport(JSON.parse(readFileSync(file, 'utf8'))), current);
}
