// The sequence diagram of a trace, drawn as SVG: one lifeline per component, one row per hop.
// Everything shown comes from the federation and may be attacker-controlled (a trace artefact is whatever a
// component recorded), so every value is put in the page with textContent or setAttribute — never as markup.
import { $, clear, el, short, svg } from './dom.js';
import { selectHop } from './inspector.js';
import { t } from './lang.js';
import { state } from './state.js';
import { foldRows, markSetup } from './story-model.js';

// ---- sequence diagram ----------------------------------------------------------------------------------
const COL = 180;
const ROW = 30;
const TOP = 56;
const MAX_HOPS = 600;
const BADGE_COL = 210;

/**
 * Draws a trace. Setup hops (registry lookups, key, metadata and trusted-list fetches, Japan's code issuance) are
 * folded by default into one row per run of them, which opens on a click; folded hops stay in the drawing,
 * hidden, so every hop of the trace is still there to select.
 */
export function drawDiagram(seq) {
  const wrap = clear($('diagram-wrap'));
  const hops = seq.hops.slice(0, MAX_HOPS);
  markSetup(seq);
  const rows = foldRows(hops, (first) => state.openFolds.has(first));
  const rowOf = new Map();
  for (const [i, r] of rows.entries()) if (r.kind === 'hop') rowOf.set(r.hop.n, i);
  const x = new Map(seq.lifelines.map((l, i) => [l.key, 20 + COL / 2 + i * COL]));
  // A column on the right for the fault badges, when a hop carries one.
  const badges = hops.some((h) => h.faults.length > 0) ? BADGE_COL : 0;
  const width = Math.max(40 + seq.lifelines.length * COL, 400) + badges;
  const height = TOP + rows.length * ROW + 20;
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
    // Named by the role the component plays in this trace; the key (node:DE, jp:network) underneath.
    const head = svg('g', { class: `lifeline-head ${l.key === 'hub' ? 'hub' : ''}`, 'data-role': l.label });
    head.append(svg('rect', { x: cx - COL / 2 + 6, y: 4, width: COL - 12, height: 34, rx: 4 }));
    head.append(svg('text', { class: 'role', x: cx, y: 19, 'text-anchor': 'middle' }, short(l.label, 28)));
    head.append(
      svg('text', { x: cx, y: 33, 'text-anchor': 'middle', 'font-size': 10, fill: '#5b6475' }, short(l.key, 30)),
    );
    head.append(svg('title', {}, `${l.label} (${l.key})`));
    g.append(head);
    root.append(g);
  }
  for (const [i, r] of rows.entries()) {
    if (r.kind !== 'fold') continue;
    root.append(foldRow(r, TOP + i * ROW + ROW / 2, width, seq));
  }
  for (const h of hops) {
    const row = rowOf.get(h.n);
    const folded = row === undefined;
    const y = TOP + (row ?? 0) * ROW + ROW / 2;
    const faulted = h.faults.length > 0;
    const g = svg('g', {
      class: `hop ${h.kind} ${h.tone}${faulted ? ' faulted' : ''}${h.setup ? ' setup' : ''}`,
      'data-setup': h.setup,
      'data-folded': folded ? 'true' : undefined,
      display: folded ? 'none' : undefined,
      'data-testid': `hop-${h.n}`,
      'data-kind': h.kind,
      'data-from': h.from,
      'data-to': h.to,
      'data-tone': h.tone,
      'data-faults': faulted ? h.faults.join(' ') : undefined,
      tabindex: 0,
      role: 'button',
      'aria-label': `hop ${h.n}: ${h.label}${faulted ? ` (fault: ${h.faults.join(', ')})` : ''}`,
    });
    g.append(svg('rect', { class: 'hit', x: 0, y: y - ROW / 2, width, height: ROW }));
    g.append(svg('text', { class: 'num', x: 4, y: y + 4 }, String(h.n)));
    g.append(svg('title', {}, `${h.n}. ${h.label}${faulted ? ` — FAULT: ${h.faults.join(', ')}` : ''}`));
    // A deliberate misbehaviour is marked where it happened: a badge on the hop's row, in the right-hand column.
    if (faulted)
      g.append(
        svg(
          'text',
          { class: 'fault-badge', 'data-testid': `fault-badge-${h.n}`, x: width - BADGE_COL + 8, y: y + 4 },
          `⚠ fault: ${short(h.faults.join(', '), 26)}`,
        ),
      );
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
  fitLifelineHeads(root);
  if (state.story) highlightHops(state.story.steps[state.story.current]?.hops ?? []);
  if (seq.hops.length > MAX_HOPS)
    wrap.append(el('p', { class: 'hint' }, `Showing the first ${MAX_HOPS} of ${seq.hops.length} hops.`));
}

const KIND_ORDER = ['codes', 'registry', 'keys', 'metadata', 'trust', 'discovery', 'directory', 'personas'];

/** A row standing for a run of setup hops: folded (one row for all) or open (a header above them). */
function foldRow(r, y, width, seq) {
  const kinds = Object.entries(r.kinds)
    .sort(([a], [b]) => KIND_ORDER.indexOf(a) - KIND_ORDER.indexOf(b))
    .map(([k, n]) => `${t(`setup.${k}`)} ×${n}`)
    .join(', ');
  const g = svg('g', {
    class: `fold${r.open ? ' open' : ''}`,
    'data-testid': `fold-${r.first}`,
    'data-count': r.hops.length,
    'data-hops': r.hops.join(' '),
    'data-open': String(Boolean(r.open)),
    tabindex: 0,
    role: 'button',
    'aria-expanded': String(Boolean(r.open)),
  });
  const text = r.open ? t('fold.open', { count: r.hops.length }) : t('fold.summary', { count: r.hops.length, kinds });
  g.append(svg('rect', { class: 'hit', x: 0, y: y - ROW / 2 + 3, width, height: ROW - 6, rx: 4 }));
  g.append(svg('text', { class: 'label', x: 28, y: y + 4 }, short(text, Math.floor(width / 6.4))));
  g.append(svg('title', {}, text));
  const toggle = () => {
    if (r.open) state.openFolds.delete(r.first);
    else state.openFolds.add(r.first);
    drawDiagram(seq);
  };
  g.addEventListener('click', toggle);
  g.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      toggle();
    }
  });
  return g;
}

/** Marks the hops of the story's current step (and the folds that hold any of them); the rest is dimmed. */
export function highlightHops(ns) {
  const mine = new Set(ns.map(String));
  const svgRoot = document.querySelector('svg.diagram');
  if (!svgRoot) return;
  svgRoot.classList.toggle('story-active', mine.size > 0);
  for (const g of svgRoot.querySelectorAll('.hop')) g.classList.toggle('in-step', mine.has(g.dataset.testid.slice(4)));
  for (const g of svgRoot.querySelectorAll('.fold'))
    g.classList.toggle(
      'in-step',
      g.dataset.hops.split(' ').some((n) => mine.has(n)),
    );
}

/**
 * Each lifeline head's texts shortened (with …) until they fit their box, measured as drawn: a character count
 * cannot know that a Japanese role name is twice as wide as a Latin one. The whole name stays in the head's title.
 */
function fitLifelineHeads(root) {
  const room = COL - 20;
  for (const text of root.querySelectorAll('.lifeline-head text')) {
    const full = text.textContent ?? '';
    let n = full.length;
    while (n > 1 && text.getComputedTextLength() > room) {
      n -= 1;
      text.textContent = `${full.slice(0, n)}…`;
    }
  }
}
