import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderConsolePage } from '../src/page/render-page.ts';

const PAGE = join(import.meta.dirname, '..', 'src', 'page');
/** Every script the page loads: the ES modules in src/page. */
const scripts = readdirSync(PAGE)
  .filter((f) => f.endsWith('.js'))
  .sort()
  .map((f) => ({ f, src: readFileSync(join(PAGE, f), 'utf8') }));

/**
 * Artefacts in traces are attacker-controlled (any component, or anyone posting to /traces/events, chooses
 * them). The page must put them in the DOM as text only; the browser test checks that a hostile artefact renders
 * inert, these checks keep the code from growing a markup sink.
 */
describe('the page builds the DOM from data as text only', () => {
  it.each(scripts)('$f has no HTML sink, no eval and no string timers', ({ src }) => {
    const code = src.replace(/^\s*\/\/.*$/gm, '');
    for (const sink of [
      /\.innerHTML\b/,
      /\.outerHTML\b/,
      /insertAdjacentHTML/,
      /document\.write/,
      /\beval\(/,
      /new Function\(/,
      /createContextualFragment/,
      /DOMParser/,
      /setTimeout\(\s*['"`]/,
      /setInterval\(\s*['"`]/,
    ])
      expect(code, `${sink}`).not.toMatch(sink);
  });

  it('sets attributes only under fixed names (never a name taken from data), and links only http(s) URLs', () => {
    expect(scripts.map((s) => s.f)).toEqual(expect.arrayContaining(['console.js', 'dom.js', 'trace-model.js']));
    const src = scripts.map((s) => s.src).join('\n');
    // the generic attribute setters (el, svg) iterate over object literals written in the page's own modules
    expect(src.match(/setAttribute\(k,/g)?.length).toBe(2);
    expect(src).toMatch(/\^https\?:\\\/\\\/\//);
    expect(src).not.toMatch(/href:(?!\s*p\.url)/);
  });

  it('interpolates nothing but a sanitised base path into the HTML shell', () => {
    const html = renderConsolePage('/con"sole><script>alert(1)</script>');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('"sole');
    expect(renderConsolePage('/console')).toContain('src="/console/assets/console.js"');
    expect(renderConsolePage('/console').match(/<script/g)?.length).toBe(1);
  });
});
