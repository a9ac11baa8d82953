import { KakehashiError } from '@kakehashi/core';
import type { Context } from 'hono';
import { z } from 'zod';
import { encodeRedirectMessage } from '../authn-request/build-authn-request.ts';
import { decodeRedirectMessage, verifyQuerySignature } from '../authn-request/decode-request.ts';
import { BINDING, NAMEID_FORMAT, OUTSTANDING_LOGOUT_TTL_SECONDS, STATUS } from '../constants.ts';
import { samlEndpointsOf } from '../metadata/resolve-peer-metadata.ts';
import type { SamlContext } from '../saml-context.ts';
import { attr, newSamlId } from '../xml/dom.ts';
import { parseSamlXml } from '../xml/parse-saml.ts';
import { buildLogoutRequest, readLogoutMessage, readStatus } from './logout-messages.ts';

/** An outstanding LogoutRequest of this node's SP (single use). */
const OutstandingLogoutSchema = z.object({
  requestId: z.string(),
  idpEntityId: z.string(),
  relayState: z.string().optional(),
});

/** What `GET /saml/sp/slo` answers. */
export const LogoutResultSchema = z.object({
  loggedOut: z.boolean(),
  issuer: z.string(),
  status: z.string(),
  statusMessage: z.string().optional(),
  relayState: z.string().optional(),
});

const bad = (m: string) => new KakehashiError('bad-request', m);

/**
 * `GET /saml/sp/logout?country=CC&nameId=…[&sessionIndex=…][&RelayState=…]`: the connector logs a principal out
 * of another node's IdP — a LogoutRequest (NameID with the qualifiers the assertion carried, SessionIndex) signed
 * on the query (HTTP-Redirect), sent straight to the IdP's SingleLogoutService from its trusted metadata; the
 * request is kept single-use for its LogoutResponse.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-profiles-2.0-os.pdf (§4.4.3.1)
 */
export async function startLogout(ctx: SamlContext, c: Context): Promise<Response> {
  const { deps } = ctx;
  const q = new URL(c.req.url).searchParams;
  const cc = (q.get('country') ?? '').toUpperCase();
  if (!/^[A-Z]{2}$/.test(cc)) throw bad("country must be the two-letter code of the IdP's node, e.g. ?country=JP.");
  const nameId = q.get('nameId') ?? '';
  if (!nameId || nameId.length > 256) throw bad('nameId (the NameID of the assertion, ≤ 256 characters) is required.');
  const sessionIndex = q.get('sessionIndex') ?? undefined;
  const relayState = q.get('RelayState') ?? undefined;
  if (relayState !== undefined && Buffer.byteLength(relayState) > 80) throw bad('RelayState is limited to 80 bytes.');
  const fetcher = c.get('fetch');
  const node = (await deps.registeredNodes(fetcher)).find((n) => n.country === cc);
  if (!node) throw new KakehashiError('not-found', `No node ${cc} is registered at the hub.`);
  const idpEntity = samlEndpointsOf(node).idp;
  const idp = await ctx.peers.idp(idpEntity, fetcher);
  const slo = idp?.metadata.slo.find((e) => e.binding === BINDING.redirect);
  if (!slo)
    throw new KakehashiError('saml-metadata-invalid', `The IdP of ${cc} has no HTTP-Redirect SingleLogoutService.`);
  const id = newSamlId();
  const xml = buildLogoutRequest({
    id,
    issuer: ctx.spEntityId,
    destination: slo.location,
    nameId,
    nameIdFormat: NAMEID_FORMAT.persistent,
    nameQualifier: idpEntity,
    spNameQualifier: ctx.spEntityId,
    ...(sessionIndex ? { sessionIndex } : {}),
    nowMs: deps.clock.nowMs(),
  });
  deps.store.run('DELETE FROM saml_logout_outstanding WHERE expires_at < ?', ctx.nowS());
  deps.store.run(
    'INSERT INTO saml_logout_outstanding (request_id, context, expires_at) VALUES (?, ?, ?)',
    id,
    JSON.stringify({ requestId: id, idpEntityId: idpEntity, ...(relayState !== undefined ? { relayState } : {}) }),
    ctx.nowS() + OUTSTANDING_LOGOUT_TTL_SECONDS,
  );
  ctx.trace(c, 'saml: LogoutRequest sent', idpEntity, { type: 'saml_logout_request', id, destination: slo.location });
  c.header('cache-control', 'no-store');
  return c.redirect(
    encodeRedirectMessage(slo.location, xml, 'SAMLRequest', {
      ...(relayState !== undefined ? { relayState } : {}),
      signingKey: deps.signing.privateKey,
    }),
    302,
  );
}

