import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poll } from '../support/wait.ts';
import { baseImage, buildImage, composeCommand, engine, freePortBlock, ROOT, run, tail } from './engine.ts';

/**
 * The container image and the compose file, built and run: the image is built from docker/Dockerfile on a base
 * made of Debian packages (no image registry here; Node.js comes from the npm registry as ./kakehashi gets it),
 * docker/compose.yaml brings the hub and seven nodes up as eight containers on host networking — hub first, the
 * trust material generated once by the hub and read by the nodes — every component advertising a public URL that
 * is not its bind address, and a citizen of one container's country logs in at another container's relying party
 * through the hub. Everything is torn down afterwards, whatever happened.
 *
 * Where no Docker engine answers the lane is skipped, loudly; `.ci/run` installs and starts one and sets
 * KAKEHASHI_REQUIRE_TOOLS=1, which turns the skip into a failure.
 */
const COUNTRIES = ['AT', 'DE', 'EE', 'ES', 'FR', 'IT', 'JP'] as const;
const IMAGE = process.env.KAKEHASHI_IMAGE || 'kakehashi:local';
const PROJECT = `kakehashi-lane-${process.pid}`;
const DEMO = { id: 'kakehashi-demo-rp', secret: 'kakehashi-demo-secret' };
const REDIRECT = 'http://127.0.0.1:53125/callback';

const found = engine();
const compose = found.ok ? composeCommand() : undefined;
const missing = !found.ok ? `no Docker engine answers (${found.why})` : !compose ? 'no docker compose' : undefined;
if (missing) {
  if (process.env.KAKEHASHI_REQUIRE_TOOLS === '1')
    throw new Error(`[kakehashi/docker] ${missing}: required (KAKEHASHI_REQUIRE_TOOLS=1)`);
  console.warn(
    `\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n[kakehashi/docker] ${missing}: the docker lane (image build, compose up, cross-border login between containers) is SKIPPED.\nStart an engine (as root: apt-get install docker.io docker-compose debootstrap; docker/start-engine.sh) — .ci/run does, and CI never skips.\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n`,
  );
}

