import { createRoute } from '@hono/zod-openapi';
import {
  type ComponentApp,
  type ComponentDeps,
  createRouteModule,
  problemResponses,
  recordHop,
  requireJson,
} from '@kakehashi/core';
import '../../error-codes.ts';
import {
  createPeerMetadataResolver,
  type RegisteredNodes,
  type ValidateCertificate,
} from '../metadata/resolve-peer-metadata.ts';
import { describeResponse } from './describe-response.ts';
import { createSamlReplayCache } from './saml-replay-cache.ts';
import { validateSamlResponse } from './validate-saml-response.ts';
import { type SamlVerdict, SamlVerdictSchema, ValidateSamlResponseRequestSchema } from './z-saml-validation.ts';

/** What the SAML response validation service needs from the component that mounts it (hub or node). */
export interface SamlValidationDeps extends ComponentDeps {
  component: 'hub' | 'node';
  country?: string | undefined;
  /** The registered nodes (the hub reads its registry; a node asks the hub). */
  registeredNodes: RegisteredNodes;
  /** The component's own verified trust view. */
  validateCertificate: ValidateCertificate;
}

/**
 * Mounts `POST /eid/validate/saml-response`: validates an eIDAS SAML Response of any registered node's IdP
 * against the caller's expectations and answers 200 with the verdict (every S/X check); problems (400/413/415)
 * only for a malformed request. The decoded Response (unverified unless valid; never the key) and the verdict
 * are recorded as an `internal` trace event. The replay cache lives in the component's store.
 */
export function mountSamlResponseValidation(app: ComponentApp, deps: SamlValidationDeps): void {
  const replay = createSamlReplayCache(deps.store, deps.clock);
  const peers = createPeerMetadataResolver({
    clock: deps.clock,
    registeredNodes: deps.registeredNodes,
    validateCertificate: deps.validateCertificate,
  });
  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'post',
      path: '/eid/validate/saml-response',
      tags: ['eid', 'validation'],
      summary:
        'Validate an eIDAS SAML Response of a registered node (S1–S20, X1–X6 of the attack catalogue): 200 with the verdict and every check',
      description:
        'Body: `samlResponse` (the base64 form value or the XML) and `expected` {issuer (IdP metadata URL), audience (SP entity ID), destination (ACS URL), inResponseTo, requestedLoa?, decryptionKeyPem? (e.g. the demo SP test key)}. The verdict is 200 whether the Response is valid or not; `failure.rule` names the first failed rule and `failure.code` its stable code.',
      request: {
        body: { required: true, content: { 'application/json': { schema: ValidateSamlResponseRequestSchema } } },
      },
      responses: {
        200: {
          description: 'The verdict, with every check',
          content: { 'application/json': { schema: SamlVerdictSchema } },
        },
        ...problemResponses(400, 413, 415),
      },
    }),
    async (c) => {
      requireJson(c.req.header('content-type'));
      const { samlResponse, expected } = c.req.valid('json');
      const fetcher = c.get('fetch');
      const verdict: SamlVerdict = await validateSamlResponse(samlResponse, expected, {
        clock: deps.clock,
        clockSkewSeconds: deps.config.get('clockSkewSeconds'),
        resolveIdp: async (issuer) => peers.idp(issuer, fetcher),
        replay,
      });
      recordHop(deps.traces, deps.clock, c.get('trace'), {
        component: deps.component,
        country: deps.country,
        operation: 'eid: SAML response validated',
        direction: 'internal',
        peer: expected.issuer,
        artefact: { type: 'saml_response', unverified: !verdict.valid, ...describeResponse(samlResponse) },
        verdict: { valid: verdict.valid, checks: verdict.checks },
      });
      deps.logger.info('SAML response validated', {
        issuer: expected.issuer,
        valid: verdict.valid,
        ...(verdict.failure ? { rule: verdict.failure.rule, code: verdict.failure.code } : {}),
      });
      return c.json(verdict as never, 200);
    },
  );
  app.route('/', r);
}
