import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@kakehashi/core';
import { afterAll, describe, expect, it } from 'vitest';
import { HolderWallet, type WalletState } from '../src/holder/holder-wallet.ts';
import { heldWallets } from '../src/web/held-wallets.ts';

const dir = mkdtempSync(join(tmpdir(), 'kakehashi-wallet-held-'));
const clock = { now: () => new Date('2026-06-01T00:00:00Z') };
const credential = (n: number) => ({
  format: n % 2 ? ('mso_mdoc' as const) : ('dc+sd-jwt' as const),
  credentialIssuer: 'http://127.0.0.1:1',
  vct: n % 2 ? 'eu.europa.ec.eudi.pid.1' : 'urn:eudi:pid:1',
  credential: `credential-${n}`,
});
const attestation = { jwt: 'a.b.c', sub: 'wallet-1', exp: 1_900_000_000, provider: 'http://127.0.0.1:1/p' };

/** The wallet page's wallets in the node's store (`wallet_holders`, `wallet_holder_credentials`). */
describe('held wallets', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keep the device key, the wallet-unit attestation and the credentials across a restart; reset forgets them', () => {
    const first = openStore({ name: 'node', dataDir: dir });
    const a = heldWallets(first);
    const wallet = new HolderWallet({ fetch, clock });
    const state: WalletState = { ...wallet.exportState(), walletAttestation: attestation };
    state.credentials.push(credential(0), credential(1));
    a.put('ee-001', state);
    first.close();

    const second = openStore({ name: 'node', dataDir: dir });
    const b = heldWallets(second);
    const back = b.get('ee-001') as WalletState;
    expect(back).toEqual(state);
    // The restored wallet has the same device key (its credentials stay bound to it) and gives its attestation back.
    const restored = HolderWallet.restore(back, { fetch, clock });
    expect(restored.publicJwk).toEqual(wallet.publicJwk);
    expect(restored.exportState().walletAttestation).toEqual(attestation);
    expect(b.get('ee-002')).toBeUndefined();

    b.clear();
    expect(b.get('ee-001')).toBeUndefined();
    expect(second.get<{ n: number }>('SELECT COUNT(*) AS n FROM wallet_holder_credentials')?.n).toBe(0);
    second.close();
  });

  it('append credentials, never replace them, and keep the first device key of a persona', () => {
    for (const store of [openStore({ name: 'mem' }), undefined]) {
      const w = heldWallets(store);
      const one = new HolderWallet({ fetch, clock }).exportState();
      w.put('de-001', one);
      // Two receives from the same stored wallet at once: each adds its own credential, neither is lost.
      w.put('de-001', { ...one, credentials: [credential(0)] });
      w.put('de-001', { ...one, credentials: [credential(2)] });
      w.put('de-001', { ...one, credentials: [credential(0), credential(2)] });
      // Another key for the same persona is not taken (its credentials would be bound to a key the wallet lacks).
      const other = new HolderWallet({ fetch, clock }).exportState();
      w.put('de-001', { ...other, credentials: [credential(4)] });
      const got = w.get('de-001') as WalletState;
      expect(got.deviceKey).toEqual(one.deviceKey);
      expect(got.credentials.map((c) => c.credential)).toEqual(['credential-0', 'credential-2']);
      store?.close();
    }
  });
});
