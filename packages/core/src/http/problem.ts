import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type ErrorCode, isKakehashiError, KakehashiError, type ProblemDetails } from '../errors/index.ts';
import type { Logger } from '../log/index.ts';
import { noteRefusalError } from '../security/security-scope.ts';

const BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
};

/** Maps any thrown value to a KakehashiError — the one place where failures become HTTP statuses. */
export function toKakehashiError(err: unknown): KakehashiError {
  if (isKakehashiError(err)) return err;
  if (err instanceof HTTPException) {
    const code = BY_STATUS[err.status] ?? (err.status >= 500 ? 'internal-error' : 'bad-request');
    const detail = /malformed json/i.test(err.message)
      ? 'The request body is not valid JSON.'
      : err.status === 415
        ? 'The request has the wrong content type for this endpoint: send application/json (see /docs).'
        : err.message || 'The request was refused.';
    return new KakehashiError(/malformed json/i.test(err.message) ? 'malformed-json' : code, detail, { cause: err });
  }
  return new KakehashiError(
    'internal-error',
    'An internal error occurred; the log has the details (search for the trace id).',
    { cause: err },
  );
}

/** Writes an RFC 9457 problem document. */
export function problemResponse(c: Context, err: KakehashiError, extra: Record<string, unknown> = {}): Response {
  const problem: ProblemDetails = { ...err.toProblem(c.req.path), ...extra };
  return c.body(JSON.stringify(problem), err.status as ContentfulStatusCode, {
    'content-type': 'application/problem+json',
  });
}

/** The `onError` handler every component installs. Internal errors are logged; nothing secret is exposed. */
export function problemErrorHandler(logger: Logger) {
  return (err: unknown, c: Context): Response => {
    const k = toKakehashiError(err);
    const traceId = (c.get('trace') as { traceId?: string } | undefined)?.traceId;
    if (k.status >= 500) {
      const cause =
        k.cause instanceof Error ? { name: k.cause.name, message: k.cause.message, stack: k.cause.stack } : k.cause;
      logger.error('request failed', { path: c.req.path, method: c.req.method, code: k.code, traceId, cause });
    } else {
      logger.debug('request refused', { path: c.req.path, method: c.req.method, code: k.code, traceId });
      // A refusal naming a rule is a security event of the component (its security scope, if it has one).
      // The route's pattern, never the path itself (a path may carry an identifier of a person or a pseudonym).
      const route = c.req.routePath;
      const operation = `${c.req.method} ${route && !route.includes('*') ? route : `/${c.req.path.split('/')[1] ?? ''}`}`;
      noteRefusalError(k, { operation, status: k.status });
    }
    return problemResponse(c, k, traceId ? { traceId } : {});
  };
}
