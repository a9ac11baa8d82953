import { spawn } from 'node:child_process';
import { constants, generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createHubClient, createLogger, LayeredConfig, openStore } from '@kakehashi/core';
import { createHubTrust } from '@kakehashi/hub';
import { benchEid } from './bench-eid.ts';
import { benchEsig } from './bench-esig.ts';
import { benchMsw } from './bench-msw.ts';
import {
  discoverTarget,
  KAKEHASHI_DEMO_RP,
  OIDC_PROVIDER_RP,
  type OidcTarget,
  oidcLoginFlow,
  startOidcProviderProcess,
} from './bench-oidc.ts';
import { createFederation, type Federation } from './create-federation.ts';
import { FEDERATION_OPTIONS } from './options.ts';
import { type LoadedMaterial, loadTrustMaterial } from './trust-material.ts';

// `cli.ts` beside this file in the repository, `cli.js` in the built package.
const CLI = join(dirname(fileURLToPath(import.meta.url)), `cli${extname(fileURLToPath(import.meta.url))}`);

interface StartRun {
  readyMs: number;
  rssMb: number;
}

/** Starts `kakehashi start --json` as its own process; measures time to `federation-ready` and its resident memory. */
async function startProcess(
  dataDir: string,
  port: number,
  trustCacheDir?: string,
): Promise<StartRun & { stop(): Promise<void>; hub: string; nodes: Record<string, string> }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, 'start', '--json', '--data-dir', dataDir, '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      KAKEHASHI_LOG_LEVEL: 'warn',
      KAKEHASHI_HEALTH_INTERVAL_MS: '0',
      ...(trustCacheDir ? { KAKEHASHI_TRUST_CACHE_DIR: trustCacheDir } : {}),
    },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const lines = createInterface({ input: child.stdout });
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
    hub: ready.hub,
    nodes: ready.nodes,
    stop: () =>
      new Promise<void>((res) => {
        child.once('exit', () => res());
        child.kill('SIGTERM');
      }),
  };
}

/** Runs `fn` repeatedly for about `ms` milliseconds; returns operations per second. */
async function rate(ms: number, fn: () => unknown | Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i++) await fn();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    await fn();
    n++;
  }
  return n / ((performance.now() - t0) / 1000);
}

/** Keeps `concurrency` calls in flight for about `ms`; returns throughput and latency percentiles. */
async function load(
  ms: number,
  concurrency: number,
  fn: () => Promise<unknown>,
): Promise<{ perSecond: number; p50Ms: number; p99Ms: number }> {
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - t0 < ms) {
        const s = performance.now();
        await fn();
        latencies.push(performance.now() - s);
      }
    }),
  );
  const sorted = latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    Math.round((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0) * 100) / 100;
  return {
    perSecond: Math.round(latencies.length / ((performance.now() - t0) / 1000)),
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
  };
}

/** OIDC login flows: a few sequential warm-up logins (JIT, connections), then `concurrency` clients for `ms`. */
async function loginLoad(ms: number, concurrency: number, target: OidcTarget) {
  let httpRequestsPerLogin = 0;
  for (let i = 0; i < 20; i++) httpRequestsPerLogin = await oidcLoginFlow(target);
  return { ...(await load(ms, concurrency, () => oidcLoginFlow(target))), httpRequestsPerLogin };
}

/**
 * Logins against several targets, interleaved: `rounds` slices of `ms / rounds` each, target after target, so
 * that a noisy neighbour on a shared machine slows all of them alike (the ratio is what matters).
 */
