import { createRoute } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule, problemResponses } from '@kakehashi/core';
import '../../error-codes.ts';
import type { SamlContext } from '../saml-context.ts';
import { singleLogout } from './idp-logout.ts';
import { LogoutResultSchema, receiveLogoutResponse, startLogout } from './sp-logout.ts';

const tags = ['eid', 'saml'];
const query = (name: string, description: string, required = false) => ({
  name,
  in: 'query' as const,
  required,
  description,
  schema: { type: 'string' as const },
});

/**
 * SAML Single Logout on the HTTP-Redirect binding: the IdP's SingleLogoutService, and the connector's (the SP's)
 * logout starter and SingleLogoutService.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-profiles-2.0-os.pdf (§4.4 Single Logout Profile)
 */
export function samlSloRoutes(ctx: SamlContext): ComponentApp {
  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'get',
      path: '/saml/idp/slo',
      tags,
      summary:
        "IdP SingleLogoutService (HTTP-Redirect): a LogoutRequest signed on the query (SAMLRequest, RelayState, SigAlg, Signature) ends the principal's sessions at that SP; 302 with a signed LogoutResponse to the SP's SingleLogoutService (the demo SP: the ACS URL it logged in with)",
      description:
        'Problems (problem+json) while the SP and its signature are not established (unknown SP, unsigned, bad signature, nowhere to answer); after that a LogoutResponse: Success, Requester/UnknownPrincipal when no live session matches, Requester/RequestDenied for a bad request.',
      parameters: [
        query('SAMLRequest', 'The LogoutRequest: raw DEFLATE, base64, URL-encoded', true),
        query('RelayState', 'Returned with the LogoutResponse (≤ 80 bytes)'),
        query('SigAlg', 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256 (or rsa-sha512)', true),
        query('Signature', 'Over SAMLRequest=…&RelayState=…&SigAlg=… as sent', true),
      ],
      responses: {
        302: { description: "To the SP's SingleLogoutService with SAMLResponse, RelayState, SigAlg, Signature" },
        ...problemResponses(400, 413),
      },
    }),
    (c) => singleLogout(ctx, c),
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/saml/sp/logout',
      tags,
      summary:
        "Starts SP-initiated Single Logout at another node's IdP: ?country=JP&nameId=<NameID of the assertion>[&sessionIndex=…][&RelayState=…] → 302 with a signed LogoutRequest (HTTP-Redirect) to its SingleLogoutService",
      parameters: [
        query('country', "The IdP's node (two letters)", true),
        query('nameId', 'The NameID of the assertion (the PersonIdentifier)', true),
        query('sessionIndex', "The assertion's SessionIndex (identity.sessionIndex of the ACS answer)"),
        query('RelayState', 'Returned with the LogoutResponse (≤ 80 bytes)'),
      ],
      responses: {
        302: { description: "To the IdP's SingleLogoutService with the signed LogoutRequest" },
        ...problemResponses(400, 404, 502),
      },
    }),
    (c) => startLogout(ctx, c),
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/saml/sp/slo',
      tags,
      summary:
        "The connector's SingleLogoutService (HTTP-Redirect): the IdP's LogoutResponse, signed on the query, answering an outstanding LogoutRequest; JSON {loggedOut, status, relayState}",
      parameters: [
        query('SAMLResponse', 'The LogoutResponse: raw DEFLATE, base64, URL-encoded', true),
        query('RelayState', 'As sent with the LogoutRequest'),
        query('SigAlg', 'The signature algorithm', true),
        query('Signature', 'Over SAMLResponse=…&RelayState=…&SigAlg=… as sent', true),
      ],
      responses: {
        200: { description: 'The logout outcome', content: { 'application/json': { schema: LogoutResultSchema } } },
        ...problemResponses(400, 413),
      },
    }),
    async (c) => {
      c.header('cache-control', 'no-store');
      return c.json(await receiveLogoutResponse(ctx, c), 200);
    },
  );
  return r;
}
