import type { RouteConfig } from '@hono/zod-openapi';

/** An OpenAPI query parameter (the part used here). */
interface ParameterObject {
  name: string;
  in: 'query';
  required: boolean;
  description: string;
  schema: { type: 'string' | 'integer'; enum?: string[]; minimum?: number; pattern?: string; example?: string };
}

const q = (
  name: string,
  description: string,
  schema: ParameterObject['schema'] = { type: 'string' },
  required = false,
): ParameterObject => ({ name, in: 'query', required, description, schema });

/**
 * The query parameters of `GET /oidc/authorize`, for the OpenAPI document only: the handler reads and checks
 * them itself, in the order that keeps error redirects safe (a zod query schema would answer some failures with
 * a problem page where the protocol wants an error redirect, and would refuse repeated parameters differently).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest (OIDC Core §3.1.2.1)
 */
export const AUTHORIZE_QUERY_PARAMETERS = [
  q('client_id', 'The relying party (the TEST-ONLY kakehashi-demo-rp, or one registered at the node)', undefined, true),
  q(
    'redirect_uri',
    'Exactly a registered redirect URI (kakehashi-demo-rp: any http loopback URI, RFC 8252)',
    undefined,
    true,
  ),
  q('response_type', 'Only `code`', { type: 'string', enum: ['code'] }, true),
  q('scope', 'Space-separated; must contain `openid`. `profile`; `offline_access` (see prompt)', undefined, true),
  q('state', 'Required (CSRF protection), at most 500 characters; returned on the redirect', undefined, true),
  q('nonce', 'Required, at most 200 characters; returned in the ID token', undefined, true),
  q('code_challenge', 'PKCE: base64url SHA-256 of the code_verifier (43 characters)', undefined, true),
  q('code_challenge_method', 'PKCE: only `S256` (plain is refused)', { type: 'string', enum: ['S256'] }, true),
  q(
    'acr_values',
    'Space-separated eIDAS LoA URIs (http://eidas.europa.eu/LoA/low|substantial|high): the lowest one the node can satisfy becomes `acr`, else unmet_authentication_requirements',
  ),
  q(
    'prompt',
    '`none`: answer from the login session only, else login_required; `login` / `select_account`: a new authentication; `consent`: accepted (no consent screen; grants offline_access to a client registered for refresh_token)',
    { type: 'string', enum: ['none', 'login', 'consent', 'select_account', 'login consent'] },
  ),
  q(
    'max_age',
    'Seconds: a login session authenticated longer ago needs a new authentication (auth_time is always in the ID token)',
    { type: 'integer', minimum: 0 },
  ),
  q('response_mode', 'Only `query` (the default)', { type: 'string', enum: ['query'] }),
  q(
    'kakehashi_persona',
    'TEST ONLY headless login: a persona id of this node (GET /personas), or of the country named by kakehashi_country; the redirect comes at once, no page (header X-Kakehashi-Persona does the same). Ignored with prompt=none',
    { type: 'string', example: 'de-001' },
  ),
  q(
    'kakehashi_country',
    "TEST ONLY: a citizen of another country (two letters): the eIDAS connector sends the login through the hub to that country's proxy service (with kakehashi_persona passed on)",
    { type: 'string', pattern: '^[A-Za-z]{2}$', example: 'JP' },
  ),
  q('ui_locales', "The picker's language: its first tag, ja or en (OIDC Core §3.1.2.1)", {
    type: 'string',
    example: 'ja',
  }),
  q(
    'lang',
    "The picker's language, ja or en, remembered in the cookie kakehashi-lang (the console and the citizen portal read it too)",
    { type: 'string', enum: ['en', 'ja'] },
  ),
  q('kakehashi_trace', 'A W3C traceparent, handed back on the redirect so that a login stays one trace'),
  q(
    'kakehashi_fault',
    'TEST ONLY: this login gets one deliberately bad ID token — an id-token.* fault (GET /admin/faults), e.g. id-token.alg-none; carried with the code to the token endpoint (header X-Kakehashi-Fault does the same; the picker form accepts it too). An unknown or non-per-request fault is a 400 problem (fault-unknown, fault-not-per-request)',
    { type: 'string', pattern: '^id-token\\.[a-z0-9-]+$', example: 'id-token.alg-none' },
  ),
] satisfies ParameterObject[] as unknown as NonNullable<RouteConfig['parameters']>;
