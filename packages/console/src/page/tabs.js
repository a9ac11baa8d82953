// The tabs of the console and the panels they load on demand: personas, Japan's citizen portal, the faults.
// Everything shown comes from the federation and may be attacker-controlled (a trace artefact is whatever a
// component recorded), so every value is put in the page with textContent or setAttribute — never as markup.
import { $, api, el, getJson } from './dom.js';
import { loadFabric } from './fabric.js';
import { loadFaults } from './faults.js';
import { state } from './state.js';

// ---- tabs ----------------------------------------------------------------------------------------------
export function showTab(name) {
  for (const b of document.querySelectorAll('[role="tab"]'))
    b.setAttribute('aria-selected', String(b.dataset.tab === name));
  for (const p of document.querySelectorAll('[data-panel]')) p.hidden = p.dataset.panel !== name;
  if (name === 'portal') void loadPortal();
  if (name === 'faults') void loadFaults();
  if (name === 'fabric') void loadFabric();
  if (name === 'personas' && !$('personas-view').firstChild) void loadPersonas(state.config.nodes[0]?.country);
}

// ---- personas ------------------------------------------------------------------------------------------
export async function loadPersonas(country) {
  if (!country) return;
  for (const b of document.querySelectorAll('[data-persona-country]'))
    b.setAttribute('aria-pressed', String(b.dataset.personaCountry === country));
  const view = $('personas-view');
  view.replaceChildren(el('p', { class: 'hint' }, `loading the personas of ${country}…`));
  try {
    const { personas } = await getJson(api(`/nodes/${encodeURIComponent(country)}/personas`));
    const detail = el('pre', { class: 'json', 'data-testid': 'persona-detail', hidden: '' });
    const rows = personas.map((p) => {
      const name = [p.givenName, p.familyName].filter(Boolean).join(' ');
      const latin = [p.givenNameLatin, p.familyNameLatin].filter(Boolean).join(' ');
      const tr = el(
        'tr',
        { 'data-testid': `persona-${p.id}`, tabindex: 0 },
        el('td', { class: 'mono' }, p.id),
        el('td', {}, latin && latin !== name ? `${name} (${latin})` : name),
        el('td', {}, p.dateOfBirth ?? ''),
        el('td', { class: 'mono' }, p.nationalId ? `${p.nationalId.scheme ?? ''} ${p.nationalId.value ?? ''}` : ''),
        el('td', {}, p.loa ?? ''),
      );
      tr.addEventListener('click', () => {
        detail.hidden = false;
        detail.textContent = JSON.stringify(p, null, 2);
      });
      return tr;
    });
    view.replaceChildren(
      el(
        'div',
        { class: 'personas' },
        el(
          'table',
          { 'data-testid': 'personas-table' },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              ['id', 'name', 'born', 'national identifier', 'LoA'].map((h) => el('th', {}, h)),
            ),
          ),
          el('tbody', {}, rows),
        ),
        detail,
      ),
    );
  } catch (e) {
    view.replaceChildren(el('p', { class: 'error' }, `personas of ${country} unavailable: ${e.message}`));
  }
}

// ---- citizen portal ------------------------------------------------------------------------------------
export async function loadPortal() {
  const view = $('portal-view');
  try {
    const p = await getJson(api('/portal'));
    if (!p.available || !/^https?:\/\//.test(p.url ?? '')) {
      view.replaceChildren(
        el('p', { 'data-testid': 'portal-status', 'data-available': 'false' }, `Not available: ${p.reason}`),
      );
      return;
    }
    if (view.querySelector('iframe')) return;
    view.replaceChildren(
      el(
        'p',
        { 'data-testid': 'portal-status', 'data-available': 'true', class: 'portal-status' },
        "Japan's node serves the citizen portal: ",
        el('a', { href: p.url, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'portal-link' }, p.url),
      ),
      el(
        'div',
        { class: 'portal' },
        el('iframe', {
          src: p.url,
          title: 'Citizen portal (JP node)',
          'data-testid': 'portal-frame',
          sandbox: 'allow-scripts allow-forms allow-same-origin',
        }),
      ),
    );
  } catch (e) {
    view.replaceChildren(
      el(
        'p',
        { class: 'error', 'data-testid': 'portal-status', 'data-available': 'false' },
        `portal status unavailable: ${e.message}`,
      ),
    );
  }
}
