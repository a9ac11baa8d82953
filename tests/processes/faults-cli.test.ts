import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, type Started, startCli } from '../support/processes.ts';
import { poll } from '../support/wait.ts';

const ADMIN = { authorization: 'Bearer kakehashi-admin-test-only' };

/**
 * `kakehashi start --weak-node CC --faults …`: the faults are switched on at start where they are meant (a weak
 * node's lenient validators, the hub's relay), listed in the banner and the --json ready line, and an entry that
 * names no fault stops the start with the known faults.
 */
describe('kakehashi start with faults', () => {
  const procs: Started[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const env = { KAKEHASHI_SEED: 'kakehashi-test', KAKEHASHI_COUNTRIES: 'DE,EE' };

  it('--weak-node DE and --faults hub:…: switched on there only, and listed in the ready line and the banner', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kk-faults-'));
    dirs.push(dir);
    const cli = startCli(
      ['start', '--port', '0', '--json', '--data-dir', dir, '--weak-node', 'de', '--faults', 'hub:hub.relay-failing'],
      env,
    );
    procs.push(cli);
    const ready = (await cli.waitFor((e) => e.event === 'federation-ready')) as {
      hub: string;
      nodes: Record<string, string>;
      faults: Record<string, string[]>;
    };
    const faultsOf = async (url: string) =>
      (
        (await (await fetch(`${url}/admin/faults`, { headers: ADMIN })).json()) as {
          faults: { name: string; kind: string; enabled: boolean }[];
        }
      ).faults;

    // Node DE: every lenient validator on, nothing else; node EE and the hub: none of DE's.
    const de = await faultsOf(ready.nodes.DE as string);
    const lenient = de.filter((f) => f.kind === 'lenient');
    expect(lenient.length).toBeGreaterThan(0);
    expect(de.filter((f) => f.enabled).map((f) => f.name)).toEqual(lenient.map((f) => f.name));
    expect((await faultsOf(ready.nodes.EE as string)).filter((f) => f.enabled)).toEqual([]);
    const hub = await faultsOf(ready.hub);
    expect(hub.filter((f) => f.enabled).map((f) => f.name)).toEqual(['hub.relay-failing']);

    // The ready line says so, per component; so does /admin/config.
    expect(ready.faults).toEqual({ hub: ['hub.relay-failing'], 'node:DE': lenient.map((f) => f.name) });
    const config = (await (await fetch(`${ready.nodes.DE}/admin/config`, { headers: ADMIN })).json()) as {
      faults: string[];
    };
    expect(config.faults).toEqual(lenient.map((f) => f.name));
    // The banner (stderr with --json) lists them as deliberate weaknesses.
    const banner = await poll(cli.stderr, (t) => t.includes('└──'));
    expect(banner).toContain('FAULTS IN FORCE');
    expect(banner).toContain('hub: hub.relay-failing');
    expect(banner).toContain(`node:DE: ${lenient[0]?.name}`);
    expect(await cli.stop()).toBe(0);
  });

  it('a faults entry that names no fault stops the start, naming the entry and the known faults', async () => {
    for (const args of [
      ['--faults', 'id-token.alg-nonee'],
      ['--faults', 'XX:lenient.*'],
    ]) {
      const cli = startCli(['start', '--port', '0', '--data-dir', ':memory:', ...args], env);
      procs.push(cli);
      const code = await new Promise<number | null>((res) => cli.child.once('exit', res));
      expect(code, args.join(' ')).toBe(1);
      const err = cli.stderr();
      expect(err).toContain('config-invalid');
      expect(err).toContain(args[1]);
      if (args[1] === 'id-token.alg-nonee') {
        expect(err).toContain('Known faults');
        expect(err).toContain('hub.relay-slow');
      } else expect(err).toContain('neither hub nor a country');
    }
  });

  it('--help documents --faults and --weak-node', () => {
    const help = execFileSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    expect(help).toContain('--weak-node CC');
    expect(help).toContain('--faults F');
    expect(help).toContain('DE:lenient.*');
  });
});
