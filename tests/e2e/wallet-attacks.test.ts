import {
  ADDED_CLAIM,
  fetchAskingPidFault,
  forgeAnswer,
  HOLDER_FAULTS,
  type HolderFault,
  HolderWallet,
  MDOC_HOLDER_FAULTS,
  PID_FAULT_OF,
  type PresentationVerdict,
} from '@kakehashi/wallet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * The wallet attacks of issue 17, each through the whole OpenID4VP flow at the German verifier (a fresh request,
 * the forged answer posted to its response URI, the relying party's verdict): the forging holder's `wallet.vp-*`
 * faults, an Estonian PID. The attack catalogue's W ids are the verifier's rules (W1…W16).
 *
 * The other attacks of the issue and where they are tested: a request object not signed by a registered relying
 * party — tests/e2e/wallet-requests.test.ts (a look-alike verifier's certificate, a changed request object, another
 * certificate than the client_id names); a presentation posted twice to one request (W16) — wallet-sd-jwt.test.ts;
 * each W rule alone — packages/wallet/test/verify-presentation.test.ts.
 */
interface Req {
  transaction_id: string;
  request_url: string;
  authorization_request: { client_id: string; nonce: string; state: string; response_uri: string };
}

const EXPECTED: Record<HolderFault, [rule: string, code: string]> = {
  'wallet.vp-replayed': ['W10', 'vp-nonce-invalid'],
  'wallet.vp-wrong-nonce': ['W10', 'vp-nonce-invalid'],
  'wallet.vp-wrong-audience': ['W11', 'vp-audience-invalid'],
  'wallet.vp-stale-key-binding': ['W12', 'vp-key-binding-stale'],
  'wallet.vp-no-key-binding': ['W8', 'vp-key-binding-missing'],
  'wallet.vp-foreign-key-binding': ['W9', 'vp-key-binding-invalid'],
  'wallet.vp-tampered-disclosure': ['W7', 'vp-disclosure-invalid'],
  'wallet.vp-added-disclosure': ['W7', 'vp-disclosure-invalid'],
  'wallet.vp-expired': ['W5', 'vp-credential-expired'],
  'wallet.vp-untrusted-issuer': ['W2', 'vp-issuer-untrusted'],
  'wallet.vp-revoked': ['W15', 'vp-credential-revoked'],
  'wallet.vp-wrong-response-uri': ['W10', 'vp-nonce-invalid'],
};

const unb64 = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));

