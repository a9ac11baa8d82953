import type { MiddlewareHandler } from 'hono';

/**
 * The policy of an HTML page that declares none: nothing loads (no script, no image, no connection), inline
 * styles apply, no `<base>`, never framed. `form-action` stays open: a page's server-rendered form may post to
 * its origin and be redirected on to another one (a relying party), which `form-action 'self'` would block.
 * @see https://www.w3.org/TR/CSP3/
 */
export const BASELINE_PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";

/**
 * One header set for every response of a component, added to what a route did not set itself:
 * `X-Content-Type-Options: nosniff` on every answer; on an HTML page (`text/html`) also the
 * {@link BASELINE_PAGE_CSP} when the page declares no policy (a page's own policy is never overridden),
 * `Referrer-Policy: no-referrer`, and `X-Frame-Options` derived from the policy's `frame-ancestors`: `DENY` when
 * it is `'none'` or absent, `SAMEORIGIN` for `'self'` alone, and none when the page lets another origin frame it
 * (Japan's portal in the console), since `X-Frame-Options` cannot name an origin.
 * @see https://www.rfc-editor.org/rfc/rfc7034 (X-Frame-Options)
 * @see https://fetch.spec.whatwg.org/#x-content-type-options-header
 */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const set = (name: string, value: string) => {
      if (c.res.headers.has(name)) return;
      try {
        c.res.headers.set(name, value);
      } catch {
        // A response passed through from fetch has immutable headers: copy it once, then set.
        c.res = new Response(c.res.body, c.res);
        c.res.headers.set(name, value);
      }
    };
    set('x-content-type-options', 'nosniff');
    if (!/^text\/html\b/i.test(c.res.headers.get('content-type') ?? '')) return;
    set('content-security-policy', BASELINE_PAGE_CSP);
    set('referrer-policy', 'no-referrer');
    const ancestors = frameAncestors(c.res.headers.get('content-security-policy') ?? '');
    if (ancestors === undefined || ancestors.join(' ') === "'none'") set('x-frame-options', 'DENY');
    else if (ancestors.join(' ') === "'self'") set('x-frame-options', 'SAMEORIGIN');
  };
}

/** The sources of the `frame-ancestors` directive, lower case; undefined when the policy has none. */
function frameAncestors(policy: string): string[] | undefined {
  for (const directive of policy.split(/[;,]/)) {
    const [name, ...sources] = directive.trim().split(/\s+/);
    if (name?.toLowerCase() === 'frame-ancestors') return sources.map((s) => s.toLowerCase());
  }
  return undefined;
}
