import { randomBytes, randomUUID } from 'node:crypto';
import { KakehashiError } from '@kakehashi/core';
import { type EvidenceContext, traceIdOfConversation } from '../context.ts';
import type { EvidenceKind, SubjectRecord } from '../deps.ts';
import { buildEvidenceDocument } from '../evidence-doc/evidence-document.ts';
import type { InboxMessage } from '../node-api/node-api.ts';
import { buildQueryResponse, edmException } from '../regrep/build-regrep.ts';
import type { EdmErrorName } from '../regrep/edm-errors.ts';
import { ACTION_RESPONSE } from '../regrep/ns.ts';
import { parseQueryRequest } from '../regrep/parse-regrep.ts';
import type { NaturalPerson, QueryRequestModel, QueryResponseModel } from '../regrep/z-regrep.ts';

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

export const PREVIEW_PATH = '/evidence/preview/';

/**
 * Provider side of one evidence request taken from the eDelivery inbox. First request: identity matching
 * (the PersonIdentifier through the country's registers, then the minimum data set), the data service checked
 * against the hub's directory, the evidence built — and answered with `EDM:ERR:0002` PreviewRequired and a
 * PreviewLocation. Second request (with that PreviewLocation): the citizen's decision, used once — the signed
 * evidence, or the refusal / mismatch as an EDM error. Every answer goes back over AS4 as `ExecuteQueryResponse`.
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/OOTS/Technical+Design+Documents (ch. 4.9 preview)
 */
