import type { ErrorCode } from '@kakehashi/core';
import { type Oauth2AuthorizationServer, Oauth2ServerErrorResponseError } from '@openid4vc/oauth2';
import type { AuthorizationState } from './authorization-state.ts';
import type { IssuerState } from './issuer-state.ts';

/** A token request's outcome: the persona the access token is for, or the OAuth error to answer. */
export type GrantOutcome =
  | { personaId: string; grant: 'authorization_code' | 'pre-authorized_code' }
  | { code: ErrorCode; error: 'invalid_request' | 'invalid_grant'; description: string };

const invalidGrant = (description: string): GrantOutcome => ({
  code: 'vci-invalid-grant',
  error: 'invalid_grant',
  description,
});

/**
 * The pre-authorised code grant (OpenID4VCI §6.1): the code once; when the offer asked for a transaction code,
 * a missing one is `invalid_request` and a wrong one `invalid_grant` (§6.3), and the code survives only
 * {@link TX_CODE_ATTEMPTS} wrong ones (§13.6: the code is burnt, the guesses bounded) — a missing one costs nothing.
 */
export function preAuthorizedGrant(
  state: IssuerState,
  auth: AuthorizationState | undefined,
  preAuthorizedCode: string,
  txCode: string | undefined,
): GrantOutcome {
  const tx = auth?.checkTxCode(preAuthorizedCode, txCode) ?? 'none';
  if (tx === 'missing')
    return {
      code: 'vci-tx-code-missing',
      error: 'invalid_request',
      description:
        'This offer asked for a transaction code (tx_code): send the one given out of band (OpenID4VCI §6.1).',
    };
  if (tx === 'wrong') return invalidGrant('The tx_code is wrong (OpenID4VCI §6.3).');
  if (tx === 'burnt') {
    state.consumeCode(preAuthorizedCode);
    return invalidGrant(
      'The tx_code is wrong, too many times: the pre-authorized_code is withdrawn (OpenID4VCI §13.6).',
    );
  }
  const personaId = state.consumeCode(preAuthorizedCode);
  if (!personaId)
    return invalidGrant('The pre-authorized_code is unknown, expired or already used (OpenID4VCI §4.1.1: single use).');
  return { personaId, grant: 'pre-authorized_code' };
}

/**
 * The authorization code grant (RFC 6749 §4.1.3, OpenID4VCI §6.1): the code once (a second use finds nothing), the
 * same `client_id` and `redirect_uri` as the pushed request, and the PKCE verifier of its S256 challenge
 * (@openid4vc/oauth2's check, RFC 7636 §4.6). Every refusal is `invalid_grant`, except a missing verifier
 * (`invalid_request`).
 */
export async function authorizationCodeGrant(
  as: Oauth2AuthorizationServer,
  auth: AuthorizationState,
  opts: {
    parsed: Parameters<Oauth2AuthorizationServer['verifyAuthorizationCodeAccessTokenRequest']>[0]['grant'];
    form: Record<string, string>;
    request: { method: 'POST'; url: string; headers: Headers };
    metadata: Parameters<
      Oauth2AuthorizationServer['verifyAuthorizationCodeAccessTokenRequest']
    >[0]['authorizationServerMetadata'];
  },
): Promise<GrantOutcome> {
  const entry = auth.takeCode(opts.parsed.code);
  if (!entry) return invalidGrant('The authorization code is unknown, expired or already used (RFC 6749 §4.1.2).');
  if (opts.form.client_id !== entry.request.clientId)
    return invalidGrant('The code was issued to another client_id (RFC 6749 §4.1.3).');
  if (opts.form.redirect_uri !== entry.request.redirectUri)
    return invalidGrant('The redirect_uri is not the one of the authorization request (RFC 6749 §4.1.3).');
  try {
    await as.verifyAuthorizationCodeAccessTokenRequest({
      authorizationServerMetadata: opts.metadata,
      grant: opts.parsed,
      accessTokenRequest: opts.form as never,
      request: opts.request,
      expectedCode: opts.parsed.code,
      pkce: {
        codeChallenge: entry.request.codeChallenge,
        codeChallengeMethod: 'S256' as never,
        codeVerifier: opts.form.code_verifier,
      },
    });
  } catch (e) {
    if (e instanceof Oauth2ServerErrorResponseError && e.errorResponse.error === 'invalid_request')
      return {
        code: 'vci-invalid-request',
        error: 'invalid_request',
        description: 'The code_verifier is missing (PKCE, RFC 7636 §4.5).',
      };
    return invalidGrant('The code_verifier does not match the code_challenge (PKCE S256, RFC 7636 §4.6).');
  }
  return { personaId: entry.personaId, grant: 'authorization_code' };
}
