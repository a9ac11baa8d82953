import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRoute, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule, KakehashiError, problemResponses } from '@kakehashi/core';
import { CONSOLE_BASE_PATH } from '../base-path.ts';
import type { ConsoleDeps } from '../console-deps.ts';

const PAGE = `${CONSOLE_BASE_PATH}/incidents`;
const SCRIPT = readFileSync(join(import.meta.dirname, 'incidents.js'), 'utf8');

/** One step of a country's incident timeline, as the page draws it. */
const TimelineEntrySchema = z.object({
  at: z.string(),
  kind: z.enum(['event', 'incident', 'report', 'deadline', 'indicator', 'receipt']),
  title: z.string(),
  detail: z.string(),
  status: z.enum(['ok', 'due', 'missed', 'late', 'info']),
});
const CountryTimelineSchema = z
  .object({
    country: z.string(),
    regime: z.enum(['nis2', 'jp-voluntary']),
    available: z.boolean(),
    incidents: z.array(z.object({ id: z.string(), severity: z.string(), timeline: z.array(TimelineEntrySchema) })),
  })
  .openapi('ConsoleCsirtTimeline');
const TimelinesSchema = z.object({ countries: z.array(CountryTimelineSchema) }).openapi('ConsoleCsirtTimelines');
type CountryTimeline = z.infer<typeof CountryTimelineSchema>;
type Entry = z.infer<typeof TimelineEntrySchema>;

/** A node's `GET /csirt`, as far as the timeline reads it (validated: a node is another trust domain). */
const NodeCsirtSchema = z.object({
  country: z.string().max(4),
  regime: z.enum(['nis2', 'jp-voluntary']),
  incidents: z
    .array(
      z.object({
        incident: z.object({
          id: z.string().max(60),
          openedAt: z.string().max(40),
          awareAt: z.string().max(40).optional(),
          severity: z.string().max(20),
          eventCount: z.number(),
          rules: z.array(z.string().max(200)).max(100),
          significantBecause: z.array(z.string().max(60)).max(20),
        }),
        process: z.array(
          z.object({
            kind: z.string().max(40),
            dueAt: z.string().max(40).optional(),
            status: z.string().max(20),
            sentAt: z.string().max(40).optional(),
          }),
        ),
        reports: z.array(
          z.object({
            kind: z.string().max(40),
            sentAt: z.string().max(40),
            late: z.boolean(),
            document: z.record(z.string(), z.unknown()),
          }),
        ),
      }),
    )
    .max(500),
  received: z
    .array(
      z.object({
        indicator: z.string().max(120),
        from: z.string().max(10),
        receivedAt: z.string().max(40),
        tlp: z.string().max(20),
        action: z.string().max(400),
        acted: z.boolean(),
      }),
    )
    .max(5000),
});
type NodeCsirt = z.infer<typeof NodeCsirtSchema>;

function requireToken(header: string | undefined, expected: string): void {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const wanted = Buffer.from(expected);
  if (wanted.length === 0 || given.length !== wanted.length || !timingSafeEqual(given, wanted))
    throw new KakehashiError(
      'unauthorized',
      'The CSIRTs\' case files need "Authorization: Bearer <admin token>" (option adminToken); enter it on the page.',
    );
}

/** The timeline of one country's incidents, with the receipts of its indicators abroad. */
export function timelineOf(csirt: NodeCsirt, abroad: { country: string; csirt: NodeCsirt }[]): CountryTimeline {
  const incidents = csirt.incidents.map((v) => {
    const t: Entry[] = [
      {
        at: v.incident.openedAt,
        kind: 'event',
        title: `security event: ${v.incident.rules.join(', ')}`,
        detail: `${v.incident.eventCount} event(s), severity ${v.incident.severity}`,
        status: 'info',
      },
    ];
    if (v.incident.awareAt)
      t.push({
        at: v.incident.awareAt,
        kind: 'incident',
        title: `incident ${v.incident.id} significant`,
        detail: v.incident.significantBecause.join(', '),
        status: 'info',
      });
    for (const step of v.process) {
      if (step.sentAt) {
        const report = v.reports.find((r) => r.kind === step.kind);
        t.push({
          at: step.sentAt,
          kind: 'report',
          title: `${step.kind} sent`,
          detail: step.dueAt ? `due ${step.dueAt}` : 'no statutory deadline',
          status: report?.late ? 'late' : 'ok',
        });
        const iocs = (report?.document.indicatorsOfCompromise ?? report?.document.indicators) as
          | { bundle?: string; count?: number }
          | null
          | undefined;
        if (iocs?.bundle)
          t.push({
            at: step.sentAt,
            kind: 'indicator',
            title: `${iocs.count ?? 0} indicator(s) shared (STIX 2.1)`,
            detail: String(iocs.bundle),
            status: 'info',
          });
      } else if (step.status === 'voluntary' || step.status === 'on-request')
        t.push({
          at: v.incident.awareAt ?? v.incident.openedAt,
          kind: 'deadline',
          title: `${step.kind} ${step.status === 'voluntary' ? 'voluntary — no statutory deadline' : 'on request'}`,
          detail: step.status === 'voluntary' ? 'not sent (yet)' : 'when the CSIRT asks',
          status: 'info',
        });
      else if (step.dueAt)
        t.push({
          at: step.dueAt,
          kind: 'deadline',
          title: `${step.kind} ${step.status}`,
          detail: `due ${step.dueAt}`,
          status: step.status === 'missed' ? 'missed' : step.status === 'due' ? 'due' : 'info',
        });
    }
    for (const other of abroad)
      for (const r of other.csirt.received.filter((x) => x.from === csirt.country))
        t.push({
          at: r.receivedAt,
          kind: 'receipt',
          title: `received by CSIRT ${other.country}`,
          detail: `${r.indicator} (${r.tlp}): ${r.action}`,
          status: r.acted ? 'ok' : 'info',
        });
    t.sort((a, b) => a.at.localeCompare(b.at));
    return { id: v.incident.id, severity: v.incident.severity, timeline: t };
  });
  return { country: csirt.country, regime: csirt.regime, available: true, incidents };
}

