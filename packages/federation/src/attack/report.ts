import type { TargetKind } from './cases.ts';
import type { Outcome } from './probe.ts';

/** How one case ended. `unavailable`: the federation does not offer its fault; `skipped`: the baseline failed. */
export type CaseStatus = 'passed' | 'failed' | 'unavailable' | 'error' | 'skipped';

/** One case of a run, as every report format shows it. */
export interface CaseResult {
  id: string;
  rule: string;
  /** The fault asked for (null for the baseline). */
  fault: string | null;
  description: string;
  status: CaseStatus;
  /** What was sent: the fault and a decoded summary of the artefact where the runner saw it. */
  sent: { summary: string; artefact?: Record<string, unknown> | undefined };
  /** What the target did. */
  target: {
    outcome?: Outcome | undefined;
    status?: number | undefined;
    location?: string | undefined;
    url?: string | undefined;
    excerpt?: string | undefined;
  };
  /** Why the case passed or failed, in one sentence. */
  detail: string;
  durationMs: number;
}

/** A whole run: `report.json`. */
export interface AttackReport {
  tool: 'kakehashi attack';
  reportVersion: 1;
  target: { kind: TargetKind; url: string };
  node: string;
  startedAt: string;
  finishedAt: string;
  /**
   * The genuine artefact of each family the run covers, sent first: it must be accepted, else the run is
   * inconclusive and the family's cases are skipped.
   */
  baselines: CaseResult[];
  cases: CaseResult[];
  summary: { total: number; passed: number; failed: number; unavailable: number; error: number; skipped: number };
  /** `passed` only when every case passed; `inconclusive` when the baseline was not accepted. */
  verdict: 'passed' | 'failed' | 'inconclusive';
}

export function summarise(cases: readonly CaseResult[]): AttackReport['summary'] {
  const count = (s: CaseStatus) => cases.filter((c) => c.status === s).length;
  return {
    total: cases.length,
    passed: count('passed'),
    failed: count('failed'),
    unavailable: count('unavailable'),
    error: count('error'),
    skipped: count('skipped'),
  };
}

/** The exit code of `kakehashi attack run`: 0 when every case passed, 2 when inconclusive, else 1. */
export function exitCodeOf(report: AttackReport): number {
  return report.verdict === 'passed' ? 0 : report.verdict === 'inconclusive' ? 2 : 1;
}

const xml = (s: string) =>
  s
    .replace(/[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd]/gu, '\ufffd')
    .replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const line = (c: CaseResult) =>
  [
    `rule: ${c.rule}`,
    `sent: ${c.sent.summary}`,
    `target: ${c.target.outcome ?? '-'} status=${c.target.status ?? '-'}${c.target.location ? ` location=${c.target.location}` : ''}`,
    c.target.excerpt ? `page: ${c.target.excerpt}` : '',
    `detail: ${c.detail}`,
  ]
    .filter(Boolean)
    .join('\n');

/**
 * JUnit XML: one testsuite, one testcase per case (the baseline first). A target that accepted a forgery is a
 * `failure`, a case that could not be run an `error`, an unavailable or skipped case `skipped`.
 * @see https://github.com/testmoapp/junitxml
 */
