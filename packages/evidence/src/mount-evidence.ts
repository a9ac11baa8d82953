import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import {
  type ComponentApp,
  documentRoute,
  KakehashiError,
  problemResponses,
  type RouteDoc,
  requireJson,
} from '@kakehashi/core';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { PreviewStore } from './consent/preview-store.ts';
import { conversationIdFor, createContext, type EvidenceContext } from './context.ts';
import type { EvidenceDeps } from './deps.ts';
import { readEvidenceContent, readSignedEvidence } from './evidence-doc/evidence-document.ts';
import { NodeApi } from './node-api/node-api.ts';
import { handleQueryRequest, PREVIEW_PATH } from './provider/handle-query-request.ts';
import { renderPreviewPage } from './provider/render-preview.ts';
import { buildQueryRequest } from './regrep/build-regrep.ts';
import { ACTION_REQUEST, ACTION_RESPONSE, EVIDENCE_SERVICE } from './regrep/ns.ts';
import { NaturalPersonSchema, type QueryRequestModel } from './regrep/z-regrep.ts';
import { handleQueryResponse } from './requester/handle-query-response.ts';
import { type RequestRow, RequestStore } from './requester/request-store.ts';
import { EVIDENCE_MIGRATIONS } from './store/migrations.ts';

/** What `mountEvidence` returns to the node. */
export interface EvidenceBlock {
  /** Takes every evidence message waiting in the node's eDelivery inbox and handles it (serialised). */
  processInbox(): Promise<number>;
  /** Subscribes the block to the node's eDelivery webhooks (idempotent; retried while the node is not up). */
  ensureSubscribed(): Promise<void>;
  /** Clears requests and previews (`POST /admin/reset`). */
  reset(): void;
  /** Stops inbox processing and subscription retries (the node is closing; its stores go next). */
  stop(): void;
}

const CreateRequestSchema = z
  .object({
    requester: z.string().min(3).max(200).openapi({
      description: "This node's eDelivery participant that asks",
      example: 'urn:kakehashi:participant:de:koeln-buergeramt',
    }),
    requirement: z.string().min(3).max(200).openapi({ example: 'proof-of-residence' }),
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/)
      .openapi({ description: 'Country of the evidence provider', example: 'JP' }),
    procedure: z.string().min(1).max(200).openapi({ example: 'Registration of residence (Wohnsitzanmeldung)' }),
    person: NaturalPersonSchema,
    evidenceType: z.string().max(300).optional().openapi({ description: 'A classification, to choose among several' }),
    provider: z
      .string()
      .max(200)
      .optional()
      .openapi({ description: 'A provider participant, to choose among several' }),
  })
  .strict()
  .openapi('EvidenceRequestInput');

const RequestViewSchema = z
  .object({
    id: z.string(),
    status: z.enum(['submitted', 'preview-required', 'resubmitted', 'received', 'rejected', 'failed']),
    requester: z.string(),
    provider: z.string(),
    providerCountry: z.string(),
    requirement: z.object({ id: z.string(), name: z.string() }),
    evidenceType: z.object({ classification: z.string(), title: z.string() }),
    procedure: z.string(),
    personIdentifier: z.string(),
    previewLocation: z.string().nullable(),
    previewUrl: z.string().nullable().openapi({ description: 'Send the citizen here (adds the return URL)' }),
    exception: z.unknown().nullable(),
    evidence: z
      .object({ metadata: z.unknown(), verdict: z.unknown(), document: z.unknown().nullable(), url: z.string() })
      .nullable(),
    history: z.array(z.object({ status: z.string(), at: z.string(), detail: z.string().optional() })),
    conversationId: z.string(),
    traceId: z.string(),
  })
  .openapi('EvidenceRequest');

const IdParam = z.object({
  id: z
    .string()
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'urn:uuid:…' }),
});

