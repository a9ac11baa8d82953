// Scenarios (run one, show its report) and traces (list them, open one as a sequence diagram).
// Everything shown comes from the federation and may be attacker-controlled (a trace artefact is whatever a
// component recorded), so every value is put in the page with textContent or setAttribute — never as markup.
import { drawDiagram } from './diagram.js';
import { $, api, clear, el, getJson, short } from './dom.js';
import { selectHop } from './inspector.js';
import { lang, t } from './lang.js';
import { state } from './state.js';
import { adminHeaders } from './status.js';
import { showReport, startStory } from './story.js';
import { traceTitle } from './story-model.js';
import { showTab } from './tabs.js';
import { buildSequence } from './trace-model.js';

/** The runs started from the console (any tab, any browser): their traces are titled by the scenario. */
export async function loadRuns() {
  try {
    const { runs } = await getJson(api('/runs'), { headers: adminHeaders() });
    for (const r of [...runs].reverse()) remember(r);
  } catch {
    /* titles fall back to each trace's first request */
  }
}

/** A run's traces titled by its scenario, and the one trace of its undo titled as that. */
function remember(r) {
  for (const id of r.traceIds) state.runs.set(id, r);
  if (r.undo?.traceId) state.undoRuns.set(r.undo.traceId, r);
}

// ---- scenarios -----------------------------------------------------------------------------------------
export async function loadScenarios() {
  const list = $('scenario-list');
  try {
    const { scenarios } = await getJson(api('/scenarios'));
    list.replaceChildren(
      ...scenarios.map((s) =>
        el(
          'button',
          {
            'data-testid': `scenario-run-${s.name}`,
            'data-scenario': s.name,
            type: 'button',
            title: s.description,
            class: 'scenario',
          },
          `▶ ${s.name}`,
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
    remember(r);
    showReport(r);
    state.lastTraces = '';
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
/** A trace's title: the scenario it ran, else its first request from outside (not the first event recorded). */
function titleOf(trace) {
  const run = state.runs.get(trace.traceId);
  if (run) return `▶ ${run.name}`;
  const undone = state.undoRuns.get(trace.traceId);
  if (undone) return `↺ ${t('trace.undo', { name: undone.name })}`;
  return String(trace.firstRequest ?? trace.firstOperation ?? trace.traceId);
}

export async function loadTraces() {
  const list = $('traces-list');
  try {
    const { traces } = await getJson('/traces?limit=40');
    const sig = JSON.stringify(traces.map((t) => [t.traceId, t.hops, state.runs.get(t.traceId)?.name]));
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
            el('span', { class: 'op' }, short(titleOf(t), 80)),
            el('span', { class: 'meta' }, `${t.hops} hops · ${(t.components || []).join(', ')} · ${t.started}`),
          ),
        ),
      ),
    );
    const current = traces.find((x) => x.traceId === state.traceId);
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
    if (state.traceId !== traceId || !keepSelection) state.openFolds = new Set();
    state.sequence = buildSequence(events, origins, { lang });
    const arrows = state.sequence.hops.filter((h) => h.kind === 'arrow').length;
    const undone = state.undoRuns.get(traceId);
    const title = traceTitle(
      state.sequence,
      state.runs.get(traceId)?.name ?? (undone ? t('trace.undo', { name: undone.name }) : undefined),
    );
    head.replaceChildren(
      el('strong', { 'data-testid': 'trace-title' }, title),
      ` — ${events.length} hops (${arrows} requests), ${state.sequence.lifelines.length} lifelines · `,
      el('span', { class: 'mono' }, traceId),
    );
    head.dataset.trace = traceId;
    for (const b of document.querySelectorAll('[data-testid^="trace-item-"]'))
      b.setAttribute('aria-current', String(b.dataset.trace === traceId));
    const storyStep = keepSelection && state.story?.traceId === traceId ? state.story.current : 0;
    drawDiagram(state.sequence);
    if (!keepSelection || !state.selected || state.selected > state.sequence.hops.length) {
      state.selected = 0;
      clear($('inspector')).append(el('p', { class: 'hint' }, t('insp.click')));
    } else selectHop(state.selected);
    startStory(traceId, storyStep);
  } catch (e) {
    head.textContent = `Trace ${traceId}: ${e.message}`;
    clear($('diagram-wrap'));
  }
}
