/** Anything with a WHATWG `fetch(Request)` handler, like a Hono app. */
export interface FetchHandler {
  fetch(request: Request): Response | Promise<Response>;
}

/**
 * A `fetch` that delivers requests for known origins straight into their apps (no sockets) — the in-process
 * mode for tests. Requests still pass through each app's full HTTP stack (middleware, validation,
 * problem+json), exactly as across a border. Unknown origins go to `fallback` (the real network by default).
 */
export function createInProcessFetch(
  routes: Map<string, FetchHandler>,
  fallback: typeof fetch = globalThis.fetch,
): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const app = routes.get(new URL(request.url).origin);
    if (!app) return fallback(request);
    return app.fetch(request);
  };
}
