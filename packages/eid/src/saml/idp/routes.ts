import { randomBytes } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import {
  type ComponentApp,
  createRouteModule,
  FAULT_HEADER,
  FAULT_PARAM,
  KakehashiError,
  pageLang,
  problemResponses,
} from '@kakehashi/core';
import type { Context } from 'hono';
import { pickerCsp } from '../../authorize/page-csp.ts';
import { renderPersonaPicker } from '../../authorize/render-persona-picker.ts';
import '../../error-codes.ts';
import { customIdentity, identityFromPersona } from '../../id-token/build-identity.ts';
import { CustomIdentityInputSchema } from '../../id-token/z-identity.ts';
import {
  type DecodedBindingMessage,
  decodePostRequest,
  decodeRedirectRequest,
} from '../authn-request/decode-request.ts';
import { DEMO_SP_ENTITY_ID, OUTSTANDING_REQUEST_TTL_SECONDS, SAML_PENDING_TTL_SECONDS, STATUS } from '../constants.ts';
import { requireSamlFault } from '../faults.ts';
import { SSO_REDIRECT_PARAMETERS } from '../query-parameters.ts';
import { readSamlForm } from '../read-form.ts';
import { type SamlContext, sha256Hex } from '../saml-context.ts';
import { parseSamlXml } from '../xml/parse-saml.ts';
import { completeSamlLogin, samlErrorResponse } from './complete-login.ts';
import { readAuthnRequestIssuer, validateAuthnRequest, verifyAuthnRequestSignature } from './validate-authn-request.ts';
import { ValidatedAuthnRequestSchema } from './z-saml-request.ts';

const tags = ['eid', 'saml'];
const htmlAnswer = {
  description:
    'An auto-submitting form posting the SAMLResponse to the ACS, or the TEST-ONLY persona picker (text/html)',
  content: { 'text/html': { schema: z.string() } },
};

/**
 * The eIDAS proxy service's single sign-on (the SAML IdP): AuthnRequests over the HTTP-Redirect and HTTP-POST
 * bindings from known SPs (every registered node's connector, the test-only demo SP, admin-registered SPs),
 * headless login or the persona picker, and a signed Response carrying a signed, encrypted assertion.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-profiles-2.0-os.pdf (§4.1 Web Browser SSO)
 * @see eIDAS SAML Message Format v1.2
 */
export function samlIdpRoutes(ctx: SamlContext): ComponentApp {
  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'get',
      path: '/saml/idp/sso',
      tags,
      summary:
        'SSO, HTTP-Redirect binding: SAMLRequest (deflate+base64), RelayState, SigAlg+Signature. Headless with kakehashi_persona=<id> or header X-Kakehashi-Persona; else the TEST-ONLY persona picker. Answers with an auto-submitting form (SAMLResponse) to the ACS',
      description:
        'Problems (problem+json) while the SP and its ACS are not established (unknown SP, bad signature, ACS not in metadata, malformed encoding, X1–X6); SAML error statuses (signed Response) after that.',
      parameters: SSO_REDIRECT_PARAMETERS,
      responses: { 200: htmlAnswer, ...problemResponses(400, 413) },
    }),
    (c) => singleSignOn(ctx, c, decodeRedirectRequest(new URL(c.req.url).search.replace(/^\?/, ''))),
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/saml/idp/sso',
      tags,
      summary:
        'SSO, HTTP-POST binding: form SAMLRequest (base64, signed enveloped), RelayState, kakehashi_persona, kakehashi_fault (TEST ONLY: a forged Response)',
      responses: { 200: htmlAnswer, ...problemResponses(400, 413, 415) },
    }),
    async (c) => singleSignOn(ctx, c, decodePostRequest(await readSamlForm(c))),
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/saml/idp/login',
      tags,
      summary: "The SAML picker's form post (request_id and persona, or family_name, given_name, birthdate)",
      responses: { 200: htmlAnswer, ...problemResponses(400, 415) },
    }),
    async (c) => pickerLogin(ctx, c, await readSamlForm(c)),
  );
  return r;
}

