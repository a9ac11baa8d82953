import { hasBody, inProcessRequest, realRequest } from '@kakehashi/core';

/** Anything with a WHATWG `fetch(Request)` handler, like a Hono app. */
export interface FetchHandler {
  fetch(request: Request): Response | Promise<Response>;
}

/** Redirects a `fetch` follows before it fails, as the Fetch standard says. */
const MAX_REDIRECTS = 20;
/** The headers that describe a request body, dropped when a redirect turns the request into a GET. */
const BODY_HEADERS = ['content-encoding', 'content-language', 'content-location', 'content-type', 'content-length'];

/**
 * A `fetch` that delivers requests for known origins straight into their apps (no sockets): the in-process mode
 * for tests, and a hop between two components of one process in the one-process federation. Requests still pass
 * through each app's full HTTP stack (middleware, tracing, validation, problem+json), exactly as across a border,
 * and behave as `fetch` over a socket does where a caller can tell:
 * - the app sees the request's `Host` header (the origin's host and port), as a socket delivers it;
 * - the caller's AbortSignal (its timeout) rejects the call with its reason, and the app sees it on
 *   `request.signal`;
 * - redirects are followed unless the request says `redirect: 'manual'` (`'error'` rejects with a TypeError), at
 *   most 20, a 303 — and a 301/302 after a POST — becoming a GET without body, `Authorization` dropped when the
 *   redirect leaves the origin; a 307/308 after a request with a body is refused (its body was read), as `fetch`
 *   refuses to replay a stream body;
 * - the response's `url` is the URL that answered.
 * Unknown origins go to `fallback` (the real network by default).
 * @see https://fetch.spec.whatwg.org/#http-redirect-fetch
 */
export function createInProcessFetch(
  routes: Map<string, FetchHandler>,
  fallback: typeof fetch = globalThis.fetch,
): typeof fetch {
  const dispatch = (request: Request, app: FetchHandler, signal: AbortSignal | undefined): Promise<Response> => {
    // As over a socket, the caller's signal (its timeout) ends the wait; the app sees it on `request.signal`.
    if (!signal) return Promise.resolve().then(() => app.fetch(request));
    signal.throwIfAborted();
    return new Promise<Response>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      Promise.resolve()
        .then(() => app.fetch(request))
        .then(resolve, reject)
        .finally(() => signal.removeEventListener('abort', onAbort));
    });
  };
  const inProcess: typeof fetch = async (input, init) => {
    // The first hop: a light request (no web streams) when the call allows one and its origin is served here.
    let request: Request | undefined;
    // A light request's signal is the caller's own (none: nothing to wait for); a real one's follows the caller's.
    let signal: AbortSignal | undefined;
    // The URL parsed once for the first hop (a light request's URL is its href); a redirect's is parsed anew.
    let parsed: URL | undefined;
    if (typeof input === 'string' || input instanceof URL) {
      parsed = input instanceof URL ? input : new URL(input);
      if (!routes.has(parsed.origin)) return fallback(input, init);
      request = inProcessRequest(parsed, init);
      signal = init?.signal ?? undefined;
    }
    if (!request) {
      request = new Request(input, init);
      signal = request.signal;
      parsed = undefined;
    }
    for (let redirects = 0; ; redirects++) {
      const url = parsed ?? new URL(request.url);
      parsed = undefined;
      const app = routes.get(url.origin);
      if (!app) return fallback(realRequest(request));
      if (!request.headers.has('host')) request.headers.set('host', url.host);
      const response = await dispatch(request, app, signal);
      Object.defineProperty(response, 'url', { value: request.url, configurable: true });
      const location = response.headers.get('location');
      if (![301, 302, 303, 307, 308].includes(response.status) || location === null) return response;
      if (request.redirect === 'manual') return response;
      if (request.redirect === 'error') throw new TypeError(`fetch failed: redirected to ${location}`);
      if (redirects >= MAX_REDIRECTS) throw new TypeError('fetch failed: redirect count exceeded');
      await response.body?.cancel();
      request = redirected(request, response.status, new URL(location, request.url));
      signal = request.signal;
    }
  };
  return inProcess;
}

/** The request a redirect asks for (the Fetch standard's "HTTP-redirect fetch", steps 11–13). */
function redirected(request: Request, status: number, to: URL): Request {
  const headers = new Headers(request.headers);
  headers.delete('host');
  if (to.origin !== new URL(request.url).origin) headers.delete('authorization');
  const toGet = status === 303 ? !['GET', 'HEAD'].includes(request.method) : request.method === 'POST' && status < 303;
  if (toGet) {
    for (const h of BODY_HEADERS) headers.delete(h);
    return new Request(to, { method: 'GET', headers, redirect: request.redirect, signal: request.signal });
  }
  if (hasBody(request))
    throw new TypeError(`fetch failed: a ${status} redirect would send the request body again, which was read`);
  return new Request(to, { method: request.method, headers, redirect: request.redirect, signal: request.signal });
}
