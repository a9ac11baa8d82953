import { randomBytes } from 'node:crypto';
import { createRoute, type RouteConfig, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule, KakehashiError, problemResponses, requireJson } from '@kakehashi/core';
import { DcqlQuery } from 'dcql';
import type { Context } from 'hono';
import '../error-codes.ts';
import type { PidIssuerKey } from '../issuer/pid-issuer-key.ts';
import { deviceResponseArtefact } from '../mdoc/mdoc-artefact.ts';
import { requestObjectArtefact, sdJwtArtefact } from '../trace-artefacts.ts';
import { pidProviderValidation } from '../trust/provider-lists.ts';
import type { WalletDeps } from '../wallet-deps.ts';
import { walletHop } from '../wallet-hop.ts';
import {
  createAuthorizationRequest,
  purge,
  readAuthorizationResponse,
  TRANSACTION_TTL_SECONDS,
  type Transaction,
} from './openid4vp-verifier.ts';
import { x509HashOf } from './request-object.ts';
import { createResponseKey, RESPONSE_ENC_VALUES } from './response-encryption.ts';
import { answerOf, requireResponseCode } from './response-outcome.ts';
import type { PresentationVerdict } from './rules.ts';
import { doctypesOf, queryFormatOf, verifyMdocPresentation } from './verify-mdoc.ts';
import { type ExpectedPresentation, type VerifyContext, verifyPresentation } from './verify-presentation.ts';
import {
  CreateRequestResponseSchema,
  CreateRequestSchema,
  DIRECT_POST_FORM,
  DirectPostResponseSchema,
  PresentationVerdictSchema,
  TransactionSchema,
  ValidatePresentationSchema,
} from './z-verifier.ts';

/** The default query: a PID's names and birth date. */
export const DEFAULT_PID_QUERY = {
  credentials: [
    {
      id: 'pid',
      format: 'dc+sd-jwt',
      meta: { vct_values: ['urn:eudi:pid:1'] },
      claims: [{ path: ['family_name'] }, { path: ['given_name'] }, { path: ['birthdate'] }],
    },
  ],
};

/** Seconds of clock skew tolerated, and the oldest key binding accepted. */
const SKEW_SECONDS = 60;
const KB_MAX_AGE_SECONDS = 300;

/** A DCQL query parsed and validated by the dcql library, or a 400 problem. */
function parseDcql(input: unknown): DcqlQuery {
  try {
    const q = DcqlQuery.parse(input as never);
    DcqlQuery.validate(q);
    return q;
  } catch (e) {
    throw new KakehashiError(
      'bad-request',
      `The DCQL query is invalid: ${e instanceof Error ? e.message.slice(0, 200) : 'refused'} (OpenID4VP §6).`,
    );
  }
}

/** The accepted vct values of a credential query (default: the PID's). */
const vctValuesOf = (q: DcqlQuery, id: string) => {
  const cq = q.credentials.find((c) => c.id === id) as { meta?: { vct_values?: string[] } } | undefined;
  return cq?.meta?.vct_values ?? ['urn:eudi:pid:1'];
};

/**
 * The verifier (OpenID4VP 1.0, response_mode direct_post, DCQL): a relying party asks for a request (nonce, state,
 * DCQL query; client_id with the `redirect_uri:` prefix — unsigned, the response URI itself — or, signed, a request
 * object by reference under the `x509_hash:` of the verifier's access certificate), the wallet posts
 * its `vp_token` to the response URI, each presentation is judged by the W rules, and the relying party reads the
 * verdict. The same validation is offered alone as `POST /wallet/validate/presentation`.
 * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html
 */
