// The sequence diagram of a trace, drawn as SVG: one lifeline per component, one row per hop.
// Everything shown comes from the federation and may be attacker-controlled (a trace artefact is whatever a
// component recorded), so every value is put in the page with textContent or setAttribute — never as markup.
import { $, clear, el, short, svg } from './dom.js';
import { selectHop } from './inspector.js';

// ---- sequence diagram ----------------------------------------------------------------------------------
const COL = 200;
const ROW = 30;
const TOP = 56;
const MAX_HOPS = 600;
const BADGE_COL = 210;

export function drawDiagram(seq) {
  const wrap = clear($('diagram-wrap'));
  const hops = seq.hops.slice(0, MAX_HOPS);
  const x = new Map(seq.lifelines.map((l, i) => [l.key, 20 + COL / 2 + i * COL]));
  // A column on the right for the fault badges, when a hop carries one.
  const badges = hops.some((h) => h.faults.length > 0) ? BADGE_COL : 0;
  const width = Math.max(40 + seq.lifelines.length * COL, 400) + badges;
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
    const faulted = h.faults.length > 0;
    const g = svg('g', {
      class: `hop ${h.kind} ${h.tone}${faulted ? ' faulted' : ''}`,
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
  if (seq.hops.length > MAX_HOPS)
    wrap.append(el('p', { class: 'hint' }, `Showing the first ${MAX_HOPS} of ${seq.hops.length} hops.`));
}
