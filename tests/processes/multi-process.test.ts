import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Started, startCli } from '../support/processes.ts';
import { poll } from '../support/wait.ts';

/**
 * One process per component: the hub and two national nodes as separate OS processes on loopback. They
 * register, discover each other through the hub and validate each other's certificates through the trust
 * fabric each loaded and verified itself. Every process takes its port from the OS (`--port 0`): the ready events
 * give the real URLs, and they are the URLs the nodes registered at the hub.
 */
describe('hub and two nodes as separate processes', () => {
  const procs: Started[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('register, discover and validate each other', async () => {
    const dir = (name: string) => {
      const d = mkdtempSync(join(tmpdir(), `kk-mp-${name}-`));
      dirs.push(d);
      return d;
    };
    const env = {
      // The certificates name the hub's URL, new with every port the OS gives: the hub issues them (with the keys
      // of the tests' shared trust cache, startCli's default), the nodes load them from there.
      KAKEHASHI_SEED: 'kakehashi-test',
      KAKEHASHI_COUNTRIES: 'AT,DE,EE,ES,FR,IT,JP',
    };
    const hub = startCli(['start', '--only', 'hub', '--json', '--port', '0', '--data-dir', dir('hub')], env);
    procs.push(hub);
    const hubReady = await hub.waitFor((e) => e.event === 'ready' && e.component === 'hub');
    const hubUrl = hubReady.url as string;
    expect(hubUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(hubUrl).not.toMatch(/:0$/);

    const de = startCli(
      ['start', '--only', 'node:DE', '--hub', hubUrl, '--json', '--port', '0', '--data-dir', dir('de')],
      env,
    );
    const jp = startCli(
      ['start', '--only', 'node:JP', '--hub', hubUrl, '--json', '--port', '0', '--data-dir', dir('jp')],
      env,
    );
    procs.push(de, jp);
    const [deReady, jpReady] = await Promise.all([
      de.waitFor((e) => e.event === 'ready' && e.country === 'DE'),
      jp.waitFor((e) => e.event === 'ready' && e.country === 'JP'),
    ]);
    const ports = [hubUrl, deReady.url, jpReady.url].map((u) => Number(new URL(u as string).port));
    expect(new Set(ports).size).toBe(3);
    for (const p of ports) expect(p).toBeGreaterThan(0);
    expect(deReady).toMatchObject({ component: 'node', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    expect(await de.waitFor((e) => e.event === 'federation-ready')).toMatchObject({
      hub: hubUrl,
      nodes: { DE: deReady.url },
    });
    expect(new Set([hub.child.pid, de.child.pid, jp.child.pid]).size).toBe(3);

    const nodes = (await (await fetch(`${hubUrl}/registry/nodes`)).json()) as {
      nodes: { country: string; metadata: { url: string } }[];
    };
    expect(nodes.nodes.map((n) => n.country)).toEqual(['DE', 'JP']);
    // The nodes registered the URLs the OS gave them.
    expect(nodes.nodes.map((n) => n.metadata.url)).toEqual([deReady.url, jpReady.url]);

    const fromDe = (await (await fetch(`${deReady.url}/peers/JP`)).json()) as {
      trusted: boolean;
      certificate: { valid: boolean; country: string };
    };
    expect(fromDe).toMatchObject({ trusted: true, certificate: { valid: true, country: 'JP' } });
    const fromJp = (await (await fetch(`${jpReady.url}/peers/DE`)).json()) as { trusted: boolean };
    expect(fromJp.trusted).toBe(true);

    // A node validates a certificate it was handed against its own trust view: JP's signing cert is good, a
    // certificate of no federation CA is not.
    const jpMeta = (await (await fetch(`${jpReady.url}/metadata`)).json()) as {
      metadata: { certificates: { signing: string; encryption: string } };
    };
    const ok = (await (
      await fetch(`${deReady.url}/trust/validate-certificate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ certificate: jpMeta.metadata.certificates.signing, usage: ['digitalSignature'] }),
      })
    ).json()) as { valid: boolean };
    expect(ok.valid).toBe(true);

    // Traces from the node processes reach the hub.
    const traces = await poll(
      async () => (await (await fetch(`${hubUrl}/traces`)).json()) as { traces: { components: string[] }[] },
      (r) => r.traces.some((t) => t.components.includes('node:DE')),
    );
    expect(traces.traces.some((t) => t.components.includes('node:DE'))).toBe(true);

    // One virtual clock for the federation: time travel at the hub reaches the node processes.
    const admin = { authorization: 'Bearer kakehashi-admin-test-only', 'content-type': 'application/json' };
    const before = ((await (await fetch(`${jpReady.url}/health`)).json()) as { time: string }).time;
    const moved = await fetch(`${hubUrl}/admin/clock`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ action: 'advance', by: '30d' }),
    });
    expect(moved.status).toBe(200);
    for (const url of [deReady.url, jpReady.url]) {
      const t = ((await (await fetch(`${url}/health`)).json()) as { time: string }).time;
      expect(Date.parse(t) - Date.parse(before)).toBeGreaterThan(29 * 86_400_000);
      expect(Date.parse(t) - Date.parse(before)).toBeLessThan(31 * 86_400_000);
    }
    await fetch(`${hubUrl}/admin/clock`, { method: 'POST', headers: admin, body: JSON.stringify({ action: 'reset' }) });

    expect(await de.stop()).toBe(0);
    expect(await jp.stop()).toBe(0);
    expect(await hub.stop()).toBe(0);
    expect(hub.events.at(-1)).toMatchObject({ event: 'stopped' });
  }, 300_000);
});
