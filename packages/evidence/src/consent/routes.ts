import { createRoute, z } from '@hono/zod-openapi';
import {
  type ComponentApp,
  createRouteModule,
  currentFaultScope,
  KakehashiError,
  problemResponses,
} from '@kakehashi/core';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { EvidenceContext } from '../context.ts';
import '../error-codes.ts';
import { readEvidenceContent } from '../evidence-doc/evidence-document.ts';
import { DOCUMENT_FAULTS } from '../faults/faults.ts';
import { signWithFaults } from '../faults/forge-evidence.ts';
import { renderPreviewPage } from '../provider/render-preview.ts';
import type { PreviewLogin } from './preview-login.ts';
import { PREVIEW_PATH, type PreviewRow } from './preview-store.ts';

const PREVIEW_COOKIE = 'kakehashi_evidence_preview';

const PreviewIdParam = z.object({
  previewId: z
    .string()
    .max(200)
    .openapi({ param: { name: 'previewId', in: 'path' }, description: 'from the PreviewLocation' }),
});

const PreviewViewSchema = z
  .object({
    id: z.string(),
    status: z.enum(['pending', 'approved', 'refused', 'identity-mismatch', 'used']),
    evidenceType: z.object({ classification: z.string(), title: z.string(), titleLocal: z.string(), kind: z.string() }),
    requester: z.object({ id: z.string(), name: z.string() }),
    provider: z.string(),
    procedure: z.string(),
    subject: z.record(z.string(), z.string()),
    facts: z.record(z.string(), z.string()),
    document: z.string().openapi({ description: 'The evidence document that will be signed and sent (XML)' }),
    actions: z.object({ decide: z.string(), decisions: z.array(z.enum(['approve', 'refuse'])) }),
    returnUrl: z.string().nullable(),
  })
  .openapi('EvidencePreview');

const DecisionSchema = z.enum(['approve', 'refuse']);
/** The decision body as documented; the handler reads JSON or a form itself (its checks come in a fixed order). */
const DECISION_BODY = {
  type: 'object' as const,
  required: ['decision'],
  properties: { decision: { type: 'string' as const, enum: ['approve', 'refuse'] } },
};

const wantsJson = (c: Context) => (c.req.header('accept') ?? '').includes('application/json');

/**
 * The consent side of the once-only exchange, at the provider: the citizen's login answer, the preview (what
 * would be sent, to whom, for which procedure) and the decision, taken once. The evidence is signed by the
 * issuing agency only when approved; a refusal is recorded and answered as an EDM error.
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/OOTS/Technical+Design+Documents (ch. 4.9 preview)
 */
