// The story of a trace, for teaching: which hops are setup (folded by default), which hops each step of a
// scenario caused, what to show beside a step, which faults and attacks target it, and what to call the trace.
// Pure: no DOM (the browser loads it as it is, the unit tests import it). Trace events are attacker-controlled.
import { tr } from './i18n.js';
import { jpCallOf, pathOf } from './roles.js';

// Plumbing a component does before (or while) it serves the request that matters: looking peers up in the
// registry, fetching keys, metadata, trusted lists and directories, and Japan's code issuance. `kind` names the
// group in the fold's summary.
const SETUP = [
  ['registry', /^\/registry\/nodes(?:\/|$)/],
  ['keys', /^\/(?:oidc\/jwks|\.well-known\/|jp\/network\/agencies\/[^/]+\/e2e-key)/],
  ['metadata', /^\/(?:metadata|saml\/(?:idp|sp)\/metadata)(?:\/|$)/],
  ['trust', /^\/trust\/(?:lotl|tl|crl)/],
  ['discovery', /^\/discovery\//],
  ['directory', /^\/(?:data-service-directory|evidence-broker)\//],
  ['codes', /^\/jp\/(?:network\/(?:acquisition-numbers|issuance)|jlis\/code-requests)(?:\/|$)/],
  ['personas', /^\/personas\/?$/],
];

/** The kind of setup an event is (`registry`, `keys`, `codes` …), or undefined when it is part of the story. */
export function setupKindOf(event) {
  const op = String(event?.operation ?? '');
  if (op === 'jp-network: code issued') return 'codes';
  const path = jpCallOf(op) ? pathOf(op.slice(op.indexOf(': ', 12) + 2)) : pathOf(op);
  if (!path) return undefined;
  for (const [kind, re] of SETUP) if (re.test(path)) return kind;
  return undefined;
}

/**
 * Marks the setup hops of a sequence: a hop of a setup kind, and everything below it. A request the scenario
 * (or a citizen) made itself stays in the story even when it is a lookup — the federation scenario is about them —
 * except the test personas it reads. Returns the sequence's hops, each with `setup` (a kind or undefined).
 */
export function markSetup(seq) {
  const hops = Array.isArray(seq?.hops) ? seq.hops : [];
  const setupOfIndex = new Map();
  for (const h of hops) {
    const own = setupKindOf(h.event);
    const inherited = h.parent !== undefined ? setupOfIndex.get(h.parent) : undefined;
    const kind = inherited ?? (own && (h.depth > 0 || own === 'personas') ? own : undefined);
    if (kind) setupOfIndex.set(h.index, kind);
    h.setup = kind;
  }
  return hops;
}

/**
 * The rows of the diagram: each run of consecutive setup hops is a fold — one row for all of them, or, when
 * `isOpen(first hop's n)`, a header row followed by a row per hop — and every other hop a row of its own. A fold
 * says how many hops it holds, of which kinds, and which hops.
 */
export function foldRows(hops, isOpen = () => false) {
  const rows = [];
  let fold;
  for (const h of hops) {
    if (h.setup) {
      if (!fold) {
        fold = { kind: 'fold', first: h.n, hops: [], kinds: {}, open: Boolean(isOpen(h.n)) };
        rows.push(fold);
      }
      fold.hops.push(h.n);
      fold.kinds[h.setup] = (fold.kinds[h.setup] ?? 0) + 1;
      if (fold.open) rows.push({ kind: 'hop', hop: h });
    } else {
      fold = undefined;
      rows.push({ kind: 'hop', hop: h });
    }
  }
  return rows;
}

/**
 * Which step of a scenario run each hop belongs to. A step's report lists the span ids of the `traceparent`s its
 * requests carried (`spans`, one per request): a top-level hop whose parent span is one of them is that step's,
 * and so is everything below it. Steps may share a span (a browser flow that keeps one `traceparent`): the
 * top-level hops with that parent go to those steps in turn, one per request. A top-level hop no step names
 * (work a component did later on its own: an AS4 resend, a response sent after the request) goes with the step
 * of the top-level hop before it.
 * @returns a step index (0-based) per hop, in diagram order; -1 when no step can be told.
 */
export function assignSteps(hops, steps) {
  const queues = new Map();
  for (const [i, s] of (Array.isArray(steps) ? steps : []).entries())
    for (const span of Array.isArray(s?.spans) ? s.spans : []) {
      if (typeof span !== 'string') continue;
      const q = queues.get(span) ?? { next: 0, steps: [] };
      q.steps.push(i);
      queues.set(span, q);
    }
  const rootStep = new Map();
  for (const h of hops) {
    if (h.depth !== 0) continue;
    const q = queues.get(h.event?.parentSpanId);
    if (!q) continue;
    // one request per entry; a request that became several top-level hops keeps its step
    rootStep.set(h.n, q.steps[Math.min(q.next, q.steps.length - 1)]);
    q.next++;
  }
  const out = [];
  let current = rootStep.size > 0 ? [...rootStep.values()][0] : -1;
  for (const h of hops) {
    if (h.depth === 0 && rootStep.has(h.n)) current = rootStep.get(h.n);
    out.push(current);
  }
  return out;
}

/**
 * The hop worth showing beside a step: a failed verdict, else the last verdict that lists checks (the ID token's
 * J-rules rather than the connector's summary after them), else the last verdict, else the last artefact — looked
 * for in the story's hops first, then in its setup — else its first hop.
 */
export function focusHop(hops) {
  const story = hops.filter((h) => !h.setup);
  for (const pool of [story, hops]) {
    const hit =
      pool.find((h) => h.event?.verdict && h.tone === 'fail') ??
      pool.findLast((h) => Array.isArray(h.event?.verdict?.checks) && h.event.verdict.checks.length > 0) ??
      pool.findLast((h) => h.event?.verdict) ??
      pool.findLast((h) => h.event?.artefact !== undefined);
    if (hit) return hit;
  }
  return story[0] ?? hops[0];
}

/**
 * The story of a run: one entry per step, with its hops (numbers), the hop to show beside it, the rule ids its
 * hops checked and the blocks they touched (what the faults and attacks that target the step are matched on).
 * Titled in `lang` (`ja`: a step's `titleJa` when the scenario gives one).
 */
export function buildStory(seq, report, lang = 'en') {
  const hops = markSetup(seq);
  const steps = Array.isArray(report?.steps) ? report.steps : [];
  const of = assignSteps(hops, steps);
  return steps.map((s, i) => {
    const mine = hops.filter((_, k) => of[k] === i);
    const rules = new Set();
    const blocks = new Set();
    const fired = new Set();
    for (const h of mine) {
      for (const c of Array.isArray(h.event?.verdict?.checks) ? h.event.verdict.checks : [])
        if (c && typeof c.rule === 'string' && /^[A-Z]\d{1,3}$/.test(c.rule)) rules.add(c.rule);
      const b = blockOf(h.event);
      if (b) blocks.add(b);
      for (const f of h.faults) fired.add(f);
    }
    return {
      n: i + 1,
      // a step's Japanese title when the scenario gives one (its detail is what the federation answered: as is)
      title: String((lang === 'ja' && typeof s?.titleJa === 'string' && s.titleJa) || (s?.title ?? '')),
      detail: String(s?.detail ?? ''),
      ok: s?.ok === true,
      hops: mine.map((h) => h.n),
      focus: mine.length > 0 ? focusHop(mine)?.n : undefined,
      rules: [...rules],
      blocks: [...blocks],
      fired: [...fired],
    };
  });
}

/** The fault block (as `GET /admin/faults` names them) a hop belongs to. */
export function blockOf(event) {
  const op = String(event?.operation ?? '');
  const path = pathOf(op) ?? '';
  if (/^eid relay|^\/eid\/proxy\//.test(op) || /^\/eid\/proxy\//.test(path)) return 'hub';
  if (/^\/discovery\//.test(path)) return 'hub';
  if (/^(?:oidc|eid|saml)\b/.test(op) || /^\/(?:oidc|eid|saml)\//.test(path)) return 'eid';
  if (/^edelivery/.test(op) || /^\/(?:as4|edelivery)(?:\/|$)/.test(path)) return 'edelivery';
  if (/^esig/.test(op) || /^\/esig\//.test(path)) return 'esig';
  if (/^evidence/.test(op) || /^\/evidence\//.test(path)) return 'evidence';
  if (/^ocsp|^trust/.test(op) || /^\/trust\//.test(path)) return 'trust';
  if (/^jp-network/.test(op) || /^\/(?:admin\/)?jp\//.test(path)) return 'jp-network';
  return undefined;
}

/**
 * The faults (as the Faults tab lists them: `{name, block, kind, rule}`) that target a step: one whose rule id is
 * a rule the step's hops checked, one that fired on them, or — for a fault that names no rule (an outage, an
 * incident) — one of a block the step touched. Attacks are the forge faults among them (the attack runner's
 * catalogue has one case per forge fault, by the same name).
 */
export function faultsForStep(step, faults) {
  const list = Array.isArray(faults) ? faults : [];
  const rules = new Set(step?.rules ?? []);
  const blocks = new Set(step?.blocks ?? []);
  const fired = new Set(step?.fired ?? []);
  const seen = new Set();
  const hits = [];
  for (const f of list) {
    if (!f || typeof f.name !== 'string' || seen.has(f.name)) continue;
    const ruleId = typeof f.rule === 'string' ? /^([A-Z]\d{1,3})\b/.exec(f.rule)?.[1] : undefined;
    const match = fired.has(f.name) || (ruleId ? rules.has(ruleId) : blocks.has(f.block));
    if (!match) continue;
    seen.add(f.name);
    hits.push(f);
  }
  return {
    faults: hits.filter((f) => f.kind !== 'forge'),
    attacks: hits.filter((f) => f.kind === 'forge'),
  };
}

/**
 * What a trace is called: the scenario it was a run of, else its first request from outside the federation
 * (the first top-level arrow), never merely the first event recorded (a lookup made inside that request).
 */
export function traceTitle(seq, scenario) {
  if (typeof scenario === 'string' && scenario) return scenario;
  const hops = Array.isArray(seq?.hops) ? seq.hops : [];
  const first = hops.find((h) => h.depth === 0 && h.kind === 'arrow') ?? hops[0];
  return first ? String(first.event?.operation ?? first.label) : '';
}

/** `hub` or a country code, as the undo and the reset name a component, in `lang`. */
const whoName = (lang, who) => (who === 'hub' ? tr(lang, 'undo.hub') : tr(lang, 'undo.node', { cc: who }));
/** An instant as people read it: `2026-12-03 07:44:34 UTC`. */
const instant = (iso) =>
  String(iso)
    .replace('T', ' ')
    .replace(/(?:\.\d+)?Z$/, ' UTC');

/**
 * What undoing a scenario run did (a report's `undo`: `{restored, actions, problems}`, see the federation's
 * scenario-undo), in plain words in `lang`: one sentence per thing put back, whether the federation is as before,
 * and what could not be put back (as the federation said it). An action of a form not known is shown as it is.
 * @returns undefined when the report carries no undo (a run not started from the console or the CLI).
 */
export function undoLines(undo, lang) {
  if (!undo || typeof undo !== 'object') return undefined;
  const actions = Array.isArray(undo.actions) ? undo.actions.map(String) : [];
  const lines = [];
  for (const a of actions) {
    const clock = /^clock set back to (\S+?)( \(frozen\))?$/.exec(a);
    const revocation = /^revocation of serial (\S+) taken back$/.exec(a);
    const faults = /^([A-Za-z]{2}|hub): (.+)$/.exec(a);
    if (clock) lines.push(tr(lang, clock[2] ? 'undo.clockFrozen' : 'undo.clock', { at: instant(clock[1]) }));
    else if (revocation) lines.push(tr(lang, 'undo.revocation', { serial: revocation[1] }));
    else if (faults) {
      for (const part of faults[2].split('; ')) {
        const off = /^switched off (.+)$/.exec(part);
        const on = /^switched on again (.+)$/.exec(part);
        const who = whoName(lang, faults[1]);
        if (off) lines.push(tr(lang, 'undo.faultsOff', { who, list: off[1] }));
        else if (on) lines.push(tr(lang, 'undo.faultsOn', { who, list: on[1] }));
        else lines.push(a);
      }
    } else lines.push(a);
  }
  if (lines.length === 0) lines.push(tr(lang, 'undo.none'));
  const problems = Array.isArray(undo.problems) ? undo.problems.map(String) : [];
  return { lines, restored: undo.restored === true, problems };
}

/**
 * What the hub's `POST /admin/reset` answered it did, in plain words in `lang`: the registry kept, the
 * revocations taken back, the clock, the faults still on, the traces, and each node's reset (a line per node
 * and step that failed, else one line for all).
 */
export function resetLines(answer, lang) {
  const a = answer && typeof answer === 'object' ? answer : {};
  const out = [tr(lang, 'reset.done')];
  const kept = Array.isArray(a.registry?.kept) ? a.registry.kept.map(String) : [];
  out.push(
    kept.length
      ? tr(lang, 'reset.registry', { count: kept.length, list: kept.join(', ') })
      : tr(lang, 'reset.registryNone'),
  );
  const undone = Array.isArray(a.revocationsUndone) ? a.revocationsUndone : [];
  out.push(
    undone.length
      ? tr(lang, 'reset.revocations', {
          count: undone.length,
          list: undone.map((r) => String(r?.name ?? r?.serialHex ?? '?')).join(', '),
        })
      : tr(lang, 'reset.revocationsNone'),
  );
  if (a.clock && typeof a.clock.now === 'string')
    out.push(
      tr(lang, 'reset.clock', {
        at: instant(a.clock.now),
        mode: tr(lang, a.clock.frozen ? 'clock.frozen' : 'clock.running'),
      }),
    );
  const faults = Array.isArray(a.faults) ? a.faults.map(String) : [];
  out.push(faults.length ? tr(lang, 'reset.faults', { list: faults.join(', ') }) : tr(lang, 'reset.faultsNone'));
  if (a.tracesCleared === true) out.push(tr(lang, 'reset.traces'));
  const nodes = Array.isArray(a.nodes) ? a.nodes : [];
  const failed = [];
  for (const n of nodes)
    for (const what of ['reset', 'clock', 'trustRefreshed'])
      if (n?.[what]?.ok !== true)
        failed.push(
          tr(lang, 'reset.nodeFailed', {
            cc: String(n?.country ?? '?'),
            what: tr(lang, `reset.what.${what}`),
            detail: n?.[what]?.detail ? ` (${String(n[what].detail)})` : '',
          }),
        );
  if (nodes.length && failed.length === 0)
    out.push(tr(lang, 'reset.nodesOk', { list: nodes.map((n) => String(n?.country ?? '?')).join(', ') }));
  out.push(...failed);
  return { lines: out, ok: failed.length === 0 };
}
