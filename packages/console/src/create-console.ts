import {
  type ComponentApp,
  createLogger,
  createRouteModule,
  KakehashiError,
  problemErrorHandler,
  problemResponse,
} from '@kakehashi/core';
import { apiRoutes } from './api/routes.ts';
import { CONSOLE_BASE_PATH } from './base-path.ts';
import type { ConsoleDeps } from './console-deps.ts';
import { incidentRoutes } from './csirt/incidents-routes.ts';
import { pageRoutes } from './page/routes.ts';

/**
 * The teaching console: a page and a small JSON API, served on the hub's origin under `/console`. The page calls
 * the hub's own APIs directly (same origin: `/health`, `/traces`, `/admin/clock`); what lives on the nodes'
 * origins it gets through `/console/api/…`, which uses the injected `fetch`. Every response is problem+json on
 * failure. The console's own requests are not traced (it is not a component of the federation), so watching
 * the federation does not fill the trace store it shows. Construction only: the page and API route modules.
 * @see https://www.w3.org/TR/trace-context/ (the traces it draws)
 * @see https://www.rfc-editor.org/rfc/rfc9457 (its errors)
 */
export function createConsole(deps: ConsoleDeps): ComponentApp {
  const logger = deps.logger ?? createLogger({ level: 'warn' });
  const app = createRouteModule();
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
  app.route('/', pageRoutes(deps));
  app.route('/', apiRoutes(deps, logger));
  app.route('/', incidentRoutes(deps));
  return app;
}

/** Never called: the console built only for its OpenAPI description. */
const unused = () => Promise.reject(new Error('documentation only'));
const DOCUMENTATION_ONLY: ConsoleDeps = {
  hubUrl: 'http://127.0.0.1',
  nodes: {},
  fetch: unused,
  scenarios: { list: () => [], run: unused },
  adminTokenIsDefault: false,
  adminToken: () => '',
};

/**
 * Describes the console's routes in `app`'s OpenAPI document (the hub's, as the console is on its origin but
 * outside the hub's app and its tracing): the route modules' own `createRoute` definitions, copied.
 */
export function documentConsoleRoutes(app: ComponentApp): void {
  for (const d of createConsole(DOCUMENTATION_ONLY).openAPIRegistry.definitions)
    if (d.type === 'route') app.openAPIRegistry.registerPath(d.route);
}
