// The hop inspector: what a hop is, its decoded artefact and the verdict of every check.
// Everything shown comes from the federation and may be attacker-controlled (a trace artefact is whatever a
// component recorded), so every value is put in the page with textContent or setAttribute — never as markup.
import { $, clear, el } from './dom.js';
import { t } from './lang.js';
import { state } from './state.js';
import { artefactSections, explainOperation, verdictRows } from './trace-model.js';

// ---- hop inspector -------------------------------------------------------------------------------------
export function selectHop(n, { reveal = false } = {}) {
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
  if (hop.faults.length > 0)
    box.append(
      el(
        'p',
        { class: 'fault-note', 'data-testid': 'inspector-faults', role: 'note' },
        el('strong', {}, t('insp.faultFired')),
        el('span', { class: 'mono' }, hop.faults.join(', ')),
        t('insp.faultNote'),
      ),
    );
  const fields = [
    [t('insp.where'), hop.kind === 'arrow' ? `${hop.from} → ${hop.to}` : hop.from],
    [t('insp.direction'), e.direction],
    [t('insp.time'), e.time],
    [t('insp.status'), e.status],
    [t('insp.duration'), typeof e.durationMs === 'number' ? `${e.durationMs} ms` : undefined],
    [t('insp.peer'), e.peer],
    [
      t('insp.span'),
      e.spanId ? `${e.spanId}${e.parentSpanId ? ` (${t('insp.parent')} ${e.parentSpanId})` : ''}` : undefined,
    ],
  ].filter(([, v]) => v !== undefined && v !== null && v !== '');
  box.append(
    el(
      'dl',
      { class: 'fields', 'data-testid': 'inspector-fields' },
      fields.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, String(v))]),
    ),
  );

  box.append(...decodedNodes(e));
  if (reveal) box.firstElementChild?.scrollIntoView({ block: 'center' });
}

/** The decoded artefact of an event (its sections as tables, the whole as JSON) and the verdict of every check. */
export function decodedNodes(e) {
  const out = [];
  if (e.artefact !== undefined) {
    out.push(el('h3', {}, t('insp.artefact')));
    const type =
      e.artefact && typeof e.artefact === 'object' && typeof e.artefact.type === 'string' ? e.artefact.type : undefined;
    if (type)
      out.push(
        el(
          'p',
          { class: 'hint' },
          `${t('insp.type', { type })}${e.artefact.unverified === true ? t('insp.unverified') : ''}`,
        ),
      );
    for (const s of artefactSections(e.artefact)) {
      const title = t(`insp.section.${s.key}`);
      out.push(
        el('h3', { 'data-testid': `section-${s.key}` }, title === `insp.section.${s.key}` ? s.title : title),
        el(
          'table',
          { 'data-testid': `artefact-${s.key}` },
          el('thead', {}, el('tr', {}, el('th', {}, t('insp.name')), el('th', {}, t('insp.value')), el('th', {}, ''))),
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
    out.push(
      el(
        'details',
        { open: artefactSections(e.artefact).length === 0 ? '' : undefined },
        el('summary', { 'data-testid': 'artefact-json-toggle' }, t('insp.json')),
        el('pre', { class: 'json', 'data-testid': 'artefact-json' }, JSON.stringify(e.artefact, null, 2)),
      ),
    );
  }
  if (e.verdict && typeof e.verdict === 'object') {
    const rows = verdictRows(e.verdict);
    out.push(
      el('h3', {}, t('insp.verdict')),
      el(
        'p',
        { class: `verdict-summary ${e.verdict.valid === true ? 'ok' : 'fail'}`, 'data-testid': 'verdict-summary' },
        e.verdict.valid === true
          ? t('insp.valid', { count: rows.length })
          : t('insp.refused', { count: rows.filter((r) => r.outcome === 'failed').length }),
      ),
    );
    if (rows.length)
      out.push(
        el(
          'table',
          { 'data-testid': 'verdict-table' },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              ['insp.rule', 'insp.check', 'insp.outcome', 'insp.reason'].map((h) => el('th', {}, t(h))),
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
                el(
                  'td',
                  { class: 'outcome', 'data-outcome': r.outcome },
                  ['passed', 'failed', 'skipped'].includes(r.outcome) ? t(`outcome.${r.outcome}`) : r.outcome,
                ),
                el('td', {}, r.code ? `${r.reason} (${r.code})` : r.reason),
              ),
            ),
          ),
        ),
      );
  }
  return out;
}
