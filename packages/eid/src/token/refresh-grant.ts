import { sha256Hex } from '../authorize/issue-code.ts';
import type { RegisteredClient } from '../clients/client-registry.ts';
import { oauthError } from '../errors/oauth-error.ts';
import type { ProviderContext } from '../provider/provider-context.ts';
import { grantWrites } from '../store/grant-writes.ts';
import { type GrantData, mintTokens, revokeFamily, type TokenResult } from './mint-tokens.ts';

/**
 * The refresh_token grant with rotation: the refresh token must exist, be unexpired on the virtual clock and
 * belong to the authenticated client; it is used once and replaced by a new one of the same family. A rotated
 * token presented again means that it leaked: the whole family (its refresh tokens and the access tokens issued
 * from it) is revoked and the request refused. `scope` may narrow the granted scope, never widen it. The new ID
 * token keeps `sub`, `aud`, `acr` and the original `auth_time`, without a nonce.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2 (refresh token rotation, reuse detection)
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokens (OIDC Core §12)
 */
export async function refreshGrant(
  ctx: ProviderContext,
  client: RegisteredClient,
  params: URLSearchParams,
): Promise<TokenResult> {
  const token = params.get('refresh_token');
  if (!token) throw oauthError('oidc-invalid-request', 'refresh_token is missing.', 'RFC 6749 §6');
  const { store } = ctx.deps;
  const hash = sha256Hex(token);
  grantWrites(store).settle();
  const row = store.get<{ family: string; client_id: string; grant_data: string; expires_at: number }>(
    'SELECT family, client_id, grant_data, expires_at FROM oidc_refresh_tokens WHERE token_hash = ?',
    hash,
  );
  if (!row) throw oauthError('oidc-invalid-grant', 'The refresh token is unknown or revoked.', 'RFC 6749 §6');
  if (row.client_id !== client.registration.client_id)
    throw oauthError('oidc-invalid-grant', 'The refresh token was issued to another client.', 'RFC 6749 §6');
  // Single use, decided atomically: only one request can flip `used`; a second one is a reuse.
  if (store.run('UPDATE oidc_refresh_tokens SET used = 1 WHERE token_hash = ? AND used = 0', hash).changes !== 1) {
    const revoked = revokeFamily(ctx, row.family);
    ctx.deps.logger.warn('refresh token reused; its family revoked', { clientId: row.client_id, revoked });
    throw oauthError(
      'oidc-refresh-token-reused',
      'This refresh token was already used: every token of its family is revoked; log in again.',
      'RFC 9700 §4.14.2',
    );
  }
  if (row.expires_at < ctx.nowSeconds())
    throw oauthError('oidc-invalid-grant', 'The refresh token has expired.', 'RFC 6749 §6');
  const grant = JSON.parse(row.grant_data) as GrantData;
  const requested = params.get('scope');
  if (requested !== null) {
    const granted = new Set(grant.scope.split(' '));
    const wanted = requested.split(' ').filter(Boolean);
    if (!wanted.includes('openid') || wanted.some((s) => !granted.has(s)))
      throw oauthError(
        'oidc-invalid-scope',
        `scope may only narrow the granted one (${grant.scope}) and must keep openid.`,
        'RFC 6749 §6',
      );
    grant.scope = wanted.join(' ');
  }
  return mintTokens(ctx, client, grant, { family: row.family });
}
