import { KakehashiError } from '@kakehashi/core';
import type { z } from 'zod';
import type { ConsoleDeps } from '../console-deps.ts';

/** Largest answer the console reads from a component (personas, OpenAPI documents). */
const MAX_BYTES = 4 * 1024 * 1024;

/**
 * GETs JSON from a component of the federation and checks it against `schema` (a component is another
 * trust domain: its answer is validated like any input). Failures become `upstream-unavailable` problems that
 * name the component and what went wrong, never its body.
 */
export async function getUpstreamJson<T extends z.ZodType>(
  deps: ConsoleDeps,
  url: string,
  schema: T,
  what: string,
): Promise<z.infer<T>> {
  let res: Response;
  try {
    res = await deps.fetch(url, {
      headers: { accept: 'application/json', 'x-kakehashi-caller': 'console' },
      signal: AbortSignal.timeout(deps.timeoutMs ?? 3000),
    });
  } catch (e) {
    throw new KakehashiError(
      'upstream-unavailable',
      `${what} did not answer (${e instanceof Error ? e.name : 'error'}); check that the component is running.`,
    );
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new KakehashiError('upstream-unavailable', `${what} answered HTTP ${res.status}.`);
  }
  const text = await res.text();
  if (text.length > MAX_BYTES)
    throw new KakehashiError('upstream-unavailable', `${what} answered more than ${MAX_BYTES} bytes.`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new KakehashiError('upstream-unavailable', `${what} did not answer JSON.`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new KakehashiError(
      'upstream-unavailable',
      `${what} answered JSON of an unexpected shape${first ? ` (${first.path.join('.') || 'root'}: ${first.message})` : ''}.`,
    );
  }
  return parsed.data;
}