export async function handleQueryRequest(ctx: EvidenceContext, msg: InboxMessage, xml: string): Promise<void> {
  const { deps, api } = ctx;
  const traceId = traceIdOfConversation(msg.conversationId);
  const fetcher = ctx.fetchFor(traceId);
  const me = ctx.participant(msg.finalRecipient);
  if (!me) return;
  const requesterId = msg.originalSender ?? '';
  const myAgent = { id: me.id, name: me.name, country: deps.country };

  const reply = async (
    r: Omit<QueryResponseModel, 'responseId' | 'issueDateTime' | 'provider'>,
    evidence?: { cid: string; xml: string },
  ) => {
    const response: QueryResponseModel = {
      ...r,
      responseId: randomUUID(),
      issueDateTime: ctx.now(),
      provider: myAgent,
    };
    const payload = buildQueryResponse(response);
    await api.submit(fetcher, {
      action: ACTION_RESPONSE,
      originalSender: me.id,
      finalRecipient: requesterId,
      conversationId: msg.conversationId,
      refToMessageId: msg.messageId,
      payloads: [
        {
          cid: `regrep-${response.responseId}@kakehashi`,
          mimeType: 'application/x-ebrs+xml' /* OOTS: the RegRep part */,
          content: payload,
        },
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
  };
  const fail = (
    requestId: string,
    requester: { id: string; name: string },
    name: EdmErrorName,
    detail: string,
    opts: { previewRequired?: boolean; previewLocation?: string } = {},
  ) =>
    reply({
      requestId,
      status: 'failure',
      requester,
      exception: edmException(name, detail, ctx.now(), opts),
    });

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
      {
        valid: false,
        checks: [{ rule: 'OOTS EDM structure', outcome: 'failed', reason }],
      },
    );
    return fail(idGuess, { id: requesterId, name: requesterId }, 'invalidRequest', reason);
  }
  const requester = model.requester;
  ctx.trace(traceId, `QueryRequest received by ${me.id}`, { regrep: model, asFrom: requesterId });

  if (model.provider.id !== me.id || model.requester.id !== requesterId)
    return fail(
      model.id,
      requester,
      'invalidRequest',
      'The EvidenceRequester and EvidenceProvider must be the AS4 originalSender and finalRecipient of the message.',
    );
  const { services } = await api.dataServices(fetcher, {
    provider: me.id,
    evidenceType: model.evidenceType.classification,
  });
  const service = services[0];
  if (!service)
    return fail(
      model.id,
      requester,
      'unsupportedCapability',
      `${me.name} does not provide evidence type ${model.evidenceType.classification.slice(0, 120)} (see the hub's data service directory).`,
    );
  const evidenceType = {
    classification: service.evidenceType.classification,
    title: service.evidenceType.title,
    titleLocal: service.evidenceType.titleLocal,
    kind: service.evidenceType.kind as EvidenceKind,
  };
  /** The exchange is recorded under its first request's id (the second one only carries the consent). */
  const record = (
    handle: string,
    requestId: string,
    requestedAt: string,
    outcome: 'provided' | 'refused',
    refusal?: { code: string; reason: string },
  ) =>
    deps.source.record?.({
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
    });

  // ---- second request: the citizen's decision at the preview, used once -------------------------------------
  if (model.previewLocation) {
    const prefix = `${deps.publicUrl}${PREVIEW_PATH}`;
    if (!model.previewLocation.startsWith(prefix))
      return fail(model.id, requester, 'invalidRequest', 'The PreviewLocation is not one this provider issued.');
    const id = model.previewLocation.slice(prefix.length).split(/[?#/]/)[0] ?? '';
    const taken = ctx.previews.consume(id);
    if (!taken)
      return fail(
        model.id,
        requester,
        'authorization',
        'The preview has expired or is unknown; send a new first request.',
      );
    const p = taken.row;
    if (
      p.requester !== requester.id ||
      p.provider !== me.id ||
      p.request.person.personIdentifier !== model.person.personIdentifier ||
      p.evidenceType.classification !== evidenceType.classification
    )
      return fail(model.id, requester, 'invalidRequest', 'The PreviewLocation belongs to another request.');
    const checks = [
      { rule: 'preview decision', outcome: taken.status === 'approved' ? 'passed' : 'failed', reason: taken.status },
    ];
    ctx.trace(
      traceId,
      'preview decision looked up',
      { preview: id, status: taken.status },
      {
        valid: taken.status === 'approved',
        checks,
      },
    );
    switch (taken.status) {
      case 'pending':
        return fail(model.id, requester, 'authorization', 'The user has not decided yet; send them to the preview.', {
          previewRequired: true,
          previewLocation: model.previewLocation.split('?')[0] as string,
        });
      case 'refused':
        return fail(model.id, requester, 'authorization', 'The user refused the exchange at the preview.');
      case 'identity-mismatch':
        return fail(
          model.id,
          requester,
          'authentication',
          'The person who logged in at the preview is not the person the request names: identity not matched.',
        );
      case 'used':
        return fail(
          model.id,
          requester,
          'authorization',
          'This consent was already used for an exchange; a new exchange needs a new request and a new preview.',
        );
      case 'approved': {
        const cid = `evidence-${randomUUID()}@kakehashi`;
        await reply(
          {
            requestId: model.id,
            status: 'success',
            requester,
            evidence: {
              id: randomUUID(),
              registryObjectId: `urn:uuid:${randomUUID()}`,
              classification: evidenceType.classification,
              title: evidenceType.title,
              format: 'application/xml',
              issuingDate: ctx.now().slice(0, 10),
              issuingAuthority: { id: me.id, name: me.name },
              repositoryItemRef: `cid:${cid}`,
            },
          },
          { cid, xml: p.signedXml as string },
        );
        await record(p.handle, p.request.id, p.createdAt, 'provided');
        return;
      }
    }
  }

  // ---- first request: match the person, find the evidence, ask for the preview ------------------------------
  const requestedAt = ctx.now();
  const pid = model.person.personIdentifier;
  const matchChecks: { rule: string; outcome: 'passed' | 'failed'; reason: string }[] = [];
  const notMatched = (reason: string) => {
    matchChecks.push({ rule: 'identity matching', outcome: 'failed', reason });
    ctx.trace(traceId, 'identity matching', { personIdentifier: pid }, { valid: false, checks: matchChecks });
    return fail(model.id, requester, 'authentication', `Identity not matched: ${reason}`);
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
  ctx.trace(traceId, 'identity matching', { personIdentifier: pid }, { valid: true, checks: matchChecks });

  const facts = await deps.source.facts({ handle, agencyId: me.agencyId, kind: evidenceType.kind });
  if (!facts.found) {
    await record(handle, model.id, requestedAt, 'refused', { code: 'EDM:ERR:0004', reason: facts.reason });
    return fail(model.id, requester, 'objectNotFound', facts.reason);
  }
  if (!model.possibilityForPreview)
    return fail(
      model.id,
      requester,
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
    requester: requester.id,
    evidenceType,
    document,
    conversationId: msg.conversationId,
    traceId,
    expiresAt: deps.clock.nowMs() + (deps.previewTtlMs ?? 3_600_000),
  });
  return fail(model.id, requester, 'authorization', 'The user must preview the evidence and consent at the provider.', {
    previewRequired: true,
    previewLocation: `${deps.publicUrl}${PREVIEW_PATH}${previewId}`,
  });
}
