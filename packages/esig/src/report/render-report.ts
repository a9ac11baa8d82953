import { SUB_INDICATION_MEANING } from './indications.ts';
import type { ValidationReport } from './z-report.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A readable HTML view of a validation report (watermarked test-only), one section per building block. */
export function renderReportHtml(r: ValidationReport): string {
  const colour = r.indication === 'TOTAL-PASSED' ? '#1b7f3b' : r.indication === 'TOTAL-FAILED' ? '#b00020' : '#a86400';
  const blocks = r.buildingBlocks
    .map(
      (
        b,
      ) => `<section data-testid="block-${b.id}"><h3>${esc(b.name)} <small>${esc(b.clause)}</small> — <span>${esc(b.indication)}${b.subIndication ? ` / ${esc(b.subIndication)}` : ''}</span></h3>
<p>${esc(b.explanation)}</p><ul>${b.checks.map((c) => `<li class="${c.outcome}"><b>${esc(c.outcome)}</b> ${esc(c.check)}: ${esc(c.reason)}${c.rule ? ` <i>(${esc(c.rule)})</i>` : ''}</li>`).join('')}</ul></section>`,
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signature validation report — Kakehashi (TEST ONLY)</title>
<style>body{font:14px system-ui;margin:0}main{padding:12px 20px}.kk-watermark{background:#b00020;color:#fff;font-weight:600;padding:6px 12px;text-align:center}.verdict{color:${colour}}li.failed{color:#b00020}li.warning{color:#a86400}small{color:#666}</style></head>
<body><div class="kk-watermark" data-testid="test-only-banner">KAKEHASHI — TEST ONLY. Synthetic data and test keys; not a real government service.</div><main>
<h1 class="verdict" data-testid="indication">${esc(r.indication)}${r.subIndicationName ? ` / ${esc(r.subIndicationName)}` : ''}</h1>
<p data-testid="explanation">${esc(r.explanation)}</p>
${r.subIndicationName ? `<p><i>${esc(SUB_INDICATION_MEANING[r.subIndicationName])}</i></p>` : ''}
<table><tr><th align="left">Format</th><td>${esc(`${r.format} ${r.level ?? ''} ${r.packaging ?? ''}`)}</td></tr>
${r.levelExplanation ? `<tr><th align="left">Level</th><td data-testid="level-explanation">${esc(r.levelExplanation)}</td></tr>` : ''}
<tr><th align="left">Signer</th><td>${esc(r.signer?.subject ?? '—')}</td></tr>
<tr><th align="left">Claimed signing time</th><td>${esc(r.signingTime.claimed ?? '—')}</td></tr>
<tr><th align="left">Proven signing time</th><td>${esc(r.signingTime.proven ?? '—')}</td></tr>
<tr><th align="left">Validated at</th><td>${esc(r.validationTime)} by ${esc(r.validator.component)} ${esc(r.validator.country ?? '')}</td></tr></table>
${blocks}</main></body></html>`;
}
