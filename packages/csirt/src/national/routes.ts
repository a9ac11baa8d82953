import { createRoute, z } from '@hono/zod-openapi';
import {
  adminAuth,
  type ComponentApp,
  type ComponentDeps,
  createRouteModule,
  KakehashiError,
  problemResponses,
  requireJson,
} from '@kakehashi/core';
import '../error-codes.ts';
import { CsirtPolicySchema } from '../policy/z-policy.ts';
import { StixBundleSchema } from '../stix/z-stix.ts';
import type { NationalCsirt } from './national-csirt.ts';
import { ReportInputSchema } from './reporting.ts';

const Json = z.record(z.string(), z.unknown());
const IncidentSchema = Json.openapi('CsirtIncident', {
  description: 'An incident: grouped events, severity, identifiers, awareness instant and significance criteria met',
});
const StepSchema = z
  .object({
    kind: z.string(),
    duty: z.string(),
    dueAt: z.string().optional(),
    status: z.enum(['pending', 'due', 'missed', 'sent', 'sent-late', 'voluntary', 'on-request', 'if-ongoing']),
    sentAt: z.string().optional(),
  })
  .openapi('CsirtProcessStep');
const ReportSchema = z
  .object({
    id: z.string(),
    incident: z.string(),
    kind: z.string(),
    sentAt: z.string(),
    dueAt: z.string().optional(),
    late: z.boolean(),
    document: Json,
  })
  .openapi('CsirtReport');
const IncidentViewSchema = z
  .object({ incident: IncidentSchema, process: z.array(StepSchema), reports: z.array(ReportSchema) })
  .openapi('CsirtIncidentView');
const ReceivedSchema = z
  .object({
    indicator: z.string(),
    from: z.string(),
    receivedAt: z.string(),
    tlp: z.string(),
    rule: z.string().optional(),
    action: z.string(),
    acted: z.boolean(),
  })
  .openapi('CsirtReceivedIndicator');
const CsirtSchema = z
  .object({
    country: z.string(),
    regime: z.enum(['nis2', 'jp-voluntary']),
    incidents: z.array(IncidentViewSchema),
    received: z.array(ReceivedSchema),
  })
  .openapi('NationalCsirt');
const security = [{ adminToken: [] }];
const IdParam = z.object({ id: z.string().min(1).max(60) });

/**
 * The national CSIRT's API at its node, behind the admin token (a CSIRT's case file is not public):
 * `GET /csirt` (incidents with their process on the virtual clock, indicators received), one incident, sending a
 * report, the policy (grouping, significance criteria as data, sharing), and `POST /admin/csirt/indicators` where
 * the hub delivers what the CSIRT network shares.
 * @see https://eur-lex.europa.eu/eli/dir/2022/2555/oj (art. 23)
 */
export function mountNationalCsirt(app: ComponentApp, deps: Pick<ComponentDeps, 'config'>, csirt: NationalCsirt): void {
  app.use('/csirt', adminAuth(deps as unknown as ComponentDeps));
  app.use('/csirt/*', adminAuth(deps as unknown as ComponentDeps));
  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'get',
      path: '/csirt',
      tags: ['csirt'],
      security,
      summary: "The national CSIRT: its incidents with each report's deadline and status, and indicators received",
      responses: {
        200: { description: 'The CSIRT', content: { 'application/json': { schema: CsirtSchema } } },
        ...problemResponses(401),
      },
    }),
    (c) =>
      c.json(
        {
          country: csirt.country,
          regime: csirt.policy.regime,
          incidents: csirt.incidents.list().map((i) => csirt.view(i)),
          received: csirt.received(),
        },
        200,
      ),
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/csirt/incidents/{id}',
      tags: ['csirt'],
      security,
      summary: 'One incident with its process (deadlines on the virtual clock: a missed one reads `missed`)',
      request: { params: IdParam },
      responses: {
        200: { description: 'The incident', content: { 'application/json': { schema: IncidentViewSchema } } },
        ...problemResponses(401, 404),
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      return c.json(csirt.view(csirt.incidents.get(id) ?? notFound(id)), 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/csirt/incidents/{id}/reports',
      tags: ['csirt'],
      security,
      summary:
        'Send a report of the incident: NIS2 early-warning, notification (shares the indicators as STIX), intermediate, progress, final; in Japan nisc-report and share',
      request: {
        params: IdParam,
        body: { required: true, content: { 'application/json': { schema: ReportInputSchema } } },
      },
      responses: {
        201: { description: 'The report as sent', content: { 'application/json': { schema: ReportSchema } } },
        ...problemResponses(400, 401, 404, 409, 415),
      },
    }),
    async (c) => {
      requireJson(c.req.header('content-type'));
      return c.json(await csirt.report(c.req.valid('param').id, c.req.valid('json')), 201);
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/csirt/policy',
      tags: ['csirt'],
      security,
      summary: 'The grouping rules, significant-incident criteria (data), regime and sharing policy',
      responses: {
        200: { description: 'Policy', content: { 'application/json': { schema: CsirtPolicySchema } } },
        ...problemResponses(401),
      },
    }),
    (c) => c.json(csirt.policy, 200),
  );
  r.openapi(
    createRoute({
      method: 'put',
      path: '/csirt/policy',
      tags: ['csirt'],
      security,
      summary: 'Replace the policy (kept in the store; the reset restores the regime default)',
      request: { body: { required: true, content: { 'application/json': { schema: CsirtPolicySchema } } } },
      responses: {
        200: { description: 'Policy', content: { 'application/json': { schema: CsirtPolicySchema } } },
        ...problemResponses(400, 401, 415),
      },
    }),
    (c) => {
      requireJson(c.req.header('content-type'));
      return c.json(csirt.setPolicy(c.req.valid('json')), 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/admin/csirt/indicators',
      tags: ['admin', 'csirt'],
      security,
      summary: 'The hub delivers a STIX bundle the CSIRT network shares: the node acts on its indicators',
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.object({ from: z.string().min(1).max(10), bundle: StixBundleSchema }).strict(),
            },
          },
        },
      },
      responses: {
        200: {
          description: 'What the node did with each indicator',
          content: { 'application/json': { schema: z.object({ received: z.array(ReceivedSchema) }) } },
        },
        ...problemResponses(400, 401, 415),
      },
    }),
    (c) => {
      requireJson(c.req.header('content-type'));
      const body = c.req.valid('json');
      return c.json({ received: csirt.receive(body.from, body.bundle) }, 200);
    },
  );
  app.route('/', r);
}

function notFound(id: string): never {
  throw new KakehashiError(
    'csirt-incident-not-found',
    `No incident ${id.slice(0, 60)} at this CSIRT; GET /csirt lists them.`,
  );
}
