import { createHash, type KeyObject, randomBytes } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import {
  type ComponentApp,
  type ComponentDeps,
  documentRoute,
  formatTraceparent,
  KakehashiError,
  problemResponses,
  recordHop,
  TRACE_QUERY_PARAM,
} from '@kakehashi/core';
import { LOA, type Loa, type Persona } from '@kakehashi/personas';
import type { Context } from 'hono';
import { renderPersonaPicker } from '../authorize/render-persona-picker.ts';
import { customIdentity, identityFromPersona } from '../id-token/build-identity.ts';
import { type AuthenticatedIdentity, CustomIdentityInputSchema } from '../id-token/z-identity.ts';
import { deriveEidKeys } from '../keys/derive-keys.ts';
import { LOA_ORDER, loaRank } from '../loa/loa.ts';
import { computePersonIdentifier } from '../pairwise/compute-pairwise-sub.ts';
import { buildAuthnRequest, encodeRedirectRequest } from './authn-request/build-authn-request.ts';
import {
  type DecodedBindingMessage,
  decodePostRequest,
  decodeRedirectRequest,
} from './authn-request/decode-request.ts';
import {
  BINDING,
  DEMO_SP_ENTITY_ID,
  OUTSTANDING_REQUEST_TTL_SECONDS,
  SAML_PENDING_TTL_SECONDS,
  STATUS,
} from './constants.ts';
import { demoSp, demoSpMetadata } from './demo-sp/demo-sp.ts';
import { createSpDirectory } from './idp/sp-directory.ts';
import {
  readAuthnRequestIssuer,
  validateAuthnRequest,
  verifyAuthnRequestSignature,
} from './idp/validate-authn-request.ts';
import { type SamlStatus, type ValidatedAuthnRequest, ValidatedAuthnRequestSchema } from './idp/z-saml-request.ts';
import { buildIdpMetadata, buildSpMetadata } from './metadata/build-metadata.ts';
import {
  createPeerMetadataResolver,
  type RegisteredNodes,
  samlEndpointsOf,
  type ValidateCertificate,
} from './metadata/resolve-peer-metadata.ts';
import { buildAssertion, buildResponse, renderPostForm } from './response/build-response.ts';
import { clearSamlTables, SAML_NODE_MIGRATIONS } from './store/saml-migrations.ts';
import { describeResponse } from './validate/describe-response.ts';
import { createSamlReplayCache } from './validate/saml-replay-cache.ts';
import { validateSamlResponse } from './validate/validate-saml-response.ts';
import { attr, decodeBase64Strict } from './xml/dom.ts';
import { parseSamlXml } from './xml/parse-saml.ts';

/** A key with its certificate and chain (issuing CA first). */
export interface SamlCredential {
  privateKey: KeyObject;
  certPem: string;
  chainPem: readonly string[];
}

/** What the SAML IdP (proxy service) and SP (connector) of a node need. */
export interface SamlDeps extends ComponentDeps {
  /** The node's origin, e.g. `http://127.0.0.1:7007`. */
  baseUrl: string;
  country: string;
  /** The highest LoA of the country's eID scheme. */
  loa: Loa;
  personas: readonly Persona[];
  /** The node's signing credential (metadata, Responses, assertions, AuthnRequests). */
  signing: SamlCredential;
  /** The node's encryption credential (assertions are encrypted to its certificate when it is the SP). */
  encryption: SamlCredential;
  /** Display name in metadata. */
  organizationName: string;
  /** The registered nodes (through the hub registry). */
  registeredNodes: RegisteredNodes;
  /** The node's verified trust view. */
  validateCertificate: ValidateCertificate;
  /**
   * Override of the PersonIdentifier (`CC/DEST/opaque`) for a persona and destination country; default the keyed
   * {@link computePersonIdentifier}. Japan's node supplies its own construction.
   */
  personIdentifier?(personaId: string, destinationCountry: string): string | undefined;
  /**
   * The hub: when set, the connector's AuthnRequest travels through the hub's relay
   * (`GET <hub>/eid/proxy/<CC>/saml`, same signed query) instead of straight to the proxy service.
   */
  hubUrl?: string;
}

export interface SamlMount {
  idpEntityId: string;
  spEntityId: string;
  ssoUrl: string;
  acsUrl: string;
  /** Clears the SAML tables (admin reset). */
  reset(): void;
}

