import { createHash, X509Certificate } from 'node:crypto';
import { exportJWK } from 'jose';
import type { RegisteredClient } from '../clients/client-registry.ts';
import type { ProviderContext } from '../provider/provider-context.ts';

const PREFIX = 'urn:kakehashi:connector:';

/** The client_id under which the eIDAS connector of `country` authenticates at other nodes' proxy services. */
export const connectorClientId = (country: string) => `${PREFIX}${country.toUpperCase()}`;

/** The country of a connector client_id, or undefined when it is not one. */
export function connectorCountry(clientId: string): string | undefined {
  if (!clientId.startsWith(PREFIX)) return undefined;
  const cc = clientId.slice(PREFIX.length);
  return /^[A-Z]{2}$/.test(cc) ? cc : undefined;
}

/** Where a node's connector receives the foreign proxy service's answer. */
export const connectorCallback = (nodeUrl: string) => `${nodeUrl.replace(/\/+$/, '')}/eid/connector/callback`;

/** The key id both sides derive from the signing certificate: `base64url(SHA-256(DER))` (x5t#S256). */
export function certificateKeyId(certPem: string): string {
  return createHash('sha256').update(new X509Certificate(certPem).raw).digest('base64url');
}

/**
 * At the proxy service (country A): makes sure the connector of country B is registered as a relying party.
 * Its registration is never configured by hand — it comes from the hub's registry: B's signed metadata,
 * verified against A's trust view, gives B's origin (the only accepted redirect URI is B's
 * `/eid/connector/callback`) and B's signing certificate (the only key accepted for `private_key_jwt`).
 * Re-resolved on every authorization request, so a revoked or re-keyed connector is noticed at once.
 * @see eIDAS Interoperability Architecture v1.4 §3 (connector ↔ proxy service)
 */
export async function ensureConnectorClient(
  ctx: ProviderContext,
  clientId: string,
  fetcher: typeof fetch,
): Promise<RegisteredClient | undefined> {
  const federation = ctx.deps.federation;
  const country = connectorCountry(clientId);
  if (!federation || !country || country === ctx.deps.country) return undefined;
  const peer = await federation.lookupPeer(country, fetcher);
  if (!peer) return undefined;
  const jwk = await exportJWK(new X509Certificate(peer.signingCertPem).publicKey);
  ctx.clients.register(
    {
      client_id: clientId,
      client_name: `eIDAS connector of ${country}`,
      redirect_uris: [connectorCallback(peer.url)],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [{ ...jwk, kty: 'RSA', kid: certificateKeyId(peer.signingCertPem), alg: 'RS256', use: 'sig' }] },
      country,
    },
    'federation',
  );
  return ctx.clients.get(clientId);
}
