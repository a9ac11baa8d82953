// The teaching console in the browser: vanilla DOM, no framework, no build step, no CDN.
// Everything shown comes from the federation and may be attacker-controlled (a trace artefact is whatever a
// component recorded), so every value is put in the page with textContent or setAttribute — never as markup.
// This module wires the page; the others build its parts.
import { $, api, el, getJson } from './dom.js';
import { loadFaults, switchFault } from './faults.js';
import { applyLang, t } from './lang.js';
import { state } from './state.js';
import { clockAction, loadClockState, loadTopology, pollTime, resetFederation } from './status.js';
import { wireStory } from './story.js';
import { loadPersonas, showTab } from './tabs.js';
import { RULE_FAMILIES } from './trace-model.js';
import { loadRuns, loadScenarios, loadTraces, openTrace, runScenario } from './traces.js';

// ---- start ---------------------------------------------------------------------------------------------
async function start() {
  applyLang();
  wireStory();
  for (const b of document.querySelectorAll('[role="tab"]')) b.addEventListener('click', () => showTab(b.dataset.tab));
  for (const b of document.querySelectorAll('[data-testid^="clock-"][data-action]'))
    b.addEventListener('click', () => void clockAction(b));
  $('scenario-list').addEventListener('click', (ev) => {
    const b = ev.target.closest('[data-scenario]');
    if (b) void runScenario(b.dataset.scenario);
  });
  $('scenario-report').addEventListener('click', (ev) => {
    const b = ev.target.closest('[data-trace]');
    if (b) void openTrace(b.dataset.trace);
  });
  $('traces-list').addEventListener('click', (ev) => {
    const b = ev.target.closest('[data-trace]');
    if (b) {
      showTab('diagram');
      void openTrace(b.dataset.trace);
    }
  });
  $('traces-refresh').addEventListener('click', () => {
    state.lastTraces = '';
    void loadTraces();
  });
  $('federation-reset').title = t('reset.title');
  $('federation-reset').addEventListener('click', () => {
    void resetFederation(async () => {
      state.lastTraces = '';
      await loadTraces();
    });
  });
  $('faults-refresh').addEventListener('click', () => void loadFaults());
  $('faults-view').addEventListener('change', (ev) => {
    const box = ev.target.closest('input[data-fault]');
    if (box) void switchFault(box.dataset.component, box.dataset.fault, box.checked);
  });
  $('clock-form').addEventListener('submit', (ev) => ev.preventDefault());
  $('trace-open-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    showTab('diagram');
    void openTrace($('trace-id-input').value.trim().toLowerCase());
  });
  const families = document.querySelector('[data-testid="rule-families"] tbody');
  families.replaceChildren(
    ...RULE_FAMILIES.map((f) => el('tr', {}, el('td', { class: 'mono' }, `${f.prefix}…`), el('td', {}, f.about))),
  );

  try {
    state.config = await getJson(api('/config'));
  } catch (e) {
    $('clock-status').textContent = `console configuration unavailable: ${e.message}`;
  }
  if (state.config.defaultAdminToken) $('clock-token').value = state.config.defaultAdminToken;
  const countries = $('persona-countries');
  countries.replaceChildren(
    ...state.config.nodes.map((n) => {
      const b = el(
        'button',
        {
          type: 'button',
          'data-testid': `personas-country-${n.country}`,
          'data-persona-country': n.country,
          'aria-pressed': 'false',
        },
        n.country,
      );
      b.addEventListener('click', () => void loadPersonas(n.country));
      return b;
    }),
  );
  await loadRuns();
  await Promise.all([loadTopology(), loadScenarios(), loadTraces(), pollTime(), loadClockState()]);
  setInterval(() => void loadTopology(), 5000);
  setInterval(() => void pollTime(), 2000);
  setInterval(() => {
    if ($('traces-auto').checked) void loadTraces();
  }, 3000);
  const fromHash = /^#trace=([0-9a-f]{32})$/.exec(location.hash);
  if (fromHash) await openTrace(fromHash[1]);
  document.body.dataset.ready = 'true';
}

void start();