/**
 * The incident timelines page of the console (`/console/incidents`, its own page beside the main one): per
 * country, event → incident → each report with its deadline → shared indicator → receipt abroad, and the EU
 * (NIS2, mandatory) and Japanese (voluntary) models side by side in English and Japanese. Its data,
 * `GET /console/api/csirt`, reads every node's `GET /csirt` with the admin token the page sends.
 * @see https://eur-lex.europa.eu/eli/dir/2022/2555/oj (art. 23)
 */
export function incidentRoutes(deps: ConsoleDeps): ComponentApp {
  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'get',
      path: `${CONSOLE_BASE_PATH}/api/csirt`,
      tags: ['console'],
      security: [{ adminToken: [] }],
      summary:
        "Every country's incident timeline (its national CSIRT's incidents, reports, indicators and their receipt abroad)",
      responses: {
        200: { description: 'Timelines', content: { 'application/json': { schema: TimelinesSchema } } },
        ...problemResponses(401),
      },
    }),
    async (c) => {
      requireToken(c.req.header('authorization'), deps.adminToken());
      const read = await Promise.all(
        Object.entries(deps.nodes).map(async ([country, url]) => {
          try {
            const res = await deps.fetch(`${url}/csirt`, {
              headers: { authorization: `Bearer ${deps.adminToken()}` },
              signal: AbortSignal.timeout(5000),
            });
            const parsed = NodeCsirtSchema.safeParse(await res.json());
            return { country, csirt: res.ok && parsed.success ? parsed.data : undefined };
          } catch {
            return { country, csirt: undefined };
          }
        }),
      );
      const ok = read.filter((x): x is { country: string; csirt: NodeCsirt } => x.csirt !== undefined);
      const countries = read.map(({ country, csirt }) =>
        csirt
          ? timelineOf(
              csirt,
              ok.filter((o) => o.country !== country),
            )
          : {
              country,
              regime: country === 'JP' ? ('jp-voluntary' as const) : ('nis2' as const),
              available: false,
              incidents: [],
            },
      );
      return c.json({ countries }, 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: PAGE,
      tags: ['console'],
      summary: 'Incident timelines per country and the EU/Japan comparison (HTML, English and Japanese, TEST ONLY)',
      responses: { 200: { description: 'The page', content: { 'text/html': { schema: z.string() } } } },
    }),
    (c) => {
      c.header(
        'content-security-policy',
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
      );
      c.header('referrer-policy', 'no-referrer');
      return c.html(pageHtml(deps.adminTokenIsDefault ? deps.adminToken() : ''), 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: `${PAGE}/incidents.js`,
      tags: ['console'],
      summary: "The incident timelines page's script",
      responses: { 200: { description: 'The script', content: { 'text/javascript': { schema: z.string() } } } },
    }),
    (c) => c.body(SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8' }),
  );
  return r;
}

/** The page; the published test-only admin token is prefilled, as the console does (never another token). */
const pageHtml = (token: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Incidents — Kakehashi console (TEST ONLY)</title>
<style>
body{font:14px system-ui,sans-serif;margin:0;color:#1b1b1b}
.kk-watermark{background:#b00020;color:#fff;font-weight:600;padding:6px 12px;text-align:center}
main{padding:12px 20px;max-width:1200px}
.cmp{display:grid;grid-template-columns:1fr 1fr;gap:12px}
.cmp section,.country{border:1px solid #ccc;border-radius:6px;padding:8px 12px;margin:8px 0}
ol.timeline{list-style:none;padding-left:0}
ol.timeline li{border-left:4px solid #888;margin:4px 0;padding:2px 8px}
ol.timeline li[data-status=ok]{border-color:#1a7f37} ol.timeline li[data-status=missed]{border-color:#b00020;background:#fde8ea}
ol.timeline li[data-status=late]{border-color:#c05600;background:#fff1e0} ol.timeline li[data-status=due]{border-color:#0b5cad}
.kind{font-weight:600;text-transform:uppercase;font-size:11px;margin-right:6px}
time{color:#555;font-family:monospace;margin-right:8px}
</style></head>
<body><div class="kk-watermark" data-testid="test-only-banner">KAKEHASHI — TEST ONLY. Synthetic incidents and test keys.</div>
<main>
<p><a href="${CONSOLE_BASE_PATH}">← console</a> · <button data-lang="en">English</button> <button data-lang="ja">日本語</button>
 · <label><span data-i18n="token">admin token</span> <input data-testid="incidents-token" type="password" size="24" autocomplete="off" value="${token.replace(/[^\w.-]/g, '')}"></label>
 <button data-testid="incidents-load" data-i18n="load">load</button></p>
<h1 data-i18n="title">Incidents: from detection to the defenders abroad</h1>
<div class="cmp" data-testid="incidents-comparison"></div>
<div data-testid="incidents-countries"><p data-i18n="hint">Enter the admin token and load.</p></div>
</main>
<script type="module" src="${PAGE}/incidents.js"></script>
</body></html>`;
