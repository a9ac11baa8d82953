import { HolderWallet, type PresentationVerdict } from '@kakehashi/wallet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * The security lab's forging PID provider: while a `wallet.pid-*` fault is on at node EE, the PID it issues carries
 * exactly that defect, and the German verifier refuses it with the fault's rule; with the fault off, the next PID
 * is honest again.
 */
const FAULTS: [fault: string, rule: string, code: string][] = [
  ['wallet.pid-expired', 'W5', 'vp-credential-expired'],
  ['wallet.pid-untrusted-key', 'W2', 'vp-issuer-untrusted'],
  // certified by EE's issuing CA (a valid chain), but not on the EU list of PID providers the LOTL points at
  ['wallet.pid-unlisted-key', 'W2', 'vp-issuer-untrusted'],
  ['wallet.pid-wrong-vct', 'W6', 'vp-vct-invalid'],
  ['wallet.pid-without-status', 'W15', 'vp-credential-revoked'],
  ['wallet.pid-revoked', 'W15', 'vp-credential-revoked'],
];

describe('EUDI wallet: the forging PID provider (wallet.pid-* faults)', () => {
  let f: TestFederation;
  let ee: string;
  let de: string;
  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'EE'] });
    ee = f.urls.nodes.EE as string;
    de = f.urls.nodes.DE as string;
  }, 240_000);
  afterAll(() => f?.dispose());

  const switchAtEe = async (change: { enable?: string[]; disable?: string[] }) => {
    const r = await f.fetch(`${ee}/admin/faults`, {
      method: 'PUT',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify(change),
    });
    expect(r.status).toBe(200);
  };
  /** A PID for ee-003 in a fresh wallet, judged by DE's verifier through the whole OpenID4VP flow. */
  const receiveAndPresent = async (): Promise<PresentationVerdict> => {
    const wallet = new HolderWallet({ fetch: f.fetch, clock: f.clock });
    const offer = await json<{ credential_offer_url: string }>(
      f.fetch(`${ee}/wallet/issuer/offers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ personaId: 'ee-003' }),
      }),
    );
    await wallet.receive(offer.body.credential_offer_url);
    const req = await json<{ transaction_id: string; request_url: string }>(
      f.fetch(`${de}/wallet/verifier/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
    );
    // a PID of another type does not match the PID query: the wallet has nothing to present for it
    const vct = JSON.parse(
      Buffer.from((wallet.credentials[0]?.credential.split('.')[1] ?? '') as string, 'base64url').toString(),
    ).vct;
    if (vct !== 'urn:eudi:pid:1') {
      await expect(wallet.present(req.body.request_url)).rejects.toThrow(/no credential in the wallet matches/);
      return forcedPresentation(wallet.credentials[0]?.credential as string, req.body.request_url);
    }
    await wallet.present(req.body.request_url);
    return (
      await json<{ verdict: PresentationVerdict }>(
        f.fetch(`${de}/wallet/verifier/transactions/${req.body.transaction_id}`),
      )
    ).body.verdict;
  };
  /** The credential as it is, key binding included, sent to the validation service (what a careless wallet does). */
  const forcedPresentation = async (credential: string, requestUrl: string): Promise<PresentationVerdict> => {
    const p = new URL(requestUrl).searchParams;
    const r = await json<PresentationVerdict>(
      f.fetch(`${de}/wallet/validate/presentation`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          presentation: credential,
          expected: { nonce: p.get('nonce'), client_id: p.get('client_id') },
        }),
      }),
    );
    return r.body;
  };

  it('lists the faults at the node, all off', async () => {
    const r = await json<{ faults: { name: string; enabled: boolean; rule?: string }[] }>(
      f.fetch(`${ee}/admin/faults`, { headers: ADMIN }),
    );
    const mine = r.body.faults.filter((x) => x.name.startsWith('wallet.pid-'));
    expect(mine.map((x) => x.name).sort()).toEqual(FAULTS.map(([n]) => n).sort());
    expect(mine.every((x) => !x.enabled)).toBe(true);
  });

  it.each(FAULTS)('%s: the German verifier refuses the PID with %s', async (fault, rule, code) => {
    await switchAtEe({ enable: [fault] });
    let verdict: PresentationVerdict;
    try {
      verdict = await receiveAndPresent();
    } finally {
      await switchAtEe({ disable: [fault] });
    }
    expect({ valid: verdict.valid, rule: verdict.failure?.rule, code: verdict.failure?.code }).toEqual({
      valid: false,
      rule,
      code,
    });
    // with the fault off, the next PID is honest
    expect((await receiveAndPresent()).valid).toBe(true);
  });
});
