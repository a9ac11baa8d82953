import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CORE_OPTIONS,
  type ComponentApp,
  createLogger,
  documentRoute,
  KakehashiError,
  problemErrorHandler,
  problemResponse,
  type RouteDoc,
} from '@kakehashi/core';
import { Hono } from 'hono';
import { readPersonas } from './api/personas.ts';
import { detectPortal } from './api/portal.ts';
import { readTopology } from './api/topology.ts';
import { type ConsoleDeps, ScenarioReportSchema } from './console-deps.ts';
import { renderConsolePage } from './page/render-page.ts';

/** Where the console lives on the hub's origin. */
export const CONSOLE_BASE_PATH = '/console';

/** True for a path the console serves (the federation routes these to the console, the rest to the hub). */
export function isConsolePath(pathname: string): boolean {
  return pathname === CONSOLE_BASE_PATH || pathname.startsWith(`${CONSOLE_BASE_PATH}/`);
}

const PAGE_DIR = join(import.meta.dirname, 'page');
/** The page's static files, read once: served as they are (no build step, nothing from a CDN). */
const ASSETS: Record<string, { body: string; type: string }> = {
  'console.js': { body: readFileSync(join(PAGE_DIR, 'console.js'), 'utf8'), type: 'text/javascript; charset=utf-8' },
  'trace-model.js': {
    body: readFileSync(join(PAGE_DIR, 'trace-model.js'), 'utf8'),
    type: 'text/javascript; charset=utf-8',
  },
  'console.css': { body: readFileSync(join(PAGE_DIR, 'console.css'), 'utf8'), type: 'text/css; charset=utf-8' },
};

/** The published test-only admin token (the default of option adminToken): the page prefills only this one. */
const DEFAULT_ADMIN_TOKEN = String(CORE_OPTIONS.find((o) => o.key === 'adminToken')?.default ?? '');

/** Every route of the console, for the hub's `/openapi.json`. */
export const CONSOLE_ROUTE_DOCS: RouteDoc[] = [
  {
    method: 'get',
    path: '/console',
    tags: ['console'],
    summary:
      'The teaching console (HTML, TEST ONLY): topology, live sequence diagrams of traces with decoded artefacts and verdicts, scenarios, personas, clock, citizen portal',
    produces: 'text/html',
  },
  {
    method: 'get',
    path: '/console/',
    tags: ['console'],
    summary: 'Redirects to /console (301)',
    produces: 'text/plain',
  },
  {
    method: 'get',
    path: '/console/assets/{file}',
    tags: ['console'],
    summary: "The console page's static files: console.js, trace-model.js, console.css",
    produces: 'text/javascript',
    params: { file: 'console.js | trace-model.js | console.css' },
    problems: [404],
  },
  {
    method: 'get',
    path: '/console/api/config',
    tags: ['console'],
    summary:
      'What the page needs: the hub and node origins, and the test-only admin token when the federation uses the default one',
  },
  {
    method: 'get',
    path: '/console/api/topology',
    tags: ['console'],
    summary: "The hub and every node with their health (from each component's untraced GET /health)",
  },
  {
    method: 'get',
    path: '/console/api/scenarios',
    tags: ['console'],
    summary: 'The scenarios the federation can run (name, description)',
  },
  {
    method: 'post',
    path: '/console/api/scenarios/{name}/run',
    tags: ['console'],
    summary:
      'Run a scenario against this running federation; answers its report {name, passed, steps[{title, ok, detail}], traceIds}',
    params: { name: 'a scenario name from GET /console/api/scenarios' },
    problems: [404, 409],
  },
  {
    method: 'get',
    path: '/console/api/nodes/{country}/personas',
    tags: ['console'],
    summary: "A node's synthetic personas (the node's GET /personas, validated)",
    params: { country: 'ISO 3166 code of a node, e.g. DE' },
    problems: [404, 502],
  },
  {
    method: 'get',
    path: '/console/api/portal',
    tags: ['console'],
    summary: "Whether Japan's node serves the citizen portal (detected from its /openapi.json), and where",
  },
];

/** Describes the console's routes in `app`'s OpenAPI document (the hub's, as the console is on its origin). */
export function documentConsoleRoutes(app: ComponentApp): void {
  for (const d of CONSOLE_ROUTE_DOCS) documentRoute(app, d);
}

