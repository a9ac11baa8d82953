import { randomUUID } from 'node:crypto';
import { KakehashiError } from '@kakehashi/core';
import { conversationIdFor, type EvidenceContext } from '../context.ts';
import { buildQueryRequest } from '../regrep/build-regrep.ts';
import { ACTION_REQUEST, EVIDENCE_SERVICE, REGREP_MIME } from '../regrep/ns.ts';
import type { QueryRequestModel } from '../regrep/z-regrep.ts';
import type { RequestRow } from './request-store.ts';
import type { CreateRequestInput } from './request-view.ts';

/** The AS4 message of one QueryRequest attempt, from the requester to the provider. */
const queryRequestMessage = (
  model: QueryRequestModel,
  row: { requester: string; provider: string; conversationId: string },
) => ({
  action: ACTION_REQUEST,
  originalSender: row.requester,
  finalRecipient: row.provider,
  conversationId: row.conversationId,
  payloads: [
    { cid: `regrep-${model.id.slice(9)}@kakehashi`, mimeType: REGREP_MIME, content: buildQueryRequest(model) },
  ],
});

/**
 * Requester side, first attempt: the evidence broker names the requirement, the data service directory the
 * registered provider in the country asked; the request is stored and its RegRep QueryRequest sent over AS4
 * through the node's eDelivery backend (the conversation id carries the trace id).
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/OOTS/Technical+Design+Documents (ch. 4 evidence exchange)
 */
export async function sendFirstRequest(
  ctx: EvidenceContext,
  input: CreateRequestInput,
  run: { fetcher: typeof fetch; traceId: string; ensureSubscribed: () => Promise<void> },
): Promise<RequestRow> {
  const { deps } = ctx;
  const me = ctx.participant(input.requester);
  if (!me?.services.includes(EVIDENCE_SERVICE))
    throw new KakehashiError(
      'validation-failed',
      `"${input.requester.slice(0, 100)}" is not an eDelivery participant of ${deps.country} that exchanges evidence; GET /agencies lists them.`,
    );
  const cc = input.country.toUpperCase();
  const requirement = await ctx.directory.requirement(input.requirement, run.fetcher);
  const services = await ctx.directory.dataServices(
    {
      country: cc,
      requirement: requirement.id,
      evidenceType: input.evidenceType || undefined,
      provider: input.provider || undefined,
    },
    run.fetcher,
  );
  const service = services.find((s) => s.registered);
  if (!service)
    throw new KakehashiError(
      'evidence-no-provider',
      `The data service directory lists no registered provider of "${requirement.name}" in ${cc}${services.length ? ' (the listed ones are not registered)' : ''}.`,
    );
  const model: QueryRequestModel = {
    id: `urn:uuid:${randomUUID()}`,
    issueDateTime: ctx.now(),
    procedure: input.procedure,
    possibilityForPreview: true,
    explicitRequestGiven: true,
    requirement: { id: requirement.identifier, name: requirement.name },
    requester: { id: me.id, name: me.name, country: deps.country },
    provider: { id: service.provider.participantId, name: service.provider.agencyId, country: service.country },
    person: input.person,
    evidenceType: {
      id: randomUUID(),
      classification: service.evidenceType.classification,
      title: service.evidenceType.title,
      format: service.evidenceType.format,
    },
  };
  const conversationId = conversationIdFor(run.traceId);
  const row = ctx.requests.create({
    model,
    requester: me.id,
    provider: service.provider.participantId,
    providerCountry: service.country,
    conversationId,
    traceId: run.traceId,
  });
  ctx.trace(run.traceId, `broker: ${requirement.name} in ${cc} → ${service.evidenceType.classification}`, {
    requirement,
    dataService: service,
  });
  await run.ensureSubscribed().catch(() => undefined);
  const sent = await ctx.api.submit(run.fetcher, queryRequestMessage(model, row));
  ctx.trace(run.traceId, `QueryRequest sent to ${service.provider.participantId}`, {
    regrep: model,
    as4: { messageId: sent.messageId, service: EVIDENCE_SERVICE, action: ACTION_REQUEST, conversationId },
  });
  return row;
}

/**
 * Requester side, back from the preview: the second QueryRequest, with the PreviewLocation, sent once (the
 * state moves `preview-required → resubmitted` first, so a reload does not send it again).
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/OOTS/Technical+Design+Documents (ch. 4.9 preview)
 */
export async function sendSecondRequest(ctx: EvidenceContext, r: RequestRow): Promise<void> {
  if (r.status !== 'preview-required' || !r.previewLocation) return;
  const second: QueryRequestModel = {
    ...r.model,
    id: `urn:uuid:${randomUUID()}`,
    issueDateTime: ctx.now(),
    previewLocation: r.previewLocation,
  };
  if (
    !ctx.requests.transition(
      r.id,
      ['preview-required'],
      'resubmitted',
      { attemptId: second.id },
      'back from the preview',
    )
  )
    return;
  await ctx.api.submit(ctx.fetchFor(r.traceId), queryRequestMessage(second, r));
  ctx.trace(r.traceId, `QueryRequest sent again with the PreviewLocation`, { regrep: second });
}
