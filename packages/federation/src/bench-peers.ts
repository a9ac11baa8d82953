/**
 * The peers of `kakehashi bench`: panva's oidc-provider, oauth2-mock-server and GovTech's MockPass, installed from
 * npm at bench time into the bench's own directory (pinned versions, `npm install --prefix`; never dependencies of
 * the project), each started in its own process. Measured: the time from spawn to the first answer of its
 * discovery document, and the same OIDC login flow (`oidcLoginFlow`) as a Kakehashi node gets.
 *
 * A peer that cannot be installed or started is skipped loudly: the reason is printed and recorded in the JSON.
 *
 * MockPass's flow is its sgID v2 provider (`/v2/oauth/authorize` → code without a login page with
 * `SHOW_LOGIN_PAGE=false`, `/v2/oauth/token` with client_secret_post, an RS256 ID token with the nonce); its
 * discovery document writes `//oauth` in the endpoint paths, normalised here.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { discoverTarget, OIDC_PROVIDER_RP, type OidcTarget, startOidcProviderProcess } from './bench-oidc.ts';

/** Pinned peer versions (bump deliberately: a bench compares like with like across runs). */
export const PEER_VERSIONS = {
  'oidc-provider': '9.13.3',
  'oauth2-mock-server': '9.3.0',
  '@opengovsg/mockpass': '4.3.4',
} as const;
export type PeerName = keyof typeof PEER_VERSIONS;

/** A running peer: its OIDC target (for the login flow) and how long it took to answer discovery. */
export interface RunningPeer {
  name: PeerName;
  version: string;
  startToDiscoveryMs: number;
  target: OidcTarget;
  stop(): Promise<void>;
}

/** A free TCP port on loopback, asked of the OS. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? res(a.port) : rej(new Error('no port'))));
    });
  });
}

/**
 * Installs the pinned peers into `dir` (once; a marker file records the versions). Resolves to undefined when they
 * are there, or to the reason they are not (npm missing, registry unreachable…).
 */
export async function installPeers(dir: string): Promise<string | undefined> {
  const marker = join(dir, 'installed.json');
  const want = JSON.stringify(PEER_VERSIONS);
  if (existsSync(marker) && readFileSync(marker, 'utf8') === want) return undefined;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "private": true, "description": "kakehashi bench peers" }\n');
  const specs = Object.entries(PEER_VERSIONS).map(([n, v]) => `${n}@${v}`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const error = await new Promise<string | undefined>((res) => {
    execFile(
      npm,
      ['install', '--prefix', dir, '--no-audit', '--no-fund', '--ignore-scripts', '--no-save', ...specs],
      { timeout: 240_000 },
      (err, _out, stderr) => res(err ? `npm install failed: ${err.message} ${String(stderr).slice(-400)}` : undefined),
    );
  });
  if (!error) writeFileSync(marker, want);
  return error;
}

/** Polls `url` until it answers 200; resolves to the time since `t0`. */
async function firstAnswer(url: string, t0: number, exited: () => string | undefined): Promise<number> {
  const deadline = t0 + 60_000;
  for (;;) {
    const why = exited();
    if (why) throw new Error(why);
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      if (r.status === 200) return performance.now() - t0;
    } catch {
      /* not listening yet */
    }
    if (performance.now() > deadline) throw new Error(`no answer from ${url} after 60 s`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Spawns `node script args` with `env`, resolves once `discoveryPath` answers; the process is the peer. */
async function spawnPeer(
  script: string,
  args: string[],
  env: Record<string, string>,
  base: string,
  discoveryPath: string,
): Promise<{ ms: number; stop(): Promise<void> }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [script, ...args], { stdio: 'ignore', env: { ...process.env, ...env } });
  let exit: string | undefined;
  child.once('exit', (code) => {
    exit = `exited with ${code} before answering discovery`;
  });
  const stop = () =>
    new Promise<void>((res) => {
      if (child.exitCode !== null || child.signalCode !== null) return res();
      child.once('exit', () => res());
      child.kill('SIGTERM');
    });
  try {
    return { ms: await firstAnswer(`${base}${discoveryPath}`, t0, () => exit), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Starts one peer and discovers it as a relying party would. */
export async function startPeer(dir: string, name: PeerName): Promise<RunningPeer> {
  const mods = join(dir, 'node_modules');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const version = PEER_VERSIONS[name];
  if (name === 'oidc-provider') {
    const t0 = performance.now();
    const op = await startOidcProviderProcess(port, dir);
    const ms = await firstAnswer(`${op.issuer}/.well-known/openid-configuration`, t0, () => undefined);
    const target = await discoverTarget(op.issuer, OIDC_PROVIDER_RP);
    return { name, version, startToDiscoveryMs: ms, target, stop: op.stop };
  }
  if (name === 'oauth2-mock-server') {
    const script = join(mods, 'oauth2-mock-server', 'dist', 'oauth2-mock-server.mjs');
    // Its issuer is http://localhost:PORT (its command line cannot change that): discovered as such.
    const local = `http://localhost:${port}`;
    const p = await spawnPeer(
      script,
      ['-a', 'localhost', '-p', String(port)],
      {},
      local,
      '/.well-known/openid-configuration',
    );
    const target = await discoverTarget(local, { id: 'bench-rp', secret: 'bench-rp-secret' }, { issParam: false });
    return { name, version, startToDiscoveryMs: p.ms, target, stop: p.stop };
  }
  const script = join(mods, '@opengovsg', 'mockpass', 'index.js');
  const p = await spawnPeer(
    script,
    [],
    { MOCKPASS_PORT: String(port), SHOW_LOGIN_PAGE: 'false' },
    base,
    '/v2/.well-known/openid-configuration',
  );
  const target = await discoverTarget(
    `${base}/v2`,
    { id: 'bench-rp', secret: 'bench-rp-secret' },
    { issParam: false, tokenAuth: 'post', fixUrl: (u) => u.replace('/v2//', '/v2/') },
  );
  return { name, version, startToDiscoveryMs: p.ms, target, stop: p.stop };
}
