import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cspSourceOf, pickerCsp, postFormCsp } from '../src/authorize/page-csp.ts';
import { AUTO_SUBMIT_SCRIPT_SOURCE, renderPostForm } from '../src/saml/response/build-response.ts';

/** The directives of a policy, by name. */
const directives = (csp: string) =>
  Object.fromEntries(
    csp.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name, values];
    }),
  ) as Record<string, string[]>;

describe('content security policies of the login pages', () => {
  it('names a redirect target by its origin only (CSP matches origins after a redirect)', () => {
    expect(cspSourceOf('http://127.0.0.1:53123/callback?x=1')).toBe('http://127.0.0.1:53123');
    expect(cspSourceOf('https://rp.example/cb')).toBe('https://rp.example');
    expect(cspSourceOf('javascript:alert(1)')).toBeUndefined();
    expect(cspSourceOf('not a url')).toBeUndefined();
  });

  it("the picker's form-action allows 'self' and exactly the origins its answer may redirect to", () => {
    const d = directives(
      pickerCsp([
        'http://127.0.0.1:5000/callback',
        'http://127.0.0.1:5000/other',
        'http://127.0.0.1:6000',
        'http://127.0.0.1:6001/',
      ]),
    );
    expect(d['form-action']).toEqual([
      "'self'",
      'http://127.0.0.1:5000',
      'http://127.0.0.1:6000',
      'http://127.0.0.1:6001',
    ]);
    expect(d['default-src']).toEqual(["'none'"]);
    expect(d['script-src']).toBeUndefined(); // no script: default-src 'none' applies
    expect(d['frame-ancestors']).toEqual(["'none'"]);
    expect(d['base-uri']).toEqual(["'none'"]);
    expect(directives(pickerCsp([]))['form-action']).toEqual(["'self'"]);
  });

  it("a peer connector's picker allows any web origin: the peer redirects on to its own relying parties", () => {
    expect(directives(pickerCsp(['http://127.0.0.1:5000/cb'], { anyWebOrigin: true }))['form-action']).toEqual([
      "'self'",
      'http:',
      'https:',
    ]);
  });

  it('the SAML post form runs only its own auto-submit script, allowed by its SHA-256', () => {
    const html = renderPostForm('http://127.0.0.1:9/acs', { SAMLResponse: 'PHg+', RelayState: 'r' }, 'SAMLResponse');
    expect(html).not.toMatch(/\son[a-z]+=/i); // no inline event handler (would need 'unsafe-inline')
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] as string);
    expect(scripts).toHaveLength(1);
    const hash = `'sha256-${createHash('sha256')
      .update(scripts[0] as string)
      .digest('base64')}'`;
    expect(AUTO_SUBMIT_SCRIPT_SOURCE).toBe(hash);
    const d = directives(postFormCsp(AUTO_SUBMIT_SCRIPT_SOURCE));
    expect(d['script-src']).toEqual([hash]);
    expect(d['form-action']).toEqual(['http:', 'https:']);
  });
});