const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const SAML_METADATA_TYPE = 'application/samlmetadata+xml';

/** An outstanding AuthnRequest of this node's SP, kept until its Response arrives (single use). */
const OutstandingSchema = z.object({
  requestId: z.string(),
  idpEntityId: z.string(),
  idpCountry: z.string(),
  requestedLoa: z.enum([LOA.low, LOA.substantial, LOA.high]),
  relayState: z.string().optional(),
});

/**
 * Mounts the eIDAS SAML 2.0 IdP (proxy service) and SP (connector) of a national node. IdP: signed metadata,
 * SSO with the HTTP-Redirect and HTTP-POST bindings (signed AuthnRequests from known SPs: every registered node's
 * connector, the test-only demo SP, admin-registered SPs), the persona picker or headless login, and a signed
 * Response carrying a signed, encrypted assertion (HTTP-POST). SP: signed metadata, a login starter that sends a
 * signed AuthnRequest to another node's IdP, and the ACS that validates the Response strictly.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-profiles-2.0-os.pdf (§4.1 Web Browser SSO)
 * @see eIDAS SAML Message Format v1.2
 */
export function mountSaml(app: ComponentApp, deps: SamlDeps): SamlMount {
  deps.store.migrate(SAML_NODE_MIGRATIONS);
  const base = deps.baseUrl.replace(/\/+$/, '');
  const idpEntityId = `${base}/saml/idp/metadata`;
  const spEntityId = `${base}/saml/sp/metadata`;
  const ssoUrl = `${base}/saml/idp/sso`;
  const acsUrl = `${base}/saml/sp/acs`;
  const seed = deps.config.get('seed');
  const keys = deriveEidKeys(seed, deps.country);
  const personas = new Map(deps.personas.map((p) => [p.id, p]));
  const nowS = () => Math.floor(deps.clock.nowMs() / 1000);
  const peers = createPeerMetadataResolver({
    clock: deps.clock,
    registeredNodes: deps.registeredNodes,
    validateCertificate: deps.validateCertificate,
  });
  const directory = createSpDirectory({ store: deps.store, clock: deps.clock, seed, ownCountry: deps.country, peers });
  const replay = createSamlReplayCache(deps.store, deps.clock);
  const signer = { privateKey: deps.signing.privateKey, certPem: deps.signing.certPem };

  const trace = (
    c: Context,
    operation: string,
    peer: string | undefined,
    artefact: unknown,
    verdict?: { valid: boolean; checks?: unknown[] },
  ) => {
    recordHop(deps.traces, deps.clock, c.get('trace'), {
      component: 'node',
      country: deps.country,
      operation,
      direction: 'internal',
      peer,
      artefact,
      ...(verdict ? { verdict } : {}),
    });
  };

  // ---- metadata ---------------------------------------------------------------------------------------------
  const xmlResponse = (body: string, type = SAML_METADATA_TYPE) =>
    new Response(body, { headers: { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'max-age=300' } });
  app.get('/saml/idp/metadata', () =>
    xmlResponse(
      buildIdpMetadata({
        entityId: idpEntityId,
        ssoUrl,
        loa: deps.loa,
        signing: signer,
        encryptionCertPem: deps.encryption.certPem,
        organizationName: deps.organizationName,
        organizationUrl: `${base}/`,
        nowMs: deps.clock.nowMs(),
      }),
    ),
  );
  app.get('/saml/sp/metadata', () =>
    xmlResponse(
      buildSpMetadata({
        entityId: spEntityId,
        acsUrl,
        spType: 'public',
        signing: signer,
        encryptionCertPem: deps.encryption.certPem,
        organizationName: deps.organizationName,
        organizationUrl: `${base}/`,
        nowMs: deps.clock.nowMs(),
      }),
    ),
  );
  app.get('/saml/demo-sp/metadata', () => xmlResponse(demoSpMetadata(seed, deps.clock.nowMs())));
  app.get('/saml/demo-sp/key', (c) => {
    const sp = demoSp(seed);
    return c.json({
      testOnly: true,
      warning:
        'TEST ONLY: the demo SP key pair is derived from the public federation seed and published so that developers and tests can decrypt the assertions sent to kakehashi-demo-sp. Never use it for anything else.',
      entityId: sp.entityId,
      certificatePem: sp.certPem,
      privateKeyPem: sp.privateKeyPem,
      acs: 'any loopback http URL (http://127.0.0.1:<port>/…, http://localhost:<port>/…)',
    });
  });

  // ---- IdP: single sign-on ------------------------------------------------------------------------------------
  const errorResponse = (
    c: Context,
    to: { acsUrl: string; requestId: string; relayState?: string | undefined; spEntityId: string },
    status: SamlStatus,
  ) => {
    const r = buildResponse({
      idpEntityId,
      signer,
      destination: to.acsUrl,
      inResponseTo: to.requestId,
      nowMs: deps.clock.nowMs(),
      status,
    });
    trace(
      c,
      'saml: error Response issued',
      to.spEntityId,
      { type: 'saml_response', id: r.id, inResponseTo: to.requestId, destination: to.acsUrl, status },
      { valid: false },
    );
    deps.logger.info('SAML error response', { sp: to.spEntityId, status: status.second ?? status.top });
    return htmlForm(c, to.acsUrl, r.xml, to.relayState);
  };

  const htmlForm = (c: Context, action: string, xml: string, relayState?: string) => {
    c.header('cache-control', 'no-store');
    c.header(
      'content-security-policy',
      "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; form-action *",
    );
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
  };

  const complete = (c: Context, request: ValidatedAuthnRequest, identity: AuthenticatedIdentity, persona?: Persona) => {
    const achieved = LOA_ORDER[Math.min(loaRank(identity.loa), loaRank(deps.loa)) - 1] as Loa;
    const to = { ...request, spEntityId: request.spEntityId };
    if (loaRank(achieved) < loaRank(request.requestedLoa))
      return errorResponse(c, to, {
        top: STATUS.responder,
        second: STATUS.noAuthnContext,
        message: `This identity authenticates at ${achieved}, below the requested minimum ${request.requestedLoa}.`,
      });
    const personIdentifier =
      deps.personIdentifier?.(identity.subjectId, request.destinationCountry) ??
      computePersonIdentifier(keys.personIdKey, deps.country, request.destinationCountry, identity.subjectId);
    const assertion = buildAssertion({
      idpEntityId,
      request,
      identity,
      persona,
      loa: achieved,
      personIdentifier,
      nowMs: deps.clock.nowMs(),
      country: deps.country,
    });
    const response = buildResponse({
      idpEntityId,
      signer,
      destination: request.acsUrl,
      inResponseTo: request.requestId,
      nowMs: deps.clock.nowMs(),
      status: { top: STATUS.success, message: 'Success' },
      assertion: { xml: assertion.xml, encryptFor: { certPem: request.encryptionCert, entityId: request.spEntityId } },
    });
    trace(
      c,
      'saml: Response issued',
      request.spEntityId,
      {
        type: 'saml_response',
        id: response.id,
        assertionId: assertion.id,
        inResponseTo: request.requestId,
        destination: request.acsUrl,
        loa: achieved,
        attributes: request.attributes,
        encryptedFor: request.spEntityId,
        notOnOrAfter: assertion.notOnOrAfter,
      },
      { valid: true },
    );
    deps.logger.info('SAML response issued', {
      sp: request.spEntityId,
      loa: achieved,
      requested: request.requestedLoa,
    });
    return htmlForm(c, request.acsUrl, response.xml, request.relayState);
  };

  const sso = async (c: Context, message: DecodedBindingMessage) => {
    const doc = parseSamlXml(message.xml);
    const { root, issuer, id } = readAuthnRequestIssuer(doc);
    const sp = await directory.resolve(issuer, c.get('fetch'));
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
      directory,
      ssoUrl,
      nodeLoa: deps.loa,
      nowMs: deps.clock.nowMs(),
      skewSeconds: deps.config.get('clockSkewSeconds'),
      seenBefore: (rid) => {
        deps.store.run('DELETE FROM saml_request_ids WHERE expires_at < ?', nowS());
        const seen = deps.store.get(
          'SELECT 1 AS x FROM saml_request_ids WHERE sp = ? AND request_id = ?',
          sp.entityId,
          rid,
        );
        if (!seen)
          deps.store.run(
            'INSERT INTO saml_request_ids (sp, request_id, expires_at) VALUES (?, ?, ?)',
            sp.entityId,
            rid,
            nowS() + 2 * OUTSTANDING_REQUEST_TTL_SECONDS,
          );
        return seen !== undefined;
      },
    });
    trace(
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
    if (!v.ok) return errorResponse(c, { ...v, spEntityId: sp.entityId }, v.status);
    const headless = v.persona ?? c.req.header('x-kakehashi-persona');
    if (headless) {
      const persona = personas.get(headless);
      if (!persona)
        return errorResponse(
          c,
          { ...v.request },
          {
            top: STATUS.responder,
            second: STATUS.authnFailed,
            message: `kakehashi_persona names no persona of node ${deps.country} (GET /personas lists them).`,
          },
        );
      return complete(c, v.request, identityFromPersona(persona), persona);
    }
    const requestId = randomBytes(32).toString('base64url');
    deps.store.run('DELETE FROM saml_pending WHERE expires_at < ?', nowS());
    deps.store.run(
      'INSERT INTO saml_pending (id_hash, request, expires_at) VALUES (?, ?, ?)',
      sha256Hex(requestId),
      JSON.stringify(v.request),
      nowS() + SAML_PENDING_TTL_SECONDS,
    );
    c.header('cache-control', 'no-store');
    c.header('x-frame-options', 'DENY');
    c.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
    const page = renderPersonaPicker({
      country: deps.country,
      nodeName: `node ${deps.country} (eIDAS SAML)`,
      clientName: v.request.spEntityId,
      requestId,
      personas: deps.personas,
    }).replaceAll('action="/oidc/login"', 'action="/saml/idp/login"');
    return c.html(page);
  };

  app.get('/saml/idp/sso', (c) => {
    const raw = new URL(c.req.url).search.replace(/^\?/, '');
    return sso(c, decodeRedirectRequest(raw));
  });
  app.post('/saml/idp/sso', async (c) => sso(c, decodePostRequest(await readForm(c))));

  app.post('/saml/idp/login', async (c) => {
    const form = await readForm(c);
    const idHash = sha256Hex(form.get('request_id') ?? '');
    const row = deps.store.get<{ request: string; expires_at: number }>(
      'SELECT request, expires_at FROM saml_pending WHERE id_hash = ?',
      idHash,
    );
    deps.store.run('DELETE FROM saml_pending WHERE id_hash = ?', idHash);
    if (!row || row.expires_at < nowS())
      throw new KakehashiError(
        'saml-request-expired',
        'This login page is unknown, used or expired: start again from the service provider.',
      );
    const request = ValidatedAuthnRequestSchema.parse(JSON.parse(row.request));
    const personaId = form.get('persona');
    if (personaId) {
      const persona = personas.get(personaId);
      if (!persona)
        throw new KakehashiError(
          'saml-request-invalid',
          `No persona "${personaId.slice(0, 40)}" at node ${deps.country}.`,
        );
      return complete(c, request, identityFromPersona(persona), persona);
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
    return complete(c, request, customIdentity(keys.customIdentityKey, parsed.data, deps.loa));
  });

  // ---- SP (connector): start a login at another node's IdP, consume the Response -------------------------------
  app.get('/saml/sp/login', async (c) => {
    const q = new URL(c.req.url).searchParams;
    const cc = (q.get('country') ?? '').toUpperCase();
    // No country yet, asked by a browser: the connector's country-selection page.
    if (!q.has('country') && (c.req.header('accept') ?? '').includes('text/html')) {
      const peers = (await deps.registeredNodes(c.get('fetch'))).filter((n) => n.country !== deps.country);
      c.header('cache-control', 'no-store');
      return c.html(renderCountrySelection(deps.country, peers, q));
    }
    if (!/^[A-Z]{2}$/.test(cc))
      throw new KakehashiError(
        'bad-request',
        "country must be the two-letter code of the citizen's node, e.g. ?country=JP.",
      );
    const loaName = q.get('loa') ?? 'substantial';
    const requestedLoa = (loaName.startsWith('http') ? loaName : `http://eidas.europa.eu/LoA/${loaName}`) as Loa;
    if (loaRank(requestedLoa) === 0)
      throw new KakehashiError('bad-request', 'loa must be low, substantial or high (or the eIDAS LoA URI).');
    const relayState = q.get('RelayState') ?? undefined;
    if (relayState !== undefined && Buffer.byteLength(relayState) > 80)
      throw new KakehashiError('bad-request', 'RelayState is limited to 80 bytes.');
    const fetcher = c.get('fetch');
    const node = (await deps.registeredNodes(fetcher)).find((n) => n.country === cc);
    if (!node) throw new KakehashiError('not-found', `No node ${cc} is registered at the hub.`);
    const idpEntity = samlEndpointsOf(node).idp;
    const idp = await peers.idp(idpEntity, fetcher);
    if (!idp) throw new KakehashiError('not-found', `Node ${cc} publishes no SAML IdP.`);
    const sso = idp.metadata.sso.find((s) => s.binding === BINDING.redirect);
    if (!sso)
      throw new KakehashiError('saml-metadata-invalid', `The IdP of ${cc} has no HTTP-Redirect SingleSignOnService.`);
    const { id, xml } = buildAuthnRequest({
      issuer: spEntityId,
      destination: sso.location,
      acsUrl,
      requestedLoa,
      spType: 'public',
      providerName: deps.organizationName,
      nowMs: deps.clock.nowMs(),
    });
    deps.store.run('DELETE FROM saml_outstanding WHERE expires_at < ?', nowS());
    deps.store.run(
      'INSERT INTO saml_outstanding (request_id, context, expires_at) VALUES (?, ?, ?)',
      id,
      JSON.stringify({
        requestId: id,
        idpEntityId: idpEntity,
        idpCountry: cc,
        requestedLoa,
        ...(relayState !== undefined ? { relayState } : {}),
      }),
      nowS() + OUTSTANDING_REQUEST_TTL_SECONDS,
    );
    const persona = q.get('persona');
    const direct = encodeRedirectRequest(sso.location, xml, {
      ...(relayState !== undefined ? { relayState } : {}),
      signingKey: deps.signing.privateKey,
      ...(persona ? { extraParams: { kakehashi_persona: persona } } : {}),
    });
    // Through the hub: the same query (the Redirect-binding signature covers its exact octets), plus the trace.
    const location = deps.hubUrl
      ? `${deps.hubUrl}/eid/proxy/${cc}/saml${new URL(direct).search}&${TRACE_QUERY_PARAM}=${encodeURIComponent(formatTraceparent(c.get('trace')))}`
      : direct;
    trace(
      c,
      'saml: AuthnRequest sent',
      idpEntity,
      { type: 'saml_authn_request', id, destination: sso.location, requestedLoa },
      undefined,
    );
    c.header('cache-control', 'no-store');
    return c.redirect(location, 302);
  });

  app.post('/saml/sp/acs', async (c) => {
    const form = await readForm(c);
    if (form.has('SAMLRequest'))
      throw new KakehashiError('saml-binding-invalid', 'The ACS takes SAMLResponse (HTTP-POST), not SAMLRequest.', {
        rule: 'SAML Bindings §3.5.4',
      });
    for (const k of ['SAMLResponse', 'RelayState'])
      if (form.getAll(k).length > 1)
        throw new KakehashiError('saml-binding-invalid', `${k} is repeated.`, { rule: 'SAML Bindings §3.5.4' });
    const value = form.get('SAMLResponse');
    if (!value)
      throw new KakehashiError('saml-binding-invalid', 'The form has no SAMLResponse field.', {
        rule: 'SAML Bindings §3.5.4',
      });
    const xml = new TextDecoder('utf-8', { fatal: false }).decode(decodeBase64Strict(value, 'SAMLResponse'));
    const doc = parseSamlXml(xml); // X1–X6, S20 → problem+json here
    const inResponseTo = attr(doc.documentElement, 'InResponseTo');
    const row = inResponseTo
      ? deps.store.get<{ context: string; expires_at: number }>(
          'SELECT context, expires_at FROM saml_outstanding WHERE request_id = ?',
          inResponseTo,
        )
      : undefined;
    if (inResponseTo) deps.store.run('DELETE FROM saml_outstanding WHERE request_id = ?', inResponseTo);
    if (!row || row.expires_at < nowS())
      throw new KakehashiError(
        'saml-unsolicited-response',
        inResponseTo
          ? 'This Response answers no outstanding request of this SP (unknown, already used or expired): start a new login.'
          : 'The Response has no InResponseTo: unsolicited responses are refused.',
        { rule: 'S13' },
      );
    const outstanding = OutstandingSchema.parse(JSON.parse(row.context));
    const verdict = await validateSamlResponse(
      doc,
      {
        issuer: outstanding.idpEntityId,
        audience: spEntityId,
        destination: acsUrl,
        inResponseTo: outstanding.requestId,
        requestedLoa: outstanding.requestedLoa,
      },
      {
        clock: deps.clock,
        clockSkewSeconds: deps.config.get('clockSkewSeconds'),
        resolveIdp: (issuer) => peers.idp(issuer, c.get('fetch')),
        replay,
        decryptionKey: deps.encryption.privateKey,
      },
    );
    trace(
      c,
      'saml: Response consumed',
      outstanding.idpEntityId,
      { type: 'saml_response', unverified: !verdict.valid, ...describeResponse(xml) },
      { valid: verdict.valid, checks: verdict.checks },
    );
    c.header('cache-control', 'no-store');
    return c.json(
      {
        valid: verdict.valid,
        ...(verdict.identity ? { identity: verdict.identity } : {}),
        ...(outstanding.relayState !== undefined ? { relayState: outstanding.relayState } : {}),
        verdict,
      },
      verdict.valid ? 200 : 403,
    );
  });

  // ---- admin: registered SPs -------------------------------------------------------------------------------------
  const security = [{ adminToken: [] }];
  const SpViewSchema = z.object({ entityId: z.string(), country: z.string(), registeredAt: z.string() });
  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/saml/sps',
      tags: ['eid', 'admin'],
      security,
      summary: 'SAML service providers registered at this IdP by the admin API',
      responses: {
        200: {
          description: 'SPs',
          content: { 'application/json': { schema: z.object({ sps: z.array(SpViewSchema) }) } },
        },
        ...problemResponses(401),
      },
    }),
    (c) => c.json({ sps: directory.list() }, 200),
  );
  app.post('/admin/saml/sps', async (c) => {
    const type = (c.req.header('content-type') ?? '').toLowerCase();
    if (!/^(application\/(samlmetadata\+)?xml|text\/xml)\b/.test(type))
      throw new KakehashiError(
        'unsupported-media-type',
        'Send the SP metadata as application/samlmetadata+xml (or application/xml).',
      );
    const country = (new URL(c.req.url).searchParams.get('country') ?? deps.country).toUpperCase();
    if (!/^[A-Z]{2}$/.test(country)) throw new KakehashiError('bad-request', 'country must be a two-letter code.');
    const r = directory.register(await c.req.text(), country);
    deps.logger.info('SAML SP registered', { entityId: r.entityId, created: r.created });
    return c.json({ entityId: r.entityId, country, created: r.created }, r.created ? 201 : 200);
  });

  documentSamlRoutes(app);
  return { idpEntityId, spEntityId, ssoUrl, acsUrl, reset: () => clearSamlTables(deps.store) };
}

