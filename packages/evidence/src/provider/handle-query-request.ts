import { randomBytes, randomUUID } from 'node:crypto';
import { type Check, KakehashiError } from '@kakehashi/core';
import { PREVIEW_PATH, type PreviewRow } from '../consent/preview-store.ts';
import { type EvidenceContext, traceIdOfConversation } from '../context.ts';
import type { EvidenceParticipant, SubjectRecord } from '../deps.ts';
import { buildEvidenceDocument } from '../evidence-doc/evidence-document.ts';
import type { InboxMessage } from '../node-api/node-api.ts';
import { buildQueryResponse, edmException } from '../regrep/build-regrep.ts';
import type { EdmErrorName } from '../regrep/edm-errors.ts';
import { ACTION_RESPONSE, REGREP_MIME } from '../regrep/ns.ts';
import { parseQueryRequest } from '../regrep/parse-regrep.ts';
import type { NaturalPerson, QueryRequestModel, QueryResponseModel } from '../regrep/z-regrep.ts';

/** Where `evidence.foreign-preview-location` sends the citizen (a reserved name: it never resolves). */
export const FOREIGN_PREVIEW_ORIGIN = 'https://evidence-preview.invalid';

const norm = (s: string | undefined) => (s ?? '').normalize('NFKC').toLowerCase().replace(/\s+/g, '');

/**
 * Whether the request's minimum data set names the person the register holds: the date of birth exactly, each
 * name in the local script or its Latin transliteration (NFKC, case and spaces ignored).
 */
export function matchesMinimumDataSet(held: SubjectRecord, asked: NaturalPerson): boolean {
  const family = norm(asked.familyName);
  const given = norm(asked.givenName);
  return (
    held.dateOfBirth === asked.dateOfBirth &&
    (family === norm(held.familyName) || family === norm(held.familyNameLatin)) &&
    (given === norm(held.givenName) || given === norm(held.givenNameLatin))
  );
}

/** One evidence request being answered: who asks whom, and how to answer (always over AS4). */
interface Exchange {
  ctx: EvidenceContext;
  msg: InboxMessage;
  me: EvidenceParticipant;
  traceId: string;
  model: QueryRequestModel;
  /** The evidence type as the hub's data service directory lists it for this provider. */
  evidenceType: PreviewRow['evidenceType'];
  reply(r: ResponseContent, evidence?: { cid: string; xml: string }): Promise<void>;
  /** Answers the request with an EDM error. */
  fail(
    name: EdmErrorName,
    detail: string,
    opts?: { previewRequired?: boolean; previewLocation?: string },
  ): Promise<void>;
  /** Records the exchange with the provider's records, under its first request's id. */
  record(
    handle: string,
    requestId: string,
    requestedAt: string,
    outcome: 'provided' | 'refused',
    refusal?: { code: string; reason: string },
  ): Promise<void>;
}

type ResponseContent = Omit<QueryResponseModel, 'responseId' | 'issueDateTime' | 'provider'>;

/** Sends a QueryResponse (and the evidence as a second part) back to the requester, and traces it. */
async function sendResponse(
  ctx: EvidenceContext,
  to: { msg: InboxMessage; me: EvidenceParticipant; traceId: string; fetcher: typeof fetch },
  r: ResponseContent,
  evidence?: { cid: string; xml: string },
): Promise<void> {
  const { msg, me, traceId, fetcher } = to;
  const requesterId = msg.originalSender ?? '';
  const response: QueryResponseModel = {
    ...r,
    responseId: randomUUID(),
    issueDateTime: ctx.now(),
    provider: { id: me.id, name: me.name, country: ctx.deps.country },
  };
  await ctx.api.submit(fetcher, {
    action: ACTION_RESPONSE,
    originalSender: me.id,
    finalRecipient: requesterId,
    conversationId: msg.conversationId,
    refToMessageId: msg.messageId,
    payloads: [
      { cid: `regrep-${response.responseId}@kakehashi`, mimeType: REGREP_MIME, content: buildQueryResponse(response) },
      ...(evidence ? [{ cid: evidence.cid, mimeType: 'application/xml', content: evidence.xml }] : []),
    ],
  });
  ctx.trace(
    traceId,
    `QueryResponse sent (${r.status === 'success' ? 'evidence' : r.exception?.code})`,
    {
      regrep: response,
      to: requesterId,
      ...(evidence ? { evidenceAttachment: evidence.cid, evidenceBytes: evidence.xml.length } : {}),
    },
    { valid: r.status === 'success' },
  );
}

/** An EDM error as the whole answer to request `requestId`. */
const failure = (
  ctx: EvidenceContext,
  requestId: string,
  requester: { id: string; name: string },
  name: EdmErrorName,
  detail: string,
  opts: { previewRequired?: boolean; previewLocation?: string } = {},
): ResponseContent => ({
  requestId,
  status: 'failure',
  requester,
  exception: edmException(name, detail, ctx.now(), opts),
});

