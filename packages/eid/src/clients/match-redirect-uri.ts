const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * True when `uri` is a loopback redirect URI as a native app uses one: `http://127.0.0.1:<port>/…`,
 * `http://[::1]:<port>/…` or `http://localhost:<port>/…`, any port, no user info, no fragment.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
export function isLoopbackRedirect(uri: string): boolean {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return false;
  }
  return u.protocol === 'http:' && LOOPBACK_HOSTS.has(u.hostname) && !u.username && !u.password && !uri.includes('#');
}

/**
 * Redirect URI matching: exact string comparison with a registered URI (no prefix, no normalisation), or, for a
 * client registered for it, any loopback URI.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.1.3 (exact redirect URI matching)
 */
export function matchRedirectUri(
  uri: string,
  client: { redirect_uris: readonly string[]; anyLoopback: boolean },
): boolean {
  if (client.redirect_uris.includes(uri)) return true;
  return client.anyLoopback && isLoopbackRedirect(uri);
}
