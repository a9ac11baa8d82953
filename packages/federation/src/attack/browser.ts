/**
 * The runner's browser: a cookie jar per case, redirects followed by hand (so every hop is seen and the fault can
 * be added on the way to the provider), every request bounded in time. Enough of a browser for login flows; no
 * script runs, an auto-submitting form is submitted by the caller.
 */
export interface Hop {
  method: string;
  url: string;
  status: number;
  location?: string | undefined;
}

export interface BrowserResponse {
  status: number;
  url: string;
  location?: string | undefined;
  contentType: string;
  text: string;
}

/** What a request may take before the case is reported as a timeout. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;
/** The most text kept of one answer (the rest is never read into a report). */
const MAX_TEXT = 200_000;

export class AttackBrowser {
  readonly hops: Hop[] = [];
  readonly #jar = new Map<string, Map<string, string>>();
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(fetcher: typeof fetch = fetch, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS) {
    this.#fetch = fetcher;
    this.#timeoutMs = timeoutMs;
  }

  /** One request, no redirect followed; cookies of the URL's origin sent and stored. */
  async request(
    url: string,
    init: { method?: string; body?: string; headers?: Record<string, string> } = {},
  ): Promise<BrowserResponse> {
    const target = new URL(url);
    const cookies = this.#jar.get(target.host);
    const headers: Record<string, string> = { accept: 'text/html,application/json;q=0.9,*/*;q=0.8', ...init.headers };
    if (cookies && cookies.size > 0) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const method = init.method ?? 'GET';
    const res = await this.#fetch(target.href, {
      method,
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(this.#timeoutMs),
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    this.#store(target.host, res.headers);
    const location = res.headers.get('location') ?? undefined;
    const resolved = location ? new URL(location, target).href : undefined;
    const text = (await res.text()).slice(0, MAX_TEXT);
    this.hops.push({ method, url: target.href, status: res.status, ...(resolved ? { location: resolved } : {}) });
    return {
      status: res.status,
      url: target.href,
      location: resolved,
      contentType: res.headers.get('content-type') ?? '',
      text,
    };
  }

  /**
   * Follows redirects from `url` while `follow(next)` allows (and at most `max` hops); returns the last answer.
   * `rewrite` may change a redirect's target before it is requested (the fault is added to the provider's URL).
   */
  async follow(
    first: BrowserResponse,
    options: { follow: (next: URL) => boolean; rewrite?: (next: URL) => URL; max?: number },
  ): Promise<BrowserResponse> {
    let res = first;
    for (let i = 0; i < (options.max ?? 10); i++) {
      if (!res.location || res.status < 300 || res.status >= 400) return res;
      let next = new URL(res.location);
      if (!options.follow(next)) return res;
      if (options.rewrite) next = options.rewrite(next);
      res = await this.request(next.href);
    }
    return res;
  }

  #store(host: string, headers: Headers): void {
    const list = headers.getSetCookie?.() ?? [];
    if (list.length === 0) return;
    let jar = this.#jar.get(host);
    if (!jar) {
      jar = new Map();
      this.#jar.set(host, jar);
    }
    for (const line of list) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age\s*=\s*(0|-\d+)\s*$/i.test(a));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
  }
}

/** The named fields of a page's first form (action, method, inputs), for the auto-submitting SAML POST form. */
export function readForm(html: string, base: string): { action: string; fields: Record<string, string> } | undefined {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const action = attr(form[1] ?? '', 'action');
  if (!action) return undefined;
  const fields: Record<string, string> = {};
  for (const m of (form[2] ?? '').matchAll(/<input\b([^>]*)>/gi)) {
    const name = attr(m[1] ?? '', 'name');
    if (name) fields[name] = attr(m[1] ?? '', 'value') ?? '';
  }
  return { action: new URL(decodeEntities(action), base).href, fields };
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)')`, 'i').exec(tag);
  const raw = m?.[2] ?? m?.[3];
  return raw === undefined ? undefined : decodeEntities(raw);
}

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_all, e: string) => {
    const k = e.toLowerCase();
    if (k.startsWith('#x')) return String.fromCodePoint(Number.parseInt(k.slice(2), 16));
    if (k.startsWith('#')) return String.fromCodePoint(Number.parseInt(k.slice(1), 10));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[k] ?? '';
  });
}
