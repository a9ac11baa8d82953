/** Anything with a WHATWG `fetch(Request)` handler, like a Hono app. */
export interface FetchHandler {
  fetch(request: Request): Response | Promise<Response>;
}

/**
 * A `fetch` that delivers requests for known origins straight into their apps (no sockets) — the in-process
 * mode for tests. Requests still pass through each app's full HTTP stack (middleware, validation,
 * problem+json), exactly as across a border, and a caller's AbortSignal (its timeout) rejects the call as `fetch`
 * does. Unknown origins go to `fallback` (the real network by default).
 */
export function createInProcessFetch(
  routes: Map<string, FetchHandler>,
  fallback: typeof fetch = globalThis.fetch,
): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const app = routes.get(new URL(request.url).origin);
    if (!app) return fallback(request);
    // As over a socket, the caller's signal (its timeout) ends the wait; the app sees it on `request.signal`.
    const { signal } = request;
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
}
