// Lifelines named by role: what a part of the federation does in one trace, derived from what every trace event
// already carries (component, country, operation, peer). Pure: no DOM. Trace events are attacker-controlled
// data: nothing here builds markup, and every name taken from an event is checked against a narrow pattern.
import { agencyName, tr } from './i18n.js';

const SLUG = /^[a-z0-9][a-z0-9-]{0,59}$/;
const CC = /^[A-Z]{2}$/;

/** The path of an operation `METHOD /path?query` (undefined when the operation is no request). */
export function pathOf(operation) {
  const m = /^(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\/[^\s?#]*)/.exec(String(operation ?? ''));
  return m ? m[1] : undefined;
}

/**
 * The part of Japan's Cooperation Network a path of Japan's node belongs to: `network` (情報提供ネットワーク
 * システム), `j-lis`, `portal` (マイナポータル) or an agency's intermediary server by its slug.
 */
export function jpPartOf(path) {
  if (typeof path !== 'string') return undefined;
  if (/^\/(?:admin\/)?jp\/network\//.test(path)) return 'network';
  if (/^\/(?:admin\/)?jp\/jlis\//.test(path)) return 'j-lis';
  if (/^\/jp\/portal(?:\/|$)/.test(path)) return 'portal';
  const m = /^\/(?:admin\/)?jp\/agencies\/([a-z0-9-]{1,60})(?:\/|$)/.exec(path);
  return m && SLUG.test(m[1]) ? m[1] : undefined;
}

/**
 * A call inside Japan's network as its transport records it: `jp-network: <from> → <to>: METHOD /path`.
 * @returns the two parties (slugs), or undefined.
 */
export function jpCallOf(operation) {
  const m = /^jp-network: ([a-z0-9-]{1,60}) → ([a-z0-9-]{1,60}): /.exec(String(operation ?? ''));
  return m ? { from: m[1], to: m[2] } : undefined;
}

/** The lifeline of a part of Japan's network (`jp:network`, `jp:setagaya-city`). */
export const jpKey = (part) => `jp:${part}`;

/** The country a node lifeline stands for (`node:DE` → `DE`). */
const countryOf = (key) => (typeof key === 'string' && /^node:[A-Z]{2}$/.test(key) ? key.slice(5) : undefined);

// Requests a citizen's browser makes (front channel): logins, redirects back, the portal, previews.
const FRONT_CHANNEL = [
  /^\/oidc\/(?:authorize|card-reader|login|consent)/,
  /^\/eid\/proxy\/[A-Z]{2}\/authorize/,
  /^\/eid\/connector\/callback/,
  /^\/saml\/(?:idp\/sso|sp\/acs|sso|acs)/,
  /^\/jp\/portal(?:\/|$)/,
  /^\/evidence\/preview(?:\/|$)/,
  /^\/evidence\/requests\/[^/]+\/(?:preview|return)$/,
];

/**
 * Who made a request that came from outside the federation (no caller component in the trace), from the path it
 * asked for: the citizen's browser (front channel), a relying party (token and userinfo: back channel), a clerk
 * of a Japanese agency or the operator (admin API), an agency's back office (signatures, delivery, evidence), or
 * the scenario's own client.
 */
export function outsideCallerOf(event, calleeKey) {
  const path = pathOf(event?.operation);
  if (!path) return 'caller';
  if (FRONT_CHANNEL.some((re) => re.test(path))) return 'client';
  const cc = countryOf(calleeKey);
  if (/^\/oidc\/(?:token|userinfo)/.test(path) && cc) return `rp:${cc}`;
  const clerk = /^\/admin\/jp\/agencies\/([a-z0-9-]{1,60})\//.exec(path);
  if (clerk && SLUG.test(clerk[1])) return `clerk:${clerk[1]}`;
  if (path.startsWith('/admin/')) return 'operator';
  if (/^\/(?:esig|edelivery|evidence)\//.test(path) && cc) return `app:${cc}`;
  return 'caller';
}

/** The roles a national node plays in a trace, in order of appearance (connector, proxy, idp, ap, esig, evidence). */
export function nodeRoles(events) {
  const list = Array.isArray(events) ? events : [];
  const proxyCountries = new Set();
  for (const e of list) {
    const m = /\/eid\/proxy\/([A-Z]{2})\//.exec(String(e?.operation ?? ''));
    if (m) proxyCountries.add(m[1]);
  }
  const connectors = new Set();
  for (const e of list) {
    const op = String(e?.operation ?? '');
    if (e?.component === 'node' && (op.startsWith('eid connector') || /^\w+ \/eid\/connector\//.test(op)))
      connectors.add(e.country);
  }
  const roles = new Map();
  const add = (cc, role) => {
    if (typeof cc !== 'string' || !CC.test(cc)) return;
    const r = roles.get(cc) ?? [];
    if (!r.includes(role)) r.push(role);
    roles.set(cc, r);
  };
  for (const e of list) {
    if (e?.component !== 'node') continue;
    const op = String(e.operation ?? '');
    const path = pathOf(op) ?? '';
    if (jpPartOf(path) || jpCallOf(op)) continue;
    if (/^\/(?:oidc|saml|eid)\//.test(path) || /^(?:oidc|eid|saml)\b/.test(op)) {
      if (proxyCountries.has(e.country) && !/^\/eid\/(?:connector|validate)\//.test(path) && !op.startsWith('eid'))
        add(e.country, 'proxy');
      else if (connectors.has(e.country)) add(e.country, 'connector');
      else add(e.country, 'idp');
    } else if (/^\/(?:as4|edelivery)(?:\/|$)/.test(path) || op.startsWith('edelivery')) add(e.country, 'ap');
    else if (path.startsWith('/esig/') || op.startsWith('esig')) add(e.country, 'esig');
    else if (path.startsWith('/evidence/') || op.startsWith('evidence')) add(e.country, 'evidence');
  }
  return roles;
}

/**
 * A lifeline's name in `lang`: by the role its component plays in this trace (`roles`, from {@link nodeRoles}),
 * never a bare "external": a peer outside the federation is named with its origin.
 */
export function roleLabel(key, lang = 'en', roles = new Map()) {
  if (key === 'hub') return tr(lang, 'role.hub');
  if (key === 'client' || key === 'caller' || key === 'operator') return tr(lang, `role.${key}`);
  const [kind, rest] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
  if (kind === 'node' && CC.test(rest)) {
    const r = roles.get(rest) ?? [];
    if (r.length === 0) return tr(lang, 'role.node', { cc: rest });
    return r
      .slice(0, 2)
      .map((x) => tr(lang, `role.node.${x}`, { cc: rest }))
      .join(' · ');
  }
  if (kind === 'rp' && CC.test(rest)) return tr(lang, 'role.rp', { cc: rest });
  if (kind === 'app' && CC.test(rest)) return tr(lang, 'role.app', { cc: rest });
  if (kind === 'clerk' && SLUG.test(rest)) return tr(lang, 'role.clerk', { agency: agencyName(lang, rest) });
  if (kind === 'jp' && SLUG.test(rest)) {
    if (rest === 'network' || rest === 'j-lis' || rest === 'portal') return tr(lang, `role.jp.${rest}`);
    return tr(lang, 'role.jp.agency', { agency: agencyName(lang, rest) });
  }
  if (kind === 'ext') return tr(lang, 'role.ext', { origin: rest });
  return key;
}