const PREVIEW_COOKIE = 'kakehashi_evidence_preview';
/** The MIME type OOTS gives the RegRep part of an AS4 message. */
export const REGREP_MIME = 'application/x-ebrs+xml';
const PREVIEW_CLIENT = 'kakehashi-evidence-preview';

/**
 * Mounts the once-only evidence exchange on a national node: the requester side (a service asks for evidence:
 * evidence broker and data service directory at the hub, a RegRep 4 QueryRequest over AS4 through the node's
 * eDelivery backend, the QueryResponse and its signature validated by the node's signature service) and the
 * provider side (the request taken from the eDelivery inbox, the person matched through the country's
 * registers, the evidence built and signed by the issuing agency through the node's signature service, sent
 * only after the citizen re-authenticated at the provider and approved it on the preview).
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/OOTS/Technical+Design+Documents
 * @see https://docs.oasis-open.org/regrep/regrep-core/v4.0/os/regrep-core-rs-v4.0-os.html
 */
export function mountEvidence(app: ComponentApp, deps: EvidenceDeps): EvidenceBlock {
  deps.store.migrate(EVIDENCE_MIGRATIONS);
  const api = new NodeApi(deps);
  const requests = new RequestStore(deps.store, deps.clock);
  const previews = new PreviewStore(deps.store, deps.clock);
  const ctx: EvidenceContext = createContext(deps, { api, previews, requests });
  const log = deps.logger;
  const clientSecret = randomBytes(24).toString('base64url');
  const callbackUrl = `${deps.publicUrl}${PREVIEW_PATH}callback`;
  const inboundUrl = `${deps.publicUrl}/evidence/inbound`;

  // ---- inbox processing (webhook-driven, on demand, serialised) -------------------------------------------
  let running: Promise<number> | undefined;
  let again = false;
  const failures = new Map<string, number>();
  const processOnce = async (): Promise<number> => {
    // Only RegRep messages (OOTS: the first part is `application/x-ebrs+xml`); anything else on the evidence
    // service stays in the inbox for whichever backend it is for.
    const messages = (await api.inbox(deps.fetch)).filter(
      (m) =>
        m.service === EVIDENCE_SERVICE && ctx.participant(m.finalRecipient) && m.payloads[0]?.mimeType === REGREP_MIME,
    );
    let handled = 0;
    for (const m of messages) {
      try {
        const first = m.payloads[0];
        const xml = first ? await api.download(deps.fetch, m.messageId, first.cid) : '';
        if (m.action === ACTION_REQUEST) await handleQueryRequest(ctx, m, xml);
        else if (m.action === ACTION_RESPONSE)
          await handleQueryResponse(ctx, m, xml, async (cid) =>
            m.payloads.some((p) => p.cid === cid) ? api.download(deps.fetch, m.messageId, cid) : undefined,
          );
        await api.ack(deps.fetch, m.messageId);
        failures.delete(m.messageId);
        handled++;
      } catch (e) {
        // A transient failure (our own node busy): try again on the next run; give up after 3 attempts.
        const n = (failures.get(m.messageId) ?? 0) + 1;
        failures.set(m.messageId, n);
        log.warn('evidence message not handled', {
          messageId: m.messageId,
          attempt: n,
          reason: e instanceof Error ? e.message : String(e),
        });
        if (n >= 3) {
          await api.ack(deps.fetch, m.messageId).catch(() => undefined);
          failures.delete(m.messageId);
        }
      }
    }
    return handled;
  };
  let stopped = false;
  const processInbox = (): Promise<number> => {
    if (stopped) return Promise.resolve(0);
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      do {
        again = false;
        total += await processOnce();
      } while (again);
      return total;
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  let subscribed = false;
  const ensureSubscribed = async (): Promise<void> => {
    if (subscribed) return;
    const hooks = await api.webhooks(deps.fetch);
    if (!hooks.some((h) => h.url === inboundUrl)) await api.subscribe(deps.fetch, inboundUrl);
    subscribed = true;
  };
  /** At start the node's own origin may not answer yet (listen mode): retry a few times, quietly. */
  const subscribeSoon = (attempt = 0) => {
    setTimeout(
      () => {
        if (stopped) return;
        ensureSubscribed()
          .then(() => processInbox())
          .catch(() => {
            if (attempt < 40) subscribeSoon(attempt + 1);
            else log.warn('evidence: could not subscribe to the eDelivery webhooks; POST /admin/evidence/process');
          });
      },
      attempt === 0 ? 0 : 500,
    ).unref();
  };
  subscribeSoon();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/evidence/inbound',
      tags: ['evidence'],
      summary: "Webhook target of the node's eDelivery backend: a message arrived; the inbox is processed",
      request: {
        body: { required: false, content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } },
      },
      responses: {
        202: {
          description: 'Processing scheduled',
          content: { 'application/json': { schema: z.object({ scheduled: z.literal(true) }) } },
        },
        ...problemResponses(400, 415),
      },
    }),
    (c) => {
      // Answer at once: the work (which sends AS4 messages itself) must not run inside the notifier's call.
      setTimeout(() => {
        processInbox().catch((e: unknown) =>
          log.warn('evidence inbox processing failed', { reason: e instanceof Error ? e.message : String(e) }),
        );
      }, 0).unref();
      return c.json({ scheduled: true as const }, 202);
    },
  );
  app.post('/admin/evidence/process', async (c) => {
    await ensureSubscribed().catch(() => undefined);
    return c.json({ handled: await processInbox() });
  });

  // ---- requester side -------------------------------------------------------------------------------------
  const view = (r: RequestRow) => {
    let document: unknown = null;
    if (r.evidenceXml) {
      try {
        const d = readSignedEvidence(r.evidenceXml);
        document = { subject: d.subject, facts: d.facts, requestId: d.requestId, issuer: d.issuerParticipant };
      } catch {
        document = null;
      }
    }
    const base = `${deps.publicUrl}/evidence/requests/${encodeURIComponent(r.id)}`;
    return {
      id: r.id,
      status: r.status,
      requester: r.requester,
      provider: r.provider,
      providerCountry: r.providerCountry,
      requirement: r.model.requirement,
      evidenceType: { classification: r.model.evidenceType.classification, title: r.model.evidenceType.title },
      procedure: r.model.procedure,
      personIdentifier: r.model.person.personIdentifier,
      previewLocation: r.previewLocation,
      previewUrl: r.status === 'preview-required' ? `${base}/preview` : null,
      exception: r.exception,
      evidence: r.evidenceMeta
        ? { metadata: r.evidenceMeta, verdict: r.verdict, document, url: `${base}/evidence` }
        : null,
      history: r.history,
      conversationId: r.conversationId,
      traceId: r.traceId,
    };
  };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/evidence/requests',
      tags: ['evidence'],
      summary:
        'A service of this node asks for evidence: broker + directory at the hub, then a RegRep QueryRequest over AS4',
      request: { body: { required: true, content: { 'application/json': { schema: CreateRequestSchema } } } },
      responses: {
        202: { description: 'Sent', content: { 'application/json': { schema: RequestViewSchema } } },
        ...problemResponses(400, 404, 413, 415, 502),
      },
    }),
    async (c) => {
      requireJson(c.req.header('content-type'));
      const b = c.req.valid('json');
      const me = ctx.participant(b.requester);
      if (!me?.services.includes(EVIDENCE_SERVICE))
        throw new KakehashiError(
          'validation-failed',
          `"${b.requester.slice(0, 100)}" is not an eDelivery participant of ${deps.country} that exchanges evidence; GET /agencies lists them.`,
        );
      const fetcher = c.get('fetch');
      const cc = b.country.toUpperCase();
      const { requirement } = await api.requirement(fetcher, b.requirement);
      const { services } = await api.dataServices(fetcher, {
        country: cc,
        requirement: requirement.id,
        ...(b.evidenceType ? { evidenceType: b.evidenceType } : {}),
        ...(b.provider ? { provider: b.provider } : {}),
      });
      const service = services.find((s) => s.registered);
      if (!service)
        throw new KakehashiError(
          'evidence-no-provider',
          `The data service directory lists no registered provider of "${requirement.name}" in ${cc}${services.length ? ' (the listed ones are not registered)' : ''}.`,
        );
      const traceId = c.get('trace').traceId;
      const model: QueryRequestModel = {
        id: `urn:uuid:${randomUUID()}`,
        issueDateTime: ctx.now(),
        procedure: b.procedure,
        possibilityForPreview: true,
        explicitRequestGiven: true,
        requirement: { id: requirement.identifier, name: requirement.name },
        requester: { id: me.id, name: me.name, country: deps.country },
        provider: { id: service.provider.participantId, name: service.provider.agencyId, country: service.country },
        person: b.person,
        evidenceType: {
          id: randomUUID(),
          classification: service.evidenceType.classification,
          title: service.evidenceType.title,
          format: service.evidenceType.format,
        },
      };
      const conversationId = conversationIdFor(traceId);
      const row = requests.create({
        model,
        requester: me.id,
        provider: service.provider.participantId,
        providerCountry: service.country,
        conversationId,
        traceId,
      });
      ctx.trace(traceId, `broker: ${requirement.name} in ${cc} → ${service.evidenceType.classification}`, {
        requirement,
        dataService: service,
      });
      await ensureSubscribed().catch(() => undefined);
      const xml = buildQueryRequest(model);
      const sent = await api.submit(fetcher, {
        action: ACTION_REQUEST,
        originalSender: me.id,
        finalRecipient: service.provider.participantId,
        conversationId,
        payloads: [{ cid: `regrep-${model.id.slice(9)}@kakehashi`, mimeType: REGREP_MIME, content: xml }],
      });
      ctx.trace(traceId, `QueryRequest sent to ${service.provider.participantId}`, {
        regrep: model,
        as4: { messageId: sent.messageId, service: EVIDENCE_SERVICE, action: ACTION_REQUEST, conversationId },
      });
      return c.json(view(row), 202);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/evidence/requests/{id}',
      tags: ['evidence'],
      summary: 'An evidence request: status, preview location, the EDM error or the evidence with its validation',
      request: { params: IdParam },
      responses: {
        200: { description: 'The request', content: { 'application/json': { schema: RequestViewSchema } } },
        ...problemResponses(404),
      },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      requests.mustGet(id);
      await processInbox().catch(() => 0);
      return c.json(view(requests.mustGet(id)), 200);
    },
  );
  app.get('/evidence/requests/:id/preview', (c) => {
    const r = requests.mustGet(c.req.param('id'));
    if (r.status !== 'preview-required' || !r.previewLocation)
      throw new KakehashiError('conflict', `The request is ${r.status}: there is no preview to go to.`);
    const u = new URL(r.previewLocation);
    u.searchParams.set('returnurl', `${deps.publicUrl}/evidence/requests/${encodeURIComponent(r.id)}/return`);
    u.searchParams.set('returnmethod', 'GET');
    for (const k of ['persona']) {
      const v = c.req.query(k);
      if (v) u.searchParams.set(k, v);
    }
    return c.redirect(u.toString(), 302);
  });
  app.get('/evidence/requests/:id/return', async (c) => {
    const r = requests.mustGet(c.req.param('id'));
    if (r.status === 'preview-required' && r.previewLocation) {
      const second: QueryRequestModel = {
        ...r.model,
        id: `urn:uuid:${randomUUID()}`,
        issueDateTime: ctx.now(),
        previewLocation: r.previewLocation,
      };
      if (
        requests.transition(
          r.id,
          ['preview-required'],
          'resubmitted',
          { attemptId: second.id },
          'back from the preview',
        )
      ) {
        const fetcher = ctx.fetchFor(r.traceId);
        await api.submit(fetcher, {
          action: ACTION_REQUEST,
          originalSender: r.requester,
          finalRecipient: r.provider,
          conversationId: r.conversationId,
          payloads: [
            {
              cid: `regrep-${second.id.slice(9)}@kakehashi`,
              mimeType: REGREP_MIME,
              content: buildQueryRequest(second),
            },
          ],
        });
        ctx.trace(r.traceId, `QueryRequest sent again with the PreviewLocation`, { regrep: second });
      }
    }
    return c.json(view(requests.mustGet(r.id)));
  });
  app.get('/evidence/requests/:id/evidence', (c) => {
    const r = requests.mustGet(c.req.param('id'));
    if (!r.evidenceXml) throw new KakehashiError('not-found', `The request is ${r.status}: no evidence has arrived.`);
    return c.body(r.evidenceXml, 200, { 'content-type': 'application/xml; charset=utf-8' });
  });

  // ---- provider side: preview and consent -------------------------------------------------------------------
  const wantsJson = (c: Context) => (c.req.header('accept') ?? '').includes('application/json');
  const startLogin = async (c: Context, previewId: string): Promise<Response> => {
    const fetcher = c.get('fetch') as typeof fetch;
    await api.registerClient(fetcher, PREVIEW_CLIENT, clientSecret, callbackUrl);
    const state = randomBytes(24).toString('base64url');
    const nonce = randomBytes(16).toString('base64url');
    const verifier = randomBytes(32).toString('base64url');
    previews.startLogin(previewId, state, nonce, verifier);
    const q = new URLSearchParams({
      client_id: PREVIEW_CLIENT,
      redirect_uri: callbackUrl,
      response_type: 'code',
      scope: 'openid',
      state,
      nonce,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      acr_values: 'http://eidas.europa.eu/LoA/substantial',
    });
    // TEST ONLY: a persona to log in headless (Japan's card login ignores it and shows the card reader).
    const persona = c.req.query('persona');
    if (persona && deps.country !== 'JP') q.set('kakehashi_persona', persona);
    return c.redirect(`${deps.publicUrl}/oidc/authorize?${q}`, 302);
  };

  app.get(`${PREVIEW_PATH}callback`, async (c) => {
    const state = c.req.query('state') ?? '';
    const taken = state ? previews.takeLogin(state) : undefined;
    if (!taken)
      throw new KakehashiError(
        'evidence-preview-login-required',
        'This login answer is unknown or was used; open the preview again.',
      );
    const { row } = taken;
    const error = c.req.query('error');
    if (error)
      throw new KakehashiError(
        'evidence-preview-login-required',
        `The login at ${deps.country} did not succeed (${error.slice(0, 60)}).`,
      );
    const fetcher = c.get('fetch');
    const token = await api.redeem(fetcher, {
      clientId: PREVIEW_CLIENT,
      secret: clientSecret,
      code: c.req.query('code') ?? '',
      redirectUri: callbackUrl,
      verifier: taken.verifier,
    });
    const verdict = await api.validateIdToken(fetcher, token, {
      issuer: deps.publicUrl,
      audience: PREVIEW_CLIENT,
      nonce: taken.nonce,
    });
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      eidas_person_identifier?: string;
    };
    const handle =
      verdict.valid && claims.eidas_person_identifier
        ? await deps.source.resolve(claims.eidas_person_identifier)
        : undefined;
    const same = handle !== undefined && handle === row.handle;
    ctx.trace(
      row.traceId,
      'preview login: the citizen re-authenticated at the provider',
      {
        preview: row.id,
        personIdentifier: claims.eidas_person_identifier,
      },
      {
        valid: verdict.valid && same,
        checks: [
          {
            rule: 'ID token (J1–J17)',
            outcome: verdict.valid ? 'passed' : 'failed',
            reason: verdict.failure?.reason ?? 'valid',
          },
          {
            rule: 'same person as the request',
            outcome: same ? 'passed' : 'failed',
            reason: same ? 'the login resolves to the person the request names' : 'another person logged in',
          },
        ],
      },
    );
    if (!verdict.valid)
      throw new KakehashiError(
        'evidence-preview-login-required',
        `The login could not be verified: ${verdict.failure?.reason ?? 'invalid'}.`,
      );
    if (!same) {
      previews.identityMismatch(row.id);
      throw new KakehashiError(
        'evidence-preview-subject-mismatch',
        'The person who logged in is not the person the evidence request names; nothing will be sent.',
        { extra: { returnUrl: row.returnUrl } },
      );
    }
    const session = randomBytes(24).toString('base64url');
    previews.authenticate(row.id, session);
    setCookie(c, PREVIEW_COOKIE, session, { path: PREVIEW_PATH, httpOnly: true, sameSite: 'Lax' });
    return c.redirect(`${deps.publicUrl}${PREVIEW_PATH}${row.id}`, 303);
  });

  app.get(`${PREVIEW_PATH}:previewId`, async (c) => {
    const id = c.req.param('previewId');
    const row = previews.mustGet(id);
    const ret = c.req.query('returnurl');
    if (ret && !row.returnUrl) {
      const { origin } = await api.participantOrigin(c.get('fetch'), row.requester);
      let ok = false;
      try {
        ok = new URL(ret).origin === origin;
      } catch {
        ok = false;
      }
      if (!ok)
        throw new KakehashiError('bad-request', "The returnurl must be on the requesting node's own origin.", {
          rule: 'OOTS TDD 4.9: return to the requester',
        });
      previews.setReturnUrl(id, ret);
    }
    if (!previews.hasSession(id, getCookie(c, PREVIEW_COOKIE))) {
      if (row.status !== 'pending')
        throw new KakehashiError('evidence-preview-decided', `This preview was already decided (${row.status}).`);
      return startLogin(c, id);
    }
    const current = previews.mustGet(id);
    const doc = readEvidenceContent(current.document);
    if (wantsJson(c))
      return c.json({
        id,
        status: current.status,
        evidenceType: current.evidenceType,
        requester: { id: current.requester, name: current.request.requester.name },
        provider: current.provider,
        procedure: current.request.procedure,
        subject: doc.subject,
        facts: doc.facts,
        document: current.document,
        actions: { decide: `${deps.publicUrl}${PREVIEW_PATH}${id}/decision`, decisions: ['approve', 'refuse'] },
        returnUrl: current.returnUrl,
      });
    return c.html(renderPreviewPage(current, doc.facts, doc.subject));
  });

  app.post(`${PREVIEW_PATH}:previewId/decision`, async (c) => {
    const id = c.req.param('previewId');
    const row = previews.mustGet(id);
    if (!previews.hasSession(id, getCookie(c, PREVIEW_COOKIE)))
      throw new KakehashiError(
        'evidence-preview-login-required',
        'Log in at the provider first (open the preview link).',
      );
    const type = (c.req.header('content-type') ?? '').toLowerCase();
    let decision: unknown;
    if (type.includes('application/json')) decision = ((await c.req.json()) as { decision?: unknown }).decision;
    else if (type.includes('application/x-www-form-urlencoded') || type.includes('multipart/form-data'))
      decision = (await c.req.parseBody()).decision;
    else throw new KakehashiError('unsupported-media-type', 'Send the decision as JSON or as a form.');
    const parsed = z.enum(['approve', 'refuse']).safeParse(decision);
    if (!parsed.success) throw new KakehashiError('validation-failed', 'decision must be "approve" or "refuse".');
    if (row.status !== 'pending')
      throw new KakehashiError('evidence-preview-decided', `This preview was already decided (${row.status}).`);
    const fetcher = c.get('fetch');
    let decided: ReturnType<PreviewStore['decide']>;
    if (parsed.data === 'approve') {
      const signed = await api.sign(fetcher, row.agencyId, row.document);
      decided = previews.decide(id, 'approve', signed);
    } else {
      decided = previews.decide(id, 'refuse');
      await deps.source.record?.({
        handle: row.handle,
        provider: { agencyId: row.agencyId, participantId: row.provider, name: row.provider },
        requester: {
          participantId: row.requester,
          name: row.request.requester.name,
          country: row.request.requester.country,
        },
        procedure: row.request.procedure,
        evidenceType: row.evidenceType,
        requestId: row.request.id,
        requestedAt: row.createdAt,
        providedAt: null,
        outcome: 'refused',
        refusal: { code: 'EDM:ERR:0002', reason: 'the person refused at the preview' },
      });
    }
    ctx.trace(
      row.traceId,
      `preview ${parsed.data === 'approve' ? 'approved: evidence signed by' : 'refused by the citizen at'} ${row.agencyId}`,
      {
        preview: id,
        decision: parsed.data,
      },
      { valid: parsed.data === 'approve' },
    );
    if (wantsJson(c) || type.includes('application/json'))
      return c.json({ id, status: decided.status, returnUrl: decided.returnUrl });
    return c.redirect(decided.returnUrl ?? `${deps.publicUrl}${PREVIEW_PATH}${id}`, 303);
  });

  const routeDocs: RouteDoc[] = [
    {
      method: 'get',
      path: '/evidence/requests/{id}/preview',
      tags: ['evidence'],
      summary: "Sends the citizen to the provider's preview (302 to the PreviewLocation with returnurl)",
      params: { id: 'request id (urn:uuid)' },
      problems: [404, 409],
    },
    {
      method: 'get',
      path: '/evidence/requests/{id}/return',
      tags: ['evidence'],
      summary:
        'Back from the preview: sends the second QueryRequest with the PreviewLocation; answers the request view',
      params: { id: 'request id (urn:uuid)' },
      problems: [404],
    },
    {
      method: 'get',
      path: '/evidence/requests/{id}/evidence',
      tags: ['evidence'],
      summary: 'The signed evidence document (XAdES enveloped) once received',
      produces: 'application/xml',
      params: { id: 'request id (urn:uuid)' },
      problems: [404],
    },
    {
      method: 'get',
      path: '/evidence/preview/callback',
      tags: ['evidence'],
      summary:
        "The provider's OIDC callback after the citizen re-authenticated: same person → preview session (cookie)",
      problems: [401, 403],
    },
    {
      method: 'get',
      path: '/evidence/preview/{previewId}',
      tags: ['evidence'],
      summary:
        'The preview (HTML, or JSON with Accept: application/json); without a session it starts the login at this node (query returnurl, and persona: TEST ONLY headless login)',
      produces: 'text/html',
      params: { previewId: 'from the PreviewLocation' },
      problems: [400, 404, 409],
    },
    {
      method: 'post',
      path: '/evidence/preview/{previewId}/decision',
      tags: ['evidence'],
      summary:
        'The citizen approves or refuses, once (JSON {decision} or form decision=approve|refuse); 303 to the return URL',
      params: { previewId: 'from the PreviewLocation' },
      problems: [400, 401, 404, 409, 415],
    },
    {
      method: 'post',
      path: '/admin/evidence/process',
      tags: ['evidence', 'admin'],
      summary: 'Handle every evidence message waiting in the eDelivery inbox now',
      admin: true,
      problems: [401],
    },
  ];
  for (const d of routeDocs) documentRoute(app, d);

  return {
    processInbox,
    ensureSubscribed,
    stop: () => {
      stopped = true;
    },
    reset: () => {
      requests.clear();
      previews.clear();
      // The eDelivery reset drops the webhook subscriptions too.
      subscribed = false;
      subscribeSoon();
    },
  };
}
