import { createRoute, z } from '@hono/zod-openapi';
import {
  type Clock,
  type ComponentApp,
  createRouteModule,
  type FaultSwitchboard,
  problemResponses,
  requireJson,
  VerdictSchema,
} from '@kakehashi/core';
import { TRUST_LENIENT_FAULTS, type TrustLenientFault } from '@kakehashi/trust';
import type { ValidateCertificate } from './certificate-validator.ts';
import type { NodeTrust } from './node-trust.ts';

/** A certificate path validation's verdict as the node reports it (core's CertificateVerdict). */
export const CertificateVerdictSchema = VerdictSchema.extend({
  country: z.string().optional(),
  serialHex: z.string().optional(),
  anchor: z.string().optional(),
}).openapi('CertificateVerdict');

const TrustStatusSchema = z
  .object({
    loaded: z.boolean(),
    loadedAt: z.string().nullable(),
    lotlSequence: z.number().int().nullable(),
    nextUpdate: z.string().nullable(),
    countries: z.array(z.string()),
    anchors: z.number().int(),
    crls: z.number().int(),
    stale: z.boolean().openapi({
      description: 'True when the view is past a NextUpdate (LOTL, a national list or a CRL) on the virtual clock',
    }),
    warnings: z.array(z.string()).openapi({
      description: 'One line per list or CRL past its NextUpdate, with the date, and what to do',
    }),
    error: z.string().optional(),
  })
  .openapi('NodeTrustStatus');

const KEY_USAGES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
] as const;

const ValidateCertificateRequestSchema = z.object({
  certificate: z.string().min(50).max(20_000).openapi({ description: 'PEM certificate' }),
  chain: z.array(z.string().max(20_000)).max(5).default([]),
  usage: z.array(z.enum(KEY_USAGES)).max(7).default([]),
  at: z.string().datetime().optional().openapi({ description: 'Validation time (default: the virtual clock)' }),
});

/** What the trust routes need: the node's trust view, the one certificate validator, the clock. */
export interface TrustRouteDeps {
  trust: NodeTrust;
  /** The node's fault switches: the trust view offers its weak-node faults (`lenient.trust.*`) there. */
  faults?: FaultSwitchboard;
  validateCertificate: ValidateCertificate;
  clock: Clock;
}

/**
 * The node's trust view over HTTP: its status, a reload from the hub (admin), and certificate validation
 * against what it loaded (what a relying party of this country would do).
 */
export function trustRoutes(deps: TrustRouteDeps): ComponentApp {
  const r = createRouteModule();
  deps.faults?.offer(TRUST_LENIENT_FAULTS);
  const faults = deps.faults;
  const lenient = faults ? { lenient: (name: TrustLenientFault) => faults.fire(name) } : {};
  r.openapi(
    createRoute({
      method: 'get',
      path: '/trust/status',
      tags: ['trust'],
      summary: "The node's verified view of the trust fabric",
      responses: { 200: { description: 'Status', content: { 'application/json': { schema: TrustStatusSchema } } } },
    }),
    (c) => c.json(deps.trust.status(), 200),
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/admin/trust/refresh',
      tags: ['admin'],
      summary: 'Reload the LOTL, trusted lists and CRLs from the hub',
      security: [{ adminToken: [] }],
      responses: {
        200: { description: 'Status after the reload', content: { 'application/json': { schema: TrustStatusSchema } } },
        ...problemResponses(401, 502, 504),
      },
    }),
    async (c) => c.json(await deps.trust.refresh(c.get('fetch'), lenient), 200),
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/trust/validate-certificate',
      tags: ['trust'],
      summary: 'Validate a certificate against the trust fabric this node loaded from the hub',
      request: {
        body: { required: true, content: { 'application/json': { schema: ValidateCertificateRequestSchema } } },
      },
      responses: {
        200: {
          description: 'Verdict with every check',
          content: { 'application/json': { schema: CertificateVerdictSchema } },
        },
        ...problemResponses(400, 413, 415, 502),
      },
    }),
    (c) => {
      requireJson(c.req.header('content-type'));
      const body = c.req.valid('json');
      const at = body.at ? new Date(body.at) : deps.clock.now();
      return c.json(deps.validateCertificate(body.certificate, body.chain, { at, usage: body.usage }), 200);
    },
  );
  return r;
}
