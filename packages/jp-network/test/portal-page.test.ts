import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { portalCsp, renderPortalPage } from '../src/portal/render-portal-page.ts';

describe("the citizen portal page's content security policy", () => {
  const html = renderPortalPage([{ id: 'jp-001', label: 'jp-001 <b>Yamada</b>' }]);
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] as string);

  it('allows exactly the one inline script of the page, by its SHA-256, and no inline event handler', () => {
    expect(scripts).toHaveLength(1);
    const hash = createHash('sha256')
      .update(scripts[0] as string)
      .digest('base64');
    expect(portalCsp()).toContain(`script-src 'sha256-${hash}'`);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).toContain('jp-001 &#60;b&#62;Yamada&#60;/b&#62;');
  });

  it('lets only itself and the console (the hub) frame it, and requests only its own origin', () => {
    expect(portalCsp('http://127.0.0.1:4000/console')).toContain("frame-ancestors 'self' http://127.0.0.1:4000");
    expect(portalCsp()).toContain("frame-ancestors 'self'");
    expect(portalCsp()).toContain("connect-src 'self'");
    expect(portalCsp()).toContain("form-action 'none'");
  });
});