/**
 * Provider side of one evidence request taken from the eDelivery inbox. First request: identity matching
 * (the PersonIdentifier through the country's registers, then the minimum data set), the data service checked
 * against the hub's directory, the evidence built — and answered with `EDM:ERR:0002` PreviewRequired and a
 * PreviewLocation. Second request (with that PreviewLocation): the citizen's decision, used once — the signed
 * evidence, or the refusal / mismatch as an EDM error. Every answer goes back over AS4 as `ExecuteQueryResponse`.
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/OOTS/Technical+Design+Documents (ch. 4.9 preview)
 */
export async function handleQueryRequest(ctx: EvidenceContext, msg: InboxMessage, xml: string): Promise<void> {
  const traceId = traceIdOfConversation(msg.conversationId);
  const me = ctx.participant(msg.finalRecipient);
  if (!me) return;
  // One span for the whole handling: every call it makes joins the exchange's trace under it.
  const fetcher = ctx.fetchFor(traceId);
  const to = { msg, me, traceId, fetcher };
  const requesterId = msg.originalSender ?? '';

  let model: QueryRequestModel;
  try {
    model = parseQueryRequest(xml);
  } catch (e) {
    const reason = e instanceof KakehashiError ? e.message : 'unreadable';
    const idGuess = /\bid="(urn:uuid:[0-9a-fA-F-]{36})"/.exec(xml)?.[1] ?? `urn:uuid:${randomUUID()}`;
    ctx.trace(
      traceId,
      'QueryRequest refused',
      { from: requesterId, reason },
      { valid: false, checks: [{ rule: 'OOTS EDM structure', outcome: 'failed', reason }] },
    );
    const who = { id: requesterId, name: requesterId };
    return sendResponse(ctx, to, failure(ctx, idGuess, who, 'invalidRequest', reason));
  }
  const requester = model.requester;
  const fail: Exchange['fail'] = (name, detail, opts) =>
    sendResponse(ctx, to, failure(ctx, model.id, requester, name, detail, opts));
  ctx.trace(traceId, `QueryRequest received by ${me.id}`, { regrep: model, asFrom: requesterId });
  if (ctx.deps.faults.fire('evidence.provider-unavailable', undefined, { requestId: model.id })) {
    ctx.trace(traceId, 'data service unavailable', { requestId: model.id }, { valid: false }, [
      'evidence.provider-unavailable',
    ]);
    return fail('timeout', 'The data service cannot reach its registers at the moment; try again later.');
  }

  if (model.provider.id !== me.id || model.requester.id !== requesterId)
    return fail(
      'invalidRequest',
      'The EvidenceRequester and EvidenceProvider must be the AS4 originalSender and finalRecipient of the message.',
    );
  const services = await ctx.directory.dataServices(
    { provider: me.id, evidenceType: model.evidenceType.classification },
    fetcher,
  );
  const service = services[0];
  if (!service)
    return fail(
      'unsupportedCapability',
      `${me.name} does not provide evidence type ${model.evidenceType.classification.slice(0, 120)} (see the hub's data service directory).`,
    );
  const evidenceType = {
    classification: service.evidenceType.classification,
    title: service.evidenceType.title,
    titleLocal: service.evidenceType.titleLocal,
    kind: service.evidenceType.kind,
  };
  const x: Exchange = {
    ctx,
    msg,
    me,
    traceId,
    model,
    evidenceType,
    reply: (r, evidence) => sendResponse(ctx, to, r, evidence),
    fail,
    record: async (handle, requestId, requestedAt, outcome, refusal) =>
      ctx.deps.source.record?.({
        handle,
        provider: { agencyId: me.agencyId, participantId: me.id, name: me.name },
        requester: { participantId: requester.id, name: requester.name, country: requester.country },
        procedure: model.procedure,
        evidenceType,
        requestId,
        requestedAt,
        providedAt: outcome === 'provided' ? ctx.now() : null,
        outcome,
        ...(refusal ? { refusal } : {}),
      }),
  };
  return model.previewLocation ? answerWithDecision(x, model.previewLocation) : answerFirstRequest(x);
}

