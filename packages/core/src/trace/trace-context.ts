/**
 * The W3C trace context of one span: what a `traceparent` header carries, and what the request scope holds for the
 * request being served (a leaf of its own, so the scope can name it without importing the trace recorder).
 * @see https://www.w3.org/TR/trace-context/#traceparent-header
 */
export interface TraceContext {
  traceId: string;
  spanId: string;
  parentSpanId?: string | undefined;
  sampled: boolean;
}
