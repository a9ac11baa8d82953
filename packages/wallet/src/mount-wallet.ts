import type { ComponentApp } from '@kakehashi/core';
import { HOLDER_FAULTS } from './holder/forge-presentation.ts';
import { createAuthorizationState } from './issuer/authorization-state.ts';
import { PID_FAULTS } from './issuer/faults.ts';
import { credentialIssuerRoutes } from './issuer/issuer-routes.ts';
import { createIssuerState } from './issuer/issuer-state.ts';
import { pidIssuerKey, verifierAccessKey, walletProviderKey } from './issuer/pid-issuer-key.ts';
import { pidProviderProfile } from './issuer/pid-profile.ts';
import { createStatusRegistry } from './issuer/status-list.ts';
import { WALLET_ATTESTATION_FAULTS } from './issuer/wallet-attestation.ts';
import { MDOC_HOLDER_FAULTS } from './mdoc/forge-mdoc.ts';
import { walletProviderRoutes } from './provider/wallet-provider.ts';
import { LENIENT_WALLET_FAULTS } from './verifier/faults.ts';
import { type Transaction, verifierRoutes } from './verifier/routes.ts';
import { rpPageRoutes } from './verifier/rp-page.ts';
import type { WalletDeps } from './wallet-deps.ts';
import { holderPageRoutes } from './web/holder-page.ts';

/**
 * Mounts the wallet building block at a node: the PID provider (OpenID4VCI 1.0, SD-JWT VC) with its key certified
 * by the country's issuing CA, and the verifier (OpenID4VP 1.0, DCQL, direct_post) that judges presentations
 * through the node's own trust view. Returns what `POST /admin/reset` clears (offers, tokens, nonces, requests).
 */
export function mountWallet(app: ComponentApp, deps: WalletDeps): { reset(): void } {
  const certifiedBy = {
    seed: deps.seed,
    country: deps.country,
    issuingCa: deps.issuingCa,
    signingCertPem: deps.signingCertPem,
  };
  const key = pidIssuerKey({
    seed: deps.seed,
    country: deps.country,
    issuingCa: deps.issuingCa,
    signingCertPem: deps.signingCertPem,
  });
  // The weak verifier: `lenient.wallet.*` (off by default; GET/PUT /admin/faults).
  deps.faults.offer(LENIENT_WALLET_FAULTS);
  // The forging PID provider: `wallet.pid-*` (off by default).
  deps.faults.offer(PID_FAULTS);
  // The forging holder: `wallet.vp-*`, asked for per request by the attack runner's headless wallet.
  deps.faults.offer(HOLDER_FAULTS);
  // Its mdoc presentations (`wallet.vp-mdoc-*`), the mdoc counterparts.
  deps.faults.offer(MDOC_HOLDER_FAULTS);
  const state = createIssuerState(deps.clock);
  const statuses = createStatusRegistry(deps.store);
  const transactions = new Map<string, Transaction>();
  // Transaction codes, and the authorization code flow when the node's eID login is wired (the PID provider is a
  // relying party of it): the shared issuer routes, the PID provider's profile.
  const auth = createAuthorizationState(deps.clock);
  app.route('/', credentialIssuerRoutes(deps, pidProviderProfile(deps, key), { state, auth, key, statuses }));
  // The verifier's access key is certified on its first use (a signed request), not at start: verifierAccessKey
  // draws the same key from the seed and keeps it.
  const accessKey = () =>
    verifierAccessKey({
      seed: deps.seed,
      country: deps.country,
      issuingCa: deps.issuingCa,
      signingCertPem: deps.signingCertPem,
      // its dNSName SAN: the x509_san_dns client identifier (OpenID4VP §5.9.3)
      dnsName: new URL(deps.publicUrl).hostname,
    });
  app.route('/', verifierRoutes(deps, transactions, accessKey));
  // The node's mock wallet provider (wallet-unit attestations) and the PID provider's one opt-out of them.
  app.route('/', walletProviderRoutes(deps, walletProviderKey(certifiedBy)));
  deps.faults.offer(WALLET_ATTESTATION_FAULTS);
  // The person's side: a relying party's page at the verifier (QR / same-device) and the country's wallet page.
  app.route('/', rpPageRoutes(deps));
  const holderPage = holderPageRoutes(deps, {
    // The wallet judges a verifier's access certificate by this node's own view of the trusted lists (RPA_02).
    trust: async (certPem, chainPem) => {
      const v = deps.validateCertificate(certPem, chainPem, { at: deps.clock.now(), usage: ['digitalSignature'] });
      return { valid: v.valid, reason: v.failure?.reason };
    },
    nodeUrlOf: deps.nodeUrlOf ?? (async () => undefined),
  });
  app.route('/', holderPage);
  return {
    reset: () => {
      holderPage.reset();
      state.reset();
      auth.reset();
      statuses.reset();
      transactions.clear();
    },
  };
}
