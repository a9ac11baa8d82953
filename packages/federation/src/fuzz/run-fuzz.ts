import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, LayeredConfig } from '@kakehashi/core';
import { createFederation, type Federation } from '../create-federation.ts';
import { FEDERATION_OPTIONS } from '../options.ts';
import {
  type Corpus,
  captureCorpus,
  ENTRY_POINTS,
  type EntryPoint,
  oidcLogin,
  Recorder,
  samlLogin,
  send,
  sendJson,
} from './capture.ts';
import { checkStores, type StoreCheck } from './check-stores.ts';
import { FAILURES } from './classify.ts';
import { type EntryResult, fuzzEntry } from './fuzz-entry.ts';

export interface FuzzOptions {
  /** Entry points to fuzz (default: all of {@link ENTRY_POINTS}). */
  targets?: readonly EntryPoint[];
  /** Inputs per entry point (default 1000; with `seconds` only, unlimited). */
  inputs?: number;
  /** Seconds per entry point at most (0: no limit). */
  seconds?: number;
  /** Seeds the federation's keys and every mutation. */
  seed?: string;
  /** Requests in flight at once per entry point (default 4). */
  concurrency?: number;
  /** An answer slower than this is slow; none within five times more is a hang (default 10 s). */
  timeoutMs?: number;
  /** Failing inputs kept per entry point (default 5). */
  keepFailures?: number;
  /** Where trust material is cached (default KAKEHASHI_TRUST_CACHE_DIR or a directory in the OS temp dir). */
  trustCacheDir?: string;
  /** Progress lines (default: none). */
  progress?: (line: string) => void;
}

export interface FuzzReport {
  tool: 'kakehashi fuzz';
  seed: string;
  startedAt: string;
  wallSeconds: number;
  load: { cpus: number; before: number[]; after: number[] };
  options: { inputs: number; seconds: number; concurrency: number; timeoutMs: number };
  entries: EntryResult[];
  totals: { inputs: number; failures: number; fiveXx: number; nonProblem: number; hangs: number; crashes: number };
  after: {
    healthy: boolean;
    health?: string;
    auditRoutes: { component: string; valid: boolean; count?: number; reason?: string }[];
    login: {
      oidcDomestic: boolean;
      oidcCrossBorder: boolean;
      idTokenValid: boolean;
      samlCrossBorder: boolean;
      error?: string;
    };
    stores: StoreCheck[];
    storesIntact: boolean;
  };
  ok: boolean;
}

const r2 = (x: number) => Math.round(x * 100) / 100;

/**
 * `kakehashi fuzz`: starts an in-process federation (hub, DE and JP, file stores in a temporary data directory),
 * captures real artefacts by running the real flows, sends structure-aware mutations of them to every entry point,
 * classifies every answer, and afterwards checks that the components are healthy, a normal login still works, the
 * audit chains verify and every store passes SQLite's quick_check.
 */
