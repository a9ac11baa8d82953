// The header and the side panel's status: the topology (polled) and the virtual clock (shown and moved).
// Everything shown comes from the federation and may be attacker-controlled (a trace artefact is whatever a
// component recorded), so every value is put in the page with textContent or setAttribute — never as markup.
import { $, api, el, getJson } from './dom.js';
import { lang, t } from './lang.js';
import { state } from './state.js';
import { resetLines } from './story-model.js';

// ---- topology ----------------------------------------------------------------------------------------
export async function loadTopology() {
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
export async function pollTime() {
  try {
    const h = await getJson('/health');
    if (typeof h.time === 'string') showTime(h.time);
  } catch {
    /* the topology shows the hub as unreachable */
  }
}
// The admin token the page has (prefilled only when it is the published test default): the clock and scenario
// runs, which change the federation's state, send it.
export function adminHeaders() {
  return { authorization: `Bearer ${$('clock-token').value.trim()}`, 'content-type': 'application/json' };
}
export async function loadClockState() {
  if (!$('clock-token').value.trim()) return;
  try {
    const c = await getJson('/admin/clock', { headers: adminHeaders() });
    showTime(c.now, c.frozen);
  } catch {
    /* shown when an action is tried */
  }
}
export async function clockAction(button) {
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

// ---- federation reset ----------------------------------------------------------------------------------
/**
 * Resets the whole federation (the hub's POST /admin/reset, with the admin token beside the clock) and shows what
 * the hub answered it did: registry kept, revocations taken back, clock, faults, traces, each node. Then the
 * topology, the clock and the traces are read again.
 */
export async function resetFederation(after = async () => {}) {
  const status = $('federation-reset-status');
  const button = $('federation-reset');
  status.className = 'status';
  status.textContent = t('reset.running');
  button.disabled = true;
  try {
    const answer = await getJson('/admin/reset', { method: 'POST', headers: adminHeaders(), body: '{}' });
    const { lines, ok } = resetLines(answer, lang);
    status.className = `status${ok ? '' : ' error'}`;
    status.dataset.done = 'true';
    status.replaceChildren(
      el(
        'ul',
        { class: 'reset-lines', 'data-testid': 'federation-reset-lines' },
        lines.map((line) => el('li', {}, line)),
      ),
    );
    if (answer.clock?.now) showTime(answer.clock.now, answer.clock.frozen);
    await Promise.all([loadTopology(), after()]);
  } catch (e) {
    status.className = 'status error';
    status.textContent = e.status === 401 ? t('reset.refused') : t('reset.failed', { message: e.message });
  } finally {
    button.disabled = false;
  }
}
