import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenarioAgainst } from '@kakehashi/federation';
import { afterAll, describe, expect, it } from 'vitest';
import { type Started, startCli } from '../support/processes.ts';

/**
 * Scenario incident-cross-border with one process per component (hub, DE, JP on loopback, ports from the OS): the
 * security event, the CSIRT's reports, the share through the hub's CSIRT network and the delivery to JP's process
 * all travel over real HTTP, and JP's process refuses the key afterwards.
 */
describe('incident-cross-border across processes', () => {
  const procs: Started[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('runs every step with the hub, DE and JP as separate processes', async () => {
    const dir = (name: string) => {
      const d = mkdtempSync(join(tmpdir(), `kk-ic-${name}-`));
      dirs.push(d);
      return d;
    };
    const env = { KAKEHASHI_SEED: 'kakehashi-test', KAKEHASHI_COUNTRIES: 'DE,JP' };
    const hub = startCli(['start', '--only', 'hub', '--json', '--port', '0', '--data-dir', dir('hub')], env);
    procs.push(hub);
    const hubUrl = (await hub.waitFor((e) => e.event === 'ready' && e.component === 'hub')).url as string;
    const node = (cc: string) =>
      startCli(['start', '--only', `node:${cc}`, '--hub', hubUrl, '--json', '--port', '0', '--data-dir', dir(cc)], env);
    const de = node('DE');
    const jp = node('JP');
    procs.push(de, jp);
    const [deReady, jpReady] = await Promise.all([
      de.waitFor((e) => e.event === 'federation-ready'),
      jp.waitFor((e) => e.event === 'federation-ready'),
    ]);
    const urls = {
      hub: hubUrl,
      nodes: {
        DE: (deReady.nodes as Record<string, string>).DE as string,
        JP: (jpReady.nodes as Record<string, string>).JP as string,
      },
    };
    const report = await runScenarioAgainst({ urls, fetch }, 'incident-cross-border');
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    expect(report.passed).toBe(true);
  });
});
