import { createHmac } from 'node:crypto';
import type { ComponentApp } from '@kakehashi/core';
import {
  type ClientRegistrationInput,
  computePersonIdentifier,
  deriveEidKeys,
  type SubjectIdentifiers,
} from '@kakehashi/eid';
import { mountSetagayaIssuer, mountWallet, SETAGAYA_PATH } from '@kakehashi/wallet';
import type { BlockWiring } from './block-wiring.ts';

/**
 * The EUDI wallet building block at a node: the PID provider (its key certified by the country's issuing CA) and
 * the verifier; issuers are resolved through the hub's registry and certificates judged by the node's trust view.
 * Japan's node mounts Setagaya City's residence attestation issuer instead (no PID); a node without a national CA
 * mounts nothing.
 */
export function mountWalletBlock(
  app: ComponentApp,
  w: BlockWiring,
  eid?: { registerClient(client: ClientRegistrationInput): void; identifiers?: SubjectIdentifiers | undefined },
): { reset(): void } {
  const { deps } = w;
  if (!deps.credentials.issuingCa) return { reset: () => {} };
  const cc = deps.profile.code;
  const personIdKey = deriveEidKeys(deps.seed, cc).personIdKey;
  // Japan issues no PID: Setagaya City issues its residents' certificate of residence, certified by Japan's CA; its
  // authorization code flow logs the resident in at Japan's eID (Setagaya's issuer is a relying party of it).
  if (cc === 'JP')
    return mountSetagayaIssuer(app, {
      ...deps,
      country: cc,
      issuingCa: deps.credentials.issuingCa,
      signingCertPem: deps.credentials.signing.certPem,
      validateCertificate: w.validateCertificate,
      resolveIssuer: async () => undefined,
      eidLogin: eid
        ? walletEidLogin(w, cc, personIdKey, eid, {
            clientId: 'urn:kakehashi:wallet:setagaya',
            name: 'Setagaya City residence attestation issuer',
            path: SETAGAYA_PATH,
          })
        : undefined,
    });
  // The authorization code flow's login is the node's own eID: the PID provider is one of its relying parties.
  const eidLogin = eid
    ? walletEidLogin(w, cc, personIdKey, eid, {
        clientId: 'urn:kakehashi:wallet:pid-provider',
        name: `${cc} PID Provider`,
        path: '/wallet/issuer',
      })
    : undefined;
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
      // The node's origin, or an issuer under it (Japan's Setagaya issuer: <origin>/wallet/setagaya).
      const node = (await w.registeredNodes(fetcher)).find((n) => n.url === issuer || issuer.startsWith(`${n.url}/`));
      return node ? { country: node.country } : undefined;
    },
    eidLogin,
    nodeUrlOf: async (country, fetcher) =>
      (await w.registeredNodes(fetcher)).find((n) => n.country.toUpperCase() === country.toUpperCase())?.url,
  });
}

/**
 * Registers a wallet issuer (the PID provider; Setagaya City's at Japan) as a relying party of the node's OIDC
 * provider (a client of the clients-file kind, kept across `POST /admin/reset`; TEST ONLY secret drawn from the
 * seed; its redirect URI the issuer's `<path>/eid-callback`) and names a persona from the eIDAS
 * PersonIdentifier the provider puts in its ID tokens (destination: this country) — Japan's from the Cooperation
 * Network's link id, as its ID tokens carry.
 */
function walletEidLogin(
  w: BlockWiring,
  cc: string,
  personIdKey: Buffer,
  eid: { registerClient(client: ClientRegistrationInput): void; identifiers?: SubjectIdentifiers | undefined },
  issuer: { clientId: string; name: string; path: string },
) {
  const { deps } = w;
  const { clientId } = issuer;
  const label = clientId.slice(clientId.lastIndexOf(':') + 1);
  const clientSecret = createHmac('sha256', deps.seed).update(`wallet/${label}-client/${cc}`).digest('base64url');
  eid.registerClient({
    client_id: clientId,
    client_secret: clientSecret,
    client_name: `${issuer.name} (EUDI wallet issuance, TEST ONLY)`,
    redirect_uris: [`${deps.publicUrl.replace(/\/+$/, '')}${issuer.path}/eid-callback`],
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code'],
  });
  const idOf = (personaId: string) =>
    eid.identifiers?.personIdentifier(personaId, cc) ?? computePersonIdentifier(personIdKey, cc, cc, personaId);
  const byIdentifier = new Map(deps.personas.map((p) => [idOf(p.id), p.id]));
  return { clientId, clientSecret, personaOf: (pid: string) => byIdentifier.get(pid) };
}
