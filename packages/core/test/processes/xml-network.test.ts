import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ErrorCode, isKakehashiError, parseXml } from '../../src/index.ts';

/** A real HTTP server on an OS-chosen port proves that no external entity or DTD is ever fetched. */
function codeOf(fn: () => unknown): ErrorCode | 'no error' {
  try {
    fn();
  } catch (e) {
    if (isKakehashiError(e)) return e.code;
    throw e;
  }
  return 'no error';
}

describe('parseXml: nothing is loaded from the network', () => {
  let hits = 0;
  let url = '';
  const server = createServer((_req, res) => {
    hits++;
    res.end('<!ENTITY x "pwned">');
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/evil.dtd`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('an external entity or DTD with an http URL is refused by code and never fetched', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    try {
      const attempts = [
        `<!DOCTYPE r [<!ENTITY x SYSTEM "${url}">]><r>&x;</r>`,
        `<!DOCTYPE r SYSTEM "${url}"><r/>`,
        `<!DOCTYPE r [<!ENTITY % p SYSTEM "${url}"> %p;]><r/>`,
        `<?x <!-- ?><!DOCTYPE r SYSTEM "${url}"><r/><!-- -->`,
      ];
      for (const xml of attempts) expect(codeOf(() => parseXml(xml))).toBe('xml-doctype-forbidden');
      expect(
        codeOf(() => parseXml(`<r xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="${url}"/></r>`)),
      ).toBe('no error');
      await new Promise((r) => setTimeout(r, 250)); // give a stray request time to arrive
      expect(hits).toBe(0);
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      fetchSpy.mockRestore();
    }
  });

  it('the test server does answer when asked (the zero above is meaningful)', async () => {
    const res = await fetch(url);
    expect(await res.text()).toContain('ENTITY');
    expect(hits).toBe(1);
    hits = 0;
  });
});
