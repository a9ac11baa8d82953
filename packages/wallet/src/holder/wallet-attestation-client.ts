import { randomBytes } from 'node:crypto';
import { CompactSign, decodeJwt } from 'jose';
import { type EcKeyPair, freshEcKey } from '../crypto/ec-key.ts';
import { KEY_PROOF_TYP, walletProviderEndpoint } from '../provider/wallet-provider.ts';

/** A wallet-unit attestation the wallet holds: the JWT, its key attestation, `sub`, `exp`, and whose it is. */
export interface HeldWalletAttestation {
  jwt: string;
  keyAttestation?: string;
  sub: string;
  exp: number;
  provider: string;
}

/** Whether a JWT says it was issued at or before `nowS` (one that does not decode is not kept). */
const issuedBy = (jwt: string, nowS: number): boolean => {
  try {
    return Number(decodeJwt(jwt).iat ?? 0) <= nowS;
  } catch {
    return false;
  }
};

/** What @openid4vc/oauth2 passes a client authentication callback (kept structural). */
interface ClientAuthenticationOptions {
  url: string;
  headers: Headers;
  authorizationServerMetadata: { issuer: string; token_endpoint_auth_methods_supported?: unknown };
}

/**
 * The wallet's side of OAuth 2.0 Attestation-Based Client Authentication, as @openid4vc/oauth2's client
 * authentication callback: a wallet-unit attestation for the device key, asked once (and again when it nears expiry)
 * of the wallet provider — `provider`, or by default the one at the node of the token endpoint — with a JWS proving
 * the key; then on every token (and pushed authorization) request the `OAuth-Client-Attestation` header and a fresh
 * `OAuth-Client-Attestation-PoP` (`iss` the attestation's `sub`, `aud` the authorization server, `jti`, `iat`/`exp` on
 * the wallet's clock — the library's own PoP helper stamps the machine's time, which a virtual clock does not share).
 * @see https://datatracker.ietf.org/doc/draft-ietf-oauth-attestation-based-client-auth/ §5.2 (PoP), §6.1 (headers)
 */
export function walletAttestationAuth(opts: {
  fetch: typeof fetch;
  clock: { now(): Date };
  key: EcKeyPair;
  provider?: string | undefined;
  /** An attestation obtained earlier for this key (a wallet restored from its data), used until it nears expiry. */
  held?: HeldWalletAttestation | undefined;
}) {
  let held: HeldWalletAttestation | undefined = opts.held;
  const obtain = async (provider: string) => {
    const nowS = Math.floor(opts.clock.now().getTime() / 1000);
    // Kept until it nears expiry — and not if the clock now reads before it was issued (a clock set back).
    if (held && held.provider === provider && held.exp - 60 > nowS && issuedBy(held.jwt, nowS)) return held;
    const proof = await new CompactSign(new TextEncoder().encode(JSON.stringify({ aud: provider, iat: nowS })))
      .setProtectedHeader({ alg: 'ES256', typ: KEY_PROOF_TYP, jwk: opts.key.publicJwk })
      .sign(opts.key.privateKey);
    const res = await opts.fetch(provider, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ proof }),
    });
    if (!res.ok) throw new Error(`the wallet provider ${provider} answered ${res.status}`);
    const body = (await res.json()) as { wallet_attestation?: string; key_attestation?: string };
    const jwt = body.wallet_attestation;
    if (typeof jwt !== 'string') throw new Error('the wallet provider gave no wallet_attestation');
    const claims = decodeJwt(jwt);
    held = {
      jwt,
      ...(typeof body.key_attestation === 'string' ? { keyAttestation: body.key_attestation } : {}),
      sub: String(claims.sub),
      exp: Number(claims.exp),
      provider,
    };
    return held;
  };
  const authenticate = async ({
    url,
    headers,
    authorizationServerMetadata,
  }: ClientAuthenticationOptions): Promise<void> => {
    // An authorization server that does not take attestation-based client authentication (Setagaya's, at Japan's
    // node: no wallet provider there) gets the public client it expects: no attestation is fetched or sent.
    const methods = authorizationServerMetadata.token_endpoint_auth_methods_supported;
    if (!Array.isArray(methods) || !methods.includes('attest_jwt_client_auth')) return;
    const wua = await obtain(opts.provider ?? walletProviderEndpoint(new URL(url).origin));
    const iat = Math.floor(opts.clock.now().getTime() / 1000);
    const pop = await new CompactSign(
      new TextEncoder().encode(
        JSON.stringify({
          iss: wua.sub,
          aud: authorizationServerMetadata.issuer,
          jti: randomBytes(16).toString('base64url'),
          iat,
          exp: iat + 60,
        }),
      ),
    )
      .setProtectedHeader({ alg: 'ES256', typ: 'oauth-client-attestation-pop+jwt' })
      .sign(opts.key.privateKey);
    headers.set('OAuth-Client-Attestation', wua.jwt);
    headers.set('OAuth-Client-Attestation-PoP', pop);
  };
  /**
   * The key attestation (OpenID4VCI App. D) the provider gave with the wallet attestation, for the proof's
   * `key_attestation` header; undefined before a token request obtained one.
   */
  authenticate.keyAttestation = (): string | undefined => held?.keyAttestation;
  /** The wallet-unit attestation held now (kept with the wallet's data), undefined before one was obtained. */
  authenticate.held = (): HeldWalletAttestation | undefined => held;
  return authenticate;
}

/**
 * The two headers of OAuth 2.0 Attestation-Based Client Authentication for one raw token request to the PID provider
 * at `node` (its authorization server `<node>/wallet/issuer`): a wallet-unit attestation of a fresh device key from
 * that node's wallet provider, and its PoP. For a test or an integrator that speaks HTTP to the token endpoint without
 * {@link HolderWallet}.
 */
export async function walletAttestationHeaders(opts: {
  fetch: typeof fetch;
  clock: { now(): Date };
  node: string;
}): Promise<Record<string, string>> {
  const origin = opts.node.replace(/\/+$/, '');
  const headers = new Headers();
  await walletAttestationAuth({ fetch: opts.fetch, clock: opts.clock, key: freshEcKey() })({
    url: `${origin}/wallet/issuer/token`,
    headers,
    // The PID provider's authorization server takes attestation-based client authentication (its metadata says so).
    authorizationServerMetadata: {
      issuer: `${origin}/wallet/issuer`,
      token_endpoint_auth_methods_supported: ['attest_jwt_client_auth'],
    },
  });
  return Object.fromEntries(headers.entries());
}
