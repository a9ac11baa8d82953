import { sha256Hex } from '../authorize/issue-code.ts';
import { issuedCodes } from '../authorize/issued-codes.ts';
import type { RegisteredClient } from '../clients/client-registry.ts';
import { oauthError } from '../errors/oauth-error.ts';
import { verifyPkce } from '../pkce/verify-pkce.ts';
import type { ProviderContext } from '../provider/provider-context.ts';
import { grantWrites } from '../store/grant-writes.ts';
import { revokeFamily, signTokens, storeTokens, type TokenResult } from './mint-tokens.ts';

/**
 * The authorization_code grant: the code must exist, be unused (a replay is refused AND revokes the access
 * and refresh tokens already issued from it), be unexpired on the virtual clock, belong to the authenticated client, come
 * with the same redirect_uri, and its PKCE verifier must match the S256 challenge.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#TokenRequestValidation (OIDC Core §3.1.3.2)
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2 (single use; revoke on replay)
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.6
 */
export async function exchangeCode(
  ctx: ProviderContext,
  client: RegisteredClient,
  params: URLSearchParams,
): Promise<TokenResult> {
  const code = params.get('code');
  if (!code) throw oauthError('oidc-invalid-request', 'code is missing.', 'RFC 6749 §4.1.3');
  const codeHash = sha256Hex(code);
  const { store } = ctx.deps;
  const now = ctx.nowSeconds();
  const codes = issuedCodes(store);
  const issued = codes.get(codeHash);
  const replayed = (clientId: string): never => {
    const revoked = revokeFamily(ctx, codeHash);
    ctx.deps.logger.warn('authorization code replayed; tokens issued from it revoked', { clientId, revoked });
    throw oauthError(
      'oidc-invalid-grant',
      'The authorization code was already used; the tokens issued from it are revoked.',
      'RFC 6749 §4.1.2',
    );
  };
  if (!issued) {
    // A redeemed code has left memory: the tokens issued from it name it (their family), live ones are revoked.
    grantWrites(store).settle();
    const family = store.get<{ client_id: string }>(
      `SELECT client_id FROM oidc_tokens WHERE code_hash = ?
       UNION ALL SELECT client_id FROM oidc_refresh_tokens WHERE family = ? LIMIT 1`,
      codeHash,
      codeHash,
    );
    if (family) replayed(family.client_id);
    throw oauthError('oidc-invalid-grant', 'The authorization code is unknown.', 'RFC 6749 §5.2');
  }
  const { grant } = issued;
  // Single use, decided atomically: only one request can flip `used` (synchronously, in the same turn as it queues
  // the tokens). A request that fails a check uses the code up all the same.
  const claim = () => {
    if (issued.used) return false;
    issued.used = true;
    return true;
  };
  const refuse = (e: Error): never => {
    if (!claim()) replayed(grant.clientId);
    throw e;
  };
  if (issued.used) replayed(grant.clientId);
  if (issued.expiresAt < now)
    refuse(oauthError('oidc-invalid-grant', 'The authorization code has expired (60 s).', 'RFC 6749 §4.1.2'));
  if (grant.clientId !== client.registration.client_id)
    refuse(oauthError('oidc-invalid-grant', 'The authorization code was issued to another client.', 'RFC 6749 §4.1.3'));
  if (params.get('redirect_uri') !== grant.redirectUri)
    refuse(
      oauthError(
        'oidc-invalid-grant',
        'redirect_uri differs from the one in the authorization request.',
        'RFC 6749 §4.1.3',
      ),
    );
  if (!verifyPkce(params.get('code_verifier') ?? undefined, grant.codeChallenge))
    refuse(
      oauthError(
        'oidc-invalid-grant',
        'The code_verifier is missing or does not match the code_challenge (S256).',
        'RFC 7636 §4.6',
      ),
    );

  // Signed before the claim; the claim and the queueing of the tokens happen in one synchronous step (the tokens
  // are written behind, see `GrantWrites`). Of two concurrent requests with one code, the second finds it claimed
  // and revokes what the first stored (the revocation settles the queue first).
  const signed = await signTokens(ctx, client, grant, { nonce: grant.nonce });
  if (!claim()) return replayed(grant.clientId);
  const result = storeTokens(ctx, client, grant, codeHash, signed);
  // Redeemed: from now on its tokens stand for it (a replay finds them).
  codes.delete(codeHash);
  return result;
}
