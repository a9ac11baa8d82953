/**
 * One JSON call into the federation (in-process: no socket), the admin token attached; a non-2xx answer throws with
 * the problem document's `code` and `detail`, so a test reads what went wrong.
 */
export type Call = <T>(method: string, url: string, body?: unknown, opts?: { admin?: boolean }) => Promise<T>;

export class FederationCallError extends Error {
  override readonly name = 'FederationCallError';
  readonly status: number;
  readonly url: string;
  /** The problem document (RFC 9457) or OAuth error the component answered with. */
  readonly problem: Record<string, unknown> | undefined;
  constructor(status: number, url: string, problem: Record<string, unknown> | undefined) {
    const code = problem?.code ?? problem?.error;
    const detail = problem?.detail ?? problem?.error_description;
    super(`${url} answered ${status}${code ? ` ${String(code)}` : ''}${detail ? `: ${String(detail)}` : ''}`);
    this.status = status;
    this.url = url;
    this.problem = problem;
  }
}

export function createCall(fetchImpl: typeof fetch, adminToken: string): Call {
  return async <T>(method: string, url: string, body?: unknown, opts: { admin?: boolean } = {}) => {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (opts.admin) headers.authorization = `Bearer ${adminToken}`;
    const res = await fetchImpl(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (res.status < 200 || res.status > 299)
      throw new FederationCallError(res.status, url, parsed as Record<string, unknown> | undefined);
    return parsed as T;
  };
}
