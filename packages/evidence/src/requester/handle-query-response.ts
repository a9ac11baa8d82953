import { type Check, KakehashiError } from '@kakehashi/core';
import { type EvidenceContext, traceIdOfConversation } from '../context.ts';
import { readSignedEvidence } from '../evidence-doc/evidence-document.ts';
import type { InboxMessage } from '../node-api/node-api.ts';
import { SEVERITY } from '../regrep/edm-errors.ts';
import { parseQueryResponse } from '../regrep/parse-regrep.ts';
import type { EvidenceMetadata } from '../regrep/z-regrep.ts';
import type { EvidenceVerdict, RequestRow } from './request-store.ts';

/**
 * Requester side of one `ExecuteQueryResponse` from the eDelivery inbox: bound to the request it answers (its
 * requestId, the provider as AS4 originalSender, the requester as finalRecipient). PreviewRequired → the
 * PreviewLocation (kept only if it is on the provider node's own origin, as discovery gives it); another EDM
 * error → failed; evidence → the attachment validated by the node's signature service (TOTAL-PASSED, signer of
 * the provider's country) and bound to the request (request id, PersonIdentifier, issuer, evidence type).
 */
export async function handleQueryResponse(
  ctx: EvidenceContext,
  msg: InboxMessage,
  xml: string,
  attachment: (cid: string) => Promise<string | undefined>,
): Promise<void> {
  const traceId = traceIdOfConversation(msg.conversationId);
  const fetcher = ctx.fetchFor(traceId);
  let response: ReturnType<typeof parseQueryResponse>;
  try {
    response = parseQueryResponse(xml);
  } catch (e) {
    ctx.trace(
      traceId,
      'QueryResponse refused',
      { from: msg.originalSender },
      {
        valid: false,
        checks: [
          { rule: 'OOTS EDM structure', outcome: 'failed', reason: e instanceof Error ? e.message : 'unreadable' },
        ],
      },
    );
    return;
  }
  const row = ctx.requests.byAnyId(response.requestId);
  if (!row || row.provider !== msg.originalSender || row.requester !== msg.finalRecipient) {
    ctx.trace(
      traceId,
      'QueryResponse for no request of ours',
      { requestId: response.requestId },
      {
        valid: false,
        checks: [
          {
            rule: 'response binding',
            outcome: 'failed',
            reason: 'no request with this id from this requester to this provider',
          },
        ],
      },
    );
    return;
  }
  ctx.trace(traceId, `QueryResponse received (${response.status})`, { regrep: response });

  if (response.status === 'failure' && response.exception) {
    const x = response.exception;
    if (x.severity === SEVERITY.previewRequired && x.previewLocation) {
      let ok = false;
      try {
        ok = new URL(x.previewLocation).origin === (await ctx.participantOrigin(row.provider, fetcher));
      } catch {
        ok = false;
      }
      if (!ok) {
        ctx.requests.transition(
          row.id,
          ['submitted', 'resubmitted'],
          'failed',
          { exception: x },
          'PreviewLocation is not on the provider node',
        );
        return;
      }
      ctx.requests.transition(row.id, ['submitted', 'resubmitted'], 'preview-required', {
        previewLocation: x.previewLocation,
        exception: x,
      });
      return;
    }
    ctx.requests.transition(
      row.id,
      ['submitted', 'resubmitted', 'preview-required'],
      'failed',
      { exception: x },
      `${x.code}: ${x.detail}`,
    );
    return;
  }

  const meta = response.evidence;
  if (!meta) return;
  const evidenceXml = await attachment(meta.repositoryItemRef.slice('cid:'.length));
  const verdict = await judgeEvidence(ctx, row, meta, evidenceXml, fetcher);
  ctx.trace(
    traceId,
    `evidence validated: ${verdict.indication}`,
    { evidence: meta, signer: verdict.signer },
    { valid: verdict.valid, checks: verdict.checks },
  );
  ctx.requests.transition(
    row.id,
    ['resubmitted', 'submitted', 'preview-required'],
    verdict.valid ? 'received' : 'rejected',
    { evidenceMeta: meta, verdict, ...(evidenceXml ? { evidenceXml } : {}) },
  );
}

/**
 * The requester's verdict on received evidence: the attachment present, its XAdES signature TOTAL-PASSED at the
 * node's signature validation service, signed in the provider's country, and bound to the request (request id,
 * PersonIdentifier, issuer, evidence type).
 * @see https://www.etsi.org/deliver/etsi_en/319100_319199/31910201/ (EN 319 102-1 validation)
 */
async function judgeEvidence(
  ctx: EvidenceContext,
  row: RequestRow,
  meta: EvidenceMetadata,
  evidenceXml: string | undefined,
  fetcher: typeof fetch,
): Promise<EvidenceVerdict> {
  const checks: Check[] = [];
  const check = (rule: string, ok: boolean, reason: string) => {
    checks.push({ rule, outcome: ok ? 'passed' : 'failed', reason });
    return ok;
  };
  if (!check('attachment', evidenceXml !== undefined, `RepositoryItemRef ${meta.repositoryItemRef}`)) {
    return { valid: false, indication: 'NOT-VALIDATED', checks };
  }
  const report = await ctx.api.validate(fetcher, evidenceXml as string);
  const sigOk = check(
    'signature (EN 319 102-1)',
    report.indication === 'TOTAL-PASSED',
    `${report.indication}${report.subIndicationName ? ` / ${report.subIndicationName}` : ''}`,
  );
  check(
    'signer country',
    report.signer?.country === row.providerCountry,
    `signer ${report.signer?.subject ?? '?'} of ${report.signer?.country ?? '?'}; provider in ${row.providerCountry}`,
  );
  try {
    const doc = readSignedEvidence(evidenceXml as string);
    check('reference binding', true, 'one enveloped signature over the root that is read');
    check('request binding', doc.requestId === row.id || doc.requestId === row.attemptId, `RequestId ${doc.requestId}`);
    check(
      'person binding',
      doc.personIdentifier === row.model.person.personIdentifier,
      `PersonIdentifier ${doc.personIdentifier}`,
    );
    check(
      'issuer',
      doc.issuerParticipant === row.provider && meta.issuingAuthority.id === row.provider,
      doc.issuerParticipant,
    );
    check(
      'evidence type',
      doc.classification === row.model.evidenceType.classification && meta.classification === doc.classification,
      doc.classification,
    );
  } catch (e) {
    check('reference binding', false, e instanceof KakehashiError ? e.message : 'unreadable evidence');
  }
  return {
    valid: sigOk && checks.every((c) => c.outcome === 'passed'),
    indication: report.indication,
    subIndication: report.subIndicationName,
    signer: { subject: report.signer?.subject, country: report.signer?.country },
    checks,
  };
}