export function renderJunit(report: AttackReport): string {
  const all = [...report.baselines, ...report.cases];
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const total = all.reduce((s, c) => s + c.durationMs, 0);
  const failures = all.filter((c) => c.status === 'failed').length;
  const errors = all.filter((c) => c.status === 'error').length;
  const skipped = all.filter((c) => c.status === 'skipped' || c.status === 'unavailable').length;
  const suite = `kakehashi attack ${report.target.kind} ${report.target.url}`;
  const cases = all.map((c) => {
    const open = `    <testcase classname="${xml(`kakehashi.attack.${report.target.kind}`)}" name="${xml(`${c.id} (${c.rule})`)}" time="${seconds(c.durationMs)}"`;
    const body =
      c.status === 'failed'
        ? `      <failure message="${xml(c.detail)}" type="accepted">${xml(line(c))}</failure>\n`
        : c.status === 'error'
          ? `      <error message="${xml(c.detail)}" type="error">${xml(line(c))}</error>\n`
          : c.status === 'skipped' || c.status === 'unavailable'
            ? `      <skipped message="${xml(`${c.status}: ${c.detail}`)}"/>\n`
            : '';
    return body
      ? `${open}>\n${body}      <system-out>${xml(line(c))}</system-out>\n    </testcase>`
      : `${open}>\n      <system-out>${xml(line(c))}</system-out>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="kakehashi attack" tests="${all.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds(total)}">`,
    `  <testsuite name="${xml(suite)}" tests="${all.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds(total)}" timestamp="${xml(report.startedAt)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

const html = xml;
const STATUS_LABEL: Record<CaseStatus, string> = {
  passed: 'PASSED — refused',
  failed: 'FAILED — accepted',
  unavailable: 'UNAVAILABLE',
  error: 'ERROR',
  skipped: 'SKIPPED',
};
/** A baseline passes when the genuine artefact was accepted. */
const BASELINE_LABEL: Record<CaseStatus, string> = {
  ...STATUS_LABEL,
  passed: 'PASSED — accepted',
  failed: 'FAILED — not accepted',
};

/**
 * The readable report: one self-contained page, no script, no external resource; its own policy
 * (`default-src 'none'`, inline style only) holds wherever it is opened. Every value from the target or the
 * artefact is escaped.
 */
export function renderHtml(report: AttackReport): string {
  const all = [...report.baselines, ...report.cases];
  const rows = all
    .map(
      (c) => `<tr class="${c.status}" id="case-${html(c.id)}" data-case="${html(c.id)}" data-status="${c.status}">
<td><code>${html(c.id)}</code><br><small>${html(c.description)}</small></td>
<td><code>${html(c.rule)}</code></td>
<td class="st">${html(c.fault === null ? BASELINE_LABEL[c.status] : STATUS_LABEL[c.status])}</td>
<td>${html(c.sent.summary)}${c.sent.artefact ? `<details><summary>artefact</summary><pre>${html(JSON.stringify(c.sent.artefact, null, 2))}</pre></details>` : ''}</td>
<td>${c.target.outcome ? `<b>${html(c.target.outcome)}</b> ` : ''}${c.target.status !== undefined ? `status ${c.target.status}` : ''}${c.target.location ? `<br>→ <code>${html(c.target.location)}</code>` : ''}${c.target.excerpt ? `<br><q>${html(c.target.excerpt)}</q>` : ''}</td>
<td>${html(c.detail)}</td>
</tr>`,
    )
    .join('\n');
  const s = report.summary;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kakehashi attack report — ${html(report.target.kind)} ${html(report.target.url)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#111}
table{border-collapse:collapse;width:100%;table-layout:fixed}td,th{border:1px solid #ccc;padding:.4rem;vertical-align:top;text-align:left;overflow-wrap:anywhere}
col.c{width:17%}col.r{width:10%}col.s{width:9%}col.w{width:26%}col.t{width:22%}col.y{width:16%}
tr.passed .st{background:#d7f5dd}tr.failed .st{background:#fbd3d3}tr.error .st{background:#ffe2b3}
tr.unavailable .st,tr.skipped .st{background:#eee}pre{white-space:pre-wrap;max-width:40rem;overflow:auto}
.banner{background:#222;color:#ffd400;padding:.3rem .6rem;display:inline-block}
</style></head><body>
<p class="banner">KAKEHASHI — TEST ONLY: deliberately forged artefacts from a mock federation</p>
<h1>Attack report: <span data-verdict="${report.verdict}">${html(report.verdict.toUpperCase())}</span></h1>
<p>Target <b>${html(report.target.kind)}</b> <code>${html(report.target.url)}</code>, federation node <code>${html(report.node)}</code>,
${html(report.startedAt)} – ${html(report.finishedAt)}.</p>
<p>${s.total} cases: ${s.passed} passed (refused), ${s.failed} failed (accepted a forgery), ${s.error} errors, ${s.unavailable} unavailable (the federation does not offer the fault), ${s.skipped} skipped.</p>
<table><colgroup><col class="c"><col class="r"><col class="s"><col class="w"><col class="t"><col class="y"></colgroup><thead><tr><th>case</th><th>rule</th><th>result</th><th>what was sent</th><th>what the target did</th><th>why</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}
