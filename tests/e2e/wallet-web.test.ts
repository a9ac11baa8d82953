import { HolderWallet, type PresentationVerdict } from '@kakehashi/wallet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * The flows a person sees (issue 17): same-device (redirect_uri with a response_code the relying party must show
 * to read the verdict) and the wallet's refusal (access_denied) at the verifier's API; the relying party's page (QR
 * and request URI, then the verdict) and the wallet page (receive, consent, share, decline) driven over HTTP.
 */
const form = (o: Record<string, string>) => ({
  method: 'POST',
  redirect: 'manual' as const,
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(o).toString(),
});

describe('EUDI wallet: same-device, refusal, the relying party page and the wallet page (EE PID, DE verifier)', () => {
  let f: TestFederation;
  let ee: string;
  let de: string;
  let wallet: HolderWallet;
  const clock = { now: () => f.clock.now() };
  const page = async (url: string) => {
    const res = await f.fetch(url, { redirect: 'manual' });
    return { status: res.status, html: await res.text(), location: res.headers.get('location') };
  };
  const request = (body: Record<string, unknown>) =>
    json<{
      transaction_id: string;
      request_url: string;
      authorization_request: { state: string; response_uri: string };
    }>(
      f.fetch(`${de}/wallet/verifier/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    );

  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'EE'] });
    ee = f.urls.nodes.EE as string;
    de = f.urls.nodes.DE as string;
    wallet = new HolderWallet({ fetch: f.fetch, clock });
    const offer = await json<{ credential_offer_url: string }>(
      f.fetch(`${ee}/wallet/issuer/offers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ personaId: 'ee-002' }),
      }),
    );
    await wallet.receive(offer.body.credential_offer_url);
  }, 240_000);
  afterAll(() => f?.dispose());

  it('same-device: the response URI answers the redirect_uri with a fresh response_code; the verdict is read only with it', async () => {
    const rp = 'https://rp.example/done?session=1';
    const r = await request({ signed: true, response_mode: 'direct_post.jwt', redirect_uri: rp });
    expect(r.body.request_url).toMatch(/^openid4vp:\/\/\?client_id=x509_hash%3A.+&request_uri=https?%3A/);
    const answer = await wallet.present(r.body.request_url);
    expect(answer.status).toBe(200);
    const redirect = new URL((answer.body as { redirect_uri: string }).redirect_uri);
    expect(`${redirect.origin}${redirect.pathname}`).toBe('https://rp.example/done');
    expect(redirect.searchParams.get('session')).toBe('1');
    const code = redirect.searchParams.get('response_code') as string;
    expect(code.length).toBeGreaterThanOrEqual(32);
    const tx = `${de}/wallet/verifier/transactions/${r.body.transaction_id}`;
    const without = await json<{ code: string }>(f.fetch(tx));
    expect([without.status, without.body.code]).toEqual([403, 'vp-response-code-invalid']);
    const wrong = await json<{ code: string }>(f.fetch(`${tx}?response_code=${'A'.repeat(code.length)}`));
    expect([wrong.status, wrong.body.code]).toEqual([403, 'vp-response-code-invalid']);
    const right = await json<{ status: string; verdict: PresentationVerdict }>(f.fetch(`${tx}?response_code=${code}`));
    expect(right.status).toBe(200);
    expect(right.body.status).toBe('answered');
    expect(right.body.verdict.valid).toBe(true);
  });

  it('cross-device: no redirect, the verdict read by the transaction alone', async () => {
    const r = await request({ signed: true, response_mode: 'direct_post.jwt' });
    const answer = await wallet.present(r.body.request_url);
    expect(answer.body).toEqual({ received: true });
    const t = await json<{ status: string; verdict: PresentationVerdict }>(
      f.fetch(`${de}/wallet/verifier/transactions/${r.body.transaction_id}`),
    );
    expect(t.body.verdict.valid).toBe(true);
  });

  it('the wallet declines: error=access_denied makes the request refused, answered once; an unknown error is a 400', async () => {
    const r = await request({ redirect_uri: 'https://rp.example/back' });
    const uri = r.body.authorization_request.response_uri;
    const bad = await json<{ code: string }>(
      f.fetch(uri, form({ error: 'nope', state: r.body.authorization_request.state })),
    );
    expect([bad.status, bad.body.code]).toEqual([400, 'vp-invalid-response']);
    const no = await json<{ redirect_uri: string }>(
      f.fetch(uri, form({ error: 'access_denied', state: r.body.authorization_request.state })),
    );
    expect(no.status).toBe(200);
    const code = new URL(no.body.redirect_uri).searchParams.get('response_code');
    const t = await json<{ status: string; error: { error: string }; verdict?: unknown }>(
      f.fetch(`${de}/wallet/verifier/transactions/${r.body.transaction_id}?response_code=${code}`),
    );
    expect(t.body).toMatchObject({ status: 'refused', error: { error: 'access_denied' } });
    expect(t.body.verdict).toBeUndefined();
    const again = await wallet.present(r.body.request_url);
    expect([again.status, (again.body as { code: string }).code]).toEqual([422, 'vp-replay']);
  });

  it("the relying party's page shows a QR code (SVG) of the request URI, then the verdict once the wallet page shared", async () => {
    const start = await f.fetch(`${de}/wallet/verifier/rp?lang=en`);
    expect(start.headers.get('content-security-policy')).toContain("default-src 'none'");
    const made = await f.fetch(`${de}/wallet/verifier/rp`, form({ flow: 'cross-device' }));
    expect(made.status).toBe(303);
    const rpPage = `${de}${made.headers.get('location')}`;
    const pending = await page(rpPage);
    expect(pending.html).toMatch(/data-testid="rp-qr"><svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(pending.html).toContain('data-status="pending"');
    const uri = /data-testid="request-uri">([^<]+)</.exec(pending.html)?.[1]?.replaceAll('&amp;', '&') as string;
    expect(uri).toMatch(/^openid4vp:\/\/\?client_id=x509_hash%3A[^&]+&request_uri=/);

    // the Estonian wallet page: receive a PID from EE, open the request, consent
    const home = `${ee}/wallet/holder/ee-001`;
    expect((await page(home)).html).toContain('wallet-credentials-empty');
    const received = await f.fetch(`${home}/receive`, form({ country: 'EE', format: 'dc+sd-jwt' }));
    expect(received.status).toBe(303);
    expect((await page(home)).html).toMatch(
      /data-testid="wallet-credential-0"><span class="mono">dc\+sd-jwt<\/span> urn:eudi:pid:1/,
    );
    const consent = await page(`${home}/authorize?lang=ja&request=${encodeURIComponent(uri)}`);
    expect(consent.status).toBe(200);
    const claims = [...consent.html.matchAll(/data-testid="consent-claim" data-path="([^"]+)">([^<]+)</g)].map(
      (m) => m[2],
    );
    expect(claims).toEqual(['姓', '名', '生年月日', 'eIDAS 個人識別子 (DE)']);
    expect(consent.html).toMatch(/data-testid="consent-country">DE</);
    expect(consent.html).toMatch(/data-testid="consent-subject">[^<]*C=DE/);
    const token = /name="consent" value="([^"]+)"/.exec(consent.html)?.[1] as string;
    const shared = await f.fetch(`${home}/authorize?lang=ja`, form({ consent: token, decision: 'share' }));
    expect(shared.status).toBe(200);
    expect(await shared.text()).toContain('data-decision="share"');
    const replayed = await f.fetch(`${home}/authorize`, form({ consent: token, decision: 'share' }));
    expect(replayed.status).toBe(400);
    const done = await page(rpPage);
    expect(done.html).toContain('data-testid="rp-verdict" data-status="valid"');
    expect(done.html).toMatch(/EE\/DE\//);
  });

  it('same-device through the pages: the wallet follows the redirect to the relying party page, which shows refused after Decline', async () => {
    const home = `${ee}/wallet/holder/ee-003`;
    await f.fetch(`${home}/receive`, form({ country: 'EE' }));
    const made = await f.fetch(`${de}/wallet/verifier/rp`, form({ flow: 'same-device' }));
    const rpPage = `${de}${made.headers.get('location')}`;
    const first = await page(rpPage);
    expect(first.html).not.toContain('<svg');
    const link = /href="(openid4vp:[^"]+)" data-testid="same-device-link"/
      .exec(first.html)?.[1]
      ?.replaceAll('&amp;', '&') as string;
    // the OS hands the custom-scheme link to the wallet: its parameters at the wallet's authorize page
    const consent = await page(`${home}/authorize?${new URL(link).search.slice(1)}`);
    const token = /name="consent" value="([^"]+)"/.exec(consent.html)?.[1] as string;
    const declined = await f.fetch(`${home}/authorize`, form({ consent: token, decision: 'decline' }));
    expect(declined.status).toBe(303);
    const back = declined.headers.get('location') as string;
    expect(back.startsWith(rpPage.split('?')[0] as string)).toBe(true);
    expect(new URL(back).searchParams.get('response_code')).toBeTruthy();
    expect((await page(back)).html).toContain('data-testid="rp-verdict" data-status="refused"');
    // without the code, the page shows nothing of the outcome
    expect((await page(rpPage)).html).toContain('data-status="pending"');
  });

  it('a wallet page is for the node’s own personas; a request of another scheme than the three is refused', async () => {
    expect((await f.fetch(`${ee}/wallet/holder/de-001`)).status).toBe(404);
    const bad = await page(
      `${ee}/wallet/holder/ee-001/authorize?request=${encodeURIComponent('https://x.example/?a=1')}`,
    );
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('consent-error');
  });
});
