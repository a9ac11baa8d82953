import {
  type Clock,
  childSpan,
  currentTrace,
  type ErrorCode,
  formatTraceparent,
  isErrorCode,
  KakehashiError,
  type TraceSink,
} from '@kakehashi/core';
import { SIGNATURE_HEADER, signRequest } from './crypto/request-auth.ts';
import type { JpCredential } from './deps.ts';

/** A signed JSON call from one party (agency, J-LIS, the network) to another, through the node's HTTP surface. */
export interface Transport {
  call<T>(
    from: { id: string; cred: JpCredential },
    to: string,
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body?: unknown,
  ): Promise<T>;
}

/** Who receives a path: the audience a request signature is bound to. */
export function audienceOf(path: string): string {
  if (path.startsWith('/jp/network/')) return 'jp-network';
  if (path.startsWith('/jp/jlis/')) return 'jp-jlis';
  const m = /^\/jp\/agencies\/([a-z0-9-]+)\//.exec(path);
  return m ? `jp-agency:${m[1]}` : 'jp-unknown';
}

/**
 * HTTP transport over the node's own origin (`fetch` routes in-process in tests and in the in-process
 * federation). Each hop is traced with its body as sent — sealed payloads stay sealed in the trace.
 */
export function createTransport(deps: {
  fetch: typeof fetch;
  publicUrl: string;
  clock: Clock;
  traces: TraceSink;
  country?: string;
}): Transport {
  return {
    async call<T>(...[from, to, method, path, body]: Parameters<Transport['call']>): Promise<T> {
      const text = body === undefined ? '' : JSON.stringify(body);
      const signature = signRequest(from.cred, from.id, audienceOf(path), method, path, text, deps.clock);
      // The call joins the trace of the request being served (the staff query, the portal page …).
      const span = childSpan(currentTrace());
      const res = await deps.fetch(`${deps.publicUrl}${path}`, {
        method,
        headers: {
          traceparent: formatTraceparent(span),
          [SIGNATURE_HEADER]: signature,
          'x-kakehashi-caller': `jp:${from.id}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: text }),
      });
      const parsed = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      deps.traces.record({
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId,
        time: deps.clock.now().toISOString(),
        component: 'node',
        country: deps.country ?? 'JP',
        operation: `jp-network: ${from.id} → ${to}: ${method} ${path}`,
        direction: 'outbound',
        status: res.status,
        peer: to,
        artefact: { type: 'jp-network-payload', request: body ?? null, response: parsed },
        verdict: { valid: res.ok },
      });
      if (!res.ok) {
        const code = isErrorCode(parsed.code) ? (parsed.code as ErrorCode) : 'upstream-unavailable';
        throw new KakehashiError(
          code,
          typeof parsed.detail === 'string' ? parsed.detail : `${to} answered ${res.status}.`,
          {
            ...(typeof parsed.rule === 'string' ? { rule: parsed.rule } : {}),
            extra: { from: to, ...(parsed.requestId ? { requestId: parsed.requestId } : {}) },
          },
        );
      }
      return parsed as T;
    },
  };
}
