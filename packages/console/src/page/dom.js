// The teaching console's DOM helpers: elements built from fixed tag and attribute names, text as text nodes.
// Everything shown comes from the federation and may be attacker-controlled (a trace artefact is whatever a
// component recorded), so every value is put in the page with textContent or setAttribute — never as markup.

const BASE = document.body.dataset.base || '/console';
export const api = (path) => `${BASE}/api${path}`;
export const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

// ---- DOM helpers -------------------------------------------------------------------------------------
/** An element with attributes (fixed names only) and children (strings become text nodes). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs))
    if (v !== undefined && v !== null && v !== false) node.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== undefined && c !== null) node.append(c instanceof Node ? c : String(c));
  return node;
}
const SVG = 'http://www.w3.org/2000/svg';
export function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = String(text);
  return node;
}
export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

export async function getJson(url, init) {
  const res = await fetch(url, init);
  const type = res.headers.get('content-type') || '';
  const body = type.includes('json') ? await res.json() : { detail: await res.text() };
  if (!res.ok) {
    const e = new Error(typeof body.detail === 'string' ? body.detail : `HTTP ${res.status}`);
    e.status = res.status;
    e.code = body.code;
    throw e;
  }
  return body;
}

export const short = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
