import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { portToRestart, type Started, startCli } from '../support/processes.ts';

const N = 30;
const KILLS_PER_SIDE = 4;
const ADMIN = { authorization: 'Bearer kakehashi-admin-test-only', 'content-type': 'application/json' };
const RECIPIENT = 'urn:kakehashi:participant:jp:national-tax-agency';

/**
 * Crash safety of the access points: the sender (DE) and the receiver (JP) run as separate OS processes and are
 * killed with SIGKILL mid-flight, several times each, then restarted on the same data directory, while a backend
 * submits messages (resubmitting, same MessageId, when the sender is down). At the end every accepted message
 * is ACKNOWLEDGED at the sender and present exactly once, with its payload, at the receiver. Loopback only,
 * bounded in count and time, stops by itself. The first start of each process takes a free port from the OS; a
 * restarted node comes back on its port (the messages in flight to it name its URL). The deadlines are generous
 * bounds for a loaded machine, never the expected duration: every wait ends as soon as its fact holds.
 */
describe('eDelivery crash safety: SIGKILL sender and receiver mid-flight', () => {
  const procs = new Set<Started>();
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all([...procs].map((p) => p.stop('SIGKILL')));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it(`${N} messages, ${KILLS_PER_SIDE} kills on each side: each delivered exactly once`, async () => {
    const t0 = performance.now();
    const countries = ['DE', 'JP'];
    const dir = (name: string) => {
      const d = mkdtempSync(join(tmpdir(), `kk-crash-${name}-`));
      dirs.push(d);
      return d;
    };
    const env = {
      // The certificates name the hub's URL, new with every port the OS gives: the hub issues them (with the keys
      // of the tests' shared trust cache, startCli's default), the nodes and their restarts load them from there.
      KAKEHASHI_SEED: 'kakehashi-test',
      KAKEHASHI_COUNTRIES: countries.join(','),
      KAKEHASHI_HEALTH_INTERVAL_MS: '0',
    };
    const hub = startCli(['start', '--only', 'hub', '--json', '--port', '0', '--data-dir', dir('hub')], env);
    procs.add(hub);
    const hubUrl = (await hub.waitFor((e) => e.event === 'ready' && e.component === 'hub')).url as string;
    const dataDirs = { DE: dir('de'), JP: dir('jp') };
    const urls: Record<'DE' | 'JP', string> = { DE: '', JP: '' };
    const running: Record<'DE' | 'JP', Started | undefined> = { DE: undefined, JP: undefined };
    const start = async (cc: 'DE' | 'JP') => {
      const p = startCli(
        [
          'start',
          '--only',
          `node:${cc}`,
          '--hub',
          hubUrl,
          '--json',
          '--port',
          urls[cc] ? portToRestart(urls[cc], cc, countries) : '0',
          '--data-dir',
          dataDirs[cc],
        ],
        env,
      );
      procs.add(p);
      const ready = await p.waitFor((e) => e.event === 'ready' && e.country === cc);
      if (urls[cc]) expect(ready.url, `${cc} restarted on its URL`).toBe(urls[cc]);
      urls[cc] = ready.url as string;
      running[cc] = p;
    };
    await Promise.all([start('DE'), start('JP')]);

    // Fast reception awareness for the run (persisted in DE's store, so it survives DE's restarts).
    const pm = (await (await fetch(`${urls.DE}/admin/edelivery/pmodes`, { headers: ADMIN })).json()) as {
      pmodes: Record<string, unknown>[];
    };
    const put = await fetch(`${urls.DE}/admin/edelivery/pmodes`, {
      method: 'PUT',
      headers: ADMIN,
      body: JSON.stringify({
        pmodes: pm.pmodes.map((p) => ({ ...p, receptionAwareness: { retries: 50, retryIntervalMs: 500, backoff: 1 } })),
      }),
    });
    expect(put.status, await put.clone().text()).toBe(200);

    const ids = Array.from({ length: N }, (_, i) => `crash-${i}-${Number(new URL(urls.DE).port)}@de.kakehashi`);
    const started = performance.now();
    const content = (i: number) => Buffer.from(`payload ${i} `.repeat(50 + i)).toString('base64');
    let resubmissions = 0;
    const submitAll = async () => {
      for (let i = 0; i < N; i++) {
        const body = JSON.stringify({
          messageId: ids[i],
          service: 'urn:kakehashi:service:notification',
          action: 'Notify',
          originalSender: 'urn:kakehashi:participant:de:bzst',
          finalRecipient: RECIPIENT,
          payloads: [{ mimeType: 'text/plain', content: content(i) }],
        });
        for (;;) {
          if (performance.now() - started > 300_000) throw new Error('submission did not finish in time');
          try {
            const res = await fetch(`${urls.DE}/edelivery/messages`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body,
              signal: AbortSignal.timeout(30_000),
            });
            if (res.status === 202 || res.status === 200) break;
            if (res.status >= 500) throw new Error('transient'); // the restarted node has not loaded its trust yet
            throw new Error(`submit answered ${res.status}: ${await res.text()}`);
          } catch (e) {
            if (e instanceof Error && e.message.startsWith('submit answered')) throw e;
            resubmissions++;
            await new Promise((r) => setTimeout(r, 150));
          }
        }
        await new Promise((r) => setTimeout(r, 900)); // spread over the kill period
      }
    };
    const kills = { DE: 0, JP: 0 };
    const killLoop = async () => {
      for (let k = 0; k < KILLS_PER_SIDE * 2; k++) {
        await new Promise((r) => setTimeout(r, 250 + Math.random() * 600));
        const cc = k % 2 === 0 ? 'JP' : 'DE';
        const victim = running[cc] as Started;
        running[cc] = undefined;
        await victim.stop('SIGKILL');
        procs.delete(victim);
        kills[cc]++;
        await start(cc);
      }
    };
    await Promise.all([submitAll(), killLoop()]);

    // Wait (bounded) until the sender has a verified receipt for every message.
    let out: { messageId: string; status: string; attempts: number }[] = [];
    while (performance.now() - started < 420_000) {
      out = (
        (await (await fetch(`${urls.DE}/edelivery/messages?direction=out&limit=1000`)).json()) as {
          messages: typeof out;
        }
      ).messages;
      if (out.length === N && out.every((m) => m.status === 'ACKNOWLEDGED')) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(kills).toEqual({ DE: KILLS_PER_SIDE, JP: KILLS_PER_SIDE });
    expect(out.map((m) => m.messageId).sort()).toEqual([...ids].sort()); // nothing lost, no MessageId minted twice
    expect(out.filter((m) => m.status !== 'ACKNOWLEDGED')).toEqual([]);

    const received = (
      (await (await fetch(`${urls.JP}/edelivery/messages?direction=in&limit=1000`)).json()) as {
        messages: { messageId: string; duplicatesEliminated: number; payloads: { cid: string }[] }[];
      }
    ).messages;
    const counts = new Map<string, number>();
    for (const m of received) counts.set(m.messageId, (counts.get(m.messageId) ?? 0) + 1);
    expect(received).toHaveLength(N);
    for (const id of ids) expect(counts.get(id), id).toBe(1);
    for (const [i, id] of ids.entries()) {
      const m = received.find((x) => x.messageId === id);
      const cid = m?.payloads[0]?.cid as string;
      const dl = await fetch(
        `${urls.JP}/edelivery/messages/${encodeURIComponent(id)}/payloads/${encodeURIComponent(cid)}`,
      );
      expect(Buffer.from(await dl.arrayBuffer()).toString('base64')).toBe(content(i));
    }
    const duplicates = received.reduce((s, m) => s + m.duplicatesEliminated, 0);
    const attempts = out.reduce((s, m) => s + m.attempts, 0);
    console.log(
      `[edelivery crash] ${N} messages, kills DE=${kills.DE} JP=${kills.JP}, send attempts=${attempts}, duplicates eliminated at JP=${duplicates}, backend resubmissions=${resubmissions}, ${Math.round(performance.now() - t0)} ms`,
    );
    for (const p of [...procs]) await p.stop('SIGTERM');
  }, 600_000);
});
