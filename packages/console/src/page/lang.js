// The page's language: `?lang=ja` or `?lang=en` switches it and is remembered (localStorage and a cookie, so the
// next visit — and the other pages of the federation on this host — speak it too); else the remembered choice;
// else English. Static text carries `data-i18n="<key>"` and is filled from ./i18n.js with textContent.
import { pickLang, tr } from './i18n.js';

const STORE = 'kakehashi-lang';

function remembered() {
  try {
    const v = localStorage.getItem(STORE);
    if (v) return v;
  } catch {
    /* storage refused (private mode): the cookie may still say */
  }
  return /(?:^|;\s*)kakehashi-lang=(\w+)/.exec(document.cookie)?.[1];
}

/** Reads (and, when `?lang=` says so, stores) the page's language. */
export function resolveLang() {
  const asked = pickLang(new URLSearchParams(location.search).get('lang'));
  if (asked) {
    try {
      localStorage.setItem(STORE, asked);
    } catch {
      /* the cookie remembers it */
    }
    // biome-ignore lint/suspicious/noDocumentCookie: the server-rendered pages of the federation on this host (persona pickers, citizen portal) read the choice from this cookie
    document.cookie = `${STORE}=${asked}; path=/; max-age=31536000; SameSite=Lax`;
  }
  return asked ?? pickLang(remembered()) ?? 'en';
}

/** The page's language once resolved. */
export const lang = resolveLang();

/** A message in the page's language. */
export const t = (key, params) => tr(lang, key, params);

/** Fills every `data-i18n` element with its message and marks the document's language. */
export function applyLang() {
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const a of document.querySelectorAll('[data-lang-link]'))
    a.setAttribute('aria-current', String(a.dataset.langLink === lang));
}
