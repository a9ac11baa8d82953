import type { Persona } from '@kakehashi/personas';

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * The persona picker: a watermarked TEST-ONLY page listing the node's synthetic personas, each a button that
 * posts to `/oidc/login`, and a form for a custom identity. Stable `data-testid`s for browser tests:
 * `persona-<id>`, `custom-identity-form`, `custom-family-name`, `custom-given-name`, `custom-birthdate`,
 * `custom-submit`, for Japan's card login `card-login`, `card-challenge`, `card-persona`, `card-insert`, and for the eIDAS connector's country selection `country-selection` and `country-<CC>`.
 */
export function renderPersonaPicker(opts: {
  country: string;
  nodeName: string;
  clientName: string;
  requestId: string;
  personas: readonly Persona[];
  /** Other countries whose citizens can log in through the hub (the eIDAS connector's country selection). */
  countries?: readonly { country: string; name: string }[];
  /** Japan: the Individual Number Card login (the challenge the card signs; whether the test reader is on). */
  card?: { challenge: string; reader: boolean };
  /** Where the persona and custom-identity forms post (same origin): `/oidc/login`, or the SAML IdP's. */
  formAction?: '/oidc/login' | '/saml/idp/login';
}): string {
  const action = opts.formAction ?? '/oidc/login';
  const hidden = `<input type="hidden" name="request_id" value="${esc(opts.requestId)}">`;
  const rows = opts.personas
    .map(
      (
        p,
      ) => `<li><form method="post" action="${action}">${hidden}<input type="hidden" name="persona" value="${esc(p.id)}">
<button type="submit" data-testid="persona-${esc(p.id)}">${esc(p.familyName)} ${esc(p.givenName)}${p.familyNameLatin !== p.familyName ? ` (${esc(p.familyNameLatin)} ${esc(p.givenNameLatin)})` : ''} — ${esc(p.dateOfBirth)} — <small>${esc(p.loa.replace('http://eidas.europa.eu/LoA/', 'LoA '))}</small> <code>${esc(p.id)}</code></button></form></li>`,
    )
    .join('\n');
  const abroad = (opts.countries ?? [])
    .map(
      (c) =>
        `<li><form method="post" action="/oidc/login">${hidden}<input type="hidden" name="country" value="${esc(c.country)}"><button type="submit" data-testid="country-${esc(c.country)}">${esc(c.country)} — ${esc(c.name)}</button></form></li>`,
    )
    .join('\n');
  const countrySelection = abroad
    ? `<fieldset data-testid="country-selection"><legend>Citizen of another country? Log in with your own country's eID (through the hub)</legend><ul>
${abroad}
</ul></fieldset>`
    : '';
  const card = opts.card
    ? `<fieldset data-testid="card-login"><legend>…or your Individual Number Card (マイナンバーカード)</legend>
<p>The card signs this challenge with its user-authentication key (no personal data is read from the card):</p>
<pre data-testid="card-challenge">${esc(opts.card.challenge)}</pre>
<p>Reader software posts <code>request_id</code>, <code>certificate</code>, <code>chain</code> and <code>signature</code> to <code>/oidc/card-login</code>.</p>
${
  opts.card.reader
    ? `<form method="post" action="/oidc/card-reader">${hidden}<label>TEST ONLY simulated card reader — insert the card of
<select name="persona" data-testid="card-persona">${opts.personas.map((p) => `<option value="${esc(p.id)}">${esc(p.familyName)} ${esc(p.givenName)} (${esc(p.id)})</option>`).join('')}</select></label>
<button type="submit" data-testid="card-insert">Insert the card and log in</button></form>`
    : ''
}</fieldset>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Log in at ${esc(opts.nodeName)} — Kakehashi (TEST ONLY)</title>
<style>body{font:15px system-ui;margin:0}.kk-watermark{background:#b00020;color:#fff;font-weight:600;padding:6px 12px;text-align:center}
main{max-width:46rem;margin:1rem auto;padding:0 1rem}ul{list-style:none;padding:0}li{margin:.3rem 0}button{width:100%;text-align:left;padding:.5rem;cursor:pointer}
fieldset{margin-top:1.5rem}label{display:block;margin:.4rem 0}</style></head>
<body><div class="kk-watermark" data-testid="test-only-banner">KAKEHASHI — TEST ONLY. Synthetic personas and test keys; not a real government login.</div>
<main><h1>eID login at node ${esc(opts.country)}</h1>
<p><strong>${esc(opts.clientName)}</strong> asks you to authenticate. Pick a synthetic persona:</p>
<ul data-testid="persona-list">
${rows}
</ul>
<form method="post" action="${action}" data-testid="custom-identity-form"><fieldset><legend>…or a custom identity</legend>${hidden}
<label>Family name <input name="family_name" required maxlength="100" data-testid="custom-family-name"></label>
<label>Given name <input name="given_name" required maxlength="100" data-testid="custom-given-name"></label>
<label>Date of birth <input name="birthdate" type="date" required data-testid="custom-birthdate"></label>
<button type="submit" data-testid="custom-submit">Log in with this identity</button></fieldset></form>
${card}
${countrySelection}
</main></body></html>`;
}
