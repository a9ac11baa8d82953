import type { Context } from 'hono';

/** The languages Kakehashi's pages (the console, the persona pickers, Japan's citizen portal) speak. */
export type PageLang = 'en' | 'ja';

/** The cookie that remembers the language chosen with `?lang=` (one per host: every page of the federation). */
export const PAGE_LANG_COOKIE = 'kakehashi-lang';

const pick = (v: string | null | undefined): PageLang | undefined => {
  const l = (v ?? '').trim().toLowerCase().slice(0, 2);
  return l === 'en' || l === 'ja' ? l : undefined;
};

/**
 * The language of a server-rendered page: `?lang=ja|en` (remembered: the answer sets the cookie
 * {@link PAGE_LANG_COOKIE}), else OpenID Connect's `ui_locales` (its first tag), else the remembered choice, else
 * English.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest (ui_locales)
 */
export function pageLang(c: Context): PageLang {
  const url = new URL(c.req.url);
  const asked = pick(url.searchParams.get('lang'));
  if (asked) {
    c.header('set-cookie', `${PAGE_LANG_COOKIE}=${asked}; Path=/; Max-Age=31536000; SameSite=Lax`, { append: true });
    return asked;
  }
  const locales = pick(url.searchParams.get('ui_locales')?.split(' ')[0]);
  if (locales) return locales;
  const cookie = new RegExp(`(?:^|;\\s*)${PAGE_LANG_COOKIE}=(\\w+)`).exec(c.req.header('cookie') ?? '')?.[1];
  return pick(cookie) ?? 'en';
}

/** The same page in the other language: its URL with `lang` set (a relative link: path and query only). */
export function langLink(c: Context, lang: PageLang): string {
  const url = new URL(c.req.url);
  url.searchParams.set('lang', lang);
  return `${url.pathname}${url.search}`;
}

/**
 * A font stack that renders Japanese where the system has a CJK face: Noto Sans CJK JP (Debian: fonts-noto-cjk),
 * then those of macOS and Windows.
 */
export const CJK_FONT_STACK =
  'system-ui, -apple-system, "Segoe UI", "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic UI", Meiryo, "Source Han Sans JP", sans-serif';
