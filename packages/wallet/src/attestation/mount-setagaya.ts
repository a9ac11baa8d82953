import type { ComponentApp } from '@kakehashi/core';
import { createAuthorizationState } from '../issuer/authorization-state.ts';
import { credentialIssuerRoutes } from '../issuer/issuer-routes.ts';
import { createIssuerState } from '../issuer/issuer-state.ts';
import { certifiedEcKey } from '../issuer/pid-issuer-key.ts';
import { createStatusRegistry } from '../issuer/status-list.ts';
import type { WalletDeps } from '../wallet-deps.ts';
import { SETAGAYA } from './residence.ts';
import { setagayaProfile } from './setagaya-issuer.ts';

/**
 * Japan's attestation issuer: Setagaya City issues the certificate of residence of its residents as an electronic
 * attestation of attributes (OpenID4VCI, dc+sd-jwt), its key certified by Japan's issuing CA, its status list in the
 * node's store. Returns what `POST /admin/reset` clears (offers, tokens, nonces, the status list).
 */
export function mountSetagayaIssuer(
  app: ComponentApp,
  deps: Pick<WalletDeps, 'seed' | 'country' | 'issuingCa' | 'signingCertPem' | 'store' | 'clock'> & WalletDeps,
): { reset(): void } {
  const key = certifiedEcKey({
    seed: deps.seed,
    country: deps.country,
    issuingCa: deps.issuingCa,
    signingCertPem: deps.signingCertPem,
    role: 'setagaya-residence',
    name: `${SETAGAYA.name} Residence Attestation Issuer`,
  });
  const state = createIssuerState(deps.clock);
  const auth = createAuthorizationState(deps.clock);
  const statuses = createStatusRegistry(deps.store);
  app.route('/', credentialIssuerRoutes(deps, setagayaProfile(key, deps.eidLogin), { state, auth, key, statuses }));
  return {
    reset: () => {
      state.reset();
      auth.reset();
      statuses.reset();
    },
  };
}
