import { KakehashiError } from '@kakehashi/core';
import type { Context } from 'hono';
import { encodeRedirectMessage } from '../authn-request/build-authn-request.ts';
import { decodeRedirectMessage, verifyQuerySignature } from '../authn-request/decode-request.ts';
import {
  AUTHN_REQUEST_MAX_AGE_SECONDS,
  DEMO_SP_ENTITY_ID,
  NS,
  OUTSTANDING_REQUEST_TTL_SECONDS,
  STATUS,
} from '../constants.ts';
import type { KnownSp } from '../idp/sp-directory.ts';
import type { SamlStatus } from '../idp/z-saml-request.ts';
import type { SamlContext } from '../saml-context.ts';
import { attr, childElements, fullText, hasCommentOrPi, newSamlId, parseSamlInstant } from '../xml/dom.ts';
import { parseSamlXml } from '../xml/parse-saml.ts';
import { buildLogoutResponse, readLogoutMessage } from './logout-messages.ts';
import { endSamlSessions, findSamlSessions, type SamlSession } from './saml-sessions.ts';

const NCNAME = /^[A-Za-z_][\w.-]{0,255}$/;

/** The SP and its signature, established before anything is answered (problems until then: nowhere safe to answer). */
async function establishSp(ctx: SamlContext, c: Context, rawQuery: string) {
  const message = decodeRedirectMessage(rawQuery, 'SAMLRequest');
  const doc = parseSamlXml(message.xml);
  const { root, issuer, id } = readLogoutMessage(doc, 'LogoutRequest');
  const sp = await ctx.directory.resolve(issuer, c.get('fetch'));
  if (!sp)
    throw new KakehashiError(
      'saml-unknown-sp',
      `No SP ${JSON.stringify(issuer.slice(0, 200))} is known at node ${ctx.deps.country}.`,
      { rule: 'SAML Profiles §4.4.4.1' },
    );
  // Every SP signs its LogoutRequest, the demo SP too (its key is published): a logout ends a session.
  if (!message.querySignature)
    throw new KakehashiError(
      'saml-request-signature-invalid',
      'The LogoutRequest must be signed: add SigAlg and Signature (HTTP-Redirect).',
      { rule: 'SAML Profiles §4.4.4.1' },
    );
  const verified = verifyQuerySignature(message.querySignature, sp.signingCerts);
  if (!verified.ok)
    throw new KakehashiError('saml-request-signature-invalid', verified.reason, { rule: 'SAML Bindings §3.4.4.1' });
  return { message, root, id, sp };
}

/** The principal the request names: one saml:NameID (no BaseID, no EncryptedID), and the SessionIndexes. */
function principalOf(root: Element): { nameId?: string; sessionIndexes: string[] } {
  const names = childElements(root, NS.saml, 'NameID');
  const nameEl = names[0];
  const sessionIndexes = childElements(root, NS.samlp, 'SessionIndex').map((e) => fullText(e).trim());
  if (names.length !== 1 || !nameEl || hasCommentOrPi(nameEl)) return { sessionIndexes };
  return { nameId: fullText(nameEl).trim(), sessionIndexes };
}

/** Where the LogoutResponse goes: the SP's SingleLogoutService; the demo SP's: the ACS of its session. */
function answerLocation(sp: KnownSp, sessions: readonly SamlSession[]): string {
  const location = sp.slo ?? (sp.entityId === DEMO_SP_ENTITY_ID ? sessions[0]?.acsUrl : undefined);
  if (!location)
    throw new KakehashiError(
      'saml-logout-invalid',
      sp.entityId === DEMO_SP_ENTITY_ID
        ? `The demo SP is answered at the ACS URL of a live session, and ${sp.entityId} has none for this NameID: nowhere to send the LogoutResponse.`
        : `The metadata of ${sp.entityId.slice(0, 100)} has no HTTP-Redirect SingleLogoutService: nowhere to send the LogoutResponse.`,
      { rule: 'SAML Profiles §4.4.4.2' },
    );
  return location;
}

