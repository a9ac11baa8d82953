/**
 * The CSP source expression of an http(s) URL: its origin (`http://127.0.0.1:8080`); undefined for anything else
 * (redirect URIs are http or https only). Paths are left out: after a redirect, CSP matches the origin only.
 * @see https://www.w3.org/TR/CSP3/#match-url-to-source-expression
 */
export function cspSourceOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The content security policy of a page whose forms post to this origin and whose answer redirects the browser
 * on (the persona pickers): no script, inline styles only, never framed, and `form-action` listing `'self'` and
 * where the answer may redirect to. Browsers enforce `form-action` on every redirect of the navigation a form
 * starts (Chromium does, hop by hop), so every origin of the redirect chain must be allowed: the relying party's
 * validated redirect URI; for a citizen of another country the hub's relay and the peer nodes it forwards to.
 * `anyWebOrigin` is for the chains this node cannot know the end of (the peer connector's callback redirects on
 * to one of the peer's own relying parties): any http(s) URL, the only schemes a redirect URI may have.
 * @see https://www.w3.org/TR/CSP3/#directive-form-action
 */
export function pickerCsp(redirectTargets: readonly string[], opts: { anyWebOrigin?: boolean } = {}): string {
  const sources = opts.anyWebOrigin
    ? ['http:', 'https:']
    : [...new Set(redirectTargets.map(cspSourceOf).filter((s): s is string => s !== undefined))];
  return [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    `form-action ${["'self'", ...sources].join(' ')}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The content security policy of the SAML HTTP-POST binding's page: the one auto-submit script (by its hash),
 * inline styles, never framed, and a form to the SP's ACS — which answers or redirects wherever the SP's
 * application lives (typically to its RelayState), unknown to the IdP: any http(s) URL.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-bindings-2.0-os.pdf (§3.5.4)
 */
export function postFormCsp(scriptSource: string): string {
  return [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    `script-src ${scriptSource}`,
    'form-action http: https:',
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