export async function runFuzz(options: FuzzOptions = {}): Promise<FuzzReport> {
  const seed = options.seed ?? 'kakehashi-fuzz';
  const targets = options.targets ?? ENTRY_POINTS;
  const seconds = options.seconds ?? 0;
  const inputs = options.inputs ?? (seconds > 0 ? Number.MAX_SAFE_INTEGER : 1000);
  const concurrency = options.concurrency ?? 4;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const progress = options.progress ?? (() => {});
  const started = performance.now();
  const loadBefore = loadavg().map(r2);
  const dataDir = mkdtempSync(join(tmpdir(), 'kakehashi-fuzz-'));
  const serverErrors: string[] = [];
  const logger = createLogger({
    level: 'error',
    format: 'json',
    write: (line) => {
      serverErrors.push(line);
      if (serverErrors.length > 50) serverErrors.shift();
    },
  });
  const recorder = new Recorder();
  const config = new LayeredConfig(FEDERATION_OPTIONS, {
    cli: {
      seed,
      dataDir,
      countries: ['DE', 'JP'],
      clockStart: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString(),
      healthIntervalMs: 0,
      // Trust material takes seconds to generate: cached across runs (per seed), outside the temporary data directory.
      trustCacheDir:
        options.trustCacheDir || process.env.KAKEHASHI_TRUST_CACHE_DIR || join(tmpdir(), 'kakehashi-fuzz-trust-cache'),
    },
  });
  const escaped: string[] = [];
  const onEscape = (e: unknown) => escaped.push(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.on('uncaughtException', onEscape);
  process.on('unhandledRejection', onEscape);
  let f: Federation | undefined;
  try {
    progress(`starting an in-process federation (hub, DE, JP) in ${dataDir}`);
    f = await createFederation({ config, mode: 'in-process', logger, wrapFetch: recorder.wrap });
    const fed = f;
    const adminToken = config.get('adminToken');
    const corpus: Corpus = await captureCorpus(fed, recorder, { eu: 'DE', adminToken });
    recorder.recording = false;
    recorder.requests.length = 0;
    progress(`captured ${ENTRY_POINTS.map((e) => `${corpus[e].length} ${e}`).join(', ')}`);

    const health = () => checkHealth(fed);
    const entries: EntryResult[] = [];
    for (const entry of targets) {
      const r = await fuzzEntry(fed, entry, corpus[entry], {
        seed,
        inputs,
        seconds,
        concurrency,
        timeoutMs,
        graceMs: 5 * timeoutMs,
        keepFailures: options.keepFailures ?? 5,
        healthEvery: 250,
        lastServerError: () => serverErrors.at(-1),
        health,
        escaped,
      });
      entries.push(r);
      progress(
        `${entry.padEnd(12)} ${String(r.inputs).padStart(7)} inputs  ${String(r.inputsPerSecond).padStart(7)}/s  ` +
          `2xx/3xx ${r.outcomes['ok-2xx-3xx']}  4xx ${r.outcomes['ok-4xx']}  soap500 ${r.outcomes['soap-fault-5xx']}  5xx ${r.outcomes['5xx']}  ` +
          `non-problem ${r.outcomes['non-problem']}  hang ${r.outcomes.hang}  crash ${r.outcomes.crash}  ` +
          `slow ${r.slow} (max ${r.maxLatencyMs} ms)`,
      );
    }

    const unhealthy = await health();
    const auditRoutes = await verifyAuditRoutes(fed);
    const login = await normalLogin(fed);
    await fed.close();
    f = undefined;
    const stores = checkStores(dataDir);
    const storesIntact = stores.every((s) => s.ok) && auditRoutes.every((a) => a.valid);
    const sum = (pick: (e: EntryResult) => number) => entries.reduce((n, e) => n + pick(e), 0);
    const totals = {
      inputs: sum((e) => e.inputs),
      failures: sum((e) => FAILURES.reduce((n, o) => n + e.outcomes[o], 0)),
      fiveXx: sum((e) => e.outcomes['5xx']),
      nonProblem: sum((e) => e.outcomes['non-problem']),
      hangs: sum((e) => e.outcomes.hang),
      crashes: sum((e) => e.outcomes.crash),
    };
    const loginOk = login.oidcDomestic && login.oidcCrossBorder && login.idTokenValid && login.samlCrossBorder;
    return {
      tool: 'kakehashi fuzz',
      seed,
      startedAt: new Date(Date.now() - (performance.now() - started)).toISOString(),
      wallSeconds: r2((performance.now() - started) / 1000),
      load: { cpus: cpus().length, before: loadBefore, after: loadavg().map(r2) },
      options: { inputs: inputs === Number.MAX_SAFE_INTEGER ? 0 : inputs, seconds, concurrency, timeoutMs },
      entries,
      totals,
      after: {
        healthy: unhealthy === undefined,
        ...(unhealthy ? { health: unhealthy } : {}),
        auditRoutes,
        login,
        stores,
        storesIntact,
      },
      ok: totals.failures === 0 && unhealthy === undefined && loginOk && storesIntact,
    };
  } finally {
    process.off('uncaughtException', onEscape);
    process.off('unhandledRejection', onEscape);
    await f?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** `GET /health` of the hub and every node: undefined when all answer 200, else which did not and how. */
async function checkHealth(f: Federation): Promise<string | undefined> {
  const bad: string[] = [];
  for (const [name, url] of [['hub', f.urls.hub], ...Object.entries(f.urls.nodes)] as [string, string][]) {
    try {
      const res = await f.fetch(`${url}/health`);
      if (res.status !== 200) bad.push(`${name} ${res.status} ${(await res.text()).slice(0, 200)}`);
      else await res.body?.cancel();
    } catch (e) {
      bad.push(`${name} ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return bad.length ? bad.join('; ') : undefined;
}

/** The hash chains the components verify themselves: the hub's audit log, Japan's access records. */
async function verifyAuditRoutes(f: Federation): Promise<FuzzReport['after']['auditRoutes']> {
  const out: FuzzReport['after']['auditRoutes'] = [];
  const hub = await sendJson<{ valid: boolean; count: number; reason?: string }>(f, {
    method: 'GET',
    url: `${f.urls.hub}/audit/verify`,
    headers: {},
  });
  out.push({
    component: 'hub /audit/verify',
    valid: hub.valid,
    count: hub.count,
    ...(hub.reason ? { reason: hub.reason } : {}),
  });
  const jp = await sendJson<{ valid: boolean }>(f, {
    method: 'GET',
    url: `${f.urls.nodes.JP}/jp/records/verify`,
    headers: {},
  });
  out.push({ component: 'JP /jp/records/verify', valid: jp.valid === true });
  return out;
}

/** A normal login still works after the run: OIDC at DE and cross-border at JP (ID token validated), SAML. */
async function normalLogin(f: Federation): Promise<FuzzReport['after']['login']> {
  const login = { oidcDomestic: false, oidcCrossBorder: false, idTokenValid: false, samlCrossBorder: false };
  try {
    const domestic = await oidcLogin(f, 'DE', { kakehashi_persona: 'de-001' });
    const tokens = await sendJson<{ id_token: string }>(f, domestic.tokenRequest);
    login.oidcDomestic = true;
    const verdict = await sendJson<{ valid: boolean }>(f, {
      method: 'POST',
      url: `${f.urls.hub}/eid/validate/id-token`,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(
        JSON.stringify({
          token: tokens.id_token,
          expected: { issuer: f.urls.nodes.DE, audience: 'kakehashi-demo-rp', nonce: domestic.nonce },
        }),
      ),
    });
    login.idTokenValid = verdict.valid;
    const cross = await oidcLogin(f, 'JP', { kakehashi_country: 'DE', kakehashi_persona: 'de-002' });
    await sendJson(f, cross.tokenRequest);
    login.oidcCrossBorder = true;
    const saml = await samlLogin(f, 'DE', 'JP', 'jp-001');
    const acs = await send(f, saml.acs);
    login.samlCrossBorder = acs.status === 200 && ((await acs.json()) as { valid: boolean }).valid === true;
    return login;
  } catch (e) {
    return { ...login, error: e instanceof Error ? e.message : String(e) };
  }
}