/** The request's own checks, as a SAML status (undefined: acceptable). */
function check(ctx: SamlContext, root: Element, id: string, sp: KnownSp, nameId?: string): SamlStatus | undefined {
  const refuse = (top: string, second: string | undefined, message: string): SamlStatus => ({
    top,
    ...(second ? { second } : {}),
    message,
  });
  const nowMs = ctx.deps.clock.nowMs();
  const skewMs = ctx.deps.config.get('clockSkewSeconds') * 1000;
  if (attr(root, 'Version') !== '2.0') return refuse(STATUS.versionMismatch, undefined, 'Version must be 2.0.');
  if (!NCNAME.test(id)) return refuse(STATUS.requester, STATUS.requestDenied, 'ID must be an xsd:ID (NCName).');
  const issued = parseSamlInstant(attr(root, 'IssueInstant'));
  if (issued === undefined || issued > nowMs + skewMs || issued < nowMs - AUTHN_REQUEST_MAX_AGE_SECONDS * 1000 - skewMs)
    return refuse(
      STATUS.requester,
      STATUS.requestDenied,
      `IssueInstant must be a UTC xs:dateTime within ${AUTHN_REQUEST_MAX_AGE_SECONDS} s of now (skew ${skewMs / 1000} s).`,
    );
  const notOnOrAfter = attr(root, 'NotOnOrAfter');
  if (notOnOrAfter !== undefined && (parseSamlInstant(notOnOrAfter) ?? 0) <= nowMs - skewMs)
    return refuse(STATUS.requester, STATUS.requestDenied, 'The LogoutRequest has expired (NotOnOrAfter).');
  const destination = attr(root, 'Destination');
  if (destination !== ctx.idpSloUrl)
    return refuse(
      STATUS.requester,
      STATUS.requestDenied,
      `Destination must be ${ctx.idpSloUrl} (got ${destination === undefined ? 'none' : JSON.stringify(destination.slice(0, 100))}).`,
    );
  if (seenBefore(ctx, sp.entityId, id))
    return refuse(STATUS.requester, STATUS.requestDenied, 'This LogoutRequest ID was already used (replay).');
  if (!nameId)
    return refuse(STATUS.requester, STATUS.requestUnsupported, 'Name the principal with exactly one saml:NameID.');
  return undefined;
}

function seenBefore(ctx: SamlContext, sp: string, requestId: string): boolean {
  const { store } = ctx.deps;
  const seen = store.get('SELECT 1 AS x FROM saml_request_ids WHERE sp = ? AND request_id = ?', sp, requestId);
  if (!seen)
    store.run(
      'INSERT INTO saml_request_ids (sp, request_id, expires_at) VALUES (?, ?, ?)',
      sp,
      requestId,
      ctx.nowS() + 2 * OUTSTANDING_REQUEST_TTL_SECONDS,
    );
  return seen !== undefined;
}

/**
 * `GET /saml/idp/slo`: SP-initiated Single Logout on the HTTP-Redirect binding. The SP must be known and sign
 * the query (problems until both hold: nowhere safe to answer); then the LogoutRequest is checked (Version, ID,
 * IssueInstant on the virtual clock, NotOnOrAfter, Destination, replay, NameID) and the IdP sessions of that
 * principal at that SP (those SessionIndexes, when named) end. The answer is a LogoutResponse signed on the query
 * (Success; UnknownPrincipal when no live session matches; a Requester status for a bad request), redirected to
 * the SP's SingleLogoutService with the RelayState.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-profiles-2.0-os.pdf (§4.4 Single Logout Profile)
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-core-2.0-os.pdf (§3.7 Single Logout Protocol)
 */
export async function singleLogout(ctx: SamlContext, c: Context): Promise<Response> {
  const rawQuery = new URL(c.req.url).search.replace(/^\?/, '');
  const { message, root, id, sp } = await establishSp(ctx, c, rawQuery);
  const { nameId, sessionIndexes } = principalOf(root);
  // Every live session of the principal at this SP (the demo SP is answered at one's ACS), then the ones named.
  const live = nameId ? findSamlSessions(ctx, sp.entityId, nameId, []) : [];
  const sessions = live.filter((x) => sessionIndexes.length === 0 || sessionIndexes.includes(x.sessionIndex));
  const location = answerLocation(sp, live);
  let status = check(ctx, root, id, sp, nameId);
  if (!status && sessions.length === 0)
    status = {
      top: STATUS.requester,
      second: STATUS.unknownPrincipal,
      message: 'No live session of this principal at this SP (logged out already, or expired).',
    };
  if (!status) {
    endSamlSessions(ctx, sessions);
    status = { top: STATUS.success, message: 'Success' };
  }
  const responseId = newSamlId();
  const xml = buildLogoutResponse({
    id: responseId,
    issuer: ctx.idpEntityId,
    destination: location,
    inResponseTo: id,
    status,
    nowMs: ctx.deps.clock.nowMs(),
  });
  ctx.trace(
    c,
    'saml: LogoutRequest answered',
    sp.entityId,
    {
      type: 'saml_logout_response',
      id: responseId,
      inResponseTo: id,
      destination: location,
      status: status.second ?? status.top,
      sessionsEnded: status.top === STATUS.success ? sessions.length : 0,
    },
    { valid: status.top === STATUS.success },
  );
  ctx.deps.logger.info('SAML single logout', { sp: sp.entityId, status: status.second ?? status.top });
  c.header('cache-control', 'no-store');
  return c.redirect(
    encodeRedirectMessage(location, xml, 'SAMLResponse', {
      ...(message.relayState !== undefined ? { relayState: message.relayState } : {}),
      signingKey: ctx.deps.signing.privateKey,
    }),
    302,
  );
}
