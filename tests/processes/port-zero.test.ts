import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Started, startCli } from '../support/processes.ts';
import { poll } from '../support/wait.ts';

const URL_RE = /^http:\/\/127\.0\.0\.1:(\d+)$/;

/**
 * `kakehashi start --port 0`: every component listens on a free port the OS picks (tests never choose ports). The
 * ready lines, the federation-ready event, the banner and the hub's registry all give the same, real URLs.
 */
describe('kakehashi start --port 0', () => {
  const procs: Started[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  // The certificates name the hub's URL, new with every OS port: they are issued at each start, with the keys of
  // the tests' shared trust cache (startCli's default).
  const env = {
    KAKEHASHI_SEED: 'kakehashi-test',
    KAKEHASHI_COUNTRIES: 'DE,EE,JP',
  };

  it('puts the hub and every node on its own OS-chosen port, and says so everywhere', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kk-port0-'));
    dirs.push(dir);
    const cli = startCli(['start', '--port', '0', '--json', '--data-dir', dir], env);
    procs.push(cli);
    const ready = (await cli.waitFor((e) => e.event === 'federation-ready')) as {
      hub: string;
      nodes: Record<string, string>;
    };
    const readyLines = cli.events.filter((e) => e.event === 'ready');
    expect(readyLines.find((e) => e.component === 'hub')?.url).toBe(ready.hub);
    for (const cc of ['DE', 'EE', 'JP'])
      expect(readyLines.find((e) => e.component === 'node' && e.country === cc)?.url).toBe(ready.nodes[cc]);
    const urls = [ready.hub, ...Object.values(ready.nodes)];
    expect(urls).toHaveLength(4);
    const ports = urls.map((u) => Number(URL_RE.exec(u)?.[1]));
    for (const p of ports) expect(p).toBeGreaterThan(0);
    expect(new Set(ports).size).toBe(4);

    // The banner (stderr with --json) prints the same URLs, and the console's. stderr is its own pipe: its bytes may
    // arrive after the ready event on stdout, so wait for the banner's last line.
    const banner = await poll(cli.stderr, (t) => t.includes('└──'));
    for (const u of urls) expect(banner).toContain(u);
    expect(banner).toContain(`${ready.hub}/console`);
    expect(banner).not.toMatch(/127\.0\.0\.1:0\b/);

    // The nodes registered at the hub with those URLs, and each answers there.
    const registry = (await (await fetch(`${ready.hub}/registry/nodes`)).json()) as {
      nodes: { country: string; metadata: { url: string } }[];
    };
    expect(Object.fromEntries(registry.nodes.map((n) => [n.country, n.metadata.url]))).toEqual(ready.nodes);
    for (const u of urls) expect((await fetch(`${u}/health`)).status).toBe(200);

    expect(await cli.stop()).toBe(0);
    expect(cli.events.at(-1)).toMatchObject({ event: 'stopped' });
  });

  it('a node alone on port 0 needs the hub URL, and says so', async () => {
    const cli = startCli(['start', '--only', 'node:DE', '--port', '0', '--data-dir', ':memory:'], env);
    procs.push(cli);
    const code = await new Promise<number | null>((res) => cli.child.once('exit', res));
    expect(code).toBe(1);
    expect(cli.stderr()).toContain('--hub URL');
  });
});
