import { type ComponentApp, KakehashiError } from '@kakehashi/core';
import {
  type IdTokenValidator,
  mountIdTokenValidation,
  mountOidcProvider,
  mountSaml,
  mountSamlResponseValidation,
  type SubjectIdentifiers,
} from '@kakehashi/eid';
import { createCardLogin } from '../jpki/card-login.ts';
import { createPeerLookup } from '../peers/verify-peer-metadata.ts';
import type { BlockWiring } from './block-wiring.ts';

/**
 * The eID building block at a node: the OpenID Connect provider (issuer = the node's origin) with the eIDAS
 * connector for its relying parties, the ID-token validation service, eIDAS SAML 2.0 (IdP = proxy service,
 * SP = connector) and the SAML response validation service. Peers and issuers are found through the hub's
 * registry; every certificate is judged by the node's own trust view. Returns what `POST /admin/reset` clears.
 */
export function mountEidBlock(
  app: ComponentApp,
  w: BlockWiring,
  identifiers: SubjectIdentifiers | undefined,
): { reset(): void; provider: ReturnType<typeof mountOidcProvider> } {
  const { deps, validateCertificate, registeredNodes } = w;
  const { profile } = deps;

  let idTokenValidator: IdTokenValidator | undefined;
  const provider = mountOidcProvider(app, {
    ...deps,
    ...(identifiers ? { identifiers } : {}),
    issuer: deps.publicUrl,
    country: profile.code,
    loa: profile.loa,
    personas: deps.personas,
    signing: deps.credentials.signing,
    clients: deps.oidcClients ?? [],
    ...(deps.cards
      ? { card: createCardLogin({ cards: deps.cards, personas: deps.personas, validateCertificate }) }
      : {}),
    // The eIDAS connector (this node's relying parties, citizens of other countries) and peer connectors.
    federation: {
      hubUrl: deps.hubUrl,
      signing: deps.credentials.signing,
      lookupPeer: createPeerLookup({ hub: w.hub, validateCertificate, clock: deps.clock, logger: deps.logger }),
      listPeers: async (fetcher) =>
        (await registeredNodes(fetcher))
          .filter((n) => n.country !== profile.code)
          .map((n) => ({ country: n.country, name: n.name, url: n.endpoints.oidcIssuer ?? n.url })),
      validateIdToken: (token, expected, fetcher) => {
        if (!idTokenValidator)
          throw new KakehashiError('internal-error', 'The ID-token validation service is not mounted.');
        return idTokenValidator.validate(token, expected, fetcher);
      },
      validateCertificate,
    },
  });

  // The ID-token validation service: issuers resolved through the hub's registry.
  idTokenValidator = mountIdTokenValidation(app, {
    ...deps,
    component: 'node',
    country: profile.code,
    resolveIssuer: async (issuer, fetcher) => {
      const node = (await registeredNodes(fetcher)).find((m) => m.endpoints.oidcIssuer === issuer);
      return node ? { country: node.country, jwksUri: `${issuer}/oidc/jwks` } : undefined;
    },
    validateCertificate,
  });

  // eIDAS SAML 2.0: peers (their connectors as SPs, their IdPs as issuers) are found through the hub registry.
  const saml = mountSaml(app, {
    ...deps,
    baseUrl: deps.publicUrl,
    country: profile.code,
    loa: profile.loa,
    personas: deps.personas,
    signing: deps.credentials.signing,
    encryption: deps.credentials.encryption,
    organizationName: w.info.name,
    ...(identifiers ? { personIdentifier: identifiers.personIdentifier } : {}),
    hubUrl: deps.hubUrl,
    registeredNodes,
    validateCertificate,
  });
  mountSamlResponseValidation(app, {
    ...deps,
    component: 'node',
    country: profile.code,
    registeredNodes,
    validateCertificate,
  });
  return { reset: saml.reset, provider };
}
