import { HolderWallet, type PresentationVerdict } from '@kakehashi/wallet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * Every ordered pair of EU nodes: a persona of each country receives its PID from its own PID provider, and every
 * other country's verifier accepts it through its own trust view (W2: the issuer's chain reaches the issuing
 * country's trusted list through the LOTL). Japan's node offers no PID provider and no verifier.
 */
const EU = ['AT', 'DE', 'EE', 'ES', 'FR', 'IT'];

describe('EUDI wallet: every ordered pair of EU nodes', () => {
  let f: TestFederation;
  const wallets = new Map<string, HolderWallet>();
  beforeAll(async () => {
    f = await startTestFederation({ countries: [...EU, 'JP'] });
    for (const cc of EU) {
      const node = f.urls.nodes[cc] as string;
      const wallet = new HolderWallet({ fetch: f.fetch, clock: f.clock });
      const offer = await json<{ credential_offer_url: string }>(
        f.fetch(`${node}/wallet/issuer/offers`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ personaId: `${cc.toLowerCase()}-001` }),
        }),
      );
      expect(offer.status, JSON.stringify(offer.body)).toBe(200);
      await wallet.receive(offer.body.credential_offer_url);
      wallets.set(cc, wallet);
    }
  }, 240_000);
  afterAll(() => f?.dispose());

  it('each PID is valid at each other EU verifier', async () => {
    const outcomes: string[] = [];
    for (const issuer of EU) {
      for (const verifier of EU.filter((v) => v !== issuer)) {
        const node = f.urls.nodes[verifier] as string;
        const req = await json<{ transaction_id: string; request_url: string }>(
          f.fetch(`${node}/wallet/verifier/requests`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{}',
          }),
        );
        await (wallets.get(issuer) as HolderWallet).present(req.body.request_url);
        const t = await json<{ verdict: PresentationVerdict }>(
          f.fetch(`${node}/wallet/verifier/transactions/${req.body.transaction_id}`),
        );
        const v = t.body.verdict;
        outcomes.push(`${issuer}→${verifier}: ${v.valid ? `valid ${v.credential?.country}` : v.failure?.rule}`);
      }
    }
    expect(outcomes).toEqual(EU.flatMap((i) => EU.filter((v) => v !== i).map((v) => `${i}→${v}: valid ${i}`)));
    expect(outcomes).toHaveLength(30);
  });

  it("Japan's node offers neither a PID provider nor a verifier", async () => {
    const jp = f.urls.nodes.JP as string;
    expect((await f.fetch(`${jp}/.well-known/openid-credential-issuer`)).status).toBe(404);
    const r = await f.fetch(`${jp}/wallet/verifier/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(r.status).toBe(404);
  });
});
