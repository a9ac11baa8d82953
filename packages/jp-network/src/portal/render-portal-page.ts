import { createHash } from 'node:crypto';

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * The page's script (inline, the same for every visitor): the simulated reader, card login, own data and records,
 * logout. Its SHA-256 is the only script source the page's content security policy allows.
 */
const PORTAL_SCRIPT = `
const $ = (id) => document.getElementById(id);
let session;
async function post(path, body, headers = {}) {
  const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const j = await r.json(); if (!r.ok) throw new Error((j.code || r.status) + ': ' + (j.detail || '')); return j;
}
async function get(path) {
  const r = await fetch(path, { headers: { authorization: 'Bearer ' + session } });
  const j = await r.json(); if (!r.ok) throw new Error((j.code || r.status) + ': ' + (j.detail || '')); return j;
}
function cell(tr, text) { const td = document.createElement('td'); td.textContent = text; tr.appendChild(td); }
$('insert').onclick = async () => {
  try {
    $('status').textContent = 'Reading the card…';
    const ch = await post('/jp/portal/login/challenge', { purpose: 'login' });
    const card = await post('/jp/portal/test-card-reader', { personaId: $('persona').value, challenge: ch.challenge });
    const login = await post('/jp/portal/login', { challengeId: ch.challengeId, ...card });
    session = login.sessionToken;
    $('status').textContent = 'Logged in with the card (session until ' + login.expiresAt + ').';
    $('logout').disabled = false;
    const data = await get('/jp/portal/me/data');
    $('data').innerHTML = '';
    for (const d of data.providers) {
      const h = document.createElement('h3'); h.textContent = d.provider + ' (' + d.outcome + ')'; $('data').appendChild(h);
      const pre = document.createElement('pre'); pre.setAttribute('data-testid', 'own-data-' + d.provider);
      pre.textContent = JSON.stringify(d.data || d.refusal, null, 2); $('data').appendChild(pre);
    }
    const recs = await get('/jp/portal/me/records');
    $('records').innerHTML = '';
    for (const r of recs.records) {
      const tr = document.createElement('tr'); tr.setAttribute('data-testid', 'record-row');
      cell(tr, r.when.requestedAt); cell(tr, r.who.requester); cell(tr, r.who.provider);
      cell(tr, r.why.procedure + (r.why.legalBasis ? ' — ' + r.why.legalBasis : '')); cell(tr, r.items.join(', ')); cell(tr, r.outcome);
      $('records').appendChild(tr);
    }
  } catch (e) { $('status').textContent = 'Error: ' + e.message; }
};
$('logout').onclick = async () => { await post('/jp/portal/logout', {}, { authorization: 'Bearer ' + session }); session = undefined; location.reload(); };
`;

/**
 * The portal page's content security policy: only its own script (by hash), inline styles, requests to its own
 * origin, no form, no plugin; framed only by itself and the teaching console (on the hub's origin, when known).
 * @see https://www.w3.org/TR/CSP3/
 */
export function portalCsp(consoleUrl?: string): string {
  const frameAncestors = ["'self'", ...(consoleUrl ? [new URL(consoleUrl).origin] : [])];
  return [
    "default-src 'none'",
    `script-src 'sha256-${createHash('sha256').update(PORTAL_SCRIPT).digest('base64')}'`,
    "style-src 'unsafe-inline'",
    "connect-src 'self'",
    "form-action 'none'",
    "base-uri 'none'",
    `frame-ancestors ${frameAncestors.join(' ')}`,
  ].join('; ');
}

/**
 * The citizen portal page: watermarked TEST ONLY, `data-testid` on every element a test or a teacher points
 * at. "Insert the card" uses the test-only simulated card reader for the chosen persona, then logs in with the
 * card's user-authentication certificate and shows the access records ("when, who, why, which items") and the
 * citizen's own data.
 */
export function renderPortalPage(personas: readonly { id: string; label: string }[]): string {
  const options = personas.map((p) => `<option value="${esc(p.id)}">${esc(p.label)}</option>`).join('');
  return `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>Mynaportal (mock) — Kakehashi TEST ONLY</title>
<style>
body{font:15px system-ui,sans-serif;margin:0;color:#222}
.kk-watermark{background:#b00020;color:#fff;font-weight:600;padding:6px 12px;text-align:center}
main{max-width:960px;margin:0 auto;padding:16px}
table{border-collapse:collapse;width:100%;margin:8px 0 24px}td,th{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}
.reader{border:1px dashed #b00020;padding:8px;margin:8px 0}
pre{background:#f6f6f6;padding:8px;overflow:auto}
</style></head>
<body>
<div class="kk-watermark" data-testid="test-only-banner">KAKEHASHI — TEST ONLY. マイナポータル (mock): synthetic people, test keys, not a government service.</div>
<main>
<h1 data-testid="portal-title">Mynaportal (mock) — マイナポータル</h1>
<p>Log in with your Individual Number Card's user-authentication certificate. Your My Number is never asked for.</p>
<div class="reader" data-testid="card-reader">
<strong>Simulated card reader (TEST ONLY)</strong> — choose whose card to insert:
<select id="persona" data-testid="persona-select">${options}</select>
<button id="insert" data-testid="insert-card">Insert the card and log in</button>
<button id="logout" data-testid="logout" disabled>Log out</button>
</div>
<p id="status" data-testid="login-status">Not logged in.</p>
<h2>Who looked at my information — when, who, why, which items</h2>
<table data-testid="records-table"><thead><tr><th>When</th><th>Who asked</th><th>Who provided</th><th>Why (procedure, legal basis)</th><th>Which items</th><th>Outcome</th></tr></thead><tbody id="records"></tbody></table>
<h2>My information</h2>
<div id="data" data-testid="own-data"></div>
</main>
<script>${PORTAL_SCRIPT}</script>
</body></html>`;
}
