import { HolderWallet, type PresentationVerdict, pickPersonaLogin, RESIDENCE_VCT } from '@kakehashi/wallet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * Japan's electronic attestation of attributes: Setagaya City, an issuer under Japan's node, issues a resident's
 * certificate of residence (住民票の写し) as an SD-JWT VC through OpenID4VCI; Germany's verifier asks for it by DCQL
 * (its vct) and judges it through its own trust view — Japan's issuing CA is reached from the LOTL through Japan's
 * third-country trusted list, as an EU PID provider's CA is reached through its national list.
 */
interface Req {
  transaction_id: string;
  request_url: string;
}
const QUERY = {
  credentials: [
    {
      id: 'residence',
      format: 'dc+sd-jwt',
      meta: { vct_values: [RESIDENCE_VCT] },
      claims: [{ path: ['family_name_latin'] }, { path: ['address'] }],
    },
  ],
};

describe("EUDI wallet: Setagaya's certificate of residence presented to the German verifier", () => {
  let f: TestFederation;
  let jp: string;
  let de: string;
  let resident: { id: string; familyNameLatin: string; address: { city: string; full: string } };
  let elsewhere: { id: string };
  const clock = { now: () => f.clock.now() };
  // The wallet's own provider is an EU one (Germany's): Japan's node has no wallet provider of its own.
  const holder = () =>
    new HolderWallet({
      fetch: f.fetch,
      clock,
      ...({ walletProvider: `${de}/wallet/provider/attestations` } as Record<string, unknown>),
    });
  const offer = (personaId: string) =>
    json<{ credential_offer_url: string; code?: string }>(
      f.fetch(`${jp}/wallet/setagaya/offers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ personaId }),
      }),
    );
  const request = async (query: unknown) => {
    const r = await json<Req>(
      f.fetch(`${de}/wallet/verifier/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ dcql_query: query }),
      }),
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };
  const verdictOf = async (id: string) =>
    (await json<{ verdict?: PresentationVerdict }>(f.fetch(`${de}/wallet/verifier/transactions/${id}`))).body
      .verdict as PresentationVerdict;

  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'JP'], clockStart: '2026-06-01T00:00:00Z' });
    jp = f.urls.nodes.JP as string;
    de = f.urls.nodes.DE as string;
    const personas = (await json(f.fetch(`${jp}/personas`))).body as unknown as (typeof resident)[];
    resident = personas.find((p) => p.address.city === '世田谷区') as typeof resident;
    elsewhere = personas.find((p) => p.address.city !== '世田谷区') as typeof elsewhere;
  }, 240_000);
  afterAll(() => f?.dispose());

  it("publishes Setagaya's issuer metadata under Japan's node (path-inserted well-known)", async () => {
    const m = await json<{
      credential_issuer: string;
      display: { name: string }[];
      credential_configurations_supported: Record<string, { vct: string }>;
    }>(f.fetch(`${jp}/.well-known/openid-credential-issuer/wallet/setagaya`));
    expect(m.status).toBe(200);
    expect(m.body.credential_issuer).toBe(`${jp}/wallet/setagaya`);
    expect(m.body.display.map((d) => d.name)).toContain('世田谷区 (TEST)');
    expect(Object.values(m.body.credential_configurations_supported)[0]?.vct).toBe(RESIDENCE_VCT);
  });

  it('issues a resident the certificate of residence; a persona living elsewhere is refused', async () => {
    const refused = await offer(elsewhere.id);
    expect(refused.status).toBe(404);
    expect(refused.body.code).toBe('vci-not-resident');
    const o = await offer(resident.id);
    expect(o.status, JSON.stringify(o.body)).toBe(200);
    const wallet = holder();
    const held = await wallet.receive(o.body.credential_offer_url);
    expect(held).toMatchObject({ format: 'dc+sd-jwt', vct: RESIDENCE_VCT, credentialIssuer: `${jp}/wallet/setagaya` });
    const [jwt, ...disclosures] = held.credential.split('~');
    const header = JSON.parse(Buffer.from((jwt as string).split('.')[0] as string, 'base64url').toString());
    const payload = JSON.parse(Buffer.from((jwt as string).split('.')[1] as string, 'base64url').toString());
    expect(header).toMatchObject({ typ: 'dc+sd-jwt', alg: 'ES256' });
    expect(header.x5c).toHaveLength(2);
    expect(payload).toMatchObject({ iss: `${jp}/wallet/setagaya`, vct: RESIDENCE_VCT, cnf: { jwk: wallet.publicJwk } });
    expect(payload.status.status_list.uri).toBe(`${jp}/wallet/setagaya/status-lists/1`);
    const claims = Object.fromEntries(
      disclosures
        .filter(Boolean)
        .map((d) => JSON.parse(Buffer.from(d, 'base64url').toString()) as unknown[])
        .map((a) => [a[1], a[2]]),
    );
    expect(claims.family_name_latin).toBe(resident.familyNameLatin);
    expect(claims.address).toMatchObject({ formatted: resident.address.full, locality: '世田谷区' });
    expect(claims.issuing_authority_local).toBe('世田谷区長');
    expect(claims).not.toHaveProperty('my_number');
  });

  it('a wallet made with the defaults receives it too: Setagaya takes no wallet attestation, so none is asked for', async () => {
    const wallet = new HolderWallet({ fetch: f.fetch, clock });
    const held = await wallet.receive((await offer(resident.id)).body.credential_offer_url);
    const payload = JSON.parse(Buffer.from(held.credential.split('.')[1] as string, 'base64url').toString());
    expect(payload.vct).toBe('urn:kakehashi:jp:setagaya:residence:1');
  });

  it('the German verifier asks for it by vct and accepts it through the trust fabric, seeing only what it asked', async () => {
    const wallet = holder();
    await wallet.receive((await offer(resident.id)).body.credential_offer_url);
    const req = await request(QUERY);
    const answer = await wallet.present(req.request_url);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const v = await verdictOf(req.transaction_id);
    expect(v.valid, JSON.stringify(v.failure ?? v.checks)).toBe(true);
    expect(v.checks.find((c) => c.rule === 'W2')?.outcome).toBe('passed');
    // Japan's CA is reached through Japan's trusted list (the LOTL's third-country pointer), as an EU country's is.
    expect(v.checks.find((c) => c.rule === 'W2')?.reason).toContain('trusted list of JP');
    expect(v.checks.find((c) => c.rule === 'W15')?.outcome).toBe('passed');
    expect(v.credential).toMatchObject({ country: 'JP', vct: RESIDENCE_VCT });
    expect(Object.keys(v.credential?.claims ?? {}).sort()).toEqual(['address', 'family_name_latin']);
  });

  it('revoked in its status list (POST /admin/wallet/status at JP), the attestation is refused by W15', async () => {
    const wallet = holder();
    const held = await wallet.receive((await offer(resident.id)).body.credential_offer_url);
    const payload = JSON.parse(Buffer.from(held.credential.split('.')[1] as string, 'base64url').toString());
    const set = await f.fetch(`${jp}/admin/wallet/status`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ idx: payload.status.status_list.idx, status: 'invalid' }),
    });
    expect(set.status).toBe(200);
    const req = await request(QUERY);
    await wallet.present(req.request_url);
    const v = await verdictOf(req.transaction_id);
    expect(v.valid).toBe(false);
    expect(v.failure?.rule).toBe('W15');
  });

  it("the PID provider's grants: a transaction code (a wrong one refused), and the authorization code flow through Japan's eID login", async () => {
    const post = (body: unknown) =>
      json<{ credential_offer_url: string; tx_code?: string; credential_offer: { grants: Record<string, unknown> } }>(
        f.fetch(`${jp}/wallet/setagaya/offers`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      );
    const withTx = await post({ personaId: resident.id, tx_code: true });
    expect(withTx.status, JSON.stringify(withTx.body)).toBe(200);
    expect(withTx.body.tx_code).toMatch(/^\d{6}$/);
    await expect(
      holder().receive(withTx.body.credential_offer_url, {
        txCode: '000000' === withTx.body.tx_code ? '111111' : '000000',
      }),
    ).rejects.toThrow(/invalid_grant/);
    const again = await post({ personaId: resident.id, tx_code: true });
    const viaTx = await holder().receive(again.body.credential_offer_url, { txCode: again.body.tx_code as string });
    expect(viaTx.vct).toBe(RESIDENCE_VCT);
    // Setagaya's authorization server now has an authorization endpoint (PAR, PKCE S256) and takes no attestation.
    const as = (
      await json<Record<string, unknown>>(f.fetch(`${jp}/.well-known/oauth-authorization-server/wallet/setagaya`))
    ).body;
    expect(as).toMatchObject({
      issuer: `${jp}/wallet/setagaya`,
      pushed_authorization_request_endpoint: `${jp}/wallet/setagaya/par`,
    });
    expect(as).not.toHaveProperty('token_endpoint_auth_methods_supported');
    const login = await post({ grant: 'authorization_code' });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    const wallet = new HolderWallet({ fetch: f.fetch, clock });
    const held = await wallet.receive(login.body.credential_offer_url, {
      login: pickPersonaLogin(f.fetch, resident.id),
    });
    expect(held).toMatchObject({ vct: RESIDENCE_VCT, credentialIssuer: `${jp}/wallet/setagaya` });
    const disclosed = held.credential
      .split('~')
      .slice(1)
      .filter(Boolean)
      .map((d) => JSON.parse(Buffer.from(d, 'base64url').toString()) as unknown[]);
    // the certificate of the resident who logged in at the picker
    expect(disclosed).toContainEqual([expect.any(String), 'family_name_latin', resident.familyNameLatin]);
    // A persona of Japan who does not live in Setagaya logs in: the wallet is told access_denied.
    const other = await post({ grant: 'authorization_code' });
    await expect(
      new HolderWallet({ fetch: f.fetch, clock }).receive(other.body.credential_offer_url, {
        login: pickPersonaLogin(f.fetch, elsewhere.id),
      }),
    ).rejects.toThrow(/access_denied|resident/);
  });

  it('a wallet holding only a PID-less residence attestation cannot answer a PID query', async () => {
    const wallet = holder();
    await wallet.receive((await offer(resident.id)).body.credential_offer_url);
    const req = await request({
      credentials: [
        {
          id: 'pid',
          format: 'dc+sd-jwt',
          meta: { vct_values: ['urn:eudi:pid:1'] },
          claims: [{ path: ['family_name'] }],
        },
      ],
    });
    await expect(wallet.present(req.request_url)).rejects.toThrow();
  });
});
