import { sha256Hex } from '../authorize/issue-code.ts';
import { oauthError } from '../errors/oauth-error.ts';
import type { IdentityClaims } from '../id-token/build-identity-claims.ts';
import type { ProviderContext } from '../provider/provider-context.ts';
import { grantWrites } from '../store/grant-writes.ts';

/**
 * The claims behind a Bearer access token (the same identity claims as the ID token).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo (OIDC Core §5.3)
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export function readUserinfo(ctx: ProviderContext, authorization: string | undefined): IdentityClaims {
  const m = authorization?.match(/^Bearer ([A-Za-z0-9._~+/-]+=*)$/);
  if (!m)
    throw oauthError(
      'oidc-invalid-token',
      'Send the access token as "Authorization: Bearer <token>".',
      'RFC 6750 §2.1',
    );
  grantWrites(ctx.deps.store).settle();
  const row = ctx.deps.store.get<{ claims: string; expires_at: number }>(
    'SELECT claims, expires_at FROM oidc_tokens WHERE token_hash = ?',
    sha256Hex(m[1] as string),
  );
  if (!row) throw oauthError('oidc-invalid-token', 'The access token is unknown or revoked.', 'RFC 6750 §3.1');
  if (row.expires_at < ctx.nowSeconds())
    throw oauthError('oidc-invalid-token', 'The access token has expired.', 'RFC 6750 §3.1');
  return JSON.parse(row.claims) as IdentityClaims;
}
