import { timingSafeEqual } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import {
  CORE_OPTIONS,
  type ComponentApp,
  createRouteModule,
  KakehashiError,
  type Logger,
  problemResponses,
} from '@kakehashi/core';
import { CONSOLE_BASE_PATH } from '../base-path.ts';
import { type ConsoleDeps, type ScenarioReport, ScenarioReportSchema } from '../console-deps.ts';
import { ComponentFaultsSchema, ConsoleFaultSwitchSchema, readFaults, switchFaults } from './faults.ts';
import { ConsolePersonaSchema, readPersonas } from './personas.ts';
import { detectPortal } from './portal.ts';
import { readTopology } from './topology.ts';

/** The published test-only admin token (the default of option adminToken): the page prefills only this one. */
const DEFAULT_ADMIN_TOKEN = String(CORE_OPTIONS.find((o) => o.key === 'adminToken')?.default ?? '');

const API = `${CONSOLE_BASE_PATH}/api`;
/** How many run reports the console keeps for the page. */
const MAX_RUNS = 50;

const ConfigSchema = z.object({
  testOnly: z.literal(true),
  hubUrl: z.string(),
  nodes: z.array(z.object({ country: z.string(), url: z.string() })),
  defaultAdminToken: z.string().nullable().openapi({ description: 'Only when the federation uses the default one' }),
});

const StatusFields = {
  url: z.string(),
  status: z.enum(['ok', 'degraded', 'unreachable']),
  name: z.string().optional(),
  time: z.string().optional(),
  detail: z.string().optional(),
};
const TopologySchema = z.object({
  hub: z.object({ ...StatusFields, registeredNodes: z.number().optional() }),
  nodes: z.array(
    z.object({
      ...StatusFields,
      country: z.string(),
      registered: z.boolean().optional(),
      trust: z.string().optional(),
    }),
  ),
});

const PortalSchema = z.object({
  available: z.boolean(),
  country: z.literal('JP'),
  url: z.string().optional(),
  paths: z.array(z.string()),
  reason: z.string().optional(),
});

/**
 * The console's actions that change the federation's state (scenario runs, fault switches), and its reading of
 * admin data (faults), need the admin token, as the admin API does: `Authorization: Bearer <admin token>`,
 * compared in constant time, never echoed; else 401.
 */
function requireAdminToken(header: string | undefined, expected: string, what = 'Running a scenario'): void {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const wanted = Buffer.from(expected);
  if (wanted.length === 0 || given.length !== wanted.length || !timingSafeEqual(given, wanted))
    throw new KakehashiError(
      'unauthorized',
      `${what} needs "Authorization: Bearer <admin token>" (option adminToken); in the console, enter the admin token beside the clock.`,
    );
}

/**
 * The console's JSON API: what the page cannot ask the hub itself (same origin) — the nodes' origins, their
 * health, their personas, Japan's portal — and the scenario runner. Answers from components are validated
 * before they are passed on; failures are problem+json.
 * @see https://www.rfc-editor.org/rfc/rfc9457
 */