/**
 * `GET /saml/sp/slo`: the IdP's LogoutResponse (HTTP-Redirect). It must answer an outstanding LogoutRequest of this
 * SP (single use), come from that IdP, be signed on the query with the IdP's signing certificate from its trusted
 * metadata, and name this endpoint as Destination; then its status says whether the logout happened.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-profiles-2.0-os.pdf (§4.4.4.2)
 */
export async function receiveLogoutResponse(ctx: SamlContext, c: Context): Promise<z.infer<typeof LogoutResultSchema>> {
  const { deps } = ctx;
  const message = decodeRedirectMessage(new URL(c.req.url).search.replace(/^\?/, ''), 'SAMLResponse');
  const doc = parseSamlXml(message.xml);
  const { root, issuer } = readLogoutMessage(doc, 'LogoutResponse');
  const inResponseTo = attr(root, 'InResponseTo');
  const row = inResponseTo
    ? deps.store.get<{ context: string; expires_at: number }>(
        'SELECT context, expires_at FROM saml_logout_outstanding WHERE request_id = ?',
        inResponseTo,
      )
    : undefined;
  if (inResponseTo) deps.store.run('DELETE FROM saml_logout_outstanding WHERE request_id = ?', inResponseTo);
  if (!row || row.expires_at < ctx.nowS())
    throw new KakehashiError(
      'saml-unsolicited-response',
      'This LogoutResponse answers no outstanding LogoutRequest of this SP (unknown, already used or expired).',
      { rule: 'SAML Core §3.2.2' },
    );
  const outstanding = OutstandingLogoutSchema.parse(JSON.parse(row.context));
  const fail = (m: string, rule: string) => new KakehashiError('saml-logout-invalid', m, { rule });
  if (issuer !== outstanding.idpEntityId)
    throw fail(`The LogoutResponse comes from ${issuer.slice(0, 100)}, not the IdP asked.`, 'SAML Core §3.2.2');
  const idp = await ctx.peers.idp(issuer, c.get('fetch'));
  if (!message.querySignature || !idp)
    throw fail('The LogoutResponse must be signed (SigAlg, Signature) by a trusted IdP.', 'SAML Profiles §4.4.4.2');
  const verified = verifyQuerySignature(message.querySignature, idp.signingCerts);
  if (!verified.ok) throw fail(verified.reason, 'SAML Bindings §3.4.4.1');
  if (attr(root, 'Destination') !== ctx.spSloUrl)
    throw fail(`Destination must be ${ctx.spSloUrl}.`, 'SAML Bindings §3.4.5.2');
  const status = readStatus(root);
  const result = {
    loggedOut: status.top === STATUS.success,
    issuer,
    status: status.second ?? status.top,
    ...(status.message ? { statusMessage: status.message } : {}),
    ...(outstanding.relayState !== undefined ? { relayState: outstanding.relayState } : {}),
  };
  ctx.trace(
    c,
    'saml: LogoutResponse consumed',
    issuer,
    { type: 'saml_logout_response', ...result },
    {
      valid: result.loggedOut,
    },
  );
  return result;
}
