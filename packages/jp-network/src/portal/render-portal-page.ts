import { createHash } from 'node:crypto';
import { CJK_FONT_STACK, type PageLang } from '@kakehashi/core';

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
    $('status').textContent = $('status').dataset.reading;
    const ch = await post('/jp/portal/login/challenge', { purpose: 'login' });
    const card = await post('/jp/portal/test-card-reader', { personaId: $('persona').value, challenge: ch.challenge });
    const login = await post('/jp/portal/login', { challengeId: ch.challengeId, ...card });
    session = login.sessionToken;
    $('status').textContent = $('status').dataset.loggedIn.replace('{until}', login.expiresAt);
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
      const ja = document.documentElement.lang === 'ja', l = (ja && r.local) || {};
      cell(tr, r.when.requestedAt); cell(tr, l.requester || r.who.requester); cell(tr, l.provider || r.who.provider);
      cell(tr, ((ja && r.why.procedureLocal) || r.why.procedure) + (r.why.legalBasis ? ' — ' + r.why.legalBasis : ''));
      cell(tr, (l.items || r.items).join(ja ? '、' : ', ')); cell(tr, $('records').dataset[r.outcome] || r.outcome);
      $('records').appendChild(tr);
    }
  } catch (e) { $('status').textContent = $('status').dataset.error + e.message; }
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
 * The portal's words in Japanese and English, with the My Number system's own terms: 個人番号 (My Number),
 * 個人番号カード (the Individual Number Card, マイナンバーカード), 利用者証明用電子証明書 (its user-authentication
 * certificate), 情報提供ネットワークシステム, 住民票の写し.
 */
const WORDS = {
  en: {
    title: 'Mynaportal (mock) — Kakehashi TEST ONLY',
    banner: 'KAKEHASHI — TEST ONLY. マイナポータル (mock): synthetic people, test keys, not a government service.',
    h1: 'Mynaportal (mock) — マイナポータル',
    intro:
      "Log in with your Individual Number Card's user-authentication certificate (利用者証明用電子証明書). Your My Number (個人番号) is never asked for.",
    reader: 'Simulated card reader (TEST ONLY)',
    choose: 'choose whose card to insert:',
    insert: 'Insert the card and log in',
    logout: 'Log out',
    notLoggedIn: 'Not logged in.',
    reading: 'Reading the card…',
    loggedIn: 'Logged in with the card (session until {until}).',
    error: 'Error: ',
    recordsH:
      'Who looked at my information — when, who, why, which items (exchanged over the information provision network system, 情報提供ネットワークシステム)',
    cols: ['When', 'Who asked', 'Who provided', 'Why (procedure, legal basis)', 'Which items', 'Outcome'],
    provided: 'provided',
    refused: 'refused',
    dataH: 'My information',
  },
  ja: {
    title: 'マイナポータル（模擬）— Kakehashi テスト専用',
    banner:
      'KAKEHASHI — テスト専用。マイナポータル（模擬）: 架空の人物とテスト用の鍵です。行政サービスではありません。',
    h1: 'マイナポータル（模擬）',
    intro:
      'マイナンバーカード（個人番号カード）の利用者証明用電子証明書でログインします。個人番号（マイナンバー）を入力する必要はありません。',
    reader: '模擬カードリーダー（テスト専用）',
    choose: '挿入するカードの人を選んでください:',
    insert: 'カードを挿入してログイン',
    logout: 'ログアウト',
    notLoggedIn: 'ログインしていません。',
    reading: 'カードを読み取り中…',
    loggedIn: 'カードでログインしました（セッションの有効期限: {until}）。',
    error: 'エラー: ',
    recordsH: 'わたしの情報の提供記録 — いつ・だれが・なぜ・どの項目を（情報提供ネットワークシステム経由）',
    cols: ['日時', '照会した機関', '提供した機関', '事務と根拠法令', '項目', '結果'],
    provided: '提供',
    refused: '不提供（拒否）',
    dataH: 'わたしの情報',
  },
} as const;

/**
 * The citizen portal page: watermarked TEST ONLY, `data-testid` on every element a test or a teacher points
 * at. "Insert the card" uses the test-only simulated card reader for the chosen persona, then logs in with the
 * card's user-authentication certificate and shows the access records ("when, who, why, which items") and the
 * citizen's own data.
 */
export function renderPortalPage(
  personas: readonly { id: string; label: string }[],
  lang: PageLang = 'en',
  langLinks?: Record<PageLang, string>,
): string {
  const w = WORDS[lang];
  const options = personas.map((p) => `<option value="${esc(p.id)}">${esc(p.label)}</option>`).join('');
  const switcher = langLinks
    ? `<nav data-testid="lang-switch"><a href="${esc(langLinks.en)}" data-testid="lang-en" lang="en">English</a> · <a href="${esc(langLinks.ja)}" data-testid="lang-ja" lang="ja">日本語</a></nav>`
    : '';
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${esc(w.title)}</title>
<style>
body{font:15px ${CJK_FONT_STACK};margin:0;color:#222}nav{text-align:right}
.kk-watermark{background:#b00020;color:#fff;font-weight:600;padding:6px 12px;text-align:center}
main{max-width:960px;margin:0 auto;padding:16px}
table{border-collapse:collapse;width:100%;margin:8px 0 24px}td,th{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}
.reader{border:1px dashed #b00020;padding:8px;margin:8px 0}
pre{background:#f6f6f6;padding:8px;overflow:auto}
</style></head>
<body>
<div class="kk-watermark" data-testid="test-only-banner">${esc(w.banner)}</div>
<main>${switcher}
<h1 data-testid="portal-title">${esc(w.h1)}</h1>
<p data-testid="portal-intro">${esc(w.intro)}</p>
<div class="reader" data-testid="card-reader">
<strong>${esc(w.reader)}</strong> — ${esc(w.choose)}
<select id="persona" data-testid="persona-select">${options}</select>
<button id="insert" data-testid="insert-card">${esc(w.insert)}</button>
<button id="logout" data-testid="logout" disabled>${esc(w.logout)}</button>
</div>
<p id="status" data-testid="login-status" data-reading="${esc(w.reading)}" data-logged-in="${esc(w.loggedIn)}" data-error="${esc(w.error)}">${esc(w.notLoggedIn)}</p>
<h2>${esc(w.recordsH)}</h2>
<table data-testid="records-table"><thead><tr>${w.cols.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody id="records" data-provided="${esc(w.provided)}" data-refused="${esc(w.refused)}"></tbody></table>
<h2>${esc(w.dataH)}</h2>
<div id="data" data-testid="own-data"></div>
</main>
<script>${PORTAL_SCRIPT}</script>
</body></html>`;
}
