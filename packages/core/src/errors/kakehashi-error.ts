import { type ErrorCode, errorCodeInfo, problemType } from './registry.ts';

/** An RFC 9457 problem details object as Kakehashi emits it. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  instance?: string;
  /** The rule or spec clause that failed, when there is one (e.g. `RFC 5280 §6.1.3(a)(2)`). */
  rule?: string;
  /** Extra machine-readable members (never secrets). */
  [extension: string]: unknown;
}

export interface KakehashiErrorOptions {
  rule?: string;
  /** Additional, non-secret members to expose in the problem document. */
  extra?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The one error type components throw. `message` is what the caller is told (say what happened and what to do);
 * it must never contain a secret or a whole token. The `cause` stays internal.
 * @see https://www.rfc-editor.org/rfc/rfc9457
 */
export class KakehashiError extends Error {
  readonly code: ErrorCode;
  readonly rule: string | undefined;
  readonly extra: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: KakehashiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KakehashiError';
    this.code = code;
    this.rule = options.rule;
    this.extra = options.extra ?? {};
  }

  /** The HTTP status the code maps to (500 for a code no imported package registered: a programming error). */
  get status(): number {
    return errorCodeInfo(this.code)?.status ?? 500;
  }

  toProblem(instance?: string): ProblemDetails {
    const problem: ProblemDetails = {
      ...this.extra,
      type: problemType(this.code),
      title: errorCodeInfo(this.code)?.title ?? 'Unregistered error code',
      status: this.status,
      code: this.code,
      detail: this.message,
    };
    if (instance !== undefined) problem.instance = instance;
    if (this.rule !== undefined) problem.rule = this.rule;
    return problem;
  }
}

/** True when `e` is a KakehashiError, optionally with the given code. */
export function isKakehashiError(e: unknown, code?: ErrorCode): e is KakehashiError {
  return e instanceof KakehashiError && (code === undefined || e.code === code);
}
