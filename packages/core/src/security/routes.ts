import { createRoute, z } from '@hono/zod-openapi';
import type { ComponentApp, ComponentDeps } from '../http/component-app.ts';
import { adminAuth, problemResponses } from '../http/standard-routes.ts';
import type { SecurityEvents } from './security-events.ts';
import { SecurityEventQuerySchema, SecurityEventSchema } from './z-security-event.ts';

const SecurityEventListSchema = z
  .object({
    component: z.enum(['hub', 'node']),
    country: z.string().optional(),
    events: z.array(SecurityEventSchema),
  })
  .openapi('SecurityEventList');

/**
 * `GET /security/events` on every component: its security events, oldest first, filtered by `since` (virtual
 * clock), `rule`, `severity` (at least) and `afterSeq` (to poll). Behind the admin token, as `/admin/*` is: a
 * security log tells an attacker which of its probes were seen and by which rule, so a real operator keeps it to
 * its CSIRT; the events carry no personal data, but they are the defender's.
 * @see https://eur-lex.europa.eu/eli/dir/2022/2555/oj (NIS2 art. 21(2)(b), incident handling)
 */
export function mountSecurityEvents(
  app: ComponentApp,
  deps: Pick<ComponentDeps, 'config'>,
  events: SecurityEvents,
): void {
  app.use('/security/events', adminAuth(deps as ComponentDeps));
  app.openapi(
    createRoute({
      method: 'get',
      path: '/security/events',
      tags: ['security'],
      security: [{ adminToken: [] }],
      summary: "This component's security events: every refusal with its rule, severity, artefact hash, peer and trace",
      description:
        'Each event is a refusal a block made (a failed validation rule, a replay, a forged signature, a refused registration, a Cooperation Network refusal, an AS4 error signal) or a burst of them (rule `rate-pattern`). Identifiers and codes only: never the artefact, never personal data.',
      request: { query: SecurityEventQuerySchema },
      responses: {
        200: {
          description: 'Events, oldest first',
          content: { 'application/json': { schema: SecurityEventListSchema } },
        },
        ...problemResponses(400, 401),
      },
    }),
    (c) =>
      c.json(
        {
          component: events.component,
          ...(events.country ? { country: events.country } : {}),
          events: events.list(c.req.valid('query')),
        },
        200,
      ),
  );
}
