/** Types of ./i18n.js (plain JavaScript, loaded by the browser as it is). */
export type Lang = 'en' | 'ja';
export const LANGS: Lang[];
export function pickLang(...candidates: unknown[]): Lang | undefined;
export const MESSAGES: Record<Lang, Record<string, string>>;
export function tr(lang: string, key: string, params?: Record<string, string | number>): string;
export function agencyName(lang: string, slug: string): string;
