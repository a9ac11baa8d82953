import { runScenarioReversibly, SCENARIOS } from '@kakehashi/federation';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * Issue 16, reversible: a scenario run as the console and the CLI run it (`runScenarioReversibly`) leaves the
 * federation as it found it, so the same scenario gives the same outcome run after run; `POST /admin/reset` at
 * the hub resets the whole federation coherently, says what it did, and a cross-border login works after it.
 */
// biome-ignore lint/suspicious/noExplicitAny: free-form JSON read member by member
type Json = any;

const DEMO = { id: 'kakehashi-demo-rp', secret: 'kakehashi-demo-secret' };
const REDIRECT = 'http://127.0.0.1:53124/callback';

describe('classroom: reversible scenarios and a coherent federation reset', () => {
  let f: TestFederation;
  const call = async (method: string, url: string, body?: unknown) =>
    json<Json>(
      f.fetch(url, {
        method,
        headers: { ...ADMIN, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
  const enabled = async (origin: string) =>
    ((await call('GET', `${origin}/admin/faults`)).body.faults as { name: string; enabled: boolean }[])
      .filter((x) => x.enabled)
      .map((x) => x.name);

  /** A citizen of `a` logs in at the demo relying party of `b` (openid-client), through the hub. */
  const crossBorderLogin = async (a: string, b: string) => {
    const config = await client.discovery(
      new URL(f.urls.nodes[b] as string),
      DEMO.id,
      undefined,
      client.ClientSecretBasic(DEMO.secret),
      {
        execute: [client.allowInsecureRequests],
        [client.customFetch]: (url, options) => f.fetch(url, options as RequestInit),
      },
    );
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    let url = client
      .buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: 'st',
        nonce,
        kakehashi_country: a,
        kakehashi_persona: `${a.toLowerCase()}-001`,
      })
      .toString();
    for (let i = 0; i < 10 && !url.startsWith(REDIRECT); i++) {
      const res = await f.fetch(url, { redirect: 'manual' });
      const next = res.headers.get('location');
      if (res.status !== 302 || !next) throw new Error(`login stopped at ${url}: ${res.status} ${await res.text()}`);
      url = next;
    }
    const tokens = await client.authorizationCodeGrant(config, new URL(url), {
      pkceCodeVerifier: verifier,
      expectedState: 'st',
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    return tokens.claims() as client.IDToken;
  };

  beforeAll(async () => {
    f = await startTestFederation({ countries: ['AT', 'DE', 'JP'] });
  }, 180_000);
  afterAll(() => f?.dispose());

  it('at-contract-in-japan ten times in a row: the same outcome each time, and each run undone', async () => {
    const before = (await call('GET', `${f.urls.hub}/admin/clock`)).body;
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await runScenarioReversibly(SCENARIOS, f, 'at-contract-in-japan');
      const failed = r.steps.filter((s) => !s.ok).map((s) => `${s.title}: ${s.detail}`);
      expect(failed, `run ${i + 1}:\n${failed.join('\n')}`).toEqual([]);
      expect(r.undo, JSON.stringify(r.undo)).toMatchObject({ restored: true, problems: [] });
      expect(r.undo.actions.some((a) => /^revocation of serial [0-9a-f]+ taken back$/.test(a))).toBe(true);
      expect(r.undo.actions.some((a) => a.startsWith('clock set back to'))).toBe(true);
      // The outcome: the signer chosen and every verdict, the same run after run.
      const agency = r.steps[0]?.detail.split(':')[0];
      const verdicts = r.steps.map((s) =>
        s.detail.match(/(TOTAL-PASSED|TOTAL-FAILED|INDETERMINATE)(\/\w+)?/g)?.join(' '),
      );
      outcomes.push(JSON.stringify({ passed: r.passed, agency, verdicts }));
    }
    expect(new Set(outcomes).size).toBe(1);
    expect(outcomes[0]).toContain('REVOKED_NO_POE');
    // Nothing left behind: no revocation, the clock's offset as it was.
    expect((await call('GET', `${f.urls.hub}/admin/trust/revocations`)).body.revocations).toEqual([]);
    const after = (await call('GET', `${f.urls.hub}/admin/clock`)).body;
    expect(after.frozen).toBe(before.frozen);
    expect(Math.abs(after.offsetMs - before.offsetMs)).toBeLessThan(5_000);
  }, 600_000);

  it('delivery-outage twice: the same outcome, the receiver fault and the clock put back', async () => {
    const reports = [
      await runScenarioReversibly(SCENARIOS, f, 'delivery-outage'),
      await runScenarioReversibly(SCENARIOS, f, 'delivery-outage'),
    ];
    for (const r of reports) {
      expect(r.steps.filter((s) => !s.ok)).toEqual([]);
      expect(r.undo.restored).toBe(true);
    }
    expect(reports.map((r) => r.steps.map((s) => s.ok))).toEqual([
      reports[0]?.steps.map(() => true),
      reports[0]?.steps.map(() => true),
    ]);
    expect(await enabled(f.urls.nodes.AT as string)).toEqual([]);
  }, 300_000);

  it('a run that fails midway is still undone: a fault switched on by a step is switched off again', async () => {
    const registry = {
      'leave-a-mess': {
        description: 'switches a fault on, moves the clock, revokes, then fails',
        steps: [
          {
            title: 'mess',
            run: async (t: typeof f, st: Record<string, string>) => {
              await call('PUT', `${t.urls.nodes.DE}/admin/faults`, { enable: ['edelivery.receipt-unsigned'] });
              await call('POST', `${t.urls.hub}/admin/clock`, { action: 'advance', by: '3d' });
              st.serial = (
                await call('POST', `${t.urls.hub}/admin/trust/revoke`, { name: 'AT-signing' })
              ).body.serialHex;
              throw new Error('the step fails after changing things');
            },
          },
        ],
      },
    };
    const r = await runScenarioReversibly(registry, f, 'leave-a-mess');
    expect(r.passed).toBe(false);
    expect(r.undo.restored).toBe(true);
    expect(r.undo.actions.join('\n')).toMatch(/DE: switched off edelivery\.receipt-unsigned/);
    expect(await enabled(f.urls.nodes.DE as string)).toEqual([]);
    expect((await call('GET', `${f.urls.hub}/admin/trust/revocations`)).body.revocations).toEqual([]);
    // The nodes reloaded the CRLs: AT's signing certificate validates again at DE.
    const certs = (await call('GET', `${f.urls.hub}/trust`)).body.certificates as Json[];
    expect(certs.find((c) => c.name === 'AT-signing')?.revoked).toBe(false);
  }, 120_000);

  it("the undo's admin requests are one trace of their own (undo.traceId), not one trace per request", async () => {
    const list = async () =>
      (await call('GET', `${f.urls.hub}/traces?limit=500`)).body.traces as { traceId: string; firstRequest: string }[];
    const registry = {
      'one-fault': {
        description: 'switches a fault on through the traced fetch',
        steps: [
          {
            title: 'fault on',
            run: async (t: typeof f) => {
              const res = await t.fetch(`${t.urls.nodes.DE}/admin/faults`, {
                method: 'PUT',
                headers: { ...ADMIN, 'content-type': 'application/json' },
                body: JSON.stringify({ enable: ['edelivery.receipt-unsigned'] }),
              });
              return `HTTP ${res.status}`;
            },
          },
        ],
      },
    };
    const before = new Set((await list()).map((x) => x.traceId));
    const r = await runScenarioReversibly(registry, f, 'one-fault');
    expect(r.undo.restored).toBe(true);
    expect(r.undo.traceId).toMatch(/^[0-9a-f]{32}$/);
    const added = (await list()).filter((x) => !before.has(x.traceId));
    // No admin request of the run or of its undo started a trace of its own.
    const ours = new Set([...r.traceIds, r.undo.traceId]);
    expect(added.filter((x) => /\/admin\//.test(x.firstRequest) && !ours.has(x.traceId))).toEqual([]);
    const undo = (await call('GET', `${f.urls.hub}/traces/${r.undo.traceId}`)).body.events as Json[];
    const requests = JSON.stringify(undo);
    // The reads before, the put back at DE, and the read after.
    expect(requests).toContain('/admin/clock');
    expect(requests).toContain('/admin/faults');
    expect(undo.length).toBeGreaterThan(3);
    expect(await enabled(f.urls.nodes.DE as string)).toEqual([]);
  }, 120_000);

  it('POST /admin/reset at the hub resets the federation coherently, says what it did, and logins work after it', async () => {
    await call('POST', `${f.urls.hub}/admin/trust/revoke`, { name: 'AT-signing', reason: 'keyCompromise' });
    await call('POST', `${f.urls.hub}/admin/clock`, { action: 'advance', by: '2d' });
    expect((await call('PUT', `${f.urls.hub}/admin/faults`, { enable: ['hub.discovery-stale'] })).status).toBe(200);
    await call('PUT', `${f.urls.nodes.DE}/admin/faults`, { enable: ['edelivery.receipt-unsigned'] });
    const { status, body } = await call('POST', `${f.urls.hub}/admin/reset`);
    expect(status).toBe(200);
    expect(body.reset).toBe(true);
    expect(body.registry.kept.sort()).toEqual(['AT', 'DE', 'JP']);
    expect(body.revocationsUndone).toEqual([expect.objectContaining({ name: 'AT-signing' })]);
    expect(Math.abs(Date.parse(body.clock.now) - Date.now())).toBeLessThan(60_000);
    expect(body.faults).toEqual([]);
    expect(body.tracesCleared).toBe(true);
    for (const n of body.nodes as Json[])
      expect(n, n.country).toMatchObject({ reset: { ok: true }, clock: { ok: true }, trustRefreshed: { ok: true } });
    expect(await enabled(f.urls.nodes.DE as string)).toEqual([]);
    expect((await call('GET', `${f.urls.hub}/admin/trust/revocations`)).body.revocations).toEqual([]);
    // The registry is intact and the health says so; every node still says it is registered.
    const health = (await call('GET', `${f.urls.hub}/federation/health`)).body;
    expect(health.status).toBe('ok');
    expect(health.nodes.map((n: Json) => n.country).sort()).toEqual(['AT', 'DE', 'JP']);
    for (const cc of ['AT', 'DE', 'JP'])
      expect((await call('GET', `${f.urls.nodes[cc]}/health`)).body.registered, cc).toBe(true);
    // …and a cross-border login works: a German citizen at Austria's relying party, through the hub.
    const claims = await crossBorderLogin('DE', 'AT');
    expect(claims.iss).toBe(f.urls.nodes.AT);
    expect(String(claims.eidas_person_identifier)).toMatch(/^DE\/AT\//);
    // A second reset is as coherent as the first (nothing left to undo).
    const again = (await call('POST', `${f.urls.hub}/admin/reset`)).body;
    expect(again.revocationsUndone).toEqual([]);
    expect((await crossBorderLogin('AT', 'DE')).iss).toBe(f.urls.nodes.DE);
  }, 180_000);
});
