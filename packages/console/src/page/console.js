// The teaching console in the browser: vanilla DOM, no framework, no build step, no CDN.
// Everything shown comes from the federation and may be attacker-controlled (a trace artefact is whatever a
// component recorded), so every value is put in the page with textContent or setAttribute — never as markup.
import { artefactSections, buildSequence, explainOperation, RULE_FAMILIES, verdictRows } from './trace-model.js';

const BASE = document.body.dataset.base || '/console';
const api = (path) => `${BASE}/api${path}`;
const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

const state = {
  config: { hubUrl: location.origin, nodes: [], defaultAdminToken: null },
  traceId: null,
  traceHops: 0,
  events: [],
  sequence: null,
  selected: 0,
  clock: { frozen: null },
  lastTraces: '',
};

// ---- DOM helpers -------------------------------------------------------------------------------------
/** An element with attributes (fixed names only) and children (strings become text nodes). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs))
    if (v !== undefined && v !== null && v !== false) node.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== undefined && c !== null) node.append(c instanceof Node ? c : String(c));
  return node;
}
const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = String(text);
  return node;
}
function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

async function getJson(url, init) {
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

const short = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

// ---- tabs ----------------------------------------------------------------------------------------------
function showTab(name) {
  for (const b of document.querySelectorAll('[role="tab"]'))
    b.setAttribute('aria-selected', String(b.dataset.tab === name));
  for (const p of document.querySelectorAll('[data-panel]')) p.hidden = p.dataset.panel !== name;
  if (name === 'portal') void loadPortal();
  if (name === 'personas' && !$('personas-view').firstChild) void loadPersonas(state.config.nodes[0]?.country);
}

// ---- topology ----------------------------------------------------------------------------------------
async function loadTopology() {
  const map = $('topology-map');
  try {
    const t = await getJson(api('/topology'));
    const cards = [card('hub', 'hub', t.hub), ...t.nodes.map((n) => card(`node-${n.country}`, 'node', n))];
    map.replaceChildren(...cards);
  } catch (e) {
    map.replaceChildren(el('p', { class: 'error' }, `topology unavailable: ${e.message}`));
  }
}
function card(id, kind, c) {
  const title = kind === 'hub' ? 'hub — Core Service Platform' : `node:${c.country} — ${c.name || c.country}`;
  const meta =
    c.status === 'ok'
      ? kind === 'hub'
        ? `${c.url} · ${c.registeredNodes ?? '?'} nodes registered`
        : `${c.url} · ${c.registered ? 'registered' : 'not registered'} · trust ${c.trust || '?'}`
      : `${c.url} · ${c.status}${c.detail ? `: ${c.detail}` : ''}`;
  return el(
    'div',
    { class: `component ${kind}`, 'data-testid': `topology-${id}`, 'data-status': c.status },
    el('span', { class: 'dot', title: c.status }),
    el('span', { class: 'name' }, title),
    el('span', { class: 'meta' }, meta),
  );
}

// ---- clock ---------------------------------------------------------------------------------------------
function showTime(iso, frozen) {
  const out = $('clock-time');
  out.dataset.iso = iso;
  out.textContent = iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  if (frozen !== undefined && frozen !== null) state.clock.frozen = frozen;
  const mode = $('clock-mode');
  mode.textContent = state.clock.frozen === null ? 'state unknown' : state.clock.frozen ? 'frozen' : 'running';
  mode.className = `pill${state.clock.frozen ? ' frozen' : ''}`;
}
async function pollTime() {
  try {
    const h = await getJson('/health');
    if (typeof h.time === 'string') showTime(h.time);
  } catch {
    /* the topology shows the hub as unreachable */
  }
}
function adminHeaders() {
  return { authorization: `Bearer ${$('clock-token').value.trim()}`, 'content-type': 'application/json' };
}
async function loadClockState() {
  if (!$('clock-token').value.trim()) return;
  try {
    const c = await getJson('/admin/clock', { headers: adminHeaders() });
    showTime(c.now, c.frozen);
  } catch {
    /* shown when an action is tried */
  }
}
async function clockAction(button) {
  const status = $('clock-status');
  const body = { action: button.dataset.action };
  if (button.dataset.by) body.by = button.dataset.by;
  status.className = 'status';
  status.textContent = `${body.action}${body.by ? ` ${body.by}` : ''}…`;
  try {
    const c = await getJson('/admin/clock', { method: 'POST', headers: adminHeaders(), body: JSON.stringify(body) });
    showTime(c.now, c.frozen);
    const days = Math.round((c.offsetMs / 86_400_000) * 100) / 100;
    status.textContent = `${body.action} done: ${c.frozen ? 'frozen' : 'running'}, ${days} days from real time (every node follows the hub's clock)`;
  } catch (e) {
    status.className = 'status error';
    status.textContent =
      e.status === 401 ? 'refused: enter the admin token (option adminToken)' : `refused: ${e.message}`;
  }
}

