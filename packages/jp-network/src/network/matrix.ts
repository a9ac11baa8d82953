import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from '@hono/zod-openapi';
import { KakehashiError } from '@kakehashi/core';

const Day = z.iso.date();
const Kebab = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/);

export const MatrixRuleSchema = z
  .object({
    id: z.string().min(3).max(80),
    requester: Kebab,
    procedure: Kebab,
    procedureName: z.string().min(1),
    procedureNameLocal: z.string().min(1),
    provider: Kebab,
    items: z.array(Kebab).min(1),
    legalBasis: z.string().min(1),
    validFrom: Day,
    validTo: Day,
  })
  .openapi('AuthorisationRule');
export type MatrixRule = z.infer<typeof MatrixRuleSchema>;

export const ImpactAssessmentSchema = z
  .object({
    agency: Kebab,
    status: z.enum(['approved', 'lapsed', 'withdrawn']),
    approvedOn: Day,
    reviewBy: Day,
  })
  .openapi('ImpactAssessment');
export type ImpactAssessment = z.infer<typeof ImpactAssessmentSchema>;

export const MatrixFileSchema = z
  .object({
    $comment: z.string().optional(),
    items: z.record(Kebab, z.object({ holder: Kebab, name: z.string(), nameLocal: z.string() })),
    rules: z.array(MatrixRuleSchema).min(1),
    impactAssessments: z.array(ImpactAssessmentSchema),
  })
  .superRefine((m, ctx) => {
    m.rules.forEach((r, i) => {
      for (const item of r.items) {
        const def = m.items[item];
        if (!def) ctx.addIssue({ code: 'custom', path: ['rules', i, 'items'], message: `unknown item ${item}` });
        else if (def.holder !== r.provider)
          ctx.addIssue({ code: 'custom', path: ['rules', i, 'items'], message: `${item} is held by ${def.holder}` });
      }
      if (r.validTo < r.validFrom) ctx.addIssue({ code: 'custom', path: ['rules', i], message: 'validTo < validFrom' });
    });
  });
export type MatrixFile = z.infer<typeof MatrixFileSchema>;

/** Loads and checks the authorisation matrix data file (`src/data/authorisation-matrix.json` by default). */
export function loadMatrix(path = join(import.meta.dirname, '..', 'data', 'authorisation-matrix.json')): MatrixFile {
  return MatrixFileSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

const RULE = 'My Number Act art. 19(8) (authorisation matrix)';

/**
 * Finds the rule allowing `requester` to ask `provider` for `items` in `procedure` at `at`, or refuses with
 * `jp-not-authorised` naming what is outside the matrix (procedure, provider, item, or validity dates).
 */
export function authorise(
  matrix: MatrixFile,
  q: { requester: string; procedure: string; provider: string; items: readonly string[] },
  at: Date,
): MatrixRule {
  const refuse = (why: string, extra: Record<string, unknown> = {}): never => {
    throw new KakehashiError('jp-not-authorised', `Refused: ${why}.`, { rule: RULE, extra: { refusal: extra } });
  };
  const forRequester = matrix.rules.filter((r) => r.requester === q.requester && r.procedure === q.procedure);
  if (forRequester.length === 0)
    refuse(`${q.requester} has no procedure "${q.procedure}" in the authorisation matrix`, { reason: 'procedure' });
  const rows = forRequester.filter((r) => r.provider === q.provider);
  if (rows.length === 0)
    refuse(`procedure "${q.procedure}" of ${q.requester} may not ask ${q.provider}`, { reason: 'provider' });
  const day = at.toISOString().slice(0, 10);
  const current = rows.filter((r) => r.validFrom <= day && day <= r.validTo);
  if (current.length === 0) {
    const r = rows[0] as MatrixRule;
    refuse(`rule ${r.id} is valid only from ${r.validFrom} to ${r.validTo}`, { reason: 'validity', ruleId: r.id });
  }
  const rule = current.find((r) => q.items.every((i) => r.items.includes(i)));
  if (!rule) {
    const allowed = new Set(current.flatMap((r) => r.items));
    const outside = q.items.filter((i) => !allowed.has(i));
    refuse(`item(s) ${outside.join(', ') || q.items.join(', ')} are not allowed for this procedure and provider`, {
      reason: 'item',
      items: outside,
    });
  }
  return rule as MatrixRule;
}

/** Whether an agency's privacy impact assessment is in force at `at` (approved and not past its review date). */
export function impactAssessmentInForce(ia: ImpactAssessment | undefined, at: Date): boolean {
  return ia !== undefined && ia.status === 'approved' && at.toISOString().slice(0, 10) <= ia.reviewBy;
}
