import { X509Certificate } from 'node:crypto';
import { entityListKindOf, verifyLotl, verifyTrustedList } from '@kakehashi/trust';
import { fetchAskingPidFault, HolderWallet, type PresentationVerdict } from '@kakehashi/wallet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * The EU list of PID providers (ETSI TS 119 602 LoTE, in the TS 119 612 shape) the hub publishes and its LOTL points
 * at: every EU node's PID provider certificate is on it; a verifier anchors a PID's x5c there (W2), so a key the
 * country's CA certified for something else (`wallet.pid-unlisted-key`) is refused although its chain is valid.
 */
describe('EUDI wallet: the PID-provider list the LOTL points at', () => {
  let f: TestFederation;
  let ee: string;
  let de: string;
  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'EE', 'JP'] });
    ee = f.urls.nodes.EE as string;
    de = f.urls.nodes.DE as string;
  }, 240_000);
  afterAll(() => f?.dispose());

  const text = async (url: string) => {
    const r = await f.fetch(url);
    expect(r.status, url).toBe(200);
    return r.text();
  };
  /** A fresh wallet with ee-002's PID; `pidFault` is asked for by the credential request alone. */
  const receive = async (pidFault?: string) => {
    const wallet = new HolderWallet({
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
    await wallet.receive(offer.body.credential_offer_url);
    return wallet;
  };
  const present = async (wallet: HolderWallet): Promise<PresentationVerdict> => {
    const req = await json<{ transaction_id: string; request_url: string }>(
      f.fetch(`${de}/wallet/verifier/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
    );
    await wallet.present(req.body.request_url);
    return (
      await json<{ verdict: PresentationVerdict }>(
        f.fetch(`${de}/wallet/verifier/transactions/${req.body.transaction_id}`),
      )
    ).body.verdict;
  };
  const x5cLeaf = (wallet: HolderWallet) => {
    const header = JSON.parse(
      Buffer.from(wallet.credentials[0]?.credential.split('.')[0] as string, 'base64url').toString(),
    ) as { x5c: string[] };
    return new X509Certificate(Buffer.from(header.x5c[0] as string, 'base64'));
  };

  it('the LOTL points at the list; it verifies with the LOTL signer and lists every EU PID provider, not JP', async () => {
    const index = await json<{ lotl: string; lotlSignerCertificate: string }>(f.fetch(`${f.urls.hub}/trust`));
    const lotl = verifyLotl(await text(index.body.lotl), {
      pinnedSignerCerts: [index.body.lotlSignerCertificate],
      clock: f.clock,
    });
    const pointer = lotl.pointers.find((p) => entityListKindOf(p.tslType) === 'pid-providers');
    expect(pointer).toMatchObject({
      tslType: 'http://uri.etsi.org/19602/LoTEType/EUPIDProvidersList',
      territory: 'EU',
      location: `${f.urls.hub}/trust/tl/EU-pid-providers.xml`,
    });
    const list = verifyTrustedList(await text(pointer!.location), {
      signerCerts: pointer!.signerCertsPem,
      clock: f.clock,
      expectedTerritory: 'EU',
    });
    expect(list.services.map((s) => s.serviceName).sort()).toEqual([
      'Kakehashi DE PID Provider (TEST ONLY) (DE)',
      'Kakehashi EE PID Provider (TEST ONLY) (EE)',
    ]);
    expect(list.services.every((s) => s.type === 'http://uri.etsi.org/19602/SvcType/PID/Issuance')).toBe(true);
    // the certificate EE's PID provider signs with is the one listed
    const leaf = x5cLeaf(await receive());
    const listed = list.services.flatMap((s) => s.certificatesPem).map((p) => new X509Certificate(p).raw);
    expect(listed.some((der) => der.equals(leaf.raw))).toBe(true);
    // a node's trust view counts the national lists only; the entity lists add no CA anchor
    const status = await json<{ countries: string[] }>(f.fetch(`${de}/trust/status`));
    expect(status.body.countries).toEqual(['DE', 'EE', 'JP']);
  });

  it('a forged publication (trust.ca-withdrawn) still points at the genuine list: only national lists are forged', async () => {
    const put = (body: unknown) =>
      f.fetch(`${f.urls.hub}/admin/faults`, {
        method: 'PUT',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await put({ enable: ['trust.ca-withdrawn'] })).status).toBe(200);
    try {
      const index = await json<{ lotl: string; lotlSignerCertificate: string }>(f.fetch(`${f.urls.hub}/trust`));
      const lotl = verifyLotl(await text(index.body.lotl), {
        pinnedSignerCerts: [index.body.lotlSignerCertificate],
        clock: f.clock,
      });
      expect(lotl.pointers.map((p) => entityListKindOf(p.tslType)).filter(Boolean)).toEqual([
        'pid-providers',
        'wallet-providers',
      ]);
    } finally {
      await put({ disable: ['trust.ca-withdrawn'] });
    }
  });

  it('a PID from a listed provider is accepted at the German verifier', async () => {
    expect((await present(await receive())).valid).toBe(true);
  });

  it('a PID signed by a key EE’s CA certified but not on the list is refused by W2, the chain itself valid', async () => {
    const wallet = await receive('wallet.pid-unlisted-key');
    const leaf = x5cLeaf(wallet);
    expect(leaf.subject).toContain('Document Signer');
    // its chain alone validates at DE's trust view: only the list refuses it
    const chain = await json<{ valid: boolean }>(
      f.fetch(`${de}/trust/validate-certificate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ certificate: leaf.toString(), usage: ['digitalSignature'] }),
      }),
    );
    expect(chain.body.valid).toBe(true);
    const verdict = await present(wallet);
    expect(verdict.failure).toMatchObject({ rule: 'W2', code: 'vp-issuer-untrusted' });
    expect(verdict.failure?.reason).toMatch(/not a notified PID provider/);
  });
});