// ---- scenarios -----------------------------------------------------------------------------------------
async function loadScenarios() {
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
async function runScenario(name) {
  const buttons = document.querySelectorAll('[data-scenario]');
  for (const b of buttons) b.disabled = true;
  const out = $('scenario-report');
  out.replaceChildren(el('p', { 'data-testid': 'scenario-running' }, `Running ${name}…`));
  try {
    const r = await getJson(api(`/scenarios/${encodeURIComponent(name)}/run`), { method: 'POST' });
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
      el('p', { class: 'error', 'data-testid': 'scenario-error' }, `${name} could not run: ${e.message}`),
    );
  } finally {
    for (const b of buttons) b.disabled = false;
  }
}

// ---- traces --------------------------------------------------------------------------------------------
async function loadTraces() {
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

async function openTrace(traceId, { keepSelection = false } = {}) {
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

// ---- sequence diagram ----------------------------------------------------------------------------------
const COL = 200;
const ROW = 30;
const TOP = 56;
const MAX_HOPS = 600;

function drawDiagram(seq) {
  const wrap = clear($('diagram-wrap'));
  const hops = seq.hops.slice(0, MAX_HOPS);
  const x = new Map(seq.lifelines.map((l, i) => [l.key, 20 + COL / 2 + i * COL]));
  const width = Math.max(40 + seq.lifelines.length * COL, 400);
  const height = TOP + hops.length * ROW + 20;
  const root = svg('svg', {
    class: 'diagram',
    'data-testid': 'diagram',
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': `Sequence diagram with ${hops.length} hops`,
  });
  const defs = svg('defs');
  for (const tone of ['neutral', 'ok', 'fail']) {
    const m = svg('marker', {
      id: `arrow-${tone}`,
      viewBox: '0 0 10 10',
      refX: 9,
      refY: 5,
      markerWidth: 7,
      markerHeight: 7,
      orient: 'auto-start-reverse',
    });
    m.append(
      svg('path', {
        d: 'M0,0 L10,5 L0,10 z',
        fill: tone === 'ok' ? '#1a7f37' : tone === 'fail' ? '#b3261e' : '#3d4656',
      }),
    );
    defs.append(m);
  }
  root.append(defs);
  for (const l of seq.lifelines) {
    const cx = x.get(l.key);
    const g = svg('g', { class: 'lifeline', 'data-testid': `lifeline-${l.key}`, 'data-key': l.key });
    g.append(svg('line', { x1: cx, y1: 40, x2: cx, y2: height - 6 }));
    const head = svg('g', { class: `lifeline-head ${l.key === 'hub' ? 'hub' : ''}` });
    head.append(svg('rect', { x: cx - COL / 2 + 12, y: 6, width: COL - 24, height: 32, rx: 4 }));
    head.append(svg('text', { x: cx, y: 22, 'text-anchor': 'middle' }, l.key));
    head.append(
      svg('text', { x: cx, y: 34, 'text-anchor': 'middle', 'font-size': 10, fill: '#5b6475' }, short(l.label, 30)),
    );
    g.append(head);
    root.append(g);
  }
  for (const [i, h] of hops.entries()) {
    const y = TOP + i * ROW + ROW / 2;
    const g = svg('g', {
      class: `hop ${h.kind} ${h.tone}`,
      'data-testid': `hop-${h.n}`,
      'data-kind': h.kind,
      'data-from': h.from,
      'data-to': h.to,
      'data-tone': h.tone,
      tabindex: 0,
      role: 'button',
      'aria-label': `hop ${h.n}: ${h.label}`,
    });
    g.append(svg('rect', { class: 'hit', x: 0, y: y - ROW / 2, width, height: ROW }));
    g.append(svg('text', { class: 'num', x: 4, y: y + 4 }, String(h.n)));
    g.append(svg('title', {}, `${h.n}. ${h.label}`));
    const x1 = x.get(h.from);
    const x2 = x.get(h.to);
    if (h.kind === 'arrow' && x1 !== x2) {
      g.append(
        svg('line', { x1, y1: y + 6, x2: x2 + (x2 > x1 ? -2 : 2), y2: y + 6, 'marker-end': `url(#arrow-${h.tone})` }),
      );
      const mid = (x1 + x2) / 2;
      g.append(
        svg(
          'text',
          { class: 'label', x: mid, y: y + 1, 'text-anchor': 'middle' },
          short(h.label, Math.floor(Math.abs(x2 - x1) / 6.2 + 8)),
        ),
      );
    } else if (h.kind === 'arrow') {
      // A component calling itself: a small loop.
      g.append(
        svg('path', {
          d: `M${x1},${y - 6} h28 v12 h-26`,
          fill: 'none',
          stroke: '#3d4656',
          'marker-end': `url(#arrow-${h.tone})`,
        }),
      );
      g.append(svg('text', { class: 'label', x: x1 + 34, y: y + 4 }, short(h.label, 40)));
    } else {
      // A box on the component's lifeline, as wide as its text needs (up to about two columns).
      const text = short(h.label, 56);
      const w = Math.min(Math.max(COL - 16, text.length * 6.3 + 16), 2 * COL - 16);
      const left = Math.min(Math.max(x1 - w / 2, 22), width - w - 4);
      g.append(svg('rect', { class: 'box', x: left, y: y - 10, width: w, height: 20, rx: 3 }));
      g.append(svg('text', { class: 'label', x: left + w / 2, y: y + 4, 'text-anchor': 'middle' }, text));
    }
    g.addEventListener('click', () => selectHop(h.n, { reveal: true }));
    g.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        selectHop(h.n, { reveal: true });
      }
    });
    root.append(g);
  }
  wrap.append(root);
  if (seq.hops.length > MAX_HOPS)
    wrap.append(el('p', { class: 'hint' }, `Showing the first ${MAX_HOPS} of ${seq.hops.length} hops.`));
}

