/**
 * A browser as far as a login needs one: follows redirects across origins by hand, keeps each origin's cookies,
 * and sends every request through `fetch` (so through msw when it intercepts, or over the network) — except the
 * origins given in `apps`, answered in-process by their app (the relying party, in the msw tests).
 */
export interface Browser {
  /** Opens `url` and follows redirects (at most 20); returns the final response and every URL visited. */
  open(url: string): Promise<{ response: Response; visited: string[] }>;
}

export function createBrowser(
  apps: Record<string, { fetch(request: Request): Response | Promise<Response> }> = {},
): Browser {
  const jar = new Map<string, Map<string, string>>();
  const cookiesOf = (origin: string) => {
    const c = jar.get(origin) ?? new Map<string, string>();
    jar.set(origin, c);
    return c;
  };
  return {
    open: async (start) => {
      const visited: string[] = [];
      let url = start;
      for (let hop = 0; hop < 20; hop++) {
        visited.push(url);
        const { origin } = new URL(url);
        const cookies = cookiesOf(origin);
        const headers: Record<string, string> = {};
        if (cookies.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
        const request = new Request(url, { headers, redirect: 'manual' });
        const app = apps[origin];
        const response = app ? await app.fetch(request) : await fetch(request);
        for (const line of response.headers.getSetCookie()) {
          const [pair = ''] = line.split(';');
          const eq = pair.indexOf('=');
          if (eq > 0) cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
        }
        const location = response.headers.get('location');
        if (response.status < 300 || response.status > 399 || !location) return { response, visited };
        await response.arrayBuffer();
        url = new URL(location, url).href;
      }
      throw new Error(`more than 20 redirects: ${visited.join(' → ')}`);
    },
  };
}