export function consentRoutes(ctx: EvidenceContext, login: PreviewLogin): ComponentApp {
  const r = createRouteModule();
  const { deps, previews } = ctx;
  const previewUrl = (id: string) => `${deps.publicUrl}${PREVIEW_PATH}${id}`;

  r.openapi(
    createRoute({
      method: 'get',
      path: `${PREVIEW_PATH}callback`,
      tags: ['evidence'],
      summary:
        "The provider's OIDC callback after the citizen re-authenticated: same person → preview session (cookie)",
      request: {
        query: z.object({ state: z.string().optional(), code: z.string().optional(), error: z.string().optional() }),
      },
      responses: {
        303: { description: 'To the preview, with the session cookie' },
        ...problemResponses(401, 403),
      },
    }),
    async (c) => {
      const { row, session } = await login.complete(c.req.valid('query'), c.get('fetch'));
      setCookie(c, PREVIEW_COOKIE, session, { path: PREVIEW_PATH, httpOnly: true, sameSite: 'Lax' });
      return c.redirect(previewUrl(row.id), 303);
    },
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: `${PREVIEW_PATH}{previewId}`,
      tags: ['evidence'],
      summary:
        'The preview (HTML, or JSON with Accept: application/json); without a session it starts the login at this node (query returnurl, and persona: TEST ONLY headless login)',
      request: {
        params: PreviewIdParam,
        query: z.object({
          returnurl: z.string().optional().openapi({ description: "On the requesting node's origin" }),
          persona: z.string().optional().openapi({ description: 'TEST ONLY: a persona for a headless login' }),
        }),
      },
      responses: {
        200: {
          description: 'The preview',
          content: { 'text/html': { schema: z.string() }, 'application/json': { schema: PreviewViewSchema } },
        },
        302: { description: "No session yet: to this node's OIDC login" },
        ...problemResponses(400, 404, 409),
      },
    }),
    async (c) => {
      const id = c.req.valid('param').previewId;
      const { returnurl, persona } = c.req.valid('query');
      const row = previews.mustGet(id);
      if (returnurl && !row.returnUrl) await acceptReturnUrl(ctx, row, returnurl, c.get('fetch'));
      if (!previews.hasSession(id, getCookie(c, PREVIEW_COOKIE))) {
        if (row.status !== 'pending')
          throw new KakehashiError('evidence-preview-decided', `This preview was already decided (${row.status}).`);
        return c.redirect(await login.start(id, persona), 302);
      }
      const current = previews.mustGet(id);
      const doc = readEvidenceContent(current.document);
      if (!wantsJson(c)) return c.html(renderPreviewPage(current, doc.facts, doc.subject), 200);
      return c.json(
        {
          id,
          status: current.status,
          evidenceType: current.evidenceType,
          requester: { id: current.requester, name: current.request.requester.name },
          provider: current.provider,
          procedure: current.request.procedure,
          subject: doc.subject,
          facts: doc.facts,
          document: current.document,
          actions: { decide: `${previewUrl(id)}/decision`, decisions: ['approve' as const, 'refuse' as const] },
          returnUrl: current.returnUrl,
        },
        200,
      );
    },
  );

  r.openapi(
    createRoute({
      method: 'post',
      path: `${PREVIEW_PATH}{previewId}/decision`,
      tags: ['evidence'],
      summary:
        'The citizen approves or refuses, once (JSON {decision} or form decision=approve|refuse); 303 to the return URL',
      request: {
        params: PreviewIdParam,
        body: {
          required: true,
          content: {
            'application/json': { schema: DECISION_BODY },
            'application/x-www-form-urlencoded': { schema: DECISION_BODY },
          },
        },
      },
      responses: {
        200: {
          description: 'Decided (JSON callers)',
          content: {
            'application/json': {
              schema: z.object({ id: z.string(), status: z.string(), returnUrl: z.string().nullable() }),
            },
          },
        },
        303: { description: 'Decided: to the return URL (or back to the preview)' },
        ...problemResponses(400, 401, 404, 409, 415),
      },
    }),
    async (c) => {
      const id = c.req.valid('param').previewId;
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
      const parsed = DecisionSchema.safeParse(decision);
      if (!parsed.success) throw new KakehashiError('validation-failed', 'decision must be "approve" or "refuse".');
      if (row.status !== 'pending')
        throw new KakehashiError('evidence-preview-decided', `This preview was already decided (${row.status}).`);
      requireDocumentFaultOnly(ctx, currentFaultScope()?.requested);
      const decided = await decide(ctx, row, parsed.data, c.get('fetch'));
      if (wantsJson(c) || type.includes('application/json'))
        return c.json({ id, status: decided.status, returnUrl: decided.returnUrl }, 200);
      return c.redirect(decided.returnUrl ?? previewUrl(id), 303);
    },
  );
  return r;
}

/**
 * The approval may ask for one evidence document fault (`X-Kakehashi-Fault`, `kakehashi_fault`): it must be one
 * this node offers per request, and one that changes the document (nothing else happens on this request).
 */
function requireDocumentFaultOnly(ctx: EvidenceContext, requested: ReadonlySet<string> | undefined): void {
  for (const name of requested ?? []) {
    ctx.deps.faults.requireRequestable(name);
    if (!(DOCUMENT_FAULTS as readonly string[]).includes(name))
      throw new KakehashiError(
        'fault-not-per-request',
        `The decision can ask only for an evidence document fault (${DOCUMENT_FAULTS.join(', ')}).`,
      );
  }
}

/** Keeps the requester's return URL, only on the requesting node's own origin (as discovery gives it). */
async function acceptReturnUrl(ctx: EvidenceContext, row: PreviewRow, url: string, fetcher: typeof fetch) {
  const origin = await ctx.participantOrigin(row.requester, fetcher);
  let ok = false;
  try {
    ok = new URL(url).origin === origin;
  } catch {
    ok = false;
  }
  if (!ok)
    throw new KakehashiError('bad-request', "The returnurl must be on the requesting node's own origin.", {
      rule: 'OOTS TDD 4.9: return to the requester',
    });
  ctx.previews.setReturnUrl(row.id, url);
}

/**
 * The citizen's decision, taken once: approved → the evidence signed by the issuing agency through the node's
 * signature service; refused → recorded with the provider's records (Japan: the citizen's portal).
 */
async function decide(
  ctx: EvidenceContext,
  row: PreviewRow,
  decision: 'approve' | 'refuse',
  fetcher: typeof fetch,
): Promise<PreviewRow> {
  let decided: PreviewRow;
  let fault: string | undefined;
  if (decision === 'approve') {
    const r = await signWithFaults(
      row.document,
      (f) => ctx.deps.faults.fire(f, undefined, { preview: row.id, requester: row.requester }),
      (xml) => ctx.api.sign(fetcher, row.agencyId, xml),
    );
    fault = r.fault;
    decided = ctx.previews.decide(row.id, 'approve', r.signed);
  } else {
    decided = ctx.previews.decide(row.id, 'refuse');
    await ctx.deps.source.record?.({
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
    `preview ${decision === 'approve' ? 'approved: evidence signed by' : 'refused by the citizen at'} ${row.agencyId}`,
    { preview: row.id, decision },
    { valid: decision === 'approve' },
    fault ? [fault] : undefined,
  );
  return decided;
}
