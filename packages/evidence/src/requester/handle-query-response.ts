import { type EvidenceContext, traceIdOfConversation } from '../context.ts';
import type { InboxMessage } from '../node-api/node-api.ts';
import { SEVERITY } from '../regrep/edm-errors.ts';
import { parseQueryResponse } from '../regrep/parse-regrep.ts';
import { EVIDENCE_CHECK } from './checks.ts';
import { judgeEvidence } from './judge-evidence.ts';

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
      // A weak node (lenient.evidence.foreign-preview-location) follows a PreviewLocation off the provider node.
      const lenient =
        !ok &&
        ctx.deps.faults.fire('lenient.evidence.foreign-preview-location', undefined, {
          previewLocation: x.previewLocation.slice(0, 200),
        });
      if (!ok)
        ctx.trace(
          traceId,
          'PreviewLocation off the provider node',
          { previewLocation: x.previewLocation },
          {
            valid: lenient,
            checks: [
              {
                rule: EVIDENCE_CHECK.previewLocation,
                outcome: lenient ? 'skipped' : 'failed',
                reason: `not on the provider node's origin${lenient ? ' (a strict requester refuses this)' : ''}`,
                ...(lenient ? { fault: 'lenient.evidence.foreign-preview-location' } : {}),
              },
            ],
          },
          lenient ? ['lenient.evidence.foreign-preview-location'] : undefined,
        );
      if (!ok && !lenient) {
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
  const { verdict, fired } = await judgeEvidence(
    {
      validate: (x) => ctx.api.validate(fetcher, x),
      faults: ctx.deps.faults,
      nowMs: () => ctx.deps.clock.nowMs(),
    },
    row,
    meta,
    evidenceXml,
  );
  ctx.trace(
    traceId,
    `evidence validated: ${verdict.indication}`,
    { evidence: meta, signer: verdict.signer },
    { valid: verdict.valid, checks: verdict.checks },
    fired,
  );
  ctx.requests.transition(
    row.id,
    ['resubmitted', 'submitted', 'preview-required'],
    verdict.valid ? 'received' : 'rejected',
    { evidenceMeta: meta, verdict, ...(evidenceXml ? { evidenceXml } : {}) },
  );
}