async function interleavedLoginLoad(ms: number, concurrency: number, rounds: number, targets: OidcTarget[]) {
  const acc = targets.map(() => ({ latencies: [] as number[], elapsedMs: 0, httpRequestsPerLogin: 0 }));
  for (const [i, t] of targets.entries()) {
    for (let w = 0; w < 20; w++)
      (acc[i] as { httpRequestsPerLogin: number }).httpRequestsPerLogin = await oidcLoginFlow(t);
  }
  for (let r = 0; r < rounds; r++) {
    for (const [i, t] of targets.entries()) {
      const a = acc[i] as (typeof acc)[number];
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() - t0 < ms / rounds) {
            const s = performance.now();
            await oidcLoginFlow(t);
            a.latencies.push(performance.now() - s);
          }
        }),
      );
      a.elapsedMs += performance.now() - t0;
    }
  }
  return acc.map((a) => {
    const sorted = a.latencies.sort((x, y) => x - y);
    const pct = (p: number) =>
      Math.round((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0) * 100) / 100;
    return {
      perSecond: Math.round(sorted.length / (a.elapsedMs / 1000)),
      p50Ms: pct(0.5),
      p99Ms: pct(0.99),
      httpRequestsPerLogin: a.httpRequestsPerLogin,
    };
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * Certificate path validations through a node's HTTP API (in-process) and as a function call (the hub's trust
 * over the same material), against raw RSA-2048 verifications in the same run: a 3-certificate path costs 4 RSA
 * verifications (leaf and issuing-CA signatures, and the CRL of each issuer), so raw/4 is the crypto ceiling.
 */
async function benchPathValidation(
  f: Federation,
  b: { windowMs: number; seed: string; dir: string },
): Promise<{ figures: Record<string, number>; loaded: LoadedMaterial }> {
  const jp = f.urls.nodes.JP ?? Object.values(f.urls.nodes)[0];
  const de = [...f.nodes.keys()].find((cc) => f.urls.nodes[cc] !== jp) ?? 'DE';
  const peer = await createHubClient({ hubUrl: f.urls.hub, fetch: f.fetch, caller: 'bench' }).node(de);
  if (!peer) throw new Error(`bench: the hub has no node ${de}`);
  const body = JSON.stringify({ certificate: peer.metadata.certificates.signing, usage: ['digitalSignature'] });
  const validations = await rate(b.windowMs, async () => {
    const r = await f.fetch(`${jp}/trust/validate-certificate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const v = (await r.json()) as { valid: boolean };
    if (!v.valid) throw new Error('validation failed in bench');
  });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const data = Buffer.alloc(256, 7);
  const sig = sign('sha256', data, { key: privateKey, padding: constants.RSA_PKCS1_PADDING });
  const rawVerify = await rate(b.windowMs, () => verify('sha256', data, publicKey, sig));
  const loaded = await loadTrustMaterial({
    seed: b.seed,
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
  const figures = {
    pathValidationsPerSecondHttpInProcess: Math.round(validations),
    pathValidationsPerSecondFunction: Math.round(fn),
    rawRsa2048VerifiesPerSecond: Math.round(rawVerify),
    pathValidationToRawVerifyRatio: Math.round((fn / rawVerify) * 1000) / 1000,
    pathValidationToCryptoCeilingRatio: Math.round((fn / (rawVerify / 4)) * 1000) / 1000,
  };
  return { figures, loaded };
}

/** Writes the bench report (JSON) and prints its figures as a table. */
function writeReport(r: {
  out: string | undefined;
  hardware: Record<string, unknown>;
  results: Record<string, unknown>;
  settings: { windowMs: number; oidcWindowMs: number; oidcClients: number; oidcRounds: number; runs: number };
}): void {
  const report = {
    kind: 'kakehashi-bench',
    version: 1,
    time: new Date().toISOString(),
    hardware: r.hardware,
    windowMs: r.settings.windowMs,
    oidc: {
      windowMs: r.settings.oidcWindowMs,
      clients: r.settings.oidcClients,
      httpInterleavedRounds: r.settings.oidcRounds,
      flow: 'authorize → headless login → token (client_secret_basic, PKCE S256) → ID token verified (jose: RS256 signature with the cached JWKS, iss, aud, exp, nonce)',
      comparedWith: 'oidc-provider (panva), own process on loopback HTTP',
      crossBorderLogin:
        "in-process: B's authorize → hub relay → A's headless login → B's connector redeems A's code through the hub (private_key_jwt) and validates A's ID token → B's code → token at B",
    },
    runs: r.settings.runs,
    results: r.results,
  };
  const out = resolve(r.out ?? join(process.env.KAKEHASHI_ROOT ?? process.cwd(), 'bench-results', 'federation.json'));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  const rows = Object.entries(r.results).map(
    ([k, v]) => `| ${k} | ${typeof v === 'object' ? JSON.stringify(v) : String(v)} |`,
  );
  process.stdout.write(
    [
      '| figure | value |',
      '| --- | --- |',
      ...rows,
      '',
      `hardware: ${JSON.stringify(r.hardware)}`,
      `written to ${out}`,
      '',
    ].join('\n'),
  );
}

/**
 * `kakehashi bench`: machine-readable figures (JSON) and a short table. Ratios are measured in the same run
 * (path validations against raw RSA verifications), so they survive noisy shared machines better than
 * absolute numbers.
 */
export async function runBench(opts: { out?: string | undefined; quick?: boolean }): Promise<number> {
  const window = opts.quick ? 500 : 2000;
  // OIDC logins are ~100× slower than a lookup: a longer window keeps p99 meaningful.
  const oidcWindow = opts.quick ? 1500 : 5000;
  const oidcClients = 4;
  const oidcRounds = opts.quick ? 3 : 5;
  const runs = opts.quick ? 1 : 3;
  const results: Record<string, unknown> = {};
  const hardware = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    freeGb: Math.round(freemem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };

  // 1. Cold start (fresh data dir: the trust fabric is generated) and warm start (trust loaded from cache).
  const cold: StartRun[] = [];
  const warm: StartRun[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'kakehashi-bench-'));
    try {
      const c = await startProcess(dir, 17_100 + i * 20);
      cold.push(c);
      await c.stop();
      const w = await startProcess(dir, 17_100 + i * 20);
      warm.push(w);
      await w.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  results.coldStartMs = { median: median(cold.map((r) => r.readyMs)), runs: cold.map((r) => Math.round(r.readyMs)) };
  results.warmStartMs = { median: median(warm.map((r) => r.readyMs)), runs: warm.map((r) => Math.round(r.readyMs)) };
  results.federationRssMb = { median: median(warm.map((r) => r.rssMb)), runs: warm.map((r) => Math.round(r.rssMb)) };

  // 2. In-process federation for throughput figures.
  const dir = mkdtempSync(join(tmpdir(), 'kakehashi-bench-'));
  const config = new LayeredConfig(FEDERATION_OPTIONS, {
    cli: { dataDir: dir },
    env: { KAKEHASHI_HEALTH_INTERVAL_MS: '0' },
  });
  const f = await createFederation({ config, mode: 'in-process', logger: createLogger({ level: 'error' }) });
  try {
    const node = [...f.nodes.values()][0];
    const participant = node?.metadata().participants[0];
    if (!node || !participant) throw new Error('no participant to look up');
    const lookup = `${f.urls.hub}/discovery/participants/${encodeURIComponent(participant.id)}?service=${encodeURIComponent(participant.services[0] ?? '')}`;
    const discovery = await rate(window, async () => {
      const r = await f.fetch(lookup);
      if (r.status !== 200) throw new Error(`discovery answered ${r.status}`);
      await r.arrayBuffer();
    });
    results.discoveryLookupsPerSecondInProcess = Math.round(discovery);

    // OIDC login at one node (authorize → headless persona login → token → ID token validated), in-process.
    const oidcCc = [...f.nodes.keys()][0] as string;
    const oidcPersona = `${oidcCc.toLowerCase()}-001`;
    const inProcessTarget = await discoverTarget(f.urls.nodes[oidcCc] as string, KAKEHASHI_DEMO_RP, {
      fetch: (u, i) => f.fetch(u, i),
      extraParams: { kakehashi_persona: oidcPersona },
      now: () => f.clock.now(),
    });
    results.oidcLoginInProcess = await loginLoad(oidcWindow, oidcClients, inProcessTarget);

    // Over real HTTP: a separate federation process on loopback.
    // Its own stores (a second hub on the same files would re-register the nodes under its URLs), the same trust cache.
    const procDir = mkdtempSync(join(tmpdir(), 'kakehashi-bench-http-'));
    const proc = await startProcess(procDir, 17_300, join(dir, 'trust'));
    try {
      const httpLookup = lookup.replace(f.urls.hub, proc.hub);
      const httpLoad = await load(window, 8, async () => {
        const r = await fetch(httpLookup);
        if (r.status !== 200) throw new Error(`discovery answered ${r.status}`);
        await r.arrayBuffer();
      });
      results.discoveryHttp8Clients = httpLoad;

      // The same OIDC login over loopback HTTP: the node in the separate process and oidc-provider (its own
      // process too), same clients and total window each, measured in interleaved slices.
      const httpTarget = await discoverTarget(proc.nodes[oidcCc] as string, KAKEHASHI_DEMO_RP, {
        extraParams: { kakehashi_persona: oidcPersona },
      });
      const op = await startOidcProviderProcess(17_340);
      try {
        const opTarget = await discoverTarget(op.issuer, OIDC_PROVIDER_RP);
        const [ours, theirs] = await interleavedLoginLoad(oidcWindow, oidcClients, oidcRounds, [httpTarget, opTarget]);
        if (!ours || !theirs) throw new Error('interleaved OIDC load returned no figures');
        results.oidcLoginHttp = ours;
        results.oidcProviderLoginHttp = theirs;
        results.oidcLoginHttpToOidcProviderRatio = Math.round((ours.perSecond / theirs.perSecond) * 1000) / 1000;
      } finally {
        await op.stop();
      }
    } finally {
      await proc.stop();
      rmSync(procDir, { recursive: true, force: true });
    }

    // 3. Certificate path validations vs raw RSA-2048 verifications (the ceiling: a 3-link path needs ≥ 2 verifies + CRL verifies).
    const { figures, loaded } = await benchPathValidation(f, { windowMs: window, seed: config.get('seed'), dir });
    Object.assign(results, figures);

    // 4. eID: ID-token validations (function and service) against the raw verify of their algorithm, and
    //    cross-border login latency against a domestic login.
    results.eid = await benchEid(f, loaded, {
      windowMs: window,
      poolSize: opts.quick ? 400 : 3000,
      logins: opts.quick ? 15 : 60,
    });

    // 5. eSignature: sign and validate per format against the raw RSA/ECDSA ceilings; XAdES beside xadesjs.
    results.esig = await benchEsig({ windowMs: opts.quick ? 300 : 1000, cacheDir: join(dir, 'esig-trust') });

    // 6. @kakehashi/msw: createTestFederation() time to ready; a login through msw against loopback HTTP.
    results.msw = await benchMsw({ quick: opts.quick === true });
  } finally {
    await f.close();
    rmSync(dir, { recursive: true, force: true });
  }

  writeReport({
    out: opts.out,
    hardware,
    results,
    settings: { windowMs: window, oidcWindowMs: oidcWindow, oidcClients, oidcRounds, runs },
  });
  return 0;
}