/** Reads an `application/x-www-form-urlencoded` body. */
async function readForm(c: Context): Promise<URLSearchParams> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (!type.startsWith('application/x-www-form-urlencoded'))
    throw new KakehashiError(
      'unsupported-media-type',
      'Send the form as application/x-www-form-urlencoded (the HTTP-POST binding).',
      {
        rule: 'SAML Bindings §3.5.4',
      },
    );
  return new URLSearchParams(await c.req.text());
}

function documentSamlRoutes(app: ComponentApp): void {
  const tags = ['eid', 'saml'];
  const xml = 'application/samlmetadata+xml';
  const docs: Parameters<typeof documentRoute>[1][] = [
    {
      method: 'get',
      path: '/saml/idp/metadata',
      tags,
      produces: xml,
      summary:
        'Signed SAML metadata of the IdP (eIDAS proxy service): signing and encryption certificates, SSO (Redirect, POST), LoA, attributes',
    },
    {
      method: 'get',
      path: '/saml/idp/sso',
      tags,
      produces: 'text/html',
      summary:
        'SSO, HTTP-Redirect binding: SAMLRequest (deflate+base64), RelayState, SigAlg+Signature. Headless with kakehashi_persona=<id> or header X-Kakehashi-Persona; else the TEST-ONLY persona picker. Answers with an auto-submitting form (SAMLResponse) to the ACS',
      description:
        'Problems (problem+json) while the SP and its ACS are not established (unknown SP, bad signature, ACS not in metadata, malformed encoding, X1–X6); SAML error statuses (signed Response) after that.',
      problems: [400, 413],
    },
    {
      method: 'post',
      path: '/saml/idp/sso',
      tags,
      produces: 'text/html',
      summary: 'SSO, HTTP-POST binding: form SAMLRequest (base64, signed enveloped), RelayState, kakehashi_persona',
      problems: [400, 413, 415],
    },
    {
      method: 'post',
      path: '/saml/idp/login',
      tags,
      produces: 'text/html',
      summary: "The SAML picker's form post (request_id and persona, or family_name, given_name, birthdate)",
      problems: [400, 415],
    },
    {
      method: 'get',
      path: '/saml/sp/metadata',
      tags,
      produces: xml,
      summary:
        'Signed SAML metadata of the SP (eIDAS connector): signing and encryption certificates, ACS (POST), SPType public',
    },
    {
      method: 'get',
      path: '/saml/sp/login',
      tags,
      summary:
        "Starts a cross-border login at another node's IdP: ?country=JP&loa=substantial[&persona=jp-001][&RelayState=…] → 302 with a signed AuthnRequest (HTTP-Redirect) through the hub's relay. Without country, a browser (Accept: text/html) gets the connector's country-selection page",
      problems: [400, 404, 502],
    },
    {
      method: 'post',
      path: '/saml/sp/acs',
      tags,
      summary:
        'Assertion consumer service (HTTP-POST): validates the Response strictly (S1–S20) against the outstanding request; JSON {valid, identity, verdict}',
      problems: [400, 403, 413, 415],
    },
    {
      method: 'get',
      path: '/saml/demo-sp/metadata',
      tags,
      produces: xml,
      summary: 'Metadata of the TEST-ONLY demo SP kakehashi-demo-sp (any loopback ACS URL is accepted)',
    },
    {
      method: 'get',
      path: '/saml/demo-sp/key',
      tags,
      summary: 'TEST ONLY: the demo SP key pair (PEM), published so developers and tests can decrypt its assertions',
    },
    {
      method: 'post',
      path: '/admin/saml/sps',
      tags: ['eid', 'admin'],
      admin: true,
      summary:
        'Register (or replace) an SP from its metadata XML (application/samlmetadata+xml); ?country=CC sets the PersonIdentifier destination',
      problems: [400, 401, 409, 415],
    },
  ];
  for (const d of docs) documentRoute(app, d);
}

const escHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * The eIDAS connector's country-selection page (watermarked TEST ONLY): one link per registered peer, keeping
 * the query (LoA, RelayState, headless persona). `data-testid`: `saml-country-selection`, `saml-country-<CC>`.
 */
function renderCountrySelection(
  own: string,
  peers: readonly { country: string; name: string }[],
  query: URLSearchParams,
): string {
  const rows = peers
    .map((p) => {
      const q = new URLSearchParams(query);
      q.set('country', p.country);
      return `<li><a data-testid="saml-country-${escHtml(p.country)}" href="/saml/sp/login?${escHtml(q.toString())}">${escHtml(p.country)} — ${escHtml(p.name)}</a></li>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Choose your country — eIDAS connector ${escHtml(own)} (TEST ONLY)</title>
<style>body{font:15px system-ui;margin:0}.kk-watermark{background:#b00020;color:#fff;font-weight:600;padding:6px 12px;text-align:center}main{max-width:40rem;margin:1rem auto;padding:0 1rem}li{margin:.4rem 0}</style></head>
<body><div class="kk-watermark" data-testid="test-only-banner">KAKEHASHI — TEST ONLY. Synthetic personas and test keys; not a real government login.</div>
<main><h1>Log in with the eID of your country</h1>
<p>The eIDAS connector of node ${escHtml(own)} sends you, through the hub, to your own country's proxy service (eIDAS SAML).</p>
<ul data-testid="saml-country-selection">
${rows}
</ul></main></body></html>`;
}