/** An AuthnRequest from either binding: SP and signature first (problems), then the request (SAML statuses). */
async function singleSignOn(ctx: SamlContext, c: Context, message: DecodedBindingMessage): Promise<Response> {
  const { deps } = ctx;
  // A test may ask for one forged Response (kakehashi_fault, X-Kakehashi-Fault): checked now, kept with the request.
  const asked = c.req.header(FAULT_HEADER) ?? message.fault ?? c.req.query(FAULT_PARAM);
  const faults = asked ? [requireSamlFault(deps.faults, asked)] : [];
  const doc = parseSamlXml(message.xml);
  const { root, issuer, id } = readAuthnRequestIssuer(doc);
  const sp = await ctx.directory.resolve(issuer, c.get('fetch'));
  if (!sp)
    throw new KakehashiError(
      'saml-unknown-sp',
      `No SP ${JSON.stringify(issuer.slice(0, 200))} is known at node ${deps.country}: the connector of a registered node (<node>/saml/sp/metadata), the test SP ${DEMO_SP_ENTITY_ID}, or one registered with POST /admin/saml/sps.`,
      { rule: 'SAML Profiles §4.1.4.1' },
    );
  verifyAuthnRequestSignature(root, message, sp);
  const v = validateAuthnRequest({
    root,
    requestId: id,
    message,
    sp,
    directory: ctx.directory,
    ssoUrl: ctx.ssoUrl,
    nodeLoa: deps.loa,
    nowMs: deps.clock.nowMs(),
    skewSeconds: deps.config.get('clockSkewSeconds'),
    seenBefore: (rid) => seenBefore(ctx, sp.entityId, rid),
  });
  ctx.trace(
    c,
    'saml: AuthnRequest received',
    sp.entityId,
    {
      type: 'saml_authn_request',
      id,
      issuer,
      binding: message.binding,
      signed: sp.requireSignedRequests || !!message.querySignature,
      ...(v.ok
        ? {
            requestedLoa: v.request.requestedLoa,
            acs: v.request.acsUrl,
            attributes: v.request.attributes,
            spType: v.request.spType,
          }
        : {}),
    },
    { valid: v.ok },
  );
  if (!v.ok) return samlErrorResponse(ctx, c, { ...v, spEntityId: sp.entityId }, v.status);
  const request = faults.length > 0 ? { ...v.request, faults } : v.request;
  const headless = v.persona ?? c.req.header('x-kakehashi-persona');
  if (headless) {
    const persona = ctx.personas.get(headless);
    if (!persona)
      return samlErrorResponse(
        ctx,
        c,
        { ...request },
        {
          top: STATUS.responder,
          second: STATUS.authnFailed,
          message: `kakehashi_persona names no persona of node ${deps.country} (GET /personas lists them).`,
        },
      );
    return completeSamlLogin(ctx, c, request, identityFromPersona(persona), persona);
  }
  // Interactive: the request waits (single use, SAML_PENDING_TTL_SECONDS) while the user picks a persona.
  const requestId = randomBytes(32).toString('base64url');
  deps.store.run('DELETE FROM saml_pending WHERE expires_at < ?', ctx.nowS());
  deps.store.run(
    'INSERT INTO saml_pending (id_hash, request, expires_at) VALUES (?, ?, ?)',
    sha256Hex(requestId),
    JSON.stringify(request),
    ctx.nowS() + SAML_PENDING_TTL_SECONDS,
  );
  c.header('cache-control', 'no-store');
  c.header('x-frame-options', 'DENY');
  // The forms post here and the answer is a page (the auto-submitting form to the ACS), never a redirect.
  c.header('content-security-policy', pickerCsp([]));
  const page = renderPersonaPicker({
    country: deps.country,
    nodeName: `node ${deps.country} (eIDAS SAML)`,
    clientName: request.spEntityId,
    requestId,
    personas: deps.personas,
    formAction: '/saml/idp/login',
    lang: pageLang(c),
  });
  return c.html(page);
}

/** Whether the SP sent this request ID before (remembered twice the outstanding-request lifetime). */
function seenBefore(ctx: SamlContext, spEntityId: string, requestId: string): boolean {
  const { store } = ctx.deps;
  store.run('DELETE FROM saml_request_ids WHERE expires_at < ?', ctx.nowS());
  const seen = store.get('SELECT 1 AS x FROM saml_request_ids WHERE sp = ? AND request_id = ?', spEntityId, requestId);
  if (!seen)
    store.run(
      'INSERT INTO saml_request_ids (sp, request_id, expires_at) VALUES (?, ?, ?)',
      spEntityId,
      requestId,
      ctx.nowS() + 2 * OUTSTANDING_REQUEST_TTL_SECONDS,
    );
  return seen !== undefined;
}

/** The picker's form post: the pending request (single use), then a persona or a custom identity. */
function pickerLogin(ctx: SamlContext, c: Context, form: URLSearchParams): Response {
  const { deps } = ctx;
  const idHash = sha256Hex(form.get('request_id') ?? '');
  const row = deps.store.get<{ request: string; expires_at: number }>(
    'SELECT request, expires_at FROM saml_pending WHERE id_hash = ?',
    idHash,
  );
  deps.store.run('DELETE FROM saml_pending WHERE id_hash = ?', idHash);
  if (!row || row.expires_at < ctx.nowS())
    throw new KakehashiError(
      'saml-request-expired',
      'This login page is unknown, used or expired: start again from the service provider.',
    );
  const request = ValidatedAuthnRequestSchema.parse(JSON.parse(row.request));
  const personaId = form.get('persona');
  if (personaId) {
    const persona = ctx.personas.get(personaId);
    if (!persona)
      throw new KakehashiError(
        'saml-request-invalid',
        `No persona "${personaId.slice(0, 40)}" at node ${deps.country}.`,
      );
    return completeSamlLogin(ctx, c, request, identityFromPersona(persona), persona);
  }
  const parsed = CustomIdentityInputSchema.safeParse({
    family_name: form.get('family_name') ?? '',
    given_name: form.get('given_name') ?? '',
    birthdate: form.get('birthdate') ?? '',
  });
  if (!parsed.success)
    throw new KakehashiError(
      'saml-request-invalid',
      'Pick a persona, or give a custom identity: family_name, given_name and birthdate (YYYY-MM-DD).',
    );
  return completeSamlLogin(ctx, c, request, customIdentity(ctx.keys.customIdentityKey, parsed.data, deps.loa));
}