/** Second request: the citizen's decision at the preview, used once. */
async function answerWithDecision(x: Exchange, previewLocation: string): Promise<void> {
  const { ctx, model, me, fail } = x;
  const prefix = `${ctx.deps.publicUrl}${PREVIEW_PATH}`;
  if (!previewLocation.startsWith(prefix))
    return fail('invalidRequest', 'The PreviewLocation is not one this provider issued.');
  const id = previewLocation.slice(prefix.length).split(/[?#/]/)[0] ?? '';
  const taken = ctx.previews.consume(id);
  if (!taken) return fail('authorization', 'The preview has expired or is unknown; send a new first request.');
  const p = taken.row;
  if (
    p.requester !== model.requester.id ||
    p.provider !== me.id ||
    p.request.person.personIdentifier !== model.person.personIdentifier ||
    p.evidenceType.classification !== x.evidenceType.classification
  )
    return fail('invalidRequest', 'The PreviewLocation belongs to another request.');
  const checks: Check[] = [
    { rule: 'preview decision', outcome: taken.status === 'approved' ? 'passed' : 'failed', reason: taken.status },
  ];
  ctx.trace(
    x.traceId,
    'preview decision looked up',
    { preview: id, status: taken.status },
    { valid: taken.status === 'approved', checks },
  );
  switch (taken.status) {
    case 'pending':
      return fail('authorization', 'The user has not decided yet; send them to the preview.', {
        previewRequired: true,
        previewLocation: previewLocation.split('?')[0] as string,
      });
    case 'refused':
      return fail('authorization', 'The user refused the exchange at the preview.');
    case 'identity-mismatch':
      return fail(
        'authentication',
        'The person who logged in at the preview is not the person the request names: identity not matched.',
      );
    case 'used':
      return fail(
        'authorization',
        'This consent was already used for an exchange; a new exchange needs a new request and a new preview.',
      );
    case 'approved': {
      const cid = `evidence-${randomUUID()}@kakehashi`;
      await x.reply(
        {
          requestId: model.id,
          status: 'success',
          requester: model.requester,
          evidence: {
            id: randomUUID(),
            registryObjectId: `urn:uuid:${randomUUID()}`,
            classification: x.evidenceType.classification,
            title: x.evidenceType.title,
            format: 'application/xml',
            issuingDate: ctx.now().slice(0, 10),
            issuingAuthority: { id: me.id, name: me.name },
            repositoryItemRef: `cid:${cid}`,
          },
        },
        { cid, xml: p.signedXml as string },
      );
      await x.record(p.handle, p.request.id, p.createdAt, 'provided');
      return;
    }
  }
}

/** First request: match the person, find the evidence, build it and ask for the preview. */
async function answerFirstRequest(x: Exchange): Promise<void> {
  const { ctx, model, me, fail, evidenceType } = x;
  const { deps } = ctx;
  const requestedAt = ctx.now();
  const pid = model.person.personIdentifier;
  const matchChecks: Check[] = [];
  const notMatched = (reason: string) => {
    matchChecks.push({ rule: 'identity matching', outcome: 'failed', reason });
    ctx.trace(x.traceId, 'identity matching', { personIdentifier: pid }, { valid: false, checks: matchChecks });
    return fail('authentication', `Identity not matched: ${reason}`);
  };
  if (pid.slice(0, 2) !== deps.country)
    return notMatched(`the PersonIdentifier was issued by ${pid.slice(0, 2)}, not by ${deps.country}.`);
  const handle = await deps.source.resolve(pid);
  if (!handle) return notMatched('no person of this country has this PersonIdentifier.');
  matchChecks.push({ rule: 'PersonIdentifier', outcome: 'passed', reason: 'resolved through the national register' });
  const held = await deps.source.person(handle);
  if (!held || !matchesMinimumDataSet(held, model.person))
    return notMatched('the minimum data set (names, date of birth) differs from the register.');
  matchChecks.push({ rule: 'minimum data set', outcome: 'passed', reason: 'names and date of birth agree' });
  ctx.trace(x.traceId, 'identity matching', { personIdentifier: pid }, { valid: true, checks: matchChecks });

  const facts = await deps.source.facts({ handle, agencyId: me.agencyId, kind: evidenceType.kind });
  if (!facts.found) {
    await x.record(handle, model.id, requestedAt, 'refused', { code: 'EDM:ERR:0004', reason: facts.reason });
    return fail('objectNotFound', facts.reason);
  }
  if (!model.possibilityForPreview)
    return fail(
      'authorization',
      'This provider answers only after the user previews the evidence; send the request with PossibilityForPreview true.',
    );
  const previewId = randomBytes(24).toString('base64url');
  const document = buildEvidenceDocument({
    id: `evidence-${randomUUID()}`,
    kind: evidenceType.kind,
    classification: evidenceType.classification,
    title: evidenceType.title,
    titleLocal: evidenceType.titleLocal,
    issuer: { participantId: me.id, name: facts.issuer.name, nameLocal: facts.issuer.nameLocal, country: deps.country },
    subject: { ...facts.subject, personIdentifier: pid },
    facts: facts.facts,
    requestId: model.id,
    issuedAt: ctx.now(),
  });
  ctx.previews.create({
    id: previewId,
    request: model,
    handle,
    agencyId: me.agencyId,
    provider: me.id,
    requester: model.requester.id,
    evidenceType,
    document,
    conversationId: x.msg.conversationId,
    traceId: x.traceId,
    expiresAt: deps.clock.nowMs() + (deps.previewTtlMs ?? 3_600_000),
  });
  // A misbehaving provider (evidence.foreign-preview-location) sends the citizen to a consent page off its node.
  const foreign = deps.faults.fire('evidence.foreign-preview-location', undefined, { requestId: model.id });
  if (foreign)
    ctx.trace(x.traceId, 'PreviewLocation forged', { previewId }, { valid: false }, [
      'evidence.foreign-preview-location',
    ]);
  return fail('authorization', 'The user must preview the evidence and consent at the provider.', {
    previewRequired: true,
    previewLocation: `${foreign ? FOREIGN_PREVIEW_ORIGIN : deps.publicUrl}${PREVIEW_PATH}${previewId}`,
  });
}
