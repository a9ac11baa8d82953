import { createRoute } from '@hono/zod-openapi';
import type { ConfigView, CoreOptions } from '@kakehashi/core';
import {
  type CertificateVerdict,
  type ComponentApp,
  type ComponentDeps,
  createRouteModule,
  problemResponses,
  recordHop,
  refuseWatched,
  requireJson,
} from '@kakehashi/core';
import '../error-codes.ts';
import { LENIENT_ID_TOKEN_FAULTS } from '../id-token/faults.ts';
import type { EidOptions } from '../options.ts';
import { createStoreReplayCache } from './replay-cache.ts';
import { createIssuerKeyResolver, type RegisteredIssuer } from './resolve-issuer-keys.ts';
import { validateIdTokenParsed } from './validate-id-token.ts';
import {
  type ExpectedIdToken,
  type IdTokenVerdict,
  IdTokenVerdictSchema,
  ValidateIdTokenRequestSchema,
} from './z-validation.ts';

/** The validation service's checks, for in-component callers (the eIDAS connector). */
export interface IdTokenValidator {
  validate(token: string, expected: ExpectedIdToken, fetcher: typeof fetch): Promise<IdTokenVerdict>;
}

/** What the ID-token validation service needs from the component that mounts it (hub or node). */
export interface IdTokenValidationDeps extends ComponentDeps {
  config: ConfigView<readonly [...CoreOptions, ...EidOptions]>;
  component: 'hub' | 'node';
  country?: string | undefined;
  /**
   * The registered node whose `oidcIssuer` is `issuer` (its country and JWKS URI), or undefined. The hub asks its
   * registry; a node asks the hub with `fetcher`.
   */
  resolveIssuer: (issuer: string, fetcher: typeof fetch) => Promise<RegisteredIssuer | undefined>;
  /** The component's own verified trust view. */
  validateCertificate: (
    certPem: string,
    chainPem: string[],
    opts: { at: Date; usage?: string[] },
  ) => CertificateVerdict;
  /** Allowed ID-token algorithms; default: the `idTokenAlgorithms` option (RS256, ES256), read per request. */
  algorithms?: readonly string[];
}

/**
 * Mounts `POST /eid/validate/id-token`: validates an ID token of any registered node against the caller's
 * expectations and answers 200 with the verdict (valid or not, every check); 400/413/415 problems only for a
 * malformed request. The decoded header and claims (labelled unverified; never the raw token) and the verdict
 * are recorded as an `internal` trace event. The replay cache lives in the component's store. It offers the
 * `lenient.id-token.*` faults: a weak node lets the named defect through (the check reported skipped by the fault),
 * here and in the eIDAS connector's check of a foreign token.
 */
export function mountIdTokenValidation(app: ComponentApp, deps: IdTokenValidationDeps): IdTokenValidator {
  // The weak node mode (off by default): `lenient.id-token.*` lets one defect through, for every caller.
  deps.faults.offer(LENIENT_ID_TOKEN_FAULTS);
  const replay = createStoreReplayCache(deps.store, deps.clock);
  const resolver = createIssuerKeyResolver({
    clock: deps.clock,
    resolveIssuer: deps.resolveIssuer,
    validateCertificate: deps.validateCertificate,
  });
  /** The verdict, and the token as the validation parsed it (for the trace event: parsed once). */
  const validateParsed = async (token: string, expected: ExpectedIdToken, fetcher: typeof fetch) => {
    const { verdict, parsed } = await validateIdTokenParsed(token, expected, {
      clock: deps.clock,
      clockSkewSeconds: deps.config.get('clockSkewSeconds'),
      resolveKeys: resolver(fetcher),
      replay,
      algorithms: deps.algorithms ?? deps.config.get('idTokenAlgorithms'),
      faults: deps.faults,
    });
    // A key, certificate or issuer the CSIRT network named is refused whatever the checks say (core's watchlist).
    const watched = refuseWatched(verdict, () => ({
      header: parsed.ok ? parsed.jwt.header : {},
      issuer: expected.issuer,
    }));
    return { verdict: watched, parsed };
  };
  const validate: IdTokenValidator['validate'] = async (token, expected, fetcher) =>
    (await validateParsed(token, expected, fetcher)).verdict;

  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'post',
      path: '/eid/validate/id-token',
      tags: ['eid', 'validation'],
      summary:
        'Validate an OIDC ID token of a registered node (J1–J17 of the attack catalogue): 200 with the verdict and every check',
      description:
        'The verdict is 200 whether the token is valid or not; `failure.rule` names the first failed rule and `failure.code` its stable code. Problems (400/413/415) only for a malformed request.',
      request: {
        body: { required: true, content: { 'application/json': { schema: ValidateIdTokenRequestSchema } } },
      },
      responses: {
        200: {
          description: 'The verdict, with every check',
          content: { 'application/json': { schema: IdTokenVerdictSchema } },
        },
        ...problemResponses(400, 413, 415),
      },
    }),
    async (c) => {
      requireJson(c.req.header('content-type'));
      const { token, expected } = c.req.valid('json');
      const { verdict, parsed: decoded } = await validateParsed(token, expected, c.get('fetch'));
      recordHop(deps.traces, deps.clock, c.get('trace'), {
        component: deps.component,
        country: deps.country,
        operation: 'eid: ID token validated',
        direction: 'internal',
        peer: expected.issuer,
        artefact: {
          type: 'id_token',
          unverified: !verdict.valid,
          ...(decoded.ok
            ? { header: decoded.jwt.header, claims: decoded.jwt.payload }
            : { undecodable: decoded.reason }),
        },
        verdict: { valid: verdict.valid, checks: verdict.checks },
      });
      deps.logger.info('ID token validated', {
        issuer: expected.issuer,
        valid: verdict.valid,
        ...(verdict.failure ? { rule: verdict.failure.rule, code: verdict.failure.code } : {}),
      });
      return c.json(verdict as never, 200);
    },
  );
  app.route('/', r);
  return { validate };
}
