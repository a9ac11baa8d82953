import { z } from '@hono/zod-openapi';
import { KakehashiError } from '@kakehashi/core';
import type { ProvisionRequest } from '../agencies/intermediary-server.ts';
import type { AccessRecord } from '../records/access-records.ts';
import { lookupLinkId } from './code-index.ts';
import type { NetworkContext } from './context.ts';
import { authorise, type ImpactAssessment, impactAssessmentInForce, type MatrixRule } from './matrix.ts';
import { translateCode } from './translation.ts';

export const QueryRequestSchema = z
  .object({
    requestId: z.uuid(),
    code: z.string().min(4).max(80).openapi({ description: "The requester's own code for the person" }),
    procedure: z.string().min(1).max(80),
    provider: z.string().min(1).max(80),
    items: z.array(z.string().min(1).max(80)).min(1).max(20),
    sealedRequest: z.string().min(10).max(20_000).openapi({ description: 'e2e1 payload sealed to the provider' }),
    nonDisclosure: z.boolean().default(false),
  })
  .strict()
  .openapi('MediatedQuery');
export type QueryRequest = z.infer<typeof QueryRequestSchema>;

export const QueryResponseSchema = z
  .object({
    requestId: z.string(),
    providedAt: z.string(),
    sealedResponse: z
      .string()
      .openapi({ description: 'e2e1 payload sealed to the requester; the network cannot read it' }),
    provider: z.object({ id: z.string(), name: z.string() }),
    procedure: z.object({ id: z.string(), name: z.string(), nameLocal: z.string().optional() }),
    legalBasis: z.string(),
    ruleId: z.string(),
  })
  .openapi('MediatedAnswer');

/** The impact assessment of an agency in force now (the data file, unless an administrator overrode it). */
export function impactAssessmentOf(ctx: NetworkContext, agencyId: string): ImpactAssessment | undefined {
  const base = ctx.matrix.impactAssessments.find((a) => a.agency === agencyId);
  const o = ctx.store.get<{ status: ImpactAssessment['status'] }>(
    'SELECT status FROM nws_impact_overrides WHERE agency_id = ?',
    agencyId,
  );
  return base && o ? { ...base, status: o.status } : base;
}

/** The network's subject key for a person in its copy of the records: a keyed hash of the link id. */
export function recordSubject(ctx: NetworkContext, linkId: Buffer): string {
  return ctx.custodian.hmac('records', linkId, 'network/records', 'record-subject').toString('base64url');
}

/**
 * The mediated exchange, network side: the requester is already authenticated; check the authorisation matrix
 * (procedure, provider, items, validity dates) and both impact assessments, translate the requester's code into
 * the provider's (with reconciliation), forward only the provider's code and the sealed request, and relay the
 * sealed answer. Every request — allowed or refused — leaves exactly one network record.
 * @see https://laws.e-gov.go.jp/law/425AC0000000027 (My Number Act art. 19(8), 21, 23)
 */
export async function mediate(
  ctx: NetworkContext,
  requester: string,
  q: QueryRequest,
  callProvider: (provider: string, req: ProvisionRequest) => Promise<{ sealedResponse: string; providedAt: string }>,
  traceId?: string,
) {
  const requestedAt = ctx.clock.now().toISOString();
  const name = (id: string) => ctx.agencies.get(id)?.name ?? id;
  let rule: MatrixRule | undefined;
  let subject: string | null = null;
  const record = (
    outcome: AccessRecord['outcome'],
    providedAt: string | null,
    refusal?: { code: string; reason: string },
  ) =>
    ctx.records.append(
      'network',
      requester,
      subject,
      {
        requestId: q.requestId,
        requester: { id: requester, name: name(requester) },
        provider: { id: q.provider, name: name(q.provider) },
        procedure: { id: q.procedure, name: rule?.procedureName ?? q.procedure, nameLocal: rule?.procedureNameLocal },
        legalBasis: rule?.legalBasis,
        ruleId: rule?.id,
        items: q.items,
        requestedAt,
        providedAt,
        outcome,
        ...(refusal ? { refusal } : {}),
        nonDisclosure: q.nonDisclosure,
      },
      traceId,
    );
  try {
    // Whom the presented code designates (if it is one of the requester's): the record is about that person.
    const presented = lookupLinkId(ctx, requester, q.code);
    if (presented) subject = recordSubject(ctx, presented);
    if (ctx.records.byRequest(q.requestId).length > 0)
      throw new KakehashiError('conflict', 'This request id was used before; every request needs a fresh id.');
    rule = authorise(
      ctx.matrix,
      { requester, procedure: q.procedure, provider: q.provider, items: q.items },
      ctx.clock.now(),
    );
    for (const party of [requester, q.provider])
      if (!impactAssessmentInForce(impactAssessmentOf(ctx, party), ctx.clock.now()))
        throw new KakehashiError(
          'jp-impact-assessment-lapsed',
          `The privacy impact assessment of ${party} is not in force; no exchange until it is renewed.`,
          {
            rule: 'My Number Act art. 28 (specific personal information protection assessment)',
          },
        );
    const { providerCode } = translateCode(ctx, requester, q.code, q.provider);
    const answer = await callProvider(q.provider, {
      requestId: q.requestId,
      code: providerCode,
      requester: { id: requester, name: name(requester) },
      procedure: { id: rule.procedure, name: rule.procedureName, nameLocal: rule.procedureNameLocal },
      legalBasis: rule.legalBasis,
      ruleId: rule.id,
      items: q.items,
      sealedRequest: q.sealedRequest,
      requestedAt,
      nonDisclosure: q.nonDisclosure,
    });
    record('provided', answer.providedAt);
    return {
      requestId: q.requestId,
      providedAt: answer.providedAt,
      sealedResponse: answer.sealedResponse,
      provider: { id: q.provider, name: name(q.provider) },
      procedure: { id: rule.procedure, name: rule.procedureName, nameLocal: rule.procedureNameLocal },
      legalBasis: rule.legalBasis,
      ruleId: rule.id,
    };
  } catch (e) {
    const err =
      e instanceof KakehashiError ? e : new KakehashiError('internal-error', 'The exchange failed.', { cause: e });
    record('refused', null, { code: err.code, reason: err.message });
    throw new KakehashiError(err.code, err.message, {
      ...(err.rule ? { rule: err.rule } : {}),
      extra: { ...err.extra, requestId: q.requestId },
    });
  }
}
