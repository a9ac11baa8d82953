/**
 * The `msw` section of `kakehashi bench` (federation's bench runs this file in its own process and files its JSON
 * under `msw`; @kakehashi/msw sits above the federation, so the bench reaches it by path, not by import):
 *
 * - `createTestFederation()` time to ready — all seven countries, trust material cached (the first run fills an
 *   empty cache and is reported apart) — median of a few runs in this process;
 * - one OIDC login as an application's tests do it — openid-client with its default settings (client_secret_post):
 *   authorize with the headless persona → code → token → ID token validated by the library — through msw, over
 *   loopback HTTP against `kakehashi start` in its own process, and through the federation's in-process fetch
 *   (no msw), in interleaved rounds so that a noisy machine slows all three alike; medians and their ratios.
 *
 * Usage: node packages/msw/scripts/bench.ts [--quick]   (prints one JSON line: {"event":"msw-bench",…})
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setupServer } from 'msw/node';
import * as client from 'openid-client';
import { createTestFederation, DEMO_CLIENT, type TestFederation } from '../src/index.ts';

const CLI = join(import.meta.dirname, '..', '..', 'federation', 'src', 'cli.ts');
const REDIRECT = 'http://127.0.0.1:53123/callback';
const COUNTRY = 'DE';
const PERSONA = 'de-001';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const round2 = (n: number) => Math.round(n * 100) / 100;

/** One login: the RP's authorization URL, the browser's hop to the provider, the code grant validated by openid-client. */
async function login(config: client.Configuration, browserFetch: typeof fetch): Promise<void> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid profile',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    kakehashi_persona: PERSONA,
  });
  const res = await browserFetch(url, { redirect: 'manual' });
  await res.arrayBuffer();
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`authorize answered ${res.status}`);
  const tokens = await client.authorizationCodeGrant(config, new URL(location), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  if (!tokens.claims()?.sub) throw new Error('no ID token');
}

/** `kakehashi start --port 0 --json` (hub and the login's node) in its own process; resolves with the node's URL. */
async function startLoopbackFederation(dataDir: string): Promise<{ node: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [CLI, 'start', '--port', '0', '--json', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      KAKEHASHI_COUNTRIES: COUNTRY,
      KAKEHASHI_LOG_LEVEL: 'warn',
      KAKEHASHI_HEALTH_INTERVAL_MS: '0',
    },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const node = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready after 180 s: ${stderr.slice(-500)}`)), 180_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const e = JSON.parse(line) as { event?: string; nodes?: Record<string, string> };
        if (e.event === 'federation-ready' && e.nodes?.[COUNTRY]) {
          clearTimeout(timer);
          resolve(e.nodes[COUNTRY]);
        }
      } catch {
        /* the banner */
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stderr.slice(-500)}`)));
  });
  return {
    node,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export async function benchMsw(opts: { quick?: boolean } = {}): Promise<Record<string, unknown>> {
  const runs = opts.quick ? 2 : 3;
  const rounds = opts.quick ? 3 : 5;
  const perRound = opts.quick ? 10 : 30;
  const dir = mkdtempSync(join(tmpdir(), 'kakehashi-bench-msw-'));
  const trustCacheDir = join(dir, 'trust');
  let fed: TestFederation | undefined;
  let loopback: Awaited<ReturnType<typeof startLoopbackFederation>> | undefined;
  try {
    // 1. Time to ready: the first run generates the trust material into the empty cache; the next ones load it.
    const ready: number[] = [];
    let firstMs = 0;
    for (let i = 0; i <= runs; i++) {
      const t0 = performance.now();
      const f = await createTestFederation({ trustCacheDir });
      const ms = performance.now() - t0;
      if (i === 0) firstMs = ms;
      else ready.push(ms);
      if (i < runs) await f.close();
      else fed = f;
    }
    if (!fed) throw new Error('no federation');

    // 2. Logins: through msw, over loopback HTTP, through the in-process fetch — interleaved rounds.
    loopback = await startLoopbackFederation(join(dir, 'loopback'));
    const server = setupServer(...fed.handlers);
    const inProcess = fed.fetch;
    server.listen({ onUnhandledFrame: 'error' });
    const viaMsw = await client.discovery(
      new URL(fed.origins[COUNTRY]),
      DEMO_CLIENT.id,
      DEMO_CLIENT.secret,
      undefined,
      {
        execute: [client.allowInsecureRequests],
      },
    );
    server.close();
    const viaLoopback = await client.discovery(new URL(loopback.node), DEMO_CLIENT.id, DEMO_CLIENT.secret, undefined, {
      execute: [client.allowInsecureRequests],
    });
    const viaInProcess = await client.discovery(
      new URL(fed.origins[COUNTRY]),
      DEMO_CLIENT.id,
      DEMO_CLIENT.secret,
      undefined,
      {
        execute: [client.allowInsecureRequests],
        [client.customFetch]: (url, options) => inProcess(url, options as RequestInit),
      },
    );
    // msw intercepts for the msw logins only (its interception is process-wide: the others must not pay for it).
    let intercepting = false;
    const interception = (on: boolean) => () => {
      if (on && !intercepting) server.listen({ onUnhandledFrame: 'error' });
      if (!on && intercepting) server.close();
      intercepting = on;
    };
    // The global fetch, looked up at each call: msw replaces it while it intercepts.
    const globalFetch: typeof fetch = (input, init) => fetch(input, init);
    const variants = [
      { name: 'msw', config: viaMsw, browser: globalFetch, before: interception(true) },
      { name: 'loopbackHttp', config: viaLoopback, browser: globalFetch, before: interception(false) },
      { name: 'inProcessFetch', config: viaInProcess, browser: inProcess, before: interception(false) },
    ];
    const latencies: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v.name, []]));
    for (const v of variants) {
      v.before();
      for (let i = 0; i < 20; i++) await login(v.config, v.browser); // warm-up: JIT, JWKS cached, connections
    }
    for (let r = 0; r < rounds; r++) {
      for (const v of variants) {
        v.before();
        for (let i = 0; i < perRound; i++) {
          const t0 = performance.now();
          await login(v.config, v.browser);
          latencies[v.name]?.push(performance.now() - t0);
        }
      }
    }
    interception(false)();
    const m = Object.fromEntries(Object.entries(latencies).map(([k, xs]) => [k, round2(median(xs))])) as Record<
      'msw' | 'loopbackHttp' | 'inProcessFetch',
      number
    >;
    return {
      createTestFederationReadyMs: {
        median: Math.round(median(ready)),
        runs: ready.map(Math.round),
        countries: Object.keys(fed.personas).length,
        trustMaterial: 'cached',
      },
      createTestFederationFirstRunMs: Math.round(firstMs),
      loginMedianMs: m,
      loginMswToLoopbackHttpRatio: round2(m.msw / m.loopbackHttp),
      loginMswToInProcessFetchRatio: round2(m.msw / m.inProcessFetch),
      loginsPerVariant: rounds * perRound,
      flow: `openid-client 6, default settings (client_secret_post): authorize at ${COUNTRY} (headless persona) → code → token → ID token validated; sequential, ${rounds} interleaved rounds of ${perRound}`,
      loopbackHttp: '`kakehashi start --port 0` in its own process (hub + DE)',
    };
  } finally {
    await loopback?.stop();
    await fed?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  const figures = await benchMsw({ quick: process.argv.includes('--quick') });
  process.stdout.write(`${JSON.stringify({ event: 'msw-bench', ...figures })}\n`);
}
