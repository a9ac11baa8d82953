import { type ErrorCode, KakehashiError } from '@kakehashi/core';

/** The OAuth 2.0 / OIDC `error` values this provider emits. */
export type OAuthErrorName =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'unmet_authentication_requirements'
  | 'invalid_token'
  | 'invalid_client_metadata'
  | 'invalid_redirect_uri'
  | 'login_required'
  | 'temporarily_unavailable';

/**
 * Each Kakehashi error code of the eID block and the OAuth `error` it is spoken as on the wire.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2 (token endpoint errors)
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1 (authorization errors)
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1 (bearer token errors)
 * @see https://openid.net/specs/openid-connect-unmet-authentication-requirements-1_0.html
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthError (login_required)
 */
export const OAUTH_ERROR_BY_CODE = {
  'oidc-invalid-request': 'invalid_request',
  'oidc-unknown-client': 'invalid_request',
  'oidc-invalid-redirect-uri': 'invalid_request',
  'oidc-unsupported-response-type': 'unsupported_response_type',
  'oidc-invalid-scope': 'invalid_scope',
  'oidc-unmet-authentication-requirements': 'unmet_authentication_requirements',
  'oidc-access-denied': 'access_denied',
  'oidc-request-expired': 'invalid_request',
  'oidc-invalid-client': 'invalid_client',
  'oidc-invalid-grant': 'invalid_grant',
  'oidc-unsupported-grant-type': 'unsupported_grant_type',
  'oidc-unauthorized-client': 'unauthorized_client',
  'oidc-refresh-token-reused': 'invalid_grant',
  'oidc-login-required': 'login_required',
  'oidc-invalid-logout-request': 'invalid_request',
  'oidc-invalid-token': 'invalid_token',
  'oidc-invalid-client-metadata': 'invalid_client_metadata',
  // A node or the hub this request depends on is down or too slow: worth retrying later (RFC 6749 §4.1.2.1).
  'upstream-unavailable': 'temporarily_unavailable',
  'upstream-timeout': 'temporarily_unavailable',
} as const satisfies Partial<Record<ErrorCode, OAuthErrorName>>;

export type OidcErrorCode = keyof typeof OAUTH_ERROR_BY_CODE;

/**
 * A protocol error of the OIDC provider: a KakehashiError (stable code, problem+json when shown as a page)
 * that also knows its OAuth `error` name. The message is the `error_description`: it says what happened and
 * what to do, and never contains a secret, a code or a token.
 */
export function oauthError(code: OidcErrorCode, description: string, rule?: string): KakehashiError {
  return new KakehashiError(code, description, {
    ...(rule ? { rule } : {}),
    extra: { error: OAUTH_ERROR_BY_CODE[code] },
  });
}

/** The OAuth `error` name of any thrown value (invalid_request for boundary failures, server_error otherwise). */
export function oauthErrorName(e: KakehashiError): string {
  const mapped = (OAUTH_ERROR_BY_CODE as Record<string, string>)[e.code];
  if (mapped) return mapped;
  return e.status >= 500 ? 'server_error' : 'invalid_request';
}