export function apiRoutes(deps: ConsoleDeps, logger: Logger): ComponentApp {
  const r = createRouteModule();
  const running = new Set<string>();
  /** The reports of the runs started here, newest first (bounded): the page titles their traces and tells their stories. */
  const runs: ScenarioReport[] = [];

  r.openapi(
    createRoute({
      method: 'get',
      path: `${API}/config`,
      tags: ['console'],
      summary:
        'What the page needs: the hub and node origins, and the test-only admin token when the federation uses the default one',
      responses: { 200: { description: 'Configuration', content: { 'application/json': { schema: ConfigSchema } } } },
    }),
    (c) =>
      c.json(
        {
          testOnly: true as const,
          hubUrl: new URL(deps.hubUrl).origin,
          nodes: Object.entries(deps.nodes).map(([country, url]) => ({ country, url: new URL(url).origin })),
          defaultAdminToken: deps.adminTokenIsDefault ? DEFAULT_ADMIN_TOKEN : null,
        },
        200,
      ),
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: `${API}/topology`,
      tags: ['console'],
      summary: "The hub and every node with their health (from each component's untraced GET /health)",
      responses: { 200: { description: 'Topology', content: { 'application/json': { schema: TopologySchema } } } },
    }),
    async (c) => c.json(await readTopology(deps), 200),
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: `${API}/scenarios`,
      tags: ['console'],
      summary: 'The scenarios the federation can run (name, description)',
      responses: {
        200: {
          description: 'Scenarios',
          content: {
            'application/json': {
              schema: z.object({ scenarios: z.array(z.object({ name: z.string(), description: z.string() })) }),
            },
          },
        },
      },
    }),
    (c) => c.json({ scenarios: deps.scenarios.list() }, 200),
  );

  r.openapi(
    createRoute({
      method: 'post',
      path: `${API}/scenarios/{name}/run`,
      tags: ['console'],
      summary:
        'Run a scenario against this running federation; answers its report {name, passed, steps[{title, ok, detail}], traceIds}',
      description: 'It changes the federation’s state: it needs the admin token (401 without it).',
      security: [{ adminToken: [] }],
      request: {
        params: z.object({
          name: z.string().openapi({
            param: { name: 'name', in: 'path' },
            description: `a scenario name from GET ${API}/scenarios`,
          }),
        }),
      },
      responses: {
        200: { description: 'Its report', content: { 'application/json': { schema: ScenarioReportSchema } } },
        ...problemResponses(401, 404, 409),
      },
    }),
    async (c) => {
      requireAdminToken(c.req.header('authorization'), deps.adminToken());
      const name = c.req.valid('param').name;
      const known = deps.scenarios.list().map((s) => s.name);
      if (!known.includes(name))
        throw new KakehashiError(
          'not-found',
          `No scenario "${name.slice(0, 60)}"; GET ${API}/scenarios lists them: ${known.join(', ')}.`,
        );
      // One run at a time: each is undone after its report, and two overlapping runs would undo each other's state.
      if (running.size > 0)
        throw new KakehashiError(
          'conflict',
          `Scenario "${[...running][0]}" is running; wait for its report (runs are undone one after the other).`,
        );
      running.add(name);
      try {
        const report = ScenarioReportSchema.parse(await deps.scenarios.run(name));
        runs.unshift(report);
        runs.splice(MAX_RUNS);
        logger.info('scenario run from the console', { scenario: name, passed: report.passed });
        return c.json(report, 200);
      } finally {
        running.delete(name);
      }
    },
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: `${API}/runs`,
      tags: ['console'],
      summary: `The reports of the last ${MAX_RUNS} scenario runs started from the console, newest first (their traces are titled by the scenario; each step names the spans of its requests, which the story mode matches to hops)`,
      description: 'Admin data, like the runs themselves: it needs the admin token (401 without it).',
      security: [{ adminToken: [] }],
      responses: {
        200: {
          description: 'Runs',
          content: { 'application/json': { schema: z.object({ runs: z.array(ScenarioReportSchema) }) } },
        },
        ...problemResponses(401),
      },
    }),
    (c) => {
      requireAdminToken(c.req.header('authorization'), deps.adminToken(), 'Reading the run reports');
      return c.json({ runs }, 200);
    },
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: `${API}/nodes/{country}/personas`,
      tags: ['console'],
      summary: "A node's synthetic personas (the node's GET /personas, validated)",
      request: {
        params: z.object({
          country: z.string().openapi({
            param: { name: 'country', in: 'path' },
            description: 'ISO 3166 code of a node, e.g. DE',
          }),
        }),
      },
      responses: {
        200: {
          description: 'Personas',
          content: {
            'application/json': {
              schema: z.object({ country: z.string(), personas: z.array(ConsolePersonaSchema) }),
            },
          },
        },
        ...problemResponses(404, 502),
      },
    }),
    async (c) => c.json(await readPersonas(deps, c.req.valid('param').country), 200),
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: `${API}/faults`,
      tags: ['console'],
      summary:
        "Every component's faults (the hub's and each node's GET /admin/faults, validated), with their switches: deliberate weaknesses, all off by default",
      description: 'Admin data: it needs the admin token (401 without it).',
      security: [{ adminToken: [] }],
      responses: {
        200: {
          description: 'Faults by component (a component that did not answer is listed as unavailable)',
          content: { 'application/json': { schema: z.object({ components: z.array(ComponentFaultsSchema) }) } },
        },
        ...problemResponses(401),
      },
    }),
    async (c) => {
      requireAdminToken(c.req.header('authorization'), deps.adminToken(), 'Reading the faults');
      return c.json({ components: await readFaults(deps) }, 200);
    },
  );

  r.openapi(
    createRoute({
      method: 'put',
      path: `${API}/faults/{component}`,
      tags: ['console'],
      summary:
        "Switch faults of one component on and off (its PUT /admin/faults: names or patterns); answers that component's faults after the switch",
      description: 'It changes the federation’s behaviour: it needs the admin token (401 without it).',
      security: [{ adminToken: [] }],
      request: {
        params: z.object({
          component: z
            .string()
            .max(10)
            .openapi({
              param: { name: 'component', in: 'path' },
              description: "hub, or a node's country code (DE)",
            }),
        }),
        body: { required: true, content: { 'application/json': { schema: ConsoleFaultSwitchSchema } } },
      },
      responses: {
        200: {
          description: 'The faults after the switch',
          content: { 'application/json': { schema: ComponentFaultsSchema } },
        },
        ...problemResponses(400, 401, 404, 502),
      },
    }),
    async (c) => {
      requireAdminToken(c.req.header('authorization'), deps.adminToken(), 'Switching faults');
      return c.json(await switchFaults(deps, c.req.valid('param').component, c.req.valid('json')), 200);
    },
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: `${API}/portal`,
      tags: ['console'],
      summary: "Whether Japan's node serves the citizen portal (detected from its /openapi.json), and where",
      responses: { 200: { description: 'Portal status', content: { 'application/json': { schema: PortalSchema } } } },
    }),
    async (c) => c.json(await detectPortal(deps), 200),
  );
  return r;
}
