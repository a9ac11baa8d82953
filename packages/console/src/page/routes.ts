import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRoute, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule, KakehashiError, problemResponses } from '@kakehashi/core';
import { CONSOLE_BASE_PATH } from '../base-path.ts';
import type { ConsoleDeps } from '../console-deps.ts';
import { renderConsolePage } from './render-page.ts';

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
/**
 * The page's static files, read once and served as they are (no build step, nothing from a CDN): the ES modules
 * of the page (`console.js` imports the others by relative URL) and the stylesheet. Only these names are served.
 */
const PAGE_FILES: Record<string, string> = {
  'console.js': JS,
  'dom.js': JS,
  'state.js': JS,
  'status.js': JS,
  'tabs.js': JS,
  'faults.js': JS,
  'fabric.js': JS,
  'fabric.css': CSS,
  'traces.js': JS,
  'diagram.js': JS,
  'inspector.js': JS,
  'trace-model.js': JS,
  'roles.js': JS,
  'story-model.js': JS,
  'story.js': JS,
  'i18n.js': JS,
  'lang.js': JS,
  'console.css': CSS,
  'story.css': CSS,
};
const ASSETS: Record<string, { body: string; type: string }> = Object.fromEntries(
  Object.entries(PAGE_FILES).map(([file, type]) => [
    file,
    { body: readFileSync(join(import.meta.dirname, file), 'utf8'), type },
  ]),
);

/**
 * The console page: the HTML shell (under a strict content security policy: scripts and styles from this
 * origin only, frames only from Japan's node for its citizen portal) and its static files.
 * @see https://www.w3.org/TR/CSP3/
 */
export function pageRoutes(deps: Pick<ConsoleDeps, 'nodes'>): ComponentApp {
  const r = createRouteModule();
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

  r.openapi(
    createRoute({
      method: 'get',
      path: CONSOLE_BASE_PATH,
      tags: ['console'],
      summary:
        'The teaching console (HTML, TEST ONLY): topology, live sequence diagrams of traces with decoded artefacts and verdicts, scenarios, personas, clock, citizen portal',
      responses: { 200: { description: 'The page', content: { 'text/html': { schema: z.string() } } } },
    }),
    (c) => {
      c.header('content-security-policy', csp);
      c.header('referrer-policy', 'no-referrer');
      return c.html(renderConsolePage(CONSOLE_BASE_PATH), 200);
    },
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: `${CONSOLE_BASE_PATH}/`,
      tags: ['console'],
      summary: `Redirects to ${CONSOLE_BASE_PATH} (301)`,
      responses: { 301: { description: `To ${CONSOLE_BASE_PATH}` } },
    }),
    (c) => c.redirect(CONSOLE_BASE_PATH, 301),
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: `${CONSOLE_BASE_PATH}/assets/{file}`,
      tags: ['console'],
      summary: `The console page's static files: ${Object.keys(PAGE_FILES).join(', ')}`,
      request: {
        params: z.object({
          file: z
            .string()
            .openapi({ param: { name: 'file', in: 'path' }, description: 'A file name', example: 'console.js' }),
        }),
      },
      responses: {
        200: {
          description: 'The file',
          content: { 'text/javascript': { schema: z.string() }, 'text/css': { schema: z.string() } },
        },
        ...problemResponses(404),
      },
    }),
    (c) => {
      const file = c.req.valid('param').file;
      const asset = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
      if (!asset)
        throw new KakehashiError('not-found', `No console asset "${file.slice(0, 40)}".`, {
          extra: { known: Object.keys(ASSETS) },
        });
      return c.body(asset.body, 200, { 'content-type': asset.type });
    },
  );
  return r;
}