/**
 * The teaching console: a page and a small JSON API, served on the hub's origin under `/console`. The page calls
 * the hub's own APIs directly (same origin: `/health`, `/traces`, `/admin/clock`); what lives on the nodes'
 * origins it gets through `/console/api/…`, which uses the injected `fetch`. Every response is problem+json on
 * failure. The console's own requests are not traced (it is not a component of the federation), so watching
 * the federation does not fill the trace store it shows.
 * @see https://www.w3.org/TR/trace-context/ (the traces it draws)
 * @see https://www.rfc-editor.org/rfc/rfc9457 (its errors)
 */
export function createConsole(deps: ConsoleDeps): Hono {
  const logger = deps.logger ?? createLogger({ level: 'warn' });
  const app = new Hono();
  const running = new Set<string>();
  const jp = deps.nodes.JP ? new URL(deps.nodes.JP).origin : undefined;
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    `frame-src ${jp ?? "'none'"}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'self'",
  ].join('; ');

  app.onError(problemErrorHandler(logger));
  app.notFound((c) =>
    problemResponse(
      c,
      new KakehashiError(
        'not-found',
        `No route ${c.req.method} ${new URL(c.req.url).pathname} in the console; open ${CONSOLE_BASE_PATH} (its API is listed at /docs under "console").`,
      ),
    ),
  );
  app.use('*', async (c, next) => {
    await next();
    c.header('x-content-type-options', 'nosniff');
    c.header('cache-control', 'no-store');
  });

  app.get(CONSOLE_BASE_PATH, (c) => {
    c.header('content-security-policy', csp);
    c.header('referrer-policy', 'no-referrer');
    return c.html(renderConsolePage(CONSOLE_BASE_PATH));
  });
  app.get(`${CONSOLE_BASE_PATH}/`, (c) => c.redirect(CONSOLE_BASE_PATH, 301));
  app.get(`${CONSOLE_BASE_PATH}/assets/:file`, (c) => {
    const asset = Object.hasOwn(ASSETS, c.req.param('file')) ? ASSETS[c.req.param('file')] : undefined;
    if (!asset)
      throw new KakehashiError('not-found', `No console asset "${c.req.param('file').slice(0, 40)}".`, {
        extra: { known: Object.keys(ASSETS) },
      });
    return c.body(asset.body, 200, { 'content-type': asset.type });
  });

  app.get(`${CONSOLE_BASE_PATH}/api/config`, (c) =>
    c.json({
      testOnly: true,
      hubUrl: new URL(deps.hubUrl).origin,
      nodes: Object.entries(deps.nodes).map(([country, url]) => ({ country, url: new URL(url).origin })),
      defaultAdminToken: deps.adminTokenIsDefault ? DEFAULT_ADMIN_TOKEN : null,
    }),
  );
  app.get(`${CONSOLE_BASE_PATH}/api/topology`, async (c) => c.json(await readTopology(deps)));
  app.get(`${CONSOLE_BASE_PATH}/api/scenarios`, (c) => c.json({ scenarios: deps.scenarios.list() }));
  app.post(`${CONSOLE_BASE_PATH}/api/scenarios/:name/run`, async (c) => {
    const name = c.req.param('name');
    const known = deps.scenarios.list().map((s) => s.name);
    if (!known.includes(name))
      throw new KakehashiError(
        'not-found',
        `No scenario "${name.slice(0, 60)}"; GET ${CONSOLE_BASE_PATH}/api/scenarios lists them: ${known.join(', ')}.`,
      );
    if (running.has(name))
      throw new KakehashiError('conflict', `Scenario "${name}" is already running; wait for its report.`);
    running.add(name);
    try {
      const report = ScenarioReportSchema.parse(await deps.scenarios.run(name));
      logger.info('scenario run from the console', { scenario: name, passed: report.passed });
      return c.json(report, 200);
    } finally {
      running.delete(name);
    }
  });
  app.get(`${CONSOLE_BASE_PATH}/api/nodes/:country/personas`, async (c) =>
    c.json(await readPersonas(deps, c.req.param('country'))),
  );
  app.get(`${CONSOLE_BASE_PATH}/api/portal`, async (c) => c.json(await detectPortal(deps)));
  return app;
}
