import { HolderWallet, type PresentationVerdict } from '@kakehashi/wallet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * Every ordered pair of EU nodes: a persona of each country receives its PID from its own PID provider, and every
 * other country's verifier accepts it through its own trust view (W2: the issuer's chain reaches the issuing
 * country's trusted list through the LOTL) — the PID as SD-JWT VC and as ISO mdoc. Japan's node offers no PID provider
 * and no verifier.
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
      // the same offer names both configurations; its code is single use, so the mdoc comes from a second offer
      const again = await json<{ credential_offer_url: string }>(
        f.fetch(`${node}/wallet/issuer/offers`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ personaId: `${cc.toLowerCase()}-001` }),
        }),
      );
      await wallet.receive(again.body.credential_offer_url, { format: 'mso_mdoc' });
      wallets.set(cc, wallet);
    }
  }, 240_000);
  afterAll(() => f?.dispose());

  /** Every ordered pair: issuer's persona presents to verifier, asked with `body` (the DCQL query or none). */
  const everyPair = async (body: string) => {
    const outcomes: string[] = [];
    for (const issuer of EU) {
      for (const verifier of EU.filter((v) => v !== issuer)) {
        const node = f.urls.nodes[verifier] as string;
        const req = await json<{ transaction_id: string; request_url: string }>(
          f.fetch(`${node}/wallet/verifier/requests`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          }),
        );
        await (wallets.get(issuer) as HolderWallet).present(req.body.request_url);
        const t = await json<{ verdict: PresentationVerdict }>(
          f.fetch(`${node}/wallet/verifier/transactions/${req.body.transaction_id}`),
        );
        const v = t.body.verdict;
        outcomes.push(
          `${issuer}→${verifier}: ${v.valid ? `valid ${v.credential?.country} ${v.credential?.vct}` : v.failure?.rule}`,
        );
      }
    }
    return outcomes;
  };

  it('each PID is valid at each other EU verifier', async () => {
    const outcomes = await everyPair('{}');
    expect(outcomes).toEqual(
      EU.flatMap((i) => EU.filter((v) => v !== i).map((v) => `${i}→${v}: valid ${i} urn:eudi:pid:1`)),
    );
    expect(outcomes).toHaveLength(30);
  });

  it('each PID as ISO mdoc is valid at each other EU verifier asking for mso_mdoc', async () => {
    const ns = 'eu.europa.ec.eudi.pid.1';
    const query = {
      credentials: [
        {
          id: 'pid-mdoc',
          format: 'mso_mdoc',
          meta: { doctype_value: ns },
          claims: [{ path: [ns, 'family_name'] }, { path: [ns, 'birth_date'] }],
        },
      ],
    };
    const outcomes = await everyPair(JSON.stringify({ dcql_query: query }));
    expect(outcomes).toEqual(EU.flatMap((i) => EU.filter((v) => v !== i).map((v) => `${i}→${v}: valid ${i} ${ns}`)));
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
