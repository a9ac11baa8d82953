// Story mode: a scenario run told step by step beside its sequence diagram. Each step says in plain words what
// happened, highlights the hops it caused, shows the artefact that matters decoded, and links to the faults and
// attacks that target it. Everything shown comes from the federation and may be attacker-controlled, so every
// value is put in the page with textContent or setAttribute — never as markup.
import { highlightHops } from './diagram.js';
import { $, api, clear, el, getJson } from './dom.js';
import { loadFaults } from './faults.js';
import { decodedNodes, selectHop } from './inspector.js';
import { lang, t } from './lang.js';
import { state } from './state.js';
import { adminHeaders } from './status.js';
import { buildStory, faultsForStep, undoLines } from './story-model.js';
import { showTab } from './tabs.js';

/** Shows a run's report as the story's list of steps (before its trace is drawn: nothing to highlight yet). */
export function showReport(r) {
  state.shownReport = r;
  const failed = r.steps.filter((s) => !s.ok).length;
  $('scenario-report').replaceChildren(
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
      { class: 'story-steps', 'data-testid': 'story-steps' },
      r.steps.map((s, i) =>
        el(
          'li',
          { 'data-testid': `scenario-step-${i + 1}`, 'data-ok': String(s.ok), 'data-step': i, tabindex: 0 },
          el('span', { class: 'title' }, `${s.ok ? '✔' : '✘'} ${(lang === 'ja' && s.titleJa) || s.title}`),
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
    undoSection(r.undo),
  );
}

/** What undoing the run did (clock, revocations, faults put back), in plain words; nothing when not reported. */
function undoSection(undo) {
  const u = undoLines(undo, lang);
  if (!u) return '';
  return el(
    'section',
    { class: 'story-undo', 'data-testid': 'story-undo', 'data-restored': String(u.restored) },
    el('h4', {}, t('undo.h')),
    el(
      'ul',
      {},
      u.lines.map((line) => el('li', { 'data-testid': 'undo-line' }, line)),
      u.restored ? el('li', { 'data-testid': 'undo-restored' }, t('undo.restored')) : '',
    ),
    u.problems.length
      ? [
          el('p', { class: 'problems' }, t('undo.problems')),
          el(
            'ul',
            { class: 'problems', 'data-testid': 'undo-problems' },
            u.problems.map((p) => el('li', {}, p)),
          ),
        ]
      : '',
  );
}

/** Builds the story of the trace just drawn, when it is the trace of a run the console knows; else clears it. */
export function startStory(traceId, step = 0) {
  const report = state.runs.get(traceId);
  if (!report || !state.sequence) {
    state.story = null;
    clear($('story-card')).append(el('p', { class: 'hint' }, t('story.none')));
    return;
  }
  if (state.shownReport !== report) showReport(report);
  state.story = { report, traceId, steps: buildStory(state.sequence, report, lang), current: step };
  void goStep(step);
}

/** Moves the story to step `i` (0-based): highlights its hops and shows it beside the diagram. */
export async function goStep(i) {
  const story = state.story;
  if (!story) return;
  const k = Math.max(0, Math.min(i, story.steps.length - 1));
  story.current = k;
  const step = story.steps[k];
  for (const li of document.querySelectorAll('[data-testid^="scenario-step-"]'))
    li.setAttribute('aria-current', li.dataset.step === String(k) ? 'step' : 'false');
  // Setup stays folded (the fold holding a step's hops is marked with them): the step's artefact is shown beside
  // it even when its hop is folded, and a click on the fold opens it.
  highlightHops(step.hops);
  if (step.focus) selectHop(step.focus);
  scrollToHop(step.hops.find((n) => !document.querySelector(`[data-testid="hop-${n}"]`)?.dataset.folded) ?? step.focus);
  renderCard(step, story);
  await renderLinks(step);
}

function scrollToHop(n) {
  const wrap = $('diagram-wrap');
  const g = n ? document.querySelector(`svg.diagram [data-testid="hop-${n}"]`) : null;
  if (!g || !wrap) return;
  const top = g.getBoundingClientRect().top - wrap.getBoundingClientRect().top + wrap.scrollTop;
  // near the top the lifelines' names stay in view; further down the step's first hop comes near the top
  wrap.scrollTop = top < wrap.clientHeight - 60 ? 0 : top - 80;
}

function renderCard(step, story) {
  const card = clear($('story-card'));
  card.dataset.step = String(step.n);
  const focus = step.focus ? state.sequence.hops[step.focus - 1] : undefined;
  card.append(
    el(
      'div',
      { class: 'story-nav' },
      el(
        'button',
        { type: 'button', 'data-testid': 'story-prev', 'data-story-go': step.n - 2, disabled: step.n === 1 },
        t('story.prev'),
      ),
      el('span', { 'data-testid': 'story-position' }, t('story.step', { n: step.n, total: story.steps.length })),
      el(
        'button',
        {
          type: 'button',
          'data-testid': 'story-next',
          'data-story-go': step.n,
          disabled: step.n === story.steps.length,
        },
        t('story.next'),
      ),
    ),
    el(
      'h3',
      { 'data-testid': 'story-title', class: step.ok ? 'ok' : 'fail' },
      `${step.n}. ${step.title} — ${step.ok ? t('story.ok') : t('story.failed')}`,
    ),
    el('p', { class: 'detail', 'data-testid': 'story-detail' }, step.detail),
    el(
      'p',
      { class: 'hint', 'data-testid': 'story-hops', 'data-hops': step.hops.join(' ') },
      step.hops.length ? t('story.hops', { count: step.hops.length }) : t('story.noHops'),
    ),
  );
  const artefact = el('section', { class: 'story-artefact', 'data-testid': 'story-artefact' });
  if (focus && (focus.event.artefact !== undefined || focus.event.verdict)) {
    artefact.dataset.hop = String(focus.n);
    artefact.append(
      el('h4', {}, `${t('story.artefact')} — ${focus.n}. ${String(focus.event.operation ?? '')}`),
      ...decodedNodes(focus.event),
    );
  } else artefact.append(el('p', { class: 'hint' }, t('story.noArtefact')));
  card.append(artefact, el('section', { class: 'story-links', 'data-testid': 'story-links' }));
}

/** Reads every component's faults once (admin data: the token beside the clock). */
async function catalogue() {
  if (state.faultCatalogue) return state.faultCatalogue;
  const { components } = await getJson(api('/faults'), { headers: adminHeaders() });
  const byName = new Map();
  for (const c of components)
    for (const f of c.faults) {
      const known = byName.get(f.name);
      if (known) known.components.push(c.component);
      else byName.set(f.name, { ...f, components: [c.component] });
    }
  state.faultCatalogue = [...byName.values()];
  return state.faultCatalogue;
}

async function renderLinks(step) {
  const box = $('story-links');
  if (!box) return;
  let hits;
  try {
    hits = faultsForStep(step, await catalogue());
  } catch (e) {
    box.replaceChildren(el('p', { class: 'hint' }, `faults unavailable: ${e.message}`));
    return;
  }
  if (state.story?.steps[state.story.current] !== step) return;
  const target = targetOf(step);
  box.replaceChildren(
    el('h4', {}, t('story.faults')),
    hits.faults.length
      ? el(
          'ul',
          { 'data-testid': 'story-faults' },
          hits.faults.map((f) =>
            el(
              'li',
              {},
              el(
                'button',
                {
                  type: 'button',
                  class: 'link mono',
                  'data-testid': `story-fault-${f.name}`,
                  'data-goto-fault': f.name,
                  'data-component': f.components[0],
                },
                f.name,
              ),
              ` (${f.kind}${f.rule ? `, ${f.rule}` : ''})`,
            ),
          ),
        )
      : el('p', { class: 'hint', 'data-testid': 'story-faults-none' }, t('story.noFaults')),
    el('h4', {}, t('story.attacks')),
    hits.attacks.length
      ? el(
          'ul',
          { 'data-testid': 'story-attacks' },
          hits.attacks.map((f) =>
            el(
              'li',
              { 'data-testid': `story-attack-${f.name}`, title: f.description },
              el(
                'button',
                {
                  type: 'button',
                  class: 'link mono',
                  'data-goto-fault': f.name,
                  'data-component': f.components[0],
                },
                f.name,
              ),
              f.rule ? ` — ${f.rule}` : '',
            ),
          ),
        )
      : el('p', { class: 'hint', 'data-testid': 'story-attacks-none' }, t('story.noFaults')),
    hits.attacks.length
      ? el(
          'p',
          { class: 'hint' },
          t('story.attackHint', { command: '' }),
          el(
            'code',
            { 'data-testid': 'story-attack-command' },
            `kakehashi attack run --target self ${target} --only ${hits.attacks
              .slice(0, 3)
              .map((f) => f.name)
              .join(',')}`,
          ),
        )
      : '',
  );
}

/** The component whose validators a step's checks ran on (the target of `kakehashi attack run --target self`). */
function targetOf(step) {
  for (const n of step.hops) {
    const e = state.sequence.hops[n - 1]?.event;
    if (!e?.verdict) continue;
    if (e.component === 'hub') return state.config.hubUrl;
    const node = state.config.nodes.find((x) => x.country === e.country);
    if (node) return node.url;
  }
  return state.config.hubUrl;
}

/** Opens the Faults tab at one fault (its component's list unfolded, the row marked). */
export async function gotoFault(name, component) {
  showTab('faults');
  await loadFaults();
  const row = document.querySelector(`[data-testid="fault-${component}-${name}"]`);
  if (!row) return;
  const box = row.closest('details');
  if (box) box.open = true;
  for (const r of document.querySelectorAll('tr.flash')) r.classList.remove('flash');
  row.classList.add('flash');
  row.scrollIntoView({ block: 'center' });
}

/** Wires the story's controls (delegated: the story is redrawn at every step). */
export function wireStory() {
  $('scenario-report').addEventListener('click', (ev) => {
    const li = ev.target.closest('[data-step]');
    if (li && state.story) void goStep(Number(li.dataset.step));
  });
  $('scenario-report').addEventListener('keydown', (ev) => {
    const li = ev.target.closest('[data-step]');
    if (li && state.story && (ev.key === 'Enter' || ev.key === ' ')) {
      ev.preventDefault();
      void goStep(Number(li.dataset.step));
    }
  });
  $('story-card').addEventListener('click', (ev) => {
    const go = ev.target.closest('[data-story-go]');
    if (go) void goStep(Number(go.dataset.storyGo));
    const f = ev.target.closest('[data-goto-fault]');
    if (f) void gotoFault(f.dataset.gotoFault, f.dataset.component);
  });
  document.addEventListener('keydown', (ev) => {
    if (!state.story || ev.target.closest('input, textarea, select')) return;
    if (ev.key === 'ArrowRight') void goStep(state.story.current + 1);
    if (ev.key === 'ArrowLeft') void goStep(state.story.current - 1);
  });
}