export function verifierRoutes(
  deps: WalletDeps,
  transactions: Map<string, Transaction>,
  accessKeyOf: () => PidIssuerKey,
): ComponentApp {
  const responseUri = `${deps.publicUrl}/wallet/verifier/response`;
  const unsignedClientId = `redirect_uri:${responseUri}`;
  // The access key is certified at the first signed request (not at every node's start): the same key and
  // certificate, drawn from the seed, whenever that is.
  const signedClientId = () => `x509_hash:${x509HashOf(accessKeyOf().x5c[0] as string)}`;
  // x509_san_dns (§5.9.3): the node's host name, a dNSName SAN of the access certificate, the response URI's host.
  const sanDnsClientId = `x509_san_dns:${new URL(deps.publicUrl).hostname}`;
  const context = (fetcher: typeof fetch): VerifyContext => ({
    clock: deps.clock,
    validateCertificate: pidProviderValidation(deps),
    resolveIssuer: deps.resolveIssuer,
    fetcher,
    skewSeconds: SKEW_SECONDS,
    kbMaxAgeSeconds: KB_MAX_AGE_SECONDS,
    faults: deps.faults,
  });
  const record = walletHop(deps);
  const hop = (c: Context, operation: string, verdict: PresentationVerdict, artefact: Record<string, unknown>) =>
    record(c, operation, artefact, { valid: verdict.valid, checks: verdict.checks });
  /** A hop without a verdict: what the verifier made (the request, decoded). */
  const note = (c: Context, operation: string, artefact: Record<string, unknown>) =>
    record(c, operation, artefact, null);

  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'post',
      path: '/wallet/verifier/requests',
      tags: ['wallet'],
      summary:
        'Start a presentation: an OpenID4VP authorization request (vp_token, direct_post or direct_post.jwt, DCQL; default: the PID names and birth date) with a fresh nonce and state',
      request: { body: { required: true, content: { 'application/json': { schema: CreateRequestSchema } } } },
      responses: {
        200: { description: 'The request', content: { 'application/json': { schema: CreateRequestResponseSchema } } },
        ...problemResponses(400, 415),
      },
    }),
    async (c) => {
      requireJson(c.req.header('content-type'));
      const body = c.req.valid('json');
      const dcql = parseDcql(body.dcql_query ?? DEFAULT_PID_QUERY);
      purge(transactions, deps.clock.nowMs());
      const t: Transaction = {
        expiresAt: deps.clock.nowMs() + TRANSACTION_TTL_SECONDS * 1000,
        clientId: body.signed
          ? body.client_id_prefix === 'x509_san_dns'
            ? sanDnsClientId
            : signedClientId()
          : unsignedClientId,
        ...(body.redirect_uri ? { redirectUri: body.redirect_uri } : {}),
        id: randomBytes(16).toString('base64url'),
        state: randomBytes(16).toString('base64url'),
        nonce: randomBytes(24).toString('base64url'),
        dcql,
        ...(body.response_mode === 'direct_post.jwt' ? { responseKey: createResponseKey() } : {}),
      };
      const request = {
        response_type: 'vp_token' as const,
        client_id: t.clientId,
        response_mode: t.responseKey ? ('direct_post.jwt' as const) : ('direct_post' as const),
        response_uri: responseUri,
        nonce: t.nonce,
        state: t.state,
        dcql_query: dcql as never,
        ...(t.responseKey
          ? {
              client_metadata: {
                jwks: { keys: [t.responseKey.jwk] },
                encrypted_response_enc_values_supported: [...RESPONSE_ENC_VALUES],
              },
            }
          : {}),
      };
      // By reference (§5.10): the wallet fetches the signed request object; the URL carries client_id and request_uri.
      const requestUri = `${deps.publicUrl}/wallet/verifier/requests/${t.id}/request.jwt`;
      const made = await createAuthorizationRequest(request, {
        now: deps.clock.now(),
        signed: body.signed ? { requestUri, accessKey: accessKeyOf() } : undefined,
      });
      t.request = made.request;
      transactions.set(t.id, t);
      if (made.requestObject) {
        t.requestObject = made.requestObject;
        note(c, 'wallet: presentation request created (signed request object)', requestObjectArtefact(t.requestObject));
        return c.json(
          {
            transaction_id: t.id,
            authorization_request: { ...request, request_uri: requestUri },
            request_url: made.requestUrl,
          } as never,
          200,
        );
      }
      note(c, 'wallet: presentation request created', { type: 'authorization_request', claims: request });
      return c.json(
        { transaction_id: t.id, authorization_request: request, request_url: made.requestUrl } as never,
        200,
      );
    },
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/wallet/verifier/response',
      tags: ['wallet'],
      summary:
        'The response URI (direct_post §8.2: vp_token and state; direct_post.jwt §8.3: response, a JWE of both); each presentation judged by the W rules, the request answered once',
      requestBody: {
        required: true,
        content: { 'application/x-www-form-urlencoded': { schema: DIRECT_POST_FORM } },
      } as unknown as RouteConfig['requestBody'],
      responses: {
        200: { description: 'Received', content: { 'application/json': { schema: DirectPostResponseSchema } } },
        ...problemResponses(400, 404, 422),
      },
    }),
    async (c) => {
      const form = new URLSearchParams(await c.req.text());
      const read = await readAuthorizationResponse(form, transactions, deps.clock.nowMs());
      if (read.kind === 'refused') {
        deps.logger.info('presentation refused by the wallet', { error: read.error, encrypted: read.encrypted });
        return c.json(answerOf(read.t), 200);
      }
      const { t, state, presentation, encrypted } = read;
      const cq = t.dcql.credentials[0] as { id: string };
      const expected: ExpectedPresentation = {
        nonce: t.nonce,
        clientId: t.clientId,
        dcql: { query: t.dcql, credentialQueryId: cq.id },
        vctValues: vctValuesOf(t.dcql, cq.id),
      };
      const verdict =
        queryFormatOf(t.dcql, cq.id) === 'mso_mdoc'
          ? await verifyMdocPresentation(
              presentation,
              {
                ...expected,
                responseUri,
                encryptionJwk: t.responseKey?.jwk as never,
                doctypes: doctypesOf(t.dcql, cq.id),
              },
              context(c.get('fetch')),
            )
          : await verifyPresentation(presentation, expected, context(c.get('fetch')));
      t.verdict = verdict;
      hop(c, `wallet: presentation received (${encrypted ? 'direct_post.jwt' : 'direct_post'})`, verdict, {
        ...(queryFormatOf(t.dcql, cq.id) === 'mso_mdoc'
          ? deviceResponseArtefact(presentation)
          : sdJwtArtefact(presentation)),
        state,
      });
      deps.logger.info('presentation judged', {
        valid: verdict.valid,
        ...(verdict.failure ? { rule: verdict.failure.rule } : {}),
      });
      return c.json(answerOf(t), 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/wallet/verifier/requests/{id}/request.jwt',
      tags: ['wallet'],
      summary:
        'The signed request object of a request made with signed: true (typ oauth-authz-req+jwt, x5c of the verifier access certificate, OpenID4VP §5.10)',
      request: { params: z.object({ id: z.string().max(100) }) },
      responses: {
        200: {
          description: 'The request object',
          content: {
            'application/oauth-authz-req+jwt': { schema: z.string().openapi({ description: 'A compact JWS' }) },
          },
        },
        ...problemResponses(404),
      },
    }),
    (c) => {
      purge(transactions, deps.clock.nowMs());
      const t = transactions.get(c.req.valid('param').id);
      if (!t?.requestObject || t.verdict)
        throw new KakehashiError('vp-unknown-transaction', 'No open signed request has that id.');
      return c.body(t.requestObject, 200, { 'content-type': 'application/oauth-authz-req+jwt' }) as never;
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/wallet/verifier/transactions/{id}',
      tags: ['wallet'],
      summary: "A presentation request's state and, once the wallet answered, the verdict (the relying party's view)",
      request: {
        params: z.object({ id: z.string().max(100) }),
        query: z.object({
          response_code: z.string().max(200).optional().openapi({
            description: 'Same-device: the response_code of the redirect; required once such a request is answered',
          }),
        }),
      },
      responses: {
        200: { description: 'The transaction', content: { 'application/json': { schema: TransactionSchema } } },
        ...problemResponses(403, 404),
      },
    }),
    (c) => {
      purge(transactions, deps.clock.nowMs());
      const t = transactions.get(c.req.valid('param').id);
      if (!t) throw new KakehashiError('vp-unknown-transaction', 'No presentation request has that id.');
      requireResponseCode(t, c.req.valid('query').response_code);
      return c.json(
        {
          transaction_id: t.id,
          status: t.verdict ? ('answered' as const) : t.error ? ('refused' as const) : ('pending' as const),
          ...(t.verdict ? { verdict: t.verdict as never } : {}),
          ...(t.error ? { error: t.error } : {}),
        },
        200,
      );
    },
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/wallet/validate/presentation',
      tags: ['wallet', 'validation'],
      summary:
        'Validate an SD-JWT VC presentation (W1–W15): issuer chain through the trusted lists, signature, validity, disclosures, key binding (nonce, aud, iat, sd_hash), DCQL, status list — or an mso_mdoc DeviceResponse (W1, W2, W4–W7, W9, W14, W15; the SessionTranscript from nonce, client_id, response_uri, encryption_jwk); 200 with the verdict',
      request: { body: { required: true, content: { 'application/json': { schema: ValidatePresentationSchema } } } },
      responses: {
        200: { description: 'The verdict', content: { 'application/json': { schema: PresentationVerdictSchema } } },
        ...problemResponses(400, 413, 415),
      },
    }),
    async (c) => {
      requireJson(c.req.header('content-type'));
      const { presentation, expected } = c.req.valid('json');
      const dcql = expected.dcql_query ? parseDcql(expected.dcql_query) : undefined;
      const cqId = expected.credential_query_id ?? (dcql?.credentials[0] as { id: string } | undefined)?.id;
      const format = expected.format ?? queryFormatOf(dcql, cqId);
      const base = {
        nonce: expected.nonce,
        clientId: expected.client_id,
        ...(dcql && cqId ? { dcql: { query: dcql, credentialQueryId: cqId } } : {}),
      };
      if (format === 'mso_mdoc' && !expected.response_uri)
        throw new KakehashiError('vp-invalid-response', 'An mso_mdoc presentation needs expected.response_uri.');
      const verdict =
        format === 'mso_mdoc'
          ? await verifyMdocPresentation(
              presentation,
              {
                ...base,
                responseUri: expected.response_uri as string,
                encryptionJwk: expected.encryption_jwk as never,
                doctypes: dcql && cqId ? doctypesOf(dcql, cqId) : undefined,
              },
              context(c.get('fetch')),
            )
          : await verifyPresentation(
              presentation,
              {
                ...base,
                vctValues: expected.vct_values ?? (dcql && cqId ? vctValuesOf(dcql, cqId) : undefined),
              },
              context(c.get('fetch')),
            );
      hop(c, 'wallet: presentation validated', verdict, { type: format });
      return c.json(verdict as never, 200);
    },
  );
  return r;
}
export type { Transaction };
