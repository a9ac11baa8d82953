import { createRoute, z } from '@hono/zod-openapi';
import {
  type ComponentApp,
  createRouteModule,
  type FaultSwitchboard,
  KakehashiError,
  problemResponses,
} from '@kakehashi/core';
import { ENTITY_LISTS, type EntityListKind, TRUST_FAULTS } from '@kakehashi/trust';
import type { HubTrust, ListFaults } from '../trust/hub-trust.ts';

/** What the trust publication needs: the trust fabric and the hub's public origin (for absolute URLs). */
export interface TrustPublicationDeps {
  trust: HubTrust;
  /** The hub's public origin, e.g. `http://127.0.0.1:7000`. */
  publicUrl: string;
  /** The hub's fault switches: the publication offers the trust fabric's list and CRL faults. */
  faults?: FaultSwitchboard;
}

const PUBLICATION_FAULTS = TRUST_FAULTS.filter((f) => f.name.startsWith('trust.'));

const XML = 'application/xml; charset=utf-8';

const TrustIndexSchema = z
  .object({
    testOnly: z.literal(true),
    lotl: z.string().openapi({ description: 'URL of the signed list of trusted lists' }),
    trustedLists: z.record(z.string(), z.string()).openapi({ description: 'URL of each country’s trusted list' }),
    crls: z.array(z.string()),
    ocspResponders: z.array(z.string()).optional(),
    lotlSignerCertificate: z.string().openapi({ description: 'The pinned LOTL signer certificate (PEM)' }),
    certificates: z.array(
      z.object({
        name: z.string(),
        subject: z.string(),
        serialHex: z.string(),
        notBefore: z.string(),
        notAfter: z.string(),
        revoked: z.boolean(),
      }),
    ),
  })
  .openapi('TrustIndex');

const index = createRoute({
  method: 'get',
  path: '/trust',
  tags: ['trust'],
  summary:
    'Index of the trust fabric: LOTL, trusted lists, CRLs, the pinned LOTL signer certificate and every certificate by name',
  responses: { 200: { description: 'Trust index', content: { 'application/json': { schema: TrustIndexSchema } } } },
});

const lotl = createRoute({
  method: 'get',
  path: '/trust/lotl.xml',
  tags: ['trust'],
  summary: 'The signed list of trusted lists (ETSI TS 119 612)',
  responses: { 200: { description: 'The LOTL', content: { 'application/xml': { schema: z.string() } } } },
});

const trustedList = createRoute({
  method: 'get',
  path: '/trust/tl/{file}',
  tags: ['trust'],
  summary:
    "A country's signed trusted list, e.g. JP.xml, or a list of trusted entities the LOTL points at (ETSI TS 119 602): EU-pid-providers.xml, EU-wallet-providers.xml",
  request: {
    params: z.object({
      file: z.string().openapi({
        param: { name: 'file', in: 'path' },
        description: '<CC>.xml, or EU-<kind>.xml for a list of trusted entities',
        example: 'JP.xml',
      }),
    }),
  },
  responses: {
    200: { description: 'The trusted list', content: { 'application/xml': { schema: z.string() } } },
    ...problemResponses(404),
  },
});

const crl = createRoute({
  method: 'get',
  path: '/trust/crl/{file}',
  tags: ['trust'],
  summary: 'The CRL of one CA, e.g. DE-issuing-ca.crl (DER)',
  request: {
    params: z.object({
      file: z
        .string()
        .openapi({ param: { name: 'file', in: 'path' }, description: '<ca name>.crl', example: 'DE-issuing-ca.crl' }),
    }),
  },
  responses: {
    200: {
      description: 'The CRL (DER)',
      content: { 'application/pkix-crl': { schema: z.string().openapi({ format: 'binary' }) } },
    },
    ...problemResponses(404),
  },
});

