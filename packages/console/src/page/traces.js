// Scenarios (run one, show its report) and traces (list them, open one as a sequence diagram).
// Everything shown comes from the federation and may be attacker-controlled (a trace artefact is whatever a
// component recorded), so every value is put in the page with textContent or setAttribute — never as markup.
import { drawDiagram } from './diagram.js';
import { $, api, clear, el, getJson, short } from './dom.js';
import { selectHop } from './inspector.js';
import { state } from './state.js';
import { adminHeaders } from './status.js';
import { showTab } from './tabs.js';
import { buildSequence } from './trace-model.js';

// ---- scenarios -----------------------------------------------------------------------------------------
export async function loadScenarios() {
  const list = $('scenario-list');
  try {
    const { scenarios } = await getJson(api('/scenarios'));
    list.replaceChildren(
      ...scenarios.map((s) =>
        el(
          'div',
          { class: 'scenario' },
          el(
            'button',
            { 'data-testid': `scenario-run-${s.name}`, 'data-scenario': s.name, type: 'button' },
            `▶ ${s.name}`,
          ),
          el('p', {}, s.description),
        ),
      ),
    );
    if (scenarios.length === 0) list.replaceChildren(el('p', { class: 'hint' }, 'No scenarios are registered.'));
  } catch (e) {
    list.replaceChildren(el('p', { class: 'error' }, `scenarios unavailable: ${e.message}`));
  }
}
export async function runScenario(name) {
  const buttons = document.querySelectorAll('[data-scenario]');
  for (const b of buttons) b.disabled = true;
  const out = $('scenario-report');
  out.replaceChildren(el('p', { 'data-testid': 'scenario-running' }, `Running ${name}…`));
  try {
    const r = await getJson(api(`/scenarios/${encodeURIComponent(name)}/run`), {
      method: 'POST',
      headers: adminHeaders(),
    });
    const failed = r.steps.filter((s) => !s.ok).length;
    out.replaceChildren(
      el(
        'p',
        {
          class: `summary ${r.passed ? 'ok' : 'fail'}`,
          'data-testid': 'scenario-result',
          'data-passed': String(r.passed),
        },
        r.passed
          ? `${r.name}: PASSED (${r.steps.length} steps)`
          : `${r.name}: FAILED (${failed} of ${r.steps.length} steps)`,
      ),
      el(
        'ol',
        {},
        r.steps.map((s, i) =>
          el(
            'li',
            { 'data-testid': `scenario-step-${i + 1}`, 'data-ok': String(s.ok) },
            `${s.ok ? '✔' : '✘'} ${s.title}`,
            el('div', { class: 'detail' }, s.detail),
          ),
        ),
      ),
      ...r.traceIds.map((id) =>
        el(
          'button',
          { type: 'button', 'data-testid': 'scenario-open-trace', 'data-trace': id },
          `open trace ${id.slice(0, 8)}…`,
        ),
      ),
    );
    if (r.traceIds[0]) {
      showTab('diagram');
      await openTrace(r.traceIds[0]);
    }
  } catch (e) {
    out.replaceChildren(
      el(
        'p',
        { class: 'error', 'data-testid': 'scenario-error' },
        e.status === 401
          ? `${name} refused: enter the admin token (option adminToken) beside the clock`
          : `${name} could not run: ${e.message}`,
      ),
    );
  } finally {
    for (const b of buttons) b.disabled = false;
  }
}

// ---- traces --------------------------------------------------------------------------------------------
export async function loadTraces() {
  const list = $('traces-list');
  try {
    const { traces } = await getJson('/traces?limit=40');
    const sig = JSON.stringify(traces.map((t) => [t.traceId, t.hops]));
    if (sig === state.lastTraces) return;
    state.lastTraces = sig;
    list.replaceChildren(
      ...traces.map((t) =>
        el(
          'li',
          {},
          el(
            'button',
            {
              type: 'button',
              'data-testid': `trace-item-${t.traceId}`,
              'data-trace': t.traceId,
              'aria-current': String(t.traceId === state.traceId),
            },
            el('span', { class: 'op' }, short(String(t.firstOperation), 80)),
            el('span', { class: 'meta' }, `${t.hops} hops · ${(t.components || []).join(', ')} · ${t.started}`),
          ),
        ),
      ),
    );
    const current = traces.find((t) => t.traceId === state.traceId);
    if (current && current.hops !== state.traceHops) await openTrace(state.traceId, { keepSelection: true });
  } catch (e) {
    list.replaceChildren(el('li', { class: 'error' }, `traces unavailable: ${e.message}`));
  }
}

export async function openTrace(traceId, { keepSelection = false } = {}) {
  const head = $('trace-head');
  try {
    const { events } = await getJson(`/traces/${encodeURIComponent(traceId)}`);
    state.traceId = traceId;
    state.events = events;
    state.traceHops = events.length;
    const origins = {
      hub: state.config.hubUrl,
      nodes: Object.fromEntries(state.config.nodes.map((n) => [n.country, n.url])),
    };
    state.sequence = buildSequence(events, origins);
    const arrows = state.sequence.hops.filter((h) => h.kind === 'arrow').length;
    head.textContent = `Trace ${traceId}: ${events.length} hops (${arrows} requests), ${state.sequence.lifelines.length} lifelines`;
    head.dataset.trace = traceId;
    for (const b of document.querySelectorAll('[data-testid^="trace-item-"]'))
      b.setAttribute('aria-current', String(b.dataset.trace === traceId));
    drawDiagram(state.sequence);
    if (!keepSelection || !state.selected || state.selected > state.sequence.hops.length) {
      state.selected = 0;
      clear($('inspector')).append(el('p', { class: 'hint' }, 'Click a hop (an arrow or a box) to inspect it.'));
    } else selectHop(state.selected);
  } catch (e) {
    head.textContent = `Trace ${traceId}: ${e.message}`;
    clear($('diagram-wrap'));
  }
}