// ---- hop inspector -------------------------------------------------------------------------------------
function selectHop(n, { reveal = false } = {}) {
  const hop = state.sequence?.hops[n - 1];
  if (!hop) return;
  state.selected = n;
  for (const g of document.querySelectorAll('svg.diagram .hop'))
    g.classList.toggle('selected', g.dataset.testid === `hop-${n}`);
  const e = hop.event;
  const box = clear($('inspector'));
  box.dataset.hop = String(n);
  box.append(
    el('h3', { 'data-testid': 'inspector-operation' }, `${n}. ${String(e.operation ?? '')}`),
    el('p', { class: 'explain', 'data-testid': 'inspector-explain' }, explainOperation(e)),
  );
  const fields = [
    ['where', hop.kind === 'arrow' ? `${hop.from} → ${hop.to}` : hop.from],
    ['direction', e.direction],
    ['time (virtual)', e.time],
    ['status', e.status],
    ['duration', typeof e.durationMs === 'number' ? `${e.durationMs} ms` : undefined],
    ['peer', e.peer],
    ['span', e.spanId ? `${e.spanId}${e.parentSpanId ? ` (parent ${e.parentSpanId})` : ''}` : undefined],
  ].filter(([, v]) => v !== undefined && v !== null && v !== '');
  box.append(
    el(
      'dl',
      { class: 'fields', 'data-testid': 'inspector-fields' },
      fields.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, String(v))]),
    ),
  );

  if (e.artefact !== undefined) {
    box.append(el('h3', {}, 'Artefact (decoded)'));
    const type =
      e.artefact && typeof e.artefact === 'object' && typeof e.artefact.type === 'string' ? e.artefact.type : undefined;
    if (type)
      box.append(
        el(
          'p',
          { class: 'hint' },
          `type: ${type}${e.artefact.unverified === true ? ' — decoded before validation' : ''}`,
        ),
      );
    for (const s of artefactSections(e.artefact)) {
      box.append(
        el('h3', {}, s.title),
        el(
          'table',
          { 'data-testid': `artefact-${s.key}` },
          el('thead', {}, el('tr', {}, el('th', {}, 'name'), el('th', {}, 'value'), el('th', {}, ''))),
          el(
            'tbody',
            {},
            s.rows.map((r) =>
              el(
                'tr',
                { 'data-testid': `${s.key === 'claims' ? 'claim' : s.key}-${r.name}` },
                el('td', { class: 'mono' }, r.name),
                el('td', { class: 'mono' }, r.value),
                el('td', { class: 'note' }, r.note ?? ''),
              ),
            ),
          ),
        ),
      );
    }
    box.append(
      el(
        'details',
        { open: artefactSections(e.artefact).length === 0 ? '' : undefined },
        el('summary', { 'data-testid': 'artefact-json-toggle' }, 'as JSON'),
        el('pre', { class: 'json', 'data-testid': 'artefact-json' }, JSON.stringify(e.artefact, null, 2)),
      ),
    );
  }
  if (e.verdict && typeof e.verdict === 'object') {
    const rows = verdictRows(e.verdict);
    box.append(
      el('h3', {}, 'Verdict'),
      el(
        'p',
        { class: `verdict-summary ${e.verdict.valid === true ? 'ok' : 'fail'}`, 'data-testid': 'verdict-summary' },
        e.verdict.valid === true
          ? `valid — ${rows.length} checks`
          : `refused — ${rows.filter((r) => r.outcome === 'failed').length} failed check(s)`,
      ),
    );
    if (rows.length)
      box.append(
        el(
          'table',
          { 'data-testid': 'verdict-table' },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              ['rule', 'check', 'outcome', 'reason'].map((h) => el('th', {}, h)),
            ),
          ),
          el(
            'tbody',
            {},
            rows.map((r) =>
              el(
                'tr',
                { class: `outcome-${r.outcome}`, 'data-testid': `verdict-row-${r.rule}`, 'data-rule': r.rule },
                el('td', { class: 'mono rule' }, r.rule),
                el('td', {}, r.name),
                el('td', { class: 'outcome' }, r.outcome),
                el('td', {}, r.code ? `${r.reason} (${r.code})` : r.reason),
              ),
            ),
          ),
        ),
      );
  }
  if (reveal) box.firstElementChild?.scrollIntoView({ block: 'center' });
}

// ---- personas ------------------------------------------------------------------------------------------
async function loadPersonas(country) {
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
async function loadPortal() {
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

// ---- start ---------------------------------------------------------------------------------------------
async function start() {
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
