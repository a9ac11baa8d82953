import { z } from '@hono/zod-openapi';
import type { ErrorCode } from '../errors/index.ts';

/** How one check of a validation ended. */
export type CheckOutcome = 'passed' | 'failed' | 'skipped';

/**
 * One check of a validation: the rule it applies (an attack-catalogue id or a spec clause), how it ended, why,
 * and the stable code when it failed. Every validation service reports all of its checks, not just the first failure.
 */
export interface Check<C extends string = ErrorCode> {
  rule: string;
  outcome: CheckOutcome;
  reason: string;
  code?: C | undefined;
  /**
   * The fault that relaxed this check (a weak node's `lenient.*` switch): the check is `skipped` although its
   * rule was broken, and `reason` says what a strict validator would have refused.
   */
  fault?: string | undefined;
}

/** The first failed check, as a verdict names it. */
export interface Failure<C extends string = ErrorCode> {
  rule?: string | undefined;
  code: C;
  reason: string;
}

/** The result of a validation: valid or not, every check, and the failure when refused. */
export interface Verdict<C extends string = ErrorCode> {
  valid: boolean;
  checks: Check<C>[];
  failure?: Failure<C> | undefined;
}

/** A verdict from a list of checks: valid when none failed; the failure is the first failed check. */
export function verdictOf<C extends string>(checks: Check<C>[]): Verdict<C> {
  const failed = checks.find((c) => c.outcome === 'failed');
  if (!failed) return { valid: true, checks };
  return {
    valid: false,
    checks,
    failure: { rule: failed.rule, code: (failed.code ?? 'bad-request') as C, reason: failed.reason },
  };
}

/** The OpenAPI schema of a {@link Check}. */
export const CheckSchema = z
  .object({
    rule: z.string(),
    outcome: z.enum(['passed', 'failed', 'skipped']),
    reason: z.string(),
    code: z.string().optional(),
    fault: z
      .string()
      .optional()
      .openapi({ description: 'The lenient fault (weak node) that skipped this check although its rule was broken' }),
  })
  .openapi('Check');

/** The OpenAPI schema of a {@link Failure}. */
export const FailureSchema = z
  .object({ rule: z.string().optional(), code: z.string(), reason: z.string() })
  .openapi('Failure');

/** The OpenAPI schema of a {@link Verdict}; components extend it with what their verdict adds. */
export const VerdictSchema = z.object({
  valid: z.boolean(),
  checks: z.array(CheckSchema),
  failure: FailureSchema.optional(),
});
