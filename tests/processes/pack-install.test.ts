import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRUST_CACHE } from '../support/trust-cache.ts';

/**
 * What a user gets from npm: `./kakehashi pack` writes the tarballs, an empty directory gets `npm init -y` and
 * `npm install` of those tarballs only (the third-party dependencies come from the npm registry), and the
 * installed `kakehashi` bin — the built JavaScript, not the repository's sources — starts the federation, serves
 * its pages, logs a persona in with openid-client, and starts one node alone against that federation's hub.
 *
 * The installed code runs on the system's Node.js when it is >= 22.13 (the oldest the packages accept), else on
 * the toolchain's Node 24 (the describe title says which). `KAKEHASHI_PACK_NODE=/path/to/node` picks another one,
 * e.g. a Node.js 22.13 to prove the engines floor.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const TOOLCHAIN = join(ROOT, '.toolchain');
const DEMO = { id: 'kakehashi-demo-rp', secret: 'kakehashi-demo-secret' };

const versionOf = (bin: string) =>
  spawnSync(bin, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout?.trim() || undefined;
const atLeast22_13 = (v: string) => {
  const [major = 0, minor = 0] = v.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 13);
};

/** The Node.js the installed packages run on, and why that one. */
function pickNode(): { bin: string; version: string; why: string } {
  const explicit = process.env.KAKEHASHI_PACK_NODE;
  if (explicit) return { bin: explicit, version: versionOf(explicit) ?? '?', why: 'KAKEHASHI_PACK_NODE' };
  const system = (process.env.PATH ?? '')
    .split(delimiter)
    .map((d) => join(d, 'node'))
    .filter((p) => existsSync(p) && !realpathSync(p).startsWith(realpathSync(TOOLCHAIN)))[0];
  const systemVersion = system ? versionOf(system) : undefined;
  if (system && systemVersion && atLeast22_13(systemVersion))
    return { bin: system, version: systemVersion, why: 'the system Node.js' };
  return {
    bin: process.execPath,
    version: process.versions.node,
    why: system ? `the system Node.js ${systemVersion} is older than 22.13: the toolchain's` : 'no system Node.js',
  };
}

const NODE = pickNode();

/** A user's environment: the chosen node first on PATH, nothing of this repository's or pnpm's settings. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^(npm_|pnpm_|KAKEHASHI_|NODE_OPTIONS$|VITEST)/i.test(k)) env[k] = v;
  return {
    ...env,
    PATH: `${dirname(NODE.bin)}${delimiter}${process.env.PATH ?? ''}`,
    SCARF_ANALYTICS: 'false',
    KAKEHASHI_LOG_LEVEL: 'warn',
    ...extra,
  };
}

interface Running {
  child: ChildProcess;
  events: Record<string, unknown>[];
  waitFor(pred: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  stop(): Promise<number | null>;
}

/**
 * `npx kakehashi …` in the user's directory, in its own process group (npx runs the bin as a child), following its
 * `--json` events on stdout. `--no`: never fetch a package named kakehashi from the registry, only the installed bin; `--`: every
 * argument (`--help` too) is the bin's.
 */
function npxKakehashi(cwd: string, args: string[], env: Record<string, string> = {}): Running {
  const child = spawn('npx', ['--no', '--', 'kakehashi', ...args], {
    cwd,
    env: userEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const events: Record<string, unknown>[] = [];
  let stderr = '';
  let exit: number | null | undefined;
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const l of listeners) l();
  };
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      events.push(JSON.parse(line) as Record<string, unknown>);
      notify();
    } catch {
      /* not an event */
    }
  });
  // 'close', not 'exit': npx may end before the bin it runs, which writes to the same pipes until it has stopped.
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      exit = code;
      notify();
      resolve(code);
    }),
  );
  return {
    child,
    events,
    // Bounded by the test's timeout: a process that dies first rejects with its stderr.
    waitFor: (pred) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const e = events.find(pred);
          if (e) resolve(e);
          else if (exit !== undefined) reject(new Error(`npx kakehashi ${args.join(' ')} exited ${exit}: ${stderr}`));
          else return;
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      }),
    stop: () => {
      if (exit === undefined && child.pid) process.kill(-child.pid, 'SIGTERM');
      return exited;
    },
  };
}

const json = async <T>(url: string) => {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  return (await res.json()) as T;
};

