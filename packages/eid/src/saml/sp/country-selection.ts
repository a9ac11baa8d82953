const escHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The page's content security policy: links only (no script, no form), inline styles, never framed. */
export const COUNTRY_SELECTION_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

/**
 * The eIDAS connector's country-selection page (watermarked TEST ONLY): one link per registered peer, keeping
 * the query (LoA, RelayState, headless persona). `data-testid`: `saml-country-selection`, `saml-country-<CC>`.
 */
export function renderCountrySelection(
  own: string,
  peers: readonly { country: string; name: string }[],
  query: URLSearchParams,
): string {
  const rows = peers
    .map((p) => {
      const q = new URLSearchParams(query);
      q.set('country', p.country);
      return `<li><a data-testid="saml-country-${escHtml(p.country)}" href="/saml/sp/login?${escHtml(q.toString())}">${escHtml(p.country)} — ${escHtml(p.name)}</a></li>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Choose your country — eIDAS connector ${escHtml(own)} (TEST ONLY)</title>
<style>body{font:15px system-ui;margin:0}.kk-watermark{background:#b00020;color:#fff;font-weight:600;padding:6px 12px;text-align:center}main{max-width:40rem;margin:1rem auto;padding:0 1rem}li{margin:.4rem 0}</style></head>
<body><div class="kk-watermark" data-testid="test-only-banner">KAKEHASHI — TEST ONLY. Synthetic personas and test keys; not a real government login.</div>
<main><h1>Log in with the eID of your country</h1>
<p>The eIDAS connector of node ${escHtml(own)} sends you, through the hub, to your own country's proxy service (eIDAS SAML).</p>
<ul data-testid="saml-country-selection">
${rows}
</ul></main></body></html>`;
}
