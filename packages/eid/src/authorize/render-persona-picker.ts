import { CJK_FONT_STACK, type PageLang } from '@kakehashi/core';
import type { Persona } from '@kakehashi/personas';

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The picker's words in English and Japanese (マイナンバーカード's formal name is 個人番号カード). */
const WORDS = {
  en: {
    banner: 'KAKEHASHI — TEST ONLY. Synthetic personas and test keys; not a real government login.',
    title: (node: string) => `Log in at ${node} — Kakehashi (TEST ONLY)`,
    h1: (cc: string) => `eID login at node ${cc}`,
    asks: 'asks you to authenticate. Pick a synthetic persona:',
    custom: '…or a custom identity',
    family: 'Family name',
    given: 'Given name',
    born: 'Date of birth',
    customSubmit: 'Log in with this identity',
    abroad: "Citizen of another country? Log in with your own country's eID (through the hub)",
    card: '…or your Individual Number Card (マイナンバーカード)',
    cardSigns:
      "The card signs this challenge with its user-authentication certificate's key (利用者証明用電子証明書; no personal data is read from the card):",
    reader: 'TEST ONLY simulated card reader — insert the card of',
    insert: 'Insert the card and log in',
  },
  ja: {
    banner: 'KAKEHASHI — テスト専用。架空の人物とテスト用の鍵です。本物の行政サービスのログインではありません。',
    title: (node: string) => `${node} でログイン — Kakehashi（テスト専用）`,
    h1: (cc: string) => `ノード ${cc} での eID ログイン`,
    asks: 'が本人確認を求めています。架空の人物を選んでください:',
    custom: '…または任意の本人情報',
    family: '姓',
    given: '名',
    born: '生年月日',
    customSubmit: 'この本人情報でログイン',
    abroad: '他の国の市民の方は、自国の eID でログインできます（ハブ経由）',
    card: '…またはマイナンバーカード（個人番号カード）',
    cardSigns:
      'カードは利用者証明用電子証明書の秘密鍵でこのチャレンジに電子署名します（カードから個人情報は読み取りません）:',
    reader: 'テスト専用の模擬カードリーダー — 次の人のカードを挿入:',
    insert: 'カードを挿入してログイン',
  },
} as const;

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
  /** The page's language (`?lang=`, `ui_locales` or the remembered choice); English by default. */
  lang?: PageLang;
  /** This page in each language (relative links), for the language switch. */
  langLinks?: Record<PageLang, string>;
}): string {
  const action = opts.formAction ?? '/oidc/login';
  const lang = opts.lang ?? 'en';
  const w = WORDS[lang];
  const switcher = opts.langLinks
    ? `<nav data-testid="lang-switch"><a href="${esc(opts.langLinks.en)}" data-testid="lang-en" lang="en">English</a> · <a href="${esc(opts.langLinks.ja)}" data-testid="lang-ja" lang="ja">日本語</a></nav>`
    : '';
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
    ? `<fieldset data-testid="country-selection"><legend>${esc(w.abroad)}</legend><ul>
${abroad}
</ul></fieldset>`
    : '';
  const card = opts.card
    ? `<fieldset data-testid="card-login"><legend>${esc(w.card)}</legend>
<p>${esc(w.cardSigns)}</p>
<pre data-testid="card-challenge">${esc(opts.card.challenge)}</pre>
<p>Reader software posts <code>request_id</code>, <code>certificate</code>, <code>chain</code> and <code>signature</code> to <code>/oidc/card-login</code>.</p>
${
  opts.card.reader
    ? `<form method="post" action="/oidc/card-reader">${hidden}<label>${esc(w.reader)}
<select name="persona" data-testid="card-persona">${opts.personas.map((p) => `<option value="${esc(p.id)}">${esc(p.familyName)} ${esc(p.givenName)} (${esc(p.id)})</option>`).join('')}</select></label>
<button type="submit" data-testid="card-insert">${esc(w.insert)}</button></form>`
    : ''
}</fieldset>`
    : '';
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${esc(w.title(opts.nodeName))}</title>
<style>body{font:15px ${CJK_FONT_STACK};margin:0}nav{text-align:right;margin:.5rem 0}.kk-watermark{background:#b00020;color:#fff;font-weight:600;padding:6px 12px;text-align:center}
main{max-width:46rem;margin:1rem auto;padding:0 1rem}ul{list-style:none;padding:0}li{margin:.3rem 0}button{width:100%;text-align:left;padding:.5rem;cursor:pointer}
fieldset{margin-top:1.5rem}label{display:block;margin:.4rem 0}</style></head>
<body><div class="kk-watermark" data-testid="test-only-banner">${esc(w.banner)}</div>
<main>${switcher}<h1 data-testid="picker-title">${esc(w.h1(opts.country))}</h1>
<p><strong>${esc(opts.clientName)}</strong> ${esc(w.asks)}</p>
<ul data-testid="persona-list">
${rows}
</ul>
<form method="post" action="${action}" data-testid="custom-identity-form"><fieldset><legend>${esc(w.custom)}</legend>${hidden}
<label>${esc(w.family)} <input name="family_name" required maxlength="100" data-testid="custom-family-name"></label>
<label>${esc(w.given)} <input name="given_name" required maxlength="100" data-testid="custom-given-name"></label>
<label>${esc(w.born)} <input name="birthdate" type="date" required data-testid="custom-birthdate"></label>
<button type="submit" data-testid="custom-submit">${esc(w.customSubmit)}</button></fieldset></form>
${card}
${countrySelection}
</main></body></html>`;
}