describe(`the npm tarballs, installed in an empty directory (Node.js ${NODE.version}: ${NODE.why})`, () => {
  const work = mkdtempSync(join(tmpdir(), 'kk-pack-'));
  const tarballs = join(work, 'tarballs');
  const app = join(work, 'app');
  const running: Running[] = [];
  let federation: { hub: string; nodes: Record<string, string> } | undefined;
  const timings: Record<string, number> = {};

  beforeAll(() => {
    let t0 = performance.now();
    // `./kakehashi pack --out DIR` without the wrapper's dependency check: the pnpm it provisioned on PATH.
    const pnpmDirs = readdirSync(TOOLCHAIN).filter((d) => d.startsWith('pnpm-') && d !== 'pnpm-store');
    const pack = spawnSync(process.execPath, [join(ROOT, 'scripts', 'pack.ts'), '--out', tarballs], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, PATH: [...pnpmDirs.map((d) => join(TOOLCHAIN, d)), process.env.PATH].join(delimiter) },
    });
    if (pack.status !== 0) throw new Error(`pack failed: ${pack.stdout.slice(-3000)}${pack.stderr.slice(-2000)}`);
    timings.packMs = performance.now() - t0;
    mkdirSync(app);
    const npm = (args: string[]) => execFileSync('npm', args, { cwd: app, env: userEnv(), stdio: 'pipe' });
    npm(['init', '-y']);
    t0 = performance.now();
    // Only the tarballs; their dependencies from the npm registry. No install scripts: ours have none, and the
    // only one below (swagger-ui-dist's telemetry) is denied in the repository as well.
    const install = (extra: string[]) =>
      npm([
        'install',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        ...extra,
        ...readdirSync(tarballs).map((t) => join(tarballs, t)),
      ]);
    // The registry is not under test: a version it has just published and a mirror does not serve yet (ETARGET), or a
    // dropped connection, is asked again (at most twice, fresh metadata); any other failure fails at once.
    for (let attempt = 1; ; attempt++) {
      try {
        install(attempt === 1 ? [] : ['--prefer-online']);
        break;
      } catch (e) {
        const stderr = String((e as { stderr?: Buffer }).stderr ?? '');
        if (attempt >= 3 || !/ETARGET|ECONNRESET|ETIMEDOUT|EAI_AGAIN|E50[0-9]|ENOTFOUND/.test(stderr)) throw e;
        process.stderr.write(
          `[pack-install] npm install failed transiently (attempt ${attempt}), again:\n${stderr.slice(-800)}\n`,
        );
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 15_000);
      }
    }
    timings.installMs = performance.now() - t0;
  }, 600_000);

  afterAll(async () => {
    // A process that ignores SIGTERM for a minute is killed: nothing is left behind.
    await Promise.all(
      running.map((r) => {
        const kill = setTimeout(() => r.child.pid && process.kill(-r.child.pid, 'SIGKILL'), 60_000);
        return r.stop().finally(() => clearTimeout(kill));
      }),
    );
    rmSync(work, { recursive: true, force: true });
    process.stderr.write(`[pack-install] node ${NODE.version} (${NODE.bin}); ${JSON.stringify(timings)}\n`);
  });

  it('installs the built packages, not the sources, with real versions', () => {
    const installed = readdirSync(join(app, 'node_modules', '@kakehashi'));
    expect(installed.length).toBe(readdirSync(tarballs).length);
    expect(installed).toEqual(expect.arrayContaining(['cli', 'core', 'federation', 'eid', 'hub', 'node']));
    for (const name of installed) {
      const dir = join(app, 'node_modules', '@kakehashi', name);
      const m = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        engines: { node: string };
        dependencies?: Record<string, string>;
      };
      expect(m.engines.node).toBe('>=22.13');
      for (const v of Object.values(m.dependencies ?? {})) expect(v).toMatch(/^\^?\d/);
      expect(existsSync(join(dir, 'src')), `${name} ships no sources`).toBe(false);
      expect(readdirSync(join(dir, 'dist')).some((f) => f.endsWith('.d.ts'))).toBe(true);
    }
    expect(existsSync(join(app, 'node_modules', '.bin', 'kakehashi'))).toBe(true);
  });

  it('gives a TypeScript program the type declarations of every library', () => {
    // Every library imported by name, its declarations checked (skipLibCheck off); the expected error proves the
    // types are real rather than `any`. Checked with the repository's tsc, as a user's would.
    const libraries = readdirSync(join(app, 'node_modules', '@kakehashi')).filter((name) => {
      const m = JSON.parse(readFileSync(join(app, 'node_modules', '@kakehashi', name, 'package.json'), 'utf8'));
      return m.exports !== undefined;
    });
    expect(libraries).toContain('federation');
    writeFileSync(
      join(app, 'consumer.mts'),
      [
        ...libraries.map((name, i) => `import type * as lib${i} from '@kakehashi/${name}';`),
        "import { createFederation, FEDERATION_OPTIONS } from '@kakehashi/federation';",
        "import { LayeredConfig } from '@kakehashi/core';",
        `export type All = [${libraries.map((_, i) => `typeof lib${i}`).join(', ')}];`,
        'const config = new LayeredConfig(FEDERATION_OPTIONS, { env: {} });',
        "export const port: number = config.get('port');",
        '// @ts-expect-error: a mode that does not exist',
        "export const wrong = () => createFederation({ config, mode: 'sideways' });",
        "export const hub = async (): Promise<string | undefined> => (await createFederation({ config, mode: 'in-process' })).urls.hub;",
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'nodenext', target: 'es2024', strict: true, noEmit: true, skipLibCheck: false },
        files: ['consumer.mts'],
      }),
    );
    const tsc = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', app], {
      encoding: 'utf8',
    });
    expect(`${tsc.stdout}${tsc.stderr}`).toBe('');
    expect(tsc.status).toBe(0);
  });

  it('answers --help and scenario list', () => {
    const run = (args: string[]) =>
      spawnSync('npx', ['--no', '--', 'kakehashi', ...args], { cwd: app, env: userEnv(), encoding: 'utf8' });
    const help = run(['--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('kakehashi start [--seed S]');
    const list = run(['scenario', 'list']);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout.trim().split('\n')).toEqual(expect.arrayContaining(['federation', 'eid-cross-border']));
  });

  it('starts the federation with npx kakehashi start: health, pages, and an OIDC login with openid-client', async () => {
    const t0 = performance.now();
    // The trust material goes to the tests' shared cache (its keys are reused; the certificates name this hub).
    const fed = npxKakehashi(app, ['start', '--port', '0', '--json', '--data-dir', join(work, 'data')], {
      KAKEHASHI_TRUST_CACHE_DIR: TRUST_CACHE,
    });
    running.push(fed);
    const ready = (await fed.waitFor((e) => e.event === 'federation-ready')) as unknown as typeof federation & {};
    timings.startMs = performance.now() - t0;
    federation = ready;
    expect(Object.keys(ready.nodes).sort()).toEqual(['AT', 'DE', 'EE', 'ES', 'FR', 'IT', 'JP']);

    expect(await json(`${ready.hub}/health`)).toMatchObject({ status: 'ok', component: 'hub' });
    expect(await json(`${ready.nodes.DE}/health`)).toMatchObject({ status: 'ok', component: 'node', country: 'DE' });
    // Files read at run time beside the built modules, and from a dependency: the console page and Swagger UI.
    for (const asset of [
      '/console/',
      '/console/assets/console.js',
      '/console/assets/console.css',
      '/docs/swagger-ui-bundle.js',
    ]) {
      const res = await fetch(`${ready.hub}${asset}`);
      expect(res.status, asset).toBe(200);
      expect((await res.text()).length, asset).toBeGreaterThan(100);
    }

    // A relying party logs a German persona in at DE: discovery, code + PKCE (headless persona), the code
    // exchanged with client_secret_basic, the ID token validated by openid-client, userinfo.
    const config = await client.discovery(
      new URL(ready.nodes.DE as string),
      DEMO.id,
      undefined,
      client.ClientSecretBasic(DEMO.secret),
      { execute: [client.allowInsecureRequests] },
    );
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const authorize = client.buildAuthorizationUrl(config, {
      redirect_uri: 'http://127.0.0.1:53123/callback',
      scope: 'openid profile',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      kakehashi_persona: 'de-001',
    });
    const res = await fetch(authorize, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const callback = new URL(res.headers.get('location') as string);
    expect(callback.searchParams.get('code')).toBeTruthy();
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    expect(claims).toMatchObject({ iss: ready.nodes.DE, aud: DEMO.id, nonce });
    const persona = await json<{ familyName: string }>(`${ready.nodes.DE}/personas/de-001`);
    expect(claims?.family_name).toBe(persona.familyName);
    const info = await client.fetchUserInfo(config, tokens.access_token, claims?.sub as string);
    expect(info.family_name).toBe(persona.familyName);
  });

  it('starts one node alone with --only node:DE --hub against that hub', async () => {
    expect(federation, 'the federation of the previous test').toBeDefined();
    const { hub } = federation as { hub: string };
    const de = npxKakehashi(
      app,
      ['start', '--only', 'node:DE', '--hub', hub, '--port', '0', '--json', '--data-dir', join(work, 'data-de')],
      // The trust material names the hub's URL: the node loads what the first process generated for it.
      { KAKEHASHI_TRUST_CACHE_DIR: TRUST_CACHE },
    );
    running.push(de);
    const ready = await de.waitFor((e) => e.event === 'ready' && e.country === 'DE');
    const url = ready.url as string;
    expect(url).not.toBe(federation?.nodes.DE);
    expect(await json(`${url}/health`)).toMatchObject({ status: 'ok', component: 'node', country: 'DE' });
    // It registered at that hub with its own URL, with metadata the hub validated against the trust fabric.
    const registered = await json<{ metadata: { url: string } }>(`${hub}/registry/nodes/DE`);
    expect(registered.metadata.url).toBe(url);

    // SIGTERM to npx and the bin: the node shuts down cleanly (npx itself ends by the signal).
    await de.stop();
    expect(de.events.at(-1)).toMatchObject({ event: 'stopped' });
  });
});
