import type { ComponentApp } from '@kakehashi/core';
import { computePersonIdentifier, deriveEidKeys } from '@kakehashi/eid';
import { mountWallet } from '@kakehashi/wallet';
import type { BlockWiring } from './block-wiring.ts';

/**
 * The EUDI wallet building block at a node: the PID provider (its key certified by the country's issuing CA) and
 * the verifier; issuers are resolved through the hub's registry and certificates judged by the node's trust view.
 * EU nodes only: Japan's node (a residence attestation, not a PID) and a node without a national CA mount nothing.
 */
export function mountWalletBlock(app: ComponentApp, w: BlockWiring): { reset(): void } {
  const { deps } = w;
  if (!deps.credentials.issuingCa || deps.profile.code === 'JP') return { reset: () => {} };
  const cc = deps.profile.code;
  const personIdKey = deriveEidKeys(deps.seed, cc).personIdKey;
  return mountWallet(app, {
    ...deps,
    country: cc,
    // The mapping to eIDAS: the PID carries the PersonIdentifier this node's proxy service gives each destination.
    personIdentifier: (personaId, dest) => computePersonIdentifier(personIdKey, cc, dest, personaId),
    destinations: deps.config
      .get('countries')
      .map((c) => c.toUpperCase())
      .filter((c) => c !== cc),
    issuingCa: deps.credentials.issuingCa,
    signingCertPem: deps.credentials.signing.certPem,
    validateCertificate: w.validateCertificate,
    // The EU lists of trusted entities the node loaded from the LOTL (PID providers, wallet providers).
    ...(deps.trust.entityListing ? { entityListing: deps.trust.entityListing.bind(deps.trust) } : {}),
    resolveIssuer: async (issuer, fetcher) => {
      const node = (await w.registeredNodes(fetcher)).find((n) => n.url === issuer);
      return node ? { country: node.country } : undefined;
    },
    nodeUrlOf: async (country, fetcher) =>
      (await w.registeredNodes(fetcher)).find((n) => n.country.toUpperCase() === country.toUpperCase())?.url,
  });
}
