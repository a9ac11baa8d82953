import { type HttpHandler, http } from 'msw';

/**
 * msw request handlers that answer every request to the given origins from the in-process federation: one
 * `http.all` per origin whose predicate is the exact origin (scheme, host and port), resolved by passing msw's
 * `Request` — method, headers, cookies and body as sent — to the federation's in-process fetch (which never follows a
 * redirect itself: a server answers with the redirect, and the client's fetch follows it as it asked), and returning the
 * app's `Response` as it is (status, redirects with their `Location`, `Set-Cookie`, streamed bodies). Requests to
 * other origins are left to the application's other handlers (or to `onUnhandledRequest`).
 */
export function createFederationHandlers(origins: readonly string[], into: typeof fetch): HttpHandler[] {
  return origins.map((origin) =>
    http.all(
      ({ request }) => new URL(request.url).origin === origin,
      // A server answers a redirect with the redirect: the client's own fetch follows it (or not, as it asked).
      ({ request }) => into(new Request(request, { redirect: 'manual' })),
    ),
  );
}
