// The Faults tab: every component's faults (the hub's and each node's GET /admin/faults, through the console's
// API) with their switches. Switching sends the admin token typed beside the clock, as every state change does.
// Everything shown comes from the federation and may be attacker-controlled, so every value is put in the page
// with textContent or setAttribute — never as markup.
import { $, api, el, getJson } from './dom.js';
import { adminHeaders } from './status.js';

/** The faults by component key (`hub`, `node:DE`), as last read. */
const shown = new Map();
/** The components whose list is unfolded (the hub's, short, at first; any with a fault on is unfolded too). */
const unfolded = new Set(['hub']);

/** The console API's name for a component: `hub`, or a node's country code. */
const param = (key) => (key === 'hub' ? 'hub' : key.replace(/^node:/, ''));

export async function loadFaults() {
  const view = $('faults-view');
  try {
    const { components } = await getJson(api('/faults'), { headers: adminHeaders() });
    shown.clear();
    for (const c of components) shown.set(c.component, c);
    render();
  } catch (e) {
    shown.clear();
    $('faults-summary').textContent = '';
    view.replaceChildren(
      el(
        'p',
        { class: 'error', 'data-testid': 'faults-error' },
        e.status === 401 ? 'The faults are admin data: enter the admin token beside the clock.' : e.message,
      ),
    );
  }
}

/** Switches one fault of one component on or off, then shows that component's faults as it answers them. */
export async function switchFault(key, name, on) {
  const status = $('faults-summary');
  try {
    const c = await getJson(api(`/faults/${encodeURIComponent(param(key))}`), {
      method: 'PUT',
      headers: adminHeaders(),
      body: JSON.stringify(on ? { enable: [name] } : { disable: [name] }),
    });
    shown.set(c.component, c);
    render();
  } catch (e) {
    render();
    status.className = 'faults-summary error';
    status.textContent =
      e.status === 401
        ? 'refused: enter the admin token (option adminToken) beside the clock'
        : `refused: ${e.message}`;
  }
}

function render() {
  const on = [...shown.values()].flatMap((c) =>
    c.faults.filter((f) => f.enabled).map((f) => `${f.name} @ ${c.component}`),
  );
  const summary = $('faults-summary');
  summary.className = `faults-summary${on.length ? ' on' : ''}`;
  summary.dataset.on = String(on.length);
  summary.textContent = on.length
    ? `${on.length} fault(s) ON — deliberate weaknesses: ${on.join(', ')}`
    : 'No fault is on: every component behaves strictly.';
  $('faults-view').replaceChildren(...[...shown.values()].map(section));
}

function section(c) {
  const enabled = c.faults.filter((f) => f.enabled).length;
  const head = el(
    'summary',
    { 'data-testid': `faults-toggle-${c.component}` },
    el('span', { class: 'mono' }, c.component),
    ' ',
    el(
      'span',
      { class: enabled ? 'meta on' : 'meta' },
      c.available ? `${c.faults.length} faults, ${enabled} on` : 'unavailable',
    ),
  );
  // Folded by default (a node offers dozens): unfolded when the user opened it or a fault is on.
  const box = el('details', {
    class: 'faults-component',
    'data-testid': `faults-component-${c.component}`,
    open: unfolded.has(c.component) || enabled > 0,
  });
  box.addEventListener('toggle', () => (box.open ? unfolded.add(c.component) : unfolded.delete(c.component)));
  if (!c.available) {
    box.append(head, el('p', { class: 'error' }, c.detail ?? 'no answer'));
    return box;
  }
  const rows = c.faults.map((f) => {
    const toggle = el('input', {
      type: 'checkbox',
      'data-testid': `fault-switch-${c.component}-${f.name}`,
      'data-component': c.component,
      'data-fault': f.name,
      'aria-label': `${f.name} on ${c.component}`,
      checked: f.enabled,
    });
    return el(
      'tr',
      {
        class: f.enabled ? 'fault-on' : '',
        'data-testid': `fault-${c.component}-${f.name}`,
        'data-enabled': String(f.enabled),
      },
      el('td', {}, toggle),
      el('td', { class: 'mono name' }, f.name),
      el('td', {}, el('span', { class: `pill kind-${f.kind}` }, f.kind)),
      el('td', { class: 'mono rule' }, f.rule ?? ''),
      el('td', {}, f.perRequest ? 'yes' : ''),
      el('td', {}, f.description),
    );
  });
  box.append(
    head,
    c.faults.length === 0
      ? el('p', { class: 'hint' }, 'This component offers no fault.')
      : el(
          'table',
          {},
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              ['on', 'fault', 'kind', 'rule', 'per request', 'while on'].map((h) => el('th', {}, h)),
            ),
          ),
          el('tbody', {}, rows),
        ),
  );
  return box;
}