describe.skipIf(missing !== undefined)('the image and the compose file, built and run', () => {
  const cmd = compose ?? [];
  let env: Record<string, string> = {};
  const urls: { hub: string; nodes: Record<string, string> } = { hub: '', nodes: {} };
  let bindPort = 0;
  let up = false;
  const timings: Record<string, number> = {};

  const composeRun = (args: string[], timeoutMs = 5 * 60_000) =>
    run(cmd[0] as string, [...cmd.slice(1), '-p', PROJECT, '-f', `${ROOT}/docker/compose.yaml`, ...args], {
      env,
      timeoutMs,
    });
  /** The project's containers by service, with their health (`docker` itself: compose v1 is slow to start). */
  const containers = () => {
    const ps = run('docker', [
      'ps',
      '--all',
      '--filter',
      `label=com.docker.compose.project=${PROJECT}`,
      '--format',
      '{{.ID}} {{.Label "com.docker.compose.service"}}',
    ]).output;
    const rows = ps
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' ') as [string, string]);
    if (rows.length === 0) return [];
    const health = run('docker', ['inspect', '--format', '{{.State.Health.Status}}', ...rows.map(([id]) => id)]).output;
    const states = health.trim().split('\n');
    return rows.map(([id, service], i) => ({ id, service, health: states[i] ?? '' }));
  };
  const logsOf = (service: string) => {
    const c = containers().find((x) => x.service === service);
    return c ? run('docker', ['logs', c.id]).output : '';
  };

  beforeAll(async () => {
    const base = baseImage();
    if (base.build) {
      expect(base.build.status, `base image (docker/debian-base.sh):\n${tail(base.build.output)}`).toBe(0);
      timings.baseImageMs = base.build.ms;
    }
    const built = buildImage(base.image, IMAGE);
    expect(built.status, `docker build:\n${tail(built.output)}`).toBe(0);
    timings.imageBuildMs = built.ms;

    bindPort = await freePortBlock(1 + COUNTRIES.length);
    // Bound on 127.0.0.1, known as localhost: each component's public URL is not its bind address.
    urls.hub = `http://localhost:${bindPort}`;
    COUNTRIES.forEach((cc, i) => {
      urls.nodes[cc] = `http://localhost:${bindPort + 1 + i}`;
    });
    env = {
      KAKEHASHI_IMAGE: IMAGE,
      KAKEHASHI_SEED: 'kakehashi-docker-lane',
      KAKEHASHI_HOST: '127.0.0.1',
      KAKEHASHI_PORT: String(bindPort),
      KAKEHASHI_HUB_URL: urls.hub,
      ...Object.fromEntries(COUNTRIES.map((cc) => [`KAKEHASHI_${cc}_URL`, urls.nodes[cc] as string])),
    };
    const started = performance.now();
    up = true; // from here on, afterAll tears down whatever exists
    const upRun = composeRun(['up', '-d', '--no-build'], 10 * 60_000);
    expect(upRun.status, `compose up:\n${tail(upRun.output)}`).toBe(0);
    const all = await poll(containers, (cs) => cs.length === 8 && cs.every((c) => c.health === 'healthy'), {
      timeoutMs: 8 * 60_000,
      intervalMs: 250,
    });
    timings.composeUpToHealthyMs = Math.round(performance.now() - started);
    const sick = all.filter((c) => c.health !== 'healthy');
    expect(
      sick.map((c) => `${c.service}: ${c.health}`),
      `containers not healthy:\n${sick.map((c) => `${c.service}\n${tail(logsOf(c.service), 15)}`).join('\n')}`,
    ).toEqual([]);
    expect(all.map((c) => c.service).sort()).toEqual(['hub', ...COUNTRIES.map((cc) => `node-${cc.toLowerCase()}`)]);
    console.log(`[kakehashi/docker] engine ${found.ok ? found.version : ''}, ${cmd.join(' ')}; timings`, timings);
  }, 30 * 60_000);

  afterAll(() => {
    if (!up) return;
    const down = composeRun(['down', '--volumes', '--remove-orphans', '--timeout', '10'], 5 * 60_000);
    if (down.status !== 0) console.warn(`[kakehashi/docker] compose down failed:\n${tail(down.output)}`);
  }, 6 * 60_000);

  it('starts the hub first and shares its trust material: generated once, read by every node', () => {
    const hubLog = logsOf('hub');
    expect(hubLog).toContain('trust material generated');
    for (const cc of COUNTRIES) {
      const log = logsOf(`node-${cc.toLowerCase()}`);
      expect(log, cc).toContain('trust material loaded from cache');
      expect(log, cc).not.toContain('trust material generated');
    }
  });

  it('advertises the public URLs, not the bind addresses', async () => {
    const registry = await poll(
      async () =>
        (await (await fetch(`${urls.hub}/registry/nodes`)).json()) as {
          nodes: { country: string; metadata: { url: string } }[];
        },
      (r) => r.nodes.length === COUNTRIES.length,
    );
    expect(Object.fromEntries(registry.nodes.map((n) => [n.country, n.metadata.url]))).toEqual(urls.nodes);
    for (const cc of COUNTRIES) {
      const discovery = (await (await fetch(`${urls.nodes[cc]}/.well-known/openid-configuration`)).json()) as {
        issuer: string;
        token_endpoint: string;
      };
      expect(discovery.issuer).toBe(urls.nodes[cc]);
      expect(discovery.token_endpoint).toBe(`${urls.nodes[cc]}/oidc/token`);
    }
    // The bind address answers too (host networking), under the same issuer.
    const direct = (await (
      await fetch(`http://127.0.0.1:${bindPort + 2}/.well-known/openid-configuration`)
    ).json()) as {
      issuer: string;
    };
    expect(direct.issuer).toBe(urls.nodes.DE);
  });

  it("logs a citizen of EE's container in at a relying party of DE's container, through the hub's container", async () => {
    const de = urls.nodes.DE as string;
    const ee = urls.nodes.EE as string;
    const persona = (await (await fetch(`${ee}/personas/ee-001`)).json()) as { familyName: string };
    expect(persona.familyName).toBeTruthy();

    const config = await client.discovery(new URL(de), DEMO.id, undefined, client.ClientSecretBasic(DEMO.secret), {
      execute: [client.allowInsecureRequests],
    });
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const start = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      kakehashi_country: 'EE',
      kakehashi_persona: 'ee-001',
    });
    // The browser: follow the redirects until one leaves the federation for the relying party.
    const hops: string[] = [];
    let url = start.toString();
    let callback: URL | undefined;
    for (let i = 0; i < 10 && !callback; i++) {
      const res = await fetch(url, { redirect: 'manual' });
      hops.push(new URL(url).origin + new URL(url).pathname);
      const next = res.headers.get('location');
      expect(res.status, `${url}: ${res.status} ${res.status === 302 ? '' : await res.text()}`).toBe(302);
      url = new URL(next as string, url).toString();
      if (url.startsWith(REDIRECT)) callback = new URL(url);
    }
    expect(hops).toEqual([
      `${de}/oidc/authorize`,
      `${urls.hub}/eid/proxy/EE/authorize`,
      `${ee}/oidc/authorize`,
      `${de}/eid/connector/callback`,
    ]);
    expect(callback).toBeInstanceOf(URL);

    const tokens = await client.authorizationCodeGrant(config, callback as URL, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims() as client.IDToken & Record<string, unknown>;
    expect(claims.iss).toBe(de);
    expect(claims.aud).toBe(DEMO.id);
    expect(claims.eidas_person_identifier).toMatch(/^EE\/DE\/[A-Za-z0-9_-]{43}$/);
    expect(claims.family_name).toBe(persona.familyName);
  });
});
