import type { RouteConfig } from '@hono/zod-openapi';

const q = (name: string, description: string, required = false, example?: string) => ({
  name,
  in: 'query' as const,
  required,
  description,
  schema: { type: 'string' as const, ...(example ? { example } : {}) },
});

/**
 * The query of `GET /saml/idp/sso` (HTTP-Redirect binding), for the OpenAPI document only: the handler decodes
 * the raw query itself, because the signature covers its exact octets.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-bindings-2.0-os.pdf (§3.4.4.1)
 */
export const SSO_REDIRECT_PARAMETERS: NonNullable<RouteConfig['parameters']> = [
  q('SAMLRequest', 'The AuthnRequest: raw DEFLATE, base64, URL-encoded', true),
  q('RelayState', 'Returned with the Response (≤ 80 bytes)'),
  q('SigAlg', 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256 (or rsa-sha512); every SP but the demo SP signs'),
  q('Signature', 'Over SAMLRequest=…&RelayState=…&SigAlg=… exactly as sent'),
  q(
    'kakehashi_persona',
    'TEST ONLY headless login: a persona id of this node (GET /personas); not covered by the signature',
    false,
    'de-001',
  ),
  q(
    'kakehashi_fault',
    'TEST ONLY: one per-request fault (saml.*, GET /admin/faults) this login asks for: the Response is forged in exactly that way; not covered by the signature (header X-Kakehashi-Fault too)',
    false,
    'saml.expired',
  ),
];

/** The query of `GET /saml/sp/login` (the connector's login starter), for the OpenAPI document. */
export const SP_LOGIN_PARAMETERS: NonNullable<RouteConfig['parameters']> = [
  q('country', "The citizen's node (two letters); without it a browser gets the country-selection page", false, 'JP'),
  q('loa', 'Minimum LoA: low, substantial (default) or high, or the eIDAS LoA URI', false, 'substantial'),
  q('persona', 'TEST ONLY: a persona of that country, passed on for a headless login', false, 'jp-001'),
  q('RelayState', 'Returned by the ACS (≤ 80 bytes)'),
  q(
    'kakehashi_fault',
    "TEST ONLY: one per-request fault (saml.*, GET /admin/faults) passed on to the IdP's SSO: its Response is forged in exactly that way (header X-Kakehashi-Fault too)",
    false,
    'saml.wrong-audience',
  ),
];