/**
 * Publication of the trust fabric, as relying parties fetch it: the signed LOTL, each country's signed trusted
 * list, the CRL of each CA, and an index of them with the LOTL signer certificate to pin. Offers the security lab's
 * publication faults (`trust.tl-expired`, `trust.tl-rollback`, `trust.ca-withdrawn`, `trust.crl-stale`): while one is
 * on, the lists or CRLs served are the forged ones (correctly signed) and the hub's own validation is unaffected.
 * @see ETSI TS 119 612 v2.3.1 (trusted lists)
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-5 (CRL profile)
 */
export function trustPublicationRoutes(deps: TrustPublicationDeps): ComponentApp {
  const r = createRouteModule();
  const { trust, publicUrl, faults } = deps;
  faults?.offer(PUBLICATION_FAULTS);
  /** The list faults in force, each fired (logged, on the trace hop) when the forged list is served. */
  const listFaults = (what: string): ListFaults | undefined => {
    if (!faults || !trust.forgedLists) return undefined;
    const f: ListFaults = {
      expired: faults.fire('trust.tl-expired', undefined, { list: what }),
      rollback: faults.fire('trust.tl-rollback', undefined, { list: what }),
      withdrawn: faults.fire('trust.ca-withdrawn', undefined, { list: what }),
    };
    return f.expired || f.rollback || f.withdrawn ? f : undefined;
  };

  r.openapi(index, (c) =>
    c.json(
      {
        testOnly: true as const,
        lotl: `${publicUrl}/trust/lotl.xml`,
        trustedLists: Object.fromEntries(trust.countries().map((cc) => [cc, `${publicUrl}/trust/tl/${cc}.xml`])),
        crls: trust.crlNames().map((n) => `${publicUrl}/trust/crl/${n}.crl`),
        ...(trust.ocspResponder ? { ocspResponders: trust.crlNames().map((n) => `${publicUrl}/trust/ocsp/${n}`) } : {}),
        lotlSignerCertificate: trust.lotlSignerPem(),
        certificates: trust.certificates(),
      },
      200,
    ),
  );

  r.openapi(lotl, (c) => {
    const forged = listFaults('LOTL');
    const body = forged && trust.forgedLists ? trust.forgedLists(forged).lotl : trust.lotlXml();
    return c.body(body, 200, { 'content-type': XML });
  });

  r.openapi(trustedList, (c) => {
    const file = c.req.valid('param').file;
    const kind = (Object.keys(ENTITY_LISTS) as EntityListKind[]).find((k) => ENTITY_LISTS[k].file === file);
    const entityList = kind ? trust.entityListXml?.(kind) : undefined;
    if (entityList) return c.body(entityList, 200, { 'content-type': XML });
    const m = /^([A-Za-z]{2})\.xml$/.exec(file);
    const cc = m ? (m[1] as string).toUpperCase() : undefined;
    const forged = cc && trust.countries().includes(cc) ? listFaults(`${cc}.xml`) : undefined;
    const body = cc
      ? forged && trust.forgedLists
        ? trust.forgedLists(forged).tls[cc]
        : trust.trustedListXml(cc)
      : undefined;
    if (!body)
      throw new KakehashiError(
        'unknown-country',
        `No trusted list ${file.slice(0, 20)}; known: ${trust
          .countries()
          .map((cc) => `${cc}.xml`)
          .join(', ')}.`,
      );
    return c.body(body, 200, { 'content-type': XML });
  });

  r.openapi(crl, (c) => {
    const file = c.req.valid('param').file;
    const m = /^([\w.-]+)\.crl$/.exec(file);
    const name = m?.[1];
    const stale =
      name !== undefined &&
      trust.staleCrlDer !== undefined &&
      trust.crlNames().includes(name) &&
      faults?.fire('trust.crl-stale', undefined, { crl: name }) === true;
    const der = name ? (stale ? trust.staleCrlDer?.(name) : trust.crlDer(name)) : undefined;
    if (!der) throw new KakehashiError('not-found', `No CRL ${file.slice(0, 40)}; see GET /trust for the list.`);
    return c.body(new Uint8Array(der), 200, { 'content-type': 'application/pkix-crl' });
  });

  return r;
}
