import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { portToRestart, type Started, startCli } from '../support/processes.ts';

const ADMIN = { authorization: 'Bearer kakehashi-admin-test-only' };
const form = (o: Record<string, string>) => ({
  method: 'POST',
  redirect: 'manual' as const,
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(o).toString(),
});
const text = async (url: string) => (await fetch(url, { redirect: 'manual' })).text();

/**
 * The wallet page's wallets live in the node's store (issue 17): a PID received at Germany's wallet page is still
 * there after Germany's node restarts on the same data directory (another process), and is presented to the
 * verifier — the same device key — and accepted; `POST /admin/reset` forgets it.
 */
describe("the wallet page's wallet across a restart of the node", () => {
  const procs = new Set<Started>();
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all([...procs].map((p) => p.stop('SIGKILL')));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('receives, restarts over the same data directory, presents the credential and is valid; reset clears it', async () => {
    const dir = (name: string) => {
      const d = mkdtempSync(join(tmpdir(), `kk-wallet-restart-${name}-`));
      dirs.push(d);
      return d;
    };
    const countries = ['DE'];
    const env = { KAKEHASHI_SEED: 'kakehashi-test', KAKEHASHI_COUNTRIES: countries.join(',') };
    const hub = startCli(['start', '--only', 'hub', '--json', '--port', '0', '--data-dir', dir('hub')], env);
    procs.add(hub);
    const hubUrl = (await hub.waitFor((e) => e.event === 'ready' && e.component === 'hub')).url as string;
    const data = dir('de');
    const startDe = async (port: string) => {
      const p = startCli(
        ['start', '--only', 'node:DE', '--hub', hubUrl, '--json', '--port', port, '--data-dir', data],
        env,
      );
      procs.add(p);
      await p.waitFor((e) => e.event === 'federation-ready');
      return { p, url: (await p.waitFor((e) => e.event === 'ready' && e.country === 'DE')).url as string };
    };
    const first = await startDe('0');
    const de = first.url;
    const home = `${de}/wallet/holder/de-001`;
    expect(await text(home)).toContain('wallet-credentials-empty');
    const received = await fetch(`${home}/receive`, form({ country: 'DE', format: 'dc+sd-jwt' }));
    expect(received.status, await received.text()).toBe(303);
    expect(await text(home)).toMatch(/data-testid="wallet-credential-0"><span class="mono">dc\+sd-jwt<\/span>/);

    await first.p.stop('SIGTERM');
    procs.delete(first.p);
    const second = await startDe(portToRestart(de, 'DE', countries));
    expect(second.url).toBe(de);

    // The credential is still in the wallet, and the wallet can still prove its key: the verifier accepts it.
    expect(await text(home)).toMatch(/data-testid="wallet-credential-0"><span class="mono">dc\+sd-jwt<\/span>/);
    const made = await fetch(`${de}/wallet/verifier/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        signed: true,
        response_mode: 'direct_post.jwt',
        dcql_query: {
          credentials: [
            {
              id: 'pid',
              format: 'dc+sd-jwt',
              meta: { vct_values: ['urn:eudi:pid:1'] },
              claims: [{ path: ['family_name'] }, { path: ['birthdate'] }],
            },
          ],
        },
      }),
    });
    expect(made.status).toBe(200);
    const { transaction_id, request_url } = (await made.json()) as { transaction_id: string; request_url: string };
    const consent = await text(`${home}/authorize?request=${encodeURIComponent(request_url)}`);
    const token = /name="consent" value="([^"]+)"/.exec(consent)?.[1];
    expect(token, consent.slice(0, 2000)).toBeTruthy();
    const shared = await fetch(`${home}/authorize`, form({ consent: token as string, decision: 'share' }));
    expect(await shared.text()).toMatch(/class="ok" data-testid="wallet-outcome" data-decision="share"/);
    const tx = (await (await fetch(`${de}/wallet/verifier/transactions/${transaction_id}`)).json()) as {
      status: string;
      verdict: { valid: boolean; credential: { claims: Record<string, unknown> } };
    };
    expect(tx.status).toBe('answered');
    expect(tx.verdict.valid).toBe(true);
    expect(Object.keys(tx.verdict.credential.claims).sort()).toEqual(['birthdate', 'family_name']);

    // POST /admin/reset forgets the wallet page's wallets with the rest of the node's state.
    const reset = await fetch(`${de}/admin/reset`, { method: 'POST', headers: ADMIN });
    expect(reset.status).toBe(200);
    expect(await text(home)).toContain('wallet-credentials-empty');
  }, 400_000);
});
