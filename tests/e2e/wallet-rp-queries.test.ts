import { HolderWallet, PID_CLAIM_NAMES } from '@kakehashi/wallet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * The relying party's page asks for what the person chose (issue 17): each choice makes the request its DCQL query,
 * a wallet holding the matching credential answers it, and the verdict page names the choice and shows exactly what
 * was disclosed — the age statement alone, names and birth date, the whole PID, the PID as mdoc, Setagaya's
 * certificate of residence (Japan is a peer, so Germany's verifier can reach Japan's CA).
 */
const form = (o: Record<string, string>) => ({
  method: 'POST',
  redirect: 'manual' as const,
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(o).toString(),
});

describe("EUDI wallet: the relying party page's choice of what it asks for (DE relying party)", () => {
  let f: TestFederation;
  let de: string;
  let pid: HolderWallet;
  let resident: HolderWallet;
  const clock = { now: () => f.clock.now() };
  const offer = async (url: string, personaId: string) =>
    (
      await json<{ credential_offer_url: string }>(
        f.fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ personaId }),
        }),
      )
    ).body.credential_offer_url;

  /** The relying party's page for `query`: its request URI, answered by `wallet`, then the verdict page. */
  const flow = async (query: string, wallet: HolderWallet, lang = 'en') => {
    const made = await f.fetch(`${de}/wallet/verifier/rp?lang=${lang}`, form({ flow: 'cross-device', query }));
    expect(made.status).toBe(303);
    const rpPage = `${de}${made.headers.get('location')}`;
    const pending = await (await f.fetch(rpPage)).text();
    const uri = /data-testid="request-uri">([^<]+)</.exec(pending)?.[1]?.replaceAll('&amp;', '&') as string;
    const answer = await wallet.present(uri);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const html = await (await f.fetch(rpPage)).text();
    expect(html, html.slice(0, 3000)).toContain('data-testid="rp-verdict" data-status="valid"');
    expect(html).toContain(`data-testid="rp-asked" data-query="${query}"`);
    const claims = [
      ...html.matchAll(/data-testid="rp-claim" data-path="([^"]+)">([^<]+)<\/dt><dd class="mono">([^<]*)</g),
    ].map((m) => ({
      path: JSON.parse((m[1] as string).replaceAll('&quot;', '"')) as string[],
      label: m[2],
      value: m[3],
    }));
    return { html, claims };
  };

  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'EE', 'JP'], clockStart: '2026-06-01T00:00:00Z' });
    de = f.urls.nodes.DE as string;
    const ee = f.urls.nodes.EE as string;
    const jp = f.urls.nodes.JP as string;
    pid = new HolderWallet({ fetch: f.fetch, clock });
    await pid.receive(await offer(`${ee}/wallet/issuer/offers`, 'ee-001'));
    await pid.receive(await offer(`${ee}/wallet/issuer/offers`, 'ee-001'), { format: 'mso_mdoc' });
    const personas = (await json(f.fetch(`${jp}/personas`))).body as unknown as {
      id: string;
      address: { city: string };
    }[];
    const setagaya = personas.find((p) => p.address.city === '世田谷区') as { id: string };
    // Japan's node has no wallet provider: the wallet's own is an EU one (Germany's).
    resident = new HolderWallet({ fetch: f.fetch, clock, walletProvider: `${de}/wallet/provider/attestations` });
    await resident.receive(await offer(`${jp}/wallet/setagaya/offers`, setagaya.id));
  }, 300_000);
  afterAll(() => f?.dispose());

  it('the page offers every choice, the sign-in checked (Japan is a peer: Setagaya’s attestation too)', async () => {
    const html = await (await f.fetch(`${de}/wallet/verifier/rp?lang=ja`)).text();
    const choices = [...html.matchAll(/name="query" value="([^"]+)"/g)].map((m) => m[1]);
    expect(choices).toEqual(['login', 'age', 'name-birthdate', 'pid-full', 'pid-mdoc', 'residence']);
    expect(html).toMatch(/value="login" checked/);
    expect(html).toContain('18 歳以上であることだけ（PID）');
  });

  it('age over 18 only: the age statement is the one claim disclosed', async () => {
    const { claims } = await flow('age', pid);
    expect(claims).toEqual([{ path: ['age_equal_or_over', '18'], label: 'Age 18 or over', value: 'true' }]);
  });

  it('names and birth date: those three claims and nothing else', async () => {
    const { claims } = await flow('name-birthdate', pid, 'ja');
    // in the order asked (not the disclosures' order: the issuer's digests have none)
    expect(claims.map((c) => [c.path.join('.'), c.label])).toEqual([
      ['family_name', '姓'],
      ['given_name', '名'],
      ['birthdate', '生年月日'],
    ]);
  });

  it('the whole PID: every rulebook claim', async () => {
    const { claims } = await flow('pid-full', pid);
    expect([...new Set(claims.map((c) => c.path[0]))]).toEqual([...PID_CLAIM_NAMES]);
    expect(claims.map((c) => c.path[0])).not.toContain('eidas_person_identifiers');
  });

  it('the PID as ISO mdoc: the asked elements of the PID namespace', async () => {
    const { html, claims } = await flow('pid-mdoc', pid);
    expect(html).toContain('data-testid="rp-credential">mso_mdoc eu.europa.ec.eudi.pid.1<');
    expect(claims.map((c) => c.path.join(' '))).toEqual(
      ['family_name', 'given_name', 'birth_date', 'nationality', 'age_over_18'].map(
        (e) => `eu.europa.ec.eudi.pid.1 ${e}`,
      ),
    );
    expect(claims.find((c) => c.path[1] === 'age_over_18')?.value).toBe('true');
  });

  it("Setagaya's certificate of residence: names in Latin script, birth date, address, verified through Japan's list", async () => {
    const { html, claims } = await flow('residence', resident);
    expect(html).toContain('urn:kakehashi:jp:setagaya:residence:1');
    expect([...new Set(claims.map((c) => c.path[0]))]).toEqual([
      'family_name_latin',
      'given_name_latin',
      'birthdate',
      'address',
    ]);
  });

  it('the sign-in (the default): names, birth date and the eIDAS identifier for Germany', async () => {
    const { claims } = await flow('login', pid);
    expect(claims.map((c) => c.path)).toContainEqual(['eidas_person_identifiers', 'DE']);
    expect(claims.find((c) => c.path[0] === 'eidas_person_identifiers')?.value).toMatch(/^EE\/DE\//);
  });
});
