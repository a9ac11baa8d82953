import type { Loa, Persona } from '@kakehashi/personas';
import type { Context } from 'hono';
import { postFormCsp } from '../../authorize/page-csp.ts';
import type { AuthenticatedIdentity } from '../../id-token/z-identity.ts';
import { LOA_ORDER, loaRank } from '../../loa/loa.ts';
import { computePersonIdentifier } from '../../pairwise/compute-pairwise-sub.ts';
import { SAML_SESSION_TTL_SECONDS, STATUS } from '../constants.ts';
import {
  AUTO_SUBMIT_SCRIPT_SOURCE,
  buildAssertion,
  buildResponse,
  renderPostForm,
} from '../response/build-response.ts';
import type { SamlContext } from '../saml-context.ts';
import { recordSamlSession } from '../slo/saml-sessions.ts';
import { newSamlId } from '../xml/dom.ts';
import { planForgery, wrapping } from './forge-response.ts';
import type { SamlStatus, ValidatedAuthnRequest } from './z-saml-request.ts';

/** Where an IdP answer goes: the SP's ACS, the request it answers, its RelayState. */
export interface SamlAnswerTarget {
  acsUrl: string;
  requestId: string;
  relayState?: string | undefined;
  spEntityId: string;
}

/**
 * The auto-submitting HTML form that delivers a Response to the ACS (HTTP-POST binding), never cached.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-bindings-2.0-os.pdf (§3.5.4)
 */
export function postResponseForm(c: Context, action: string, xml: string, relayState?: string): Response {
  c.header('cache-control', 'no-store');
  c.header('content-security-policy', postFormCsp(AUTO_SUBMIT_SCRIPT_SOURCE));
  return c.html(
    renderPostForm(
      action,
      {
        SAMLResponse: Buffer.from(xml, 'utf8').toString('base64'),
        ...(relayState !== undefined ? { RelayState: relayState } : {}),
      },
      'SAMLResponse',
    ),
  );
}

/**
 * A refusal once the SP and its ACS are established: a signed Response with a SAML status (no assertion), posted
 * to the ACS.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-core-2.0-os.pdf (§3.2.2.2 status codes)
 */
export function samlErrorResponse(ctx: SamlContext, c: Context, to: SamlAnswerTarget, status: SamlStatus): Response {
  const r = buildResponse({
    idpEntityId: ctx.idpEntityId,
    signer: ctx.signer,
    destination: to.acsUrl,
    inResponseTo: to.requestId,
    nowMs: ctx.deps.clock.nowMs(),
    status,
  });
  ctx.trace(
    c,
    'saml: error Response issued',
    to.spEntityId,
    { type: 'saml_response', id: r.id, inResponseTo: to.requestId, destination: to.acsUrl, status },
    { valid: false },
  );
  ctx.deps.logger.info('SAML error response', { sp: to.spEntityId, status: status.second ?? status.top });
  return postResponseForm(c, to.acsUrl, r.xml, to.relayState);
}

/**
 * Completes a login: the LoA reached (the identity's, capped by the node's) must meet the request's minimum; the
 * assertion carries the PersonIdentifier for the SP's country, is signed, then encrypted to the SP, inside a
 * signed Success Response.
 * @see eIDAS SAML Message Format v1.2 §3 (Response, assertion, attributes)
 */
export function completeSamlLogin(
  ctx: SamlContext,
  c: Context,
  request: ValidatedAuthnRequest,
  identity: AuthenticatedIdentity,
  persona?: Persona,
): Response {
  const { deps } = ctx;
  const achieved = LOA_ORDER[Math.min(loaRank(identity.loa), loaRank(deps.loa)) - 1] as Loa;
  // The faults that are on decide the Response's defects (none in normal operation).
  const plan = planForgery(ctx, request);
  if (loaRank(achieved) < loaRank(request.requestedLoa) && !plan.loa)
    return samlErrorResponse(ctx, c, request, {
      top: STATUS.responder,
      second: STATUS.noAuthnContext,
      message: `This identity authenticates at ${achieved}, below the requested minimum ${request.requestedLoa}.`,
    });
  const personIdentifier =
    deps.personIdentifier?.(identity.subjectId, request.destinationCountry) ??
    computePersonIdentifier(ctx.keys.personIdKey, deps.country, request.destinationCountry, identity.subjectId);
  // The IdP session this assertion starts, for Single Logout (SessionIndex, SessionNotOnOrAfter).
  const session = { index: newSamlId(), notOnOrAfterMs: deps.clock.nowMs() + SAML_SESSION_TTL_SECONDS * 1000 };
  const loa = plan.loa ?? achieved;
  const assertion = buildAssertion({
    idpEntityId: ctx.idpEntityId,
    request,
    identity,
    persona,
    loa,
    personIdentifier,
    nowMs: plan.issuedAtMs,
    country: deps.country,
    session,
    overrides: plan.assertion,
  });
  ctx.lastAssertionIds.set(request.spEntityId, assertion.id);
  recordSamlSession(ctx, {
    sessionIndex: session.index,
    sp: request.spEntityId,
    nameId: personIdentifier,
    acsUrl: request.acsUrl,
    expiresAt: Math.floor(session.notOnOrAfterMs / 1000),
  });
  // Signature wrapping: an unsigned assertion for another person, beside the signed one or in Extensions.
  const evil = plan.xsw
    ? buildAssertion({
        idpEntityId: ctx.idpEntityId,
        request,
        identity: {
          subjectId: 'evil-twin',
          familyName: 'Evil',
          givenName: 'Mallory',
          birthdate: identity.birthdate,
          loa: identity.loa,
          custom: true,
        },
        loa,
        personIdentifier: `${deps.country}/${request.destinationCountry}/mallory-evil-twin`,
        nowMs: plan.issuedAtMs,
        country: deps.country,
        overrides: { ...plan.assertion, id: undefined },
      }).xml
    : undefined;
  const encryptFor = { certPem: request.encryptionCert, entityId: request.spEntityId };
  const response = buildResponse({
    idpEntityId: plan.issuer,
    signer: plan.signer,
    destination: plan.destination,
    inResponseTo: plan.inResponseTo,
    nowMs: plan.issuedAtMs,
    status: plan.status,
    assertion: { xml: assertion.xml, encryptFor },
    forge: { ...plan.response, ...(plan.xsw && evil ? wrapping(plan.xsw, evil, encryptFor) : {}) },
  });
  ctx.trace(
    c,
    'saml: Response issued',
    request.spEntityId,
    {
      type: 'saml_response',
      id: response.id,
      assertionId: assertion.id,
      inResponseTo: plan.inResponseTo,
      destination: plan.destination,
      loa,
      attributes: request.attributes,
      encryptedFor: request.spEntityId,
      notOnOrAfter: assertion.notOnOrAfter,
      ...(plan.fired.size > 0 ? { forged: [...plan.fired] } : {}),
    },
    { valid: plan.fired.size === 0 },
  );
  deps.logger.info('SAML response issued', {
    sp: request.spEntityId,
    loa,
    requested: request.requestedLoa,
    ...(plan.fired.size > 0 ? { forged: [...plan.fired] } : {}),
  });
  return postResponseForm(c, request.acsUrl, response.xml, request.relayState);
}
