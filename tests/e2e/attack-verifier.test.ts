import { type AttackReport, attackCases, runAttack } from '@kakehashi/federation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * `kakehashi attack run --target verifier`, in process, against Germany's OpenID4VP verifier as the user's: the
 * runner's wallet holds a PID from Estonia's provider and answers a fresh request per case with one forged
 * presentation. Strict, every case is refused; in the weak node mode (`lenient.wallet.*`) exactly the cases those
 * checks protect against are accepted. Also a relying party's login page that links a signed, encrypted request,
 * and a fixed request URI (not fresh: reported, not judged).
 */
const RP = 'http://rp.invalid';

describe('attack runner: verifier (OpenID4VP)', () => {
  let f: TestFederation;
  let de: string;
  let ee: string;
  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'EE'] });
    de = f.urls.nodes.DE as string;
    ee = f.urls.nodes.EE as string;
  }, 240_000);
  afterAll(() => f?.dispose());

  const explain = (r: AttackReport) =>
    [...r.baselines, ...r.cases].map((c) => `${c.status} ${c.id}: ${c.detail} | ${c.sent.summary}`).join('\n');
  const walletCases = () =>
    attackCases()
      .filter((c) => c.kinds.includes('verifier'))
      .map((c) => c.id);
  const run = (extra: Partial<Parameters<typeof runAttack>[0]> = {}) =>
    runAttack({
      kind: 'verifier',
      url: `${de}/wallet/verifier/requests`,
      verifier: { requestEndpoint: true },
      node: ee,
      fetch: f.fetch,
      ...extra,
    });
  const switchAtDe = async (change: { enable?: string[]; disable?: string[] }) => {
    const r = await f.fetch(`${de}/admin/faults`, {
      method: 'PUT',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify(change),
    });
    expect(r.status).toBe(200);
  };

  it('the cases are the forging holder’s wallet.vp-* faults, for the verifier kind only', () => {
    const ids = walletCases();
    // 12 SD-JWT VC forgeries and their 6 mdoc counterparts (wallet.vp-mdoc-*)
    expect(ids).toHaveLength(18);
    expect(ids.filter((id) => id.startsWith('wallet.vp-mdoc-'))).toHaveLength(6);
    expect(ids.every((id) => id.startsWith('wallet.vp-'))).toBe(true);
    for (const c of attackCases().filter((x) => x.artefact === 'wallet')) {
      expect(c.kinds).toEqual(['verifier']);
      expect(c.rule).toMatch(/^W\d+ vp-/);
      expect(c.declared).toBe(true);
    }
  });

  it('a strict verifier refuses every forged presentation; the genuine one is accepted', async () => {
    const r = await run();
    expect(
      r.baselines.map((b) => [b.id, b.status]),
      explain(r),
    ).toEqual([['baseline.wallet', 'passed']]);
    expect(r.cases.map((c) => c.id)).toEqual(walletCases());
    expect(
      r.cases.filter((c) => c.status !== 'passed').map((c) => c.id),
      explain(r),
    ).toEqual([]);
    // each refused by the rule its fault names (the verdict the relying party reads)
    for (const c of r.cases) {
      expect(c.target.outcome).toBe('refused');
      expect(c.detail, c.id).toMatch(new RegExp(`^refused: ${c.rule.split(' ')[0]} `));
      expect(c.detail).not.toContain("the case's rule is");
    }
    expect(r.cases.find((c) => c.id === 'wallet.vp-added-disclosure')?.sent.artefact?.disclosed).toContain(
      'age_over_18',
    );
    // the mdoc cases present DeviceResponses for the mso_mdoc query the runner asked (element names, no values)
    const mdoc = r.cases.find((c) => c.id === 'wallet.vp-mdoc-tampered-item');
    expect(mdoc?.sent.summary).toMatch(
      /IssuerSignedItem ".+" changed after issuance: mdoc DeviceResponse \(docType eu\.europa\.ec\.eudi\.pid\.1\)/,
    );
    expect(mdoc?.sent.artefact?.elements).toEqual(
      expect.arrayContaining(['eu.europa.ec.eudi.pid.1/family_name', 'eu.europa.ec.eudi.pid.1/birth_date']),
    );
    expect(r.verdict).toBe('passed');
  });

  it('a verifier that skips the nonce (lenient.wallet.kb-nonce) is reported vulnerable to replay and a wrong nonce', async () => {
    await switchAtDe({ enable: ['lenient.wallet.kb-nonce'] });
    try {
      const r = await run();
      expect(r.baselines[0]?.status).toBe('passed');
      const accepted = r.cases.filter((c) => c.status === 'failed').map((c) => c.id);
      expect(accepted.sort(), explain(r)).toEqual(['wallet.vp-replayed', 'wallet.vp-wrong-nonce']);
      expect(r.cases.filter((c) => c.status === 'failed').every((c) => c.target.outcome === 'accepted')).toBe(true);
      expect(r.verdict).toBe('failed');
    } finally {
      await switchAtDe({ disable: ['lenient.wallet.kb-nonce'] });
    }
  });

  it('in the weak node mode (lenient.wallet.*), exactly the cases its skipped checks protect against are accepted', async () => {
    await switchAtDe({ enable: ['lenient.wallet.*'] });
    try {
      const r = await run();
      expect(r.baselines[0]?.status).toBe('passed');
      const accepted = r.cases
        .filter((c) => c.status === 'failed')
        .map((c) => c.id)
        .sort();
      // Still refused: no or a foreign key binding (W8, W9: no lenient twin), an expired PID (W5), and a tampered
      // disclosure (ignored as unreferenced, the asked-for claim is then missing: W14).
      expect(accepted, explain(r)).toEqual(
        [
          'wallet.vp-added-disclosure',
          'wallet.vp-mdoc-revoked',
          'wallet.vp-mdoc-untrusted-issuer',
          'wallet.vp-replayed',
          'wallet.vp-revoked',
          'wallet.vp-stale-key-binding',
          'wallet.vp-untrusted-issuer',
          'wallet.vp-wrong-audience',
          'wallet.vp-wrong-nonce',
          'wallet.vp-wrong-response-uri',
        ].sort(),
      );
      expect(r.cases.find((c) => c.id === 'wallet.vp-tampered-disclosure')?.detail).toMatch(/^refused: W14 /);
      // the mdoc ones alike: a tampered item is dropped (its element then missing: W14); the device signature (W9)
      // and the validity (W5) have no lenient twin
      expect(r.cases.find((c) => c.id === 'wallet.vp-mdoc-tampered-item')?.detail).toMatch(/^refused: W14 /);
      for (const id of ['wallet.vp-mdoc-foreign-device-key', 'wallet.vp-mdoc-wrong-nonce'])
        expect(r.cases.find((c) => c.id === id)?.detail).toMatch(/^refused: W9 /);
    } finally {
      await switchAtDe({ disable: ['lenient.wallet.*'] });
    }
  });

  it("a relying party's login page linking a signed, encrypted request; the verdict read at --verdict-url", async () => {
    // The relying party: each GET /login makes a request at DE (signed, direct_post.jwt) and shows its link.
    const byState = new Map<string, string>();
    const rpFetch: typeof fetch = async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.origin !== RP) return f.fetch(input, init);
      if (url.pathname === '/login') {
        const res = await f.fetch(`${de}/wallet/verifier/requests`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ signed: true, response_mode: 'direct_post.jwt' }),
        });
        const req = (await res.json()) as { transaction_id: string; request_url: string };
        const object = await (await f.fetch(new URL(req.request_url).searchParams.get('request_uri') as string)).text();
        const state = JSON.parse(Buffer.from(object.split('.')[1] as string, 'base64url').toString()).state as string;
        byState.set(state, req.transaction_id);
        const href = req.request_url.replaceAll('&', '&amp;');
        return new Response(
          `<html><body><h1>Log in with your wallet</h1><a href="${href}">Open wallet</a></body></html>`,
          {
            headers: { 'content-type': 'text/html' },
          },
        );
      }
      const id = byState.get(url.searchParams.get('state') ?? '');
      return id ? f.fetch(`${de}/wallet/verifier/transactions/${id}`) : new Response('no such login', { status: 404 });
    };
    const r = await runAttack({
      kind: 'verifier',
      url: `${RP}/login`,
      verifier: { verdictUrl: `${RP}/result?state={state}` },
      node: ee,
      only: ['W10', 'wallet.vp-added-disclosure', 'wallet.vp-no-key-binding', 'wallet.vp-mdoc-expired'],
      fetch: rpFetch,
    });
    expect(
      r.baselines.map((b) => b.status),
      explain(r),
    ).toEqual(['passed']);
    expect(
      r.cases.map((c) => [c.id, c.status]),
      explain(r),
    ).toEqual([
      ['wallet.vp-replayed', 'passed'],
      ['wallet.vp-wrong-nonce', 'passed'],
      ['wallet.vp-no-key-binding', 'passed'],
      ['wallet.vp-added-disclosure', 'passed'],
      ['wallet.vp-wrong-response-uri', 'passed'],
      ['wallet.vp-mdoc-expired', 'unavailable'],
    ]);
    expect(r.cases[0]?.sent.artefact?.responseMode).toBe('direct_post.jwt');
    // The page asks for the SD-JWT VC PID only: an mdoc case cannot run there, and says so (not an error).
    expect(r.cases.at(-1)?.detail).toMatch(/asks for dc\+sd-jwt only, no mso_mdoc: the mdoc cases cannot run/);
  });

  it('the mdoc forgeries against signed requests answered encrypted (the key thumbprint in the SessionTranscript)', async () => {
    const r = await run({
      verifier: {
        requestEndpoint: true,
        requestBody: JSON.stringify({ signed: true, response_mode: 'direct_post.jwt' }),
      },
      only: walletCases().filter((id) => id.startsWith('wallet.vp-mdoc-')),
    });
    expect(r.baselines[0]?.status, explain(r)).toBe('passed');
    expect(
      r.cases.map((c) => [c.id, c.status, c.detail.split(' — ')[0]]),
      explain(r),
    ).toEqual([
      ['wallet.vp-mdoc-tampered-item', 'passed', 'refused: W7 vp-disclosure-invalid'],
      ['wallet.vp-mdoc-foreign-device-key', 'passed', 'refused: W9 vp-key-binding-invalid'],
      ['wallet.vp-mdoc-wrong-nonce', 'passed', 'refused: W9 vp-key-binding-invalid'],
      ['wallet.vp-mdoc-expired', 'passed', 'refused: W5 vp-credential-expired'],
      ['wallet.vp-mdoc-untrusted-issuer', 'passed', 'refused: W2 vp-issuer-untrusted'],
      ['wallet.vp-mdoc-revoked', 'passed', 'refused: W15 vp-credential-revoked'],
    ]);
    expect(r.cases[0]?.sent.artefact?.responseMode).toBe('direct_post.jwt');
  });

  it('one fixed request URI is not fresh: the cases after the baseline are errors that say so', async () => {
    const res = await f.fetch(`${de}/wallet/verifier/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const { request_url } = (await res.json()) as { request_url: string };
    const r = await runAttack({ kind: 'verifier', url: request_url, node: ee, only: ['W8'], fetch: f.fetch });
    expect(r.cases.map((c) => c.status)).toEqual(['error']);
    expect(r.cases[0]?.detail).toContain('same request (state and nonce) twice');
  });
});
