import type { Migration, Store } from '@kakehashi/core';
import { z } from 'zod';
import type { CredentialFormat, HeldCredential, WalletState } from '../holder/holder-wallet.ts';
import type { HeldWalletAttestation } from '../holder/wallet-attestation-client.ts';

/**
 * The wallet page's wallets in the node's store: one row a persona (its device key as a private JWK and the
 * wallet-unit attestation it holds) and one row a credential it received, so a credential received at the page is
 * still there after the node restarts on the same data directory. TEST ONLY: a real wallet's device key never
 * leaves its secure element.
 */
export const WALLET_HOLDER_MIGRATIONS: readonly Migration[] = [
  {
    id: 'wallet-002-holder-wallets',
    up: `CREATE TABLE wallet_holders (persona TEXT PRIMARY KEY, device_key TEXT NOT NULL, wallet_attestation TEXT);
CREATE TABLE wallet_holder_credentials (id INTEGER PRIMARY KEY AUTOINCREMENT, persona TEXT NOT NULL,
  format TEXT NOT NULL, credential_issuer TEXT NOT NULL, vct TEXT NOT NULL, credential TEXT NOT NULL);
CREATE INDEX wallet_holder_credentials_persona ON wallet_holder_credentials (persona, id);`,
  },
];

// What is read back is checked as any input is: a row written by an older build, or edited by hand, is refused.
const DeviceKey = z
  .object({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string(), y: z.string(), d: z.string() })
  .passthrough();
const Attestation = z.object({
  jwt: z.string(),
  keyAttestation: z.string().optional(),
  sub: z.string(),
  exp: z.number(),
  provider: z.string(),
});
const Format = z.enum(['dc+sd-jwt', 'mso_mdoc']);

/** Where the wallet page keeps its wallets: the node's store, or (no store: a unit test) memory. */
export interface HeldWallets {
  get(persona: string): WalletState | undefined;
  /**
   * Stores the wallet: its key the first time (a later key for the same persona is not taken), its attestation, and
   * the credentials not yet stored (appended, never changed).
   */
  put(persona: string, state: WalletState): void;
  /** Forgets every wallet (`POST /admin/reset`). */
  clear(): void;
}

/** The wallet page's wallets, kept in `store` (the node's): see {@link WALLET_HOLDER_MIGRATIONS}. */
export function heldWallets(store?: Store): HeldWallets {
  if (!store) {
    const memory = new Map<string, WalletState>();
    return {
      get: (p) => memory.get(p),
      put: (p, s) => {
        const had = memory.get(p);
        if (had && had.deviceKey.d !== s.deviceKey.d) return;
        const known = new Set(had?.credentials.map((c) => c.credential));
        const walletAttestation = s.walletAttestation ?? had?.walletAttestation;
        memory.set(p, {
          deviceKey: s.deviceKey,
          credentials: [...(had?.credentials ?? []), ...s.credentials.filter((c) => !known.has(c.credential))],
          ...(walletAttestation ? { walletAttestation } : {}),
        });
      },
      clear: () => memory.clear(),
    };
  }
  store.migrate(WALLET_HOLDER_MIGRATIONS);
  return {
    get(persona) {
      const row = store.get<{ device_key: string; wallet_attestation: string | null }>(
        'SELECT device_key, wallet_attestation FROM wallet_holders WHERE persona = ?',
        persona,
      );
      if (!row) return undefined;
      const credentials = store
        .all<{ format: string; credential_issuer: string; vct: string; credential: string }>(
          'SELECT format, credential_issuer, vct, credential FROM wallet_holder_credentials WHERE persona = ? ORDER BY id',
          persona,
        )
        .map(
          (c): HeldCredential => ({
            format: Format.parse(c.format) as CredentialFormat,
            credentialIssuer: c.credential_issuer,
            vct: c.vct,
            credential: c.credential,
          }),
        );
      const attestation = row.wallet_attestation
        ? (Attestation.parse(JSON.parse(row.wallet_attestation)) as HeldWalletAttestation)
        : undefined;
      return {
        deviceKey: DeviceKey.parse(JSON.parse(row.device_key)) as WalletState['deviceKey'],
        credentials,
        ...(attestation ? { walletAttestation: attestation } : {}),
      };
    },
    put(persona, state) {
      store.transaction(() => {
        // The first key stored stays the wallet's (its credentials are bound to it): another key's wallet is not taken.
        const had = store.get<{ device_key: string }>(
          'SELECT device_key FROM wallet_holders WHERE persona = ?',
          persona,
        );
        if (had && (JSON.parse(had.device_key) as { d?: string }).d !== state.deviceKey.d) return;
        store.run(
          `INSERT INTO wallet_holders (persona, device_key, wallet_attestation) VALUES (?, ?, ?)
           ON CONFLICT (persona) DO UPDATE SET wallet_attestation = COALESCE(excluded.wallet_attestation, wallet_attestation)`,
          persona,
          JSON.stringify(state.deviceKey),
          state.walletAttestation ? JSON.stringify(state.walletAttestation) : null,
        );
        // Appended, never changed: two receives at once each add their own.
        for (const c of state.credentials)
          store.run(
            `INSERT INTO wallet_holder_credentials (persona, format, credential_issuer, vct, credential)
             SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS
               (SELECT 1 FROM wallet_holder_credentials WHERE persona = ? AND credential = ?)`,
            persona,
            c.format,
            c.credentialIssuer,
            c.vct,
            c.credential,
            persona,
            c.credential,
          );
      });
    },
    clear() {
      store.transaction(() => {
        store.run('DELETE FROM wallet_holder_credentials');
        store.run('DELETE FROM wallet_holders');
      });
    },
  };
}
