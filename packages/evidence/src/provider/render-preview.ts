import type { PreviewRow } from '../consent/preview-store.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * The preview page the citizen sees at the provider after logging in: what will be sent, to whom, for which
 * procedure, with Approve and Refuse. Watermarked TEST ONLY; `data-testid` on what a browser test reads.
 */
export function renderPreviewPage(
  p: PreviewRow,
  facts: Record<string, string>,
  subject: Record<string, string>,
): string {
  const rows = (o: Record<string, string>) =>
    Object.entries(o)
      .map(([k, v]) => `<tr><th>${esc(k)}</th><td data-testid="fact-${esc(k)}">${esc(v)}</td></tr>`)
      .join('');
  const decided = p.status !== 'pending';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Preview: ${esc(p.evidenceType.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}
.wm{position:fixed;inset:0;pointer-events:none;display:flex;align-items:center;justify-content:center;font-size:6rem;color:rgba(200,0,0,.08);transform:rotate(-20deg)}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}
button{font-size:1.1rem;margin-right:1rem;padding:.4rem 1.2rem}</style></head><body>
<div class="wm" aria-hidden="true">TEST ONLY</div>
<p><strong>TEST ONLY</strong> — Kakehashi mock of a once-only evidence preview. Synthetic data.</p>
<h1 data-testid="evidence-title">${esc(p.evidenceType.title)} <small>${esc(p.evidenceType.titleLocal)}</small></h1>
<p><span data-testid="requester">${esc(p.request.requester.name)}</span> (${esc(p.requester)}) asks
<span data-testid="provider">${esc(p.provider)}</span> for this evidence, for the procedure
<q data-testid="procedure">${esc(p.request.procedure)}</q>.</p>
<h2>About you</h2><table>${rows(subject)}</table>
<h2>What would be sent</h2><table>${rows(facts)}</table>
<p data-testid="status">Status: ${esc(p.status)}</p>
${
  decided
    ? ''
    : `<form method="post" action="/evidence/preview/${esc(p.id)}/decision">
<button name="decision" value="approve" data-testid="approve">Approve and send</button>
<button name="decision" value="refuse" data-testid="refuse">Refuse</button></form>`
}
</body></html>`;
}
