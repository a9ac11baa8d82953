import { newSecret, sha256Hex } from '../authorize/issue-code.ts';
import type { GrantData } from '../authorize/z-pending-request.ts';
import type { RegisteredClient } from '../clients/client-registry.ts';
import { buildIdentityClaims, type IdentityClaims } from '../id-token/build-identity-claims.ts';
import { type ForgeContext, forgeIdToken, idTokenFaultInForce } from '../id-token/forge-id-token.ts';
import { ID_TOKEN_TTL_SECONDS, signIdToken } from '../id-token/sign-id-token.ts';
import type { SigningKey } from '../keys/build-jwks.ts';
import { amrFor } from '../loa/loa.ts';
import type { ProviderContext } from '../provider/provider-context.ts';
import { grantWrites } from '../store/grant-writes.ts';

/** Access token lifetime. */
export const ACCESS_TOKEN_TTL_SECONDS = 600;
/** Refresh token lifetime on the virtual clock (each rotation starts a new one). */
export const REFRESH_TOKEN_TTL_SECONDS = 24 * 3600;

/** What an authorization code (and the refresh tokens of its family) grants. */
export type { GrantData } from '../authorize/z-pending-request.ts';

export interface TokenResult {
  response: {
    access_token: string;
    token_type: 'Bearer';
    expires_in: number;
    id_token: string;
    scope: string;
    refresh_token?: string;
  };
  /** The decoded ID token, for the trace (never the token itself). */
  decoded: { header: Record<string, unknown>; claims: Record<string, unknown> };
}

/**
 * Issues the tokens of a grant: an ID token (the nonce only at the code exchange: a refreshed ID token carries
 * none, and keeps the original `auth_time`), an access token, and — when `offline_access` was granted to a
 * client registered for the refresh_token grant — a refresh token of the family `family` (the code's hash).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#TokenResponse (OIDC Core §3.1.3.3)
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse (OIDC Core §12.2)
 */
export async function mintTokens(
  ctx: ProviderContext,
  client: RegisteredClient,
  grant: GrantData,
  opts: { family: string; nonce?: string },
): Promise<TokenResult> {
  return storeTokens(ctx, client, grant, opts.family, await signTokens(ctx, client, grant, opts));
}

/** The ID token of a grant, signed (or forged by a fault in force), before anything is stored. */
export interface SignedTokens {
  idToken: string;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  identityClaims: IdentityClaims;
  now: number;
}

/** The asynchronous half of {@link mintTokens}: the claims, and the ID token signed. Writes nothing. */
export async function signTokens(
  ctx: ProviderContext,
  client: RegisteredClient,
  grant: GrantData,
  opts: { nonce?: string },
): Promise<SignedTokens> {
  const now = ctx.nowSeconds();
  const identityClaims = buildIdentityClaims({
    keys: ctx.keys,
    country: ctx.deps.country,
    destination: client.registration.country ?? ctx.deps.country,
    sector: grant.sector,
    identity: grant.identity,
    identifiers: ctx.deps.identifiers,
  });
  const claims = {
    iss: ctx.issuer,
    ...identityClaims,
    aud: client.registration.client_id,
    azp: client.registration.client_id,
    exp: now + ID_TOKEN_TTL_SECONDS,
    iat: now,
    auth_time: grant.authTime,
    ...(opts.nonce !== undefined ? { nonce: opts.nonce } : {}),
    acr: grant.acr,
    amr: amrFor(grant.acr),
    ...(grant.sid ? { sid: grant.sid } : {}),
  };
  const alg = client.registration.id_token_signed_response_alg;
  // A fault in force (switched on, or asked for by this login) mints the ID token with its defect instead.
  const fault = idTokenFaultInForce(ctx.deps.faults, grant.faults, { clientId: client.registration.client_id });
  const {
    token,
    header,
    claims: minted,
  } = fault
    ? await forgeIdToken(fault, claims, forgeContext(ctx, alg, await ctx.signingKeys()))
    : { ...(await signIdToken(claims, alg, await ctx.signingKeys())), claims };
  return { idToken: token, header, claims: minted, identityClaims, now };
}

/**
 * The synchronous half of {@link mintTokens}: stores the access token (and the refresh token, when granted) of the
 * family `family` — written behind the request, see `GrantWrites` — and answers the token response. Call it right
 * after claiming the grant (nothing awaited in between).
 */
export function storeTokens(
  ctx: ProviderContext,
  client: RegisteredClient,
  grant: GrantData,
  family: string,
  signed: SignedTokens,
): TokenResult {
  const writes = grantWrites(ctx.deps.store);
  const { now } = signed;
  const accessToken = newSecret();
  ctx.purgeExpired();
  writes.write(
    'INSERT INTO oidc_tokens (token_hash, code_hash, client_id, claims, expires_at) VALUES (?, ?, ?, ?, ?)',
    sha256Hex(accessToken),
    family,
    client.registration.client_id,
    JSON.stringify(signed.identityClaims),
    now + ACCESS_TOKEN_TTL_SECONDS,
  );
  let refreshToken: string | undefined;
  if (grant.scope.split(' ').includes('offline_access') && client.grantTypes.includes('refresh_token')) {
    refreshToken = newSecret();
    writes.write(
      'INSERT INTO oidc_refresh_tokens (token_hash, family, client_id, grant_data, expires_at) VALUES (?, ?, ?, ?, ?)',
      sha256Hex(refreshToken),
      family,
      client.registration.client_id,
      JSON.stringify(grant),
      now + REFRESH_TOKEN_TTL_SECONDS,
    );
  }
  return {
    response: {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: ACCESS_TOKEN_TTL_SECONDS,
      id_token: signed.idToken,
      scope: grant.scope,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
    },
    decoded: { header: signed.header, claims: signed.claims },
  };
}

/** What forging an ID token needs from the provider (see `forgeIdToken`). */
function forgeContext(ctx: ProviderContext, alg: 'RS256' | 'ES256', keys: readonly SigningKey[]): ForgeContext {
  return {
    alg,
    keys,
    seed: ctx.deps.config.get('seed'),
    country: ctx.deps.country,
    nodeCertPem: ctx.deps.signing.certPem,
    nowSeconds: ctx.nowSeconds(),
  };
}

/** Revokes a whole token family: its refresh tokens and the access tokens issued from it. */
export function revokeFamily(ctx: ProviderContext, family: string): { refresh: number; access: number } {
  const { store } = ctx.deps;
  grantWrites(store).settle();
  return {
    refresh: store.run('DELETE FROM oidc_refresh_tokens WHERE family = ?', family).changes,
    access: store.run('DELETE FROM oidc_tokens WHERE code_hash = ?', family).changes,
  };
}