describe('EUDI wallet: every attack of the forging holder (wallet.vp-*) refused by the German verifier', () => {
  let f: TestFederation;
  let ee: string;
  let de: string;
  let wallet: HolderWallet;

  const request = async (node: string, body: Record<string, unknown> = {}) => {
    const r = await json<Req>(
      f.fetch(`${node}/wallet/verifier/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    );
    expect(r.status).toBe(200);
    return r.body;
  };
  const verdictOf = async (node: string, id: string) =>
    (await json<{ verdict?: PresentationVerdict }>(f.fetch(`${node}/wallet/verifier/transactions/${id}`))).body.verdict;
  const failed = (v: PresentationVerdict | undefined) => ({
    valid: v?.valid,
    rule: v?.failure?.rule,
    code: v?.failure?.code,
  });
  /** A wallet holding ee-002's PID, issued with `pidFault` asked for by the credential request (or honest). */
  const walletWith = async (pidFault?: string) => {
    const w = new HolderWallet({
      fetch: pidFault ? fetchAskingPidFault(f.fetch, pidFault) : f.fetch,
      clock: f.clock,
    });
    const offer = await json<{ credential_offer_url: string }>(
      f.fetch(`${ee}/wallet/issuer/offers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ personaId: 'ee-002' }),
      }),
    );
    await w.receive(offer.body.credential_offer_url);
    return w;
  };

  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'EE'] });
    ee = f.urls.nodes.EE as string;
    de = f.urls.nodes.DE as string;
    wallet = await walletWith();
  }, 240_000);
  afterAll(() => f?.dispose());

  it('the nodes offer every holder fault per request, all off, each naming the rule a strict verifier fails', async () => {
    const listed = (
      await json<{ faults: { name: string; perRequest?: boolean; enabled: boolean; rule?: string }[] }>(
        f.fetch(`${de}/admin/faults`, { headers: ADMIN }),
      )
    ).body.faults.filter((x) => x.name.startsWith('wallet.vp-'));
    // the SD-JWT VC forgeries, and their mdoc counterparts (wallet.vp-mdoc-*, the attack runner's: attack-verifier.test.ts)
    expect(listed.map((x) => x.name).sort()).toEqual(
      [...HOLDER_FAULTS, ...MDOC_HOLDER_FAULTS].map((x) => x.name).sort(),
    );
    for (const x of listed) {
      expect(x).toMatchObject({ perRequest: true, enabled: false });
      if (!x.name.startsWith('wallet.vp-mdoc-')) expect(x.rule?.split(' ')[0]).toBe(EXPECTED[x.name as HolderFault][0]);
    }
  });

  it('the genuine answer is accepted (the baseline of every attack)', async () => {
    const req = await request(de);
    const a = await forgeAnswer(wallet, req.request_url, null);
    expect((await wallet.respond(a.request, a.vpToken)).status).toBe(200);
    expect(failed(await verdictOf(de, req.transaction_id))).toEqual({ valid: true, rule: undefined, code: undefined });
  });

  for (const fault of HOLDER_FAULTS.map((x) => x.name)) {
    const [rule, code] = EXPECTED[fault];
    it(`${fault}: refused with ${rule} ${code}`, async () => {
      const pidFault = PID_FAULT_OF[fault];
      const w = pidFault ? await walletWith(pidFault) : wallet;
      const extras: Parameters<typeof forgeAnswer>[3] = {};
      if (fault === 'wallet.vp-replayed') {
        // the same vp_token the verifier accepted for its previous request, posted to a NEW request
        const first = await request(de);
        const genuine = await forgeAnswer(w, first.request_url, null);
        expect((await w.respond(genuine.request, genuine.vpToken)).status).toBe(200);
        expect((await verdictOf(de, first.transaction_id))?.valid).toBe(true);
        extras.previousVpToken = genuine.vpToken;
      }
      // the presentation is for Estonia's verifier (its request), posted to Germany's response URI
      if (fault === 'wallet.vp-wrong-response-uri') extras.otherRequest = (await request(ee)).request_url;
      const req = await request(de);
      const a = await forgeAnswer(w, req.request_url, fault, extras);
      expect((await w.respond(a.request, a.vpToken)).status).toBe(200);
      expect(failed(await verdictOf(de, req.transaction_id)), a.note).toEqual({ valid: false, rule, code });
    });
  }

  it('an added disclosure is of a claim the issuer never made, and the validation service refuses it too (W7)', async () => {
    const req = await request(de);
    const a = await forgeAnswer(wallet, req.request_url, 'wallet.vp-added-disclosure');
    const issued = wallet.credentials[0]?.credential.split('~').slice(1).filter(Boolean).map(unb64) ?? [];
    expect(issued.length).toBeGreaterThan(5);
    expect(issued.some((d: unknown[]) => d[1] === ADDED_CLAIM[0])).toBe(false);
    const presented = a.presentation.split('~').slice(1, -1).map(unb64);
    expect(presented.at(-1)?.slice(1)).toEqual([...ADDED_CLAIM]);
    const v = await json<PresentationVerdict>(
      f.fetch(`${de}/wallet/validate/presentation`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          presentation: a.presentation,
          expected: { nonce: req.authorization_request.nonce, client_id: req.authorization_request.client_id },
        }),
      }),
    );
    expect(failed(v.body)).toEqual({ valid: false, rule: 'W7', code: 'vp-disclosure-invalid' });
    expect(v.body.checks.find((c) => c.rule === 'W7')?.reason).toMatch(/digest|referenced/i);
  });

  it('a response for another verifier posted to an encrypted (direct_post.jwt), signed request is refused as well', async () => {
    const req = await request(de, { signed: true, response_mode: 'direct_post.jwt' });
    const a = await forgeAnswer(wallet, req.request_url, 'wallet.vp-wrong-response-uri', {
      otherRequest: (await request(ee, { signed: true })).request_url,
    });
    expect((await wallet.respond(a.request, a.vpToken)).status).toBe(200);
    const v = await verdictOf(de, req.transaction_id);
    expect(failed(v)).toEqual({ valid: false, rule: 'W10', code: 'vp-nonce-invalid' });
  });

  it('a weak verifier that skips the nonce (lenient.wallet.kb-nonce) takes the replayed presentation, and says so', async () => {
    const put = (body: unknown) =>
      f.fetch(`${de}/admin/faults`, {
        method: 'PUT',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await put({ enable: ['lenient.wallet.kb-nonce'] })).status).toBe(200);
    try {
      const first = await request(de);
      const genuine = await forgeAnswer(wallet, first.request_url, null);
      await wallet.respond(genuine.request, genuine.vpToken);
      const req = await request(de);
      const a = await forgeAnswer(wallet, req.request_url, 'wallet.vp-replayed', { previousVpToken: genuine.vpToken });
      await wallet.respond(a.request, a.vpToken);
      const v = await verdictOf(de, req.transaction_id);
      expect(v?.valid).toBe(true);
      expect(v?.checks.find((c) => c.rule === 'W10')).toMatchObject({ outcome: 'skipped' });
    } finally {
      await put({ disable: ['lenient.wallet.kb-nonce'] });
    }
  });
});
