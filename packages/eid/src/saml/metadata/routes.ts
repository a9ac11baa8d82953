import { createRoute, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule } from '@kakehashi/core';
import '../../error-codes.ts';
import { demoSp, demoSpMetadata } from '../demo-sp/demo-sp.ts';
import type { SamlContext } from '../saml-context.ts';
import { buildIdpMetadata, buildSpMetadata } from './build-metadata.ts';

const SAML_METADATA_TYPE = 'application/samlmetadata+xml';
const tags = ['eid', 'saml'];
const metadataResponses = {
  200: { description: 'A SAML EntityDescriptor', content: { [SAML_METADATA_TYPE]: { schema: z.string() } } },
};
const xmlHeaders = { 'content-type': `${SAML_METADATA_TYPE}; charset=utf-8`, 'cache-control': 'max-age=300' };

const DemoSpKeySchema = z.object({
  testOnly: z.literal(true),
  warning: z.string(),
  entityId: z.string(),
  certificatePem: z.string(),
  privateKeyPem: z.string(),
  acs: z.string(),
});

/**
 * The signed SAML metadata of the node's IdP (proxy service) and SP (connector), and the test-only demo SP's
 * metadata and key pair.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-metadata-2.0-os.pdf
 * @see eIDAS SAML Message Format v1.2 §2.2 (metadata)
 */
export function samlMetadataRoutes(ctx: SamlContext): ComponentApp {
  const { deps } = ctx;
  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'get',
      path: '/saml/idp/metadata',
      tags,
      summary:
        'Signed SAML metadata of the IdP (eIDAS proxy service): signing and encryption certificates, SLO (Redirect), SSO (Redirect, POST), LoA, attributes',
      responses: metadataResponses,
    }),
    (c) =>
      c.body(
        buildIdpMetadata({
          entityId: ctx.idpEntityId,
          ssoUrl: ctx.ssoUrl,
          sloUrl: ctx.idpSloUrl,
          loa: deps.loa,
          signing: ctx.signer,
          encryptionCertPem: deps.encryption.certPem,
          organizationName: deps.organizationName,
          organizationUrl: `${ctx.base}/`,
          nowMs: deps.clock.nowMs(),
        }),
        200,
        xmlHeaders,
      ),
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/saml/sp/metadata',
      tags,
      summary:
        'Signed SAML metadata of the SP (eIDAS connector): signing and encryption certificates, SLO (Redirect), ACS (POST), SPType public',
      responses: metadataResponses,
    }),
    (c) =>
      c.body(
        buildSpMetadata({
          entityId: ctx.spEntityId,
          acsUrl: ctx.acsUrl,
          sloUrl: ctx.spSloUrl,
          spType: 'public',
          signing: ctx.signer,
          encryptionCertPem: deps.encryption.certPem,
          organizationName: deps.organizationName,
          organizationUrl: `${ctx.base}/`,
          nowMs: deps.clock.nowMs(),
        }),
        200,
        xmlHeaders,
      ),
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/saml/demo-sp/metadata',
      tags,
      summary: 'Metadata of the TEST-ONLY demo SP kakehashi-demo-sp (any loopback ACS URL is accepted)',
      responses: metadataResponses,
    }),
    (c) => c.body(demoSpMetadata(ctx.seed, deps.clock.nowMs()), 200, xmlHeaders),
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/saml/demo-sp/key',
      tags,
      summary: 'TEST ONLY: the demo SP key pair (PEM), published so developers and tests can decrypt its assertions',
      responses: {
        200: { description: 'The demo SP key pair', content: { 'application/json': { schema: DemoSpKeySchema } } },
      },
    }),
    (c) => {
      const sp = demoSp(ctx.seed);
      return c.json(
        {
          testOnly: true as const,
          warning:
            'TEST ONLY: the demo SP key pair is derived from the public federation seed and published so that developers and tests can decrypt the assertions sent to kakehashi-demo-sp. Never use it for anything else.',
          entityId: sp.entityId,
          certificatePem: sp.certPem,
          privateKeyPem: sp.privateKeyPem,
          acs: 'any loopback http URL (http://127.0.0.1:<port>/…, http://localhost:<port>/…)',
        },
        200,
      );
    },
  );
  return r;
}
