import { createRoute, type RouteConfig, z } from '@hono/zod-openapi';
import {
  type ComponentApp,
  createRouteModule,
  KakehashiError,
  problemResponses,
  recordHop,
  requireJson,
} from '@kakehashi/core';
import { Oauth2AuthorizationServer } from '@openid4vc/oauth2';
import { Openid4vciIssuer, Openid4vciVersion } from '@openid4vc/openid4vci';
import type { Context } from 'hono';
import { decodeJwt } from 'jose';
import '../error-codes.ts';
import { oid4vcCallbacks } from '../crypto/oid4vc-callbacks.ts';
import type { IssuerState } from '../issuer/issuer-state.ts';
import { LIFETIMES } from '../issuer/issuer-state.ts';
import type { PidIssuerKey } from '../issuer/pid-issuer-key.ts';
import {
  STATUS,
  STATUS_LIST_SIZE,
  STATUS_LIST_TTL,
  type StatusRegistry,
  statusListToken,
} from '../issuer/status-list.ts';
import {
  CredentialIssuerMetadataSchema,
  CredentialOfferResponseSchema,
  CredentialRequestSchema,
  CredentialResponseSchema,
  NonceResponseSchema,
  OAuthErrorSchema,
  TokenResponseSchema,
} from '../issuer/z-issuer.ts';
import type { WalletDeps } from '../wallet-deps.ts';
import {
  issueResidenceSdJwt,
  livesInSetagaya,
  RESIDENCE_CLAIM_NAMES,
  RESIDENCE_CONFIGURATION_ID,
  RESIDENCE_VCT,
  residenceClaimsOf,
  SETAGAYA,
} from './residence.ts';

/** How long a residence attestation lives (a certificate of residence is read as of its date: 90 days). */
const VALIDITY_DAYS = 90;
const PROOF_MAX_AGE = 300;
/** Where Setagaya's issuer sits under Japan's node: its credential issuer identifier is `<origin>/wallet/setagaya`. */
export const SETAGAYA_PATH = '/wallet/setagaya';

/** Setagaya's endpoints at Japan's node. */
export function setagayaEndpoints(origin: string) {
  const base = `${origin}${SETAGAYA_PATH}`;
  return {
    credentialIssuer: base,
    token: `${base}/token`,
    nonce: `${base}/nonce`,
    credential: `${base}/credential`,
    statusList: `${base}/status-lists/1`,
  };
}

const SetStatusSchema = z
  .object({
    idx: z
      .number()
      .int()
      .min(0)
      .max(STATUS_LIST_SIZE - 1)
      .openapi({ description: "The attestation's status.status_list.idx" }),
    status: z.enum(['valid', 'invalid', 'suspended']),
  })
  .strict()
  .openapi('ResidenceSetStatus');

const OfferBodySchema = z
  .object({ personaId: z.string().min(1).max(40).openapi({ example: 'jp-001' }) })
  .strict()
  .openapi('ResidenceOfferRequest');

function oauthError(
  c: Context,
  code:
    | 'vci-invalid-request'
    | 'vci-invalid-grant'
    | 'vci-invalid-token'
    | 'vci-invalid-proof'
    | 'vci-invalid-nonce'
    | 'vci-unknown-credential-configuration'
    | 'vci-unsupported-grant-type',
  error: string,
  description: string,
  status: 400 | 401 = 400,
) {
  if (status === 401) c.header('WWW-Authenticate', `Bearer error="${error}"`);
  c.header('Cache-Control', 'no-store');
  return c.json({ error, error_description: description, code }, status) as never;
}

/**
 * Setagaya City's attestation issuer at Japan's node (OpenID4VCI 1.0, pre-authorised code, dc+sd-jwt): the
 * certificate of residence of a persona of its resident register, `vct` {@link RESIDENCE_VCT}, signed with a key
 * Japan's issuing CA certified (the trust fabric's national CA: Japan's trusted list is referenced from the LOTL
 * as a third-country list, so an EU verifier reaches it as it reaches a PID provider), with a Token Status List
 * entry. Its credential issuer identifier carries a path (`<origin>/wallet/setagaya`): metadata at
 * `/.well-known/openid-credential-issuer/wallet/setagaya` (OpenID4VCI §12.2.2, path inserted).
 * @see https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0-final.html
 */
export function setagayaIssuerRoutes(
  deps: WalletDeps,
  state: IssuerState,
  key: PidIssuerKey,
  statuses: StatusRegistry,
): ComponentApp {
  const e = setagayaEndpoints(deps.publicUrl);
  const callbacks = oid4vcCallbacks({ fetch: deps.fetch });
  const vci = new Openid4vciIssuer({ callbacks });
  const as = new Oauth2AuthorizationServer({ callbacks });
  const asMetadata = {
    issuer: e.credentialIssuer,
    token_endpoint: e.token,
    grant_types_supported: ['urn:ietf:params:oauth:grant-type:pre-authorized_code'],
    'pre-authorized_grant_anonymous_access_supported': true,
  };
  const metadata = () => {
    const credentialIssuer = vci.createCredentialIssuerMetadata({
      credential_issuer: e.credentialIssuer,
      authorization_servers: [e.credentialIssuer],
      credential_endpoint: e.credential,
      nonce_endpoint: e.nonce,
      display: [
        { name: `${SETAGAYA.nameLocal} (TEST)`, locale: 'ja' },
        { name: `${SETAGAYA.name} (TEST)`, locale: 'en' },
      ],
      credential_configurations_supported: {
        [RESIDENCE_CONFIGURATION_ID]: {
          format: 'dc+sd-jwt',
          vct: RESIDENCE_VCT,
          scope: RESIDENCE_CONFIGURATION_ID,
          cryptographic_binding_methods_supported: ['jwk'],
          credential_signing_alg_values_supported: ['ES256'],
          proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256'] } },
          credential_metadata: {
            display: [
              { name: '住民票の写し (TEST)', locale: 'ja' },
              { name: 'Certificate of residence (TEST)', locale: 'en' },
            ],
            claims: RESIDENCE_CLAIM_NAMES.map((name) => ({ path: [name] })),
          },
        },
      },
    } as never);
    return {
      originalDraftVersion: Openid4vciVersion.V1,
      credentialIssuer,
      authorizationServers: [as.createAuthorizationServerMetadata(asMetadata)],
      knownCredentialConfigurations: vci.getKnownCredentialConfigurationsSupported(credentialIssuer),
    };
  };
  const hop = (c: Context, operation: string, artefact: Record<string, unknown>) =>
    recordHop(deps.traces, deps.clock, c.get('trace'), {
      component: 'node',
      country: deps.country,
      operation,
      direction: 'internal',
      artefact,
      verdict: { valid: true },
    });
  const tags = ['wallet'];
  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'get',
      path: `/.well-known/openid-credential-issuer${SETAGAYA_PATH}`,
      tags,
      summary: `Credential issuer metadata of ${SETAGAYA.name} (issuer ${SETAGAYA_PATH}): the certificate of residence as dc+sd-jwt, vct ${RESIDENCE_VCT}`,
      responses: {
        200: { description: 'Metadata', content: { 'application/json': { schema: CredentialIssuerMetadataSchema } } },
      },
    }),
    (c) => c.json(metadata().credentialIssuer as never, 200),
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: `/.well-known/oauth-authorization-server${SETAGAYA_PATH}`,
      tags,
      summary: `${SETAGAYA.name}'s authorization server metadata (RFC 8414, path inserted): pre-authorised code`,
      responses: {
        200: {
          description: 'Metadata',
          content: { 'application/json': { schema: z.object({ issuer: z.string() }).passthrough() } },
        },
      },
    }),
    (c) => c.json(asMetadata, 200),
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: `${SETAGAYA_PATH}/offers`,
      tags,
      summary: `TEST ONLY: a credential offer (pre-authorised code) of the certificate of residence for a resident of ${SETAGAYA.name}`,
      request: { body: { required: true, content: { 'application/json': { schema: OfferBodySchema } } } },
      responses: {
        200: { description: 'The offer', content: { 'application/json': { schema: CredentialOfferResponseSchema } } },
      },
    }),
    async (c) => {
      requireJson(c.req.header('content-type'));
      const { personaId } = c.req.valid('json');
      const persona = deps.personas.find((p) => p.id === personaId);
      if (!persona)
        throw new KakehashiError('vci-unknown-persona', `Node JP has no persona "${personaId.slice(0, 40)}".`);
      if (!livesInSetagaya(persona))
        throw new KakehashiError(
          'vci-not-resident',
          `${personaId} is not in ${SETAGAYA.name}'s resident register (lives in ${persona.address.city}).`,
        );
      const offer = await vci.createCredentialOffer({
        issuerMetadata: metadata(),
        credentialConfigurationIds: [RESIDENCE_CONFIGURATION_ID],
        grants: {
          'urn:ietf:params:oauth:grant-type:pre-authorized_code': { 'pre-authorized_code': state.newCode(personaId) },
        },
      });
      hop(c, 'wallet: Setagaya residence attestation offered', { type: 'credential_offer', personaId });
      return c.json(
        { credential_offer: offer.credentialOfferObject, credential_offer_url: offer.credentialOffer } as never,
        200,
      );
    },
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: `${SETAGAYA_PATH}/token`,
      tags,
      summary: `${SETAGAYA.name}'s token endpoint: the pre-authorised code, single use`,
      requestBody: {
        required: true,
        content: {
          'application/x-www-form-urlencoded': {
            schema: {
              type: 'object',
              required: ['grant_type', 'pre-authorized_code'],
              properties: { grant_type: { type: 'string' }, 'pre-authorized_code': { type: 'string' } },
            },
          },
        },
      } as unknown as RouteConfig['requestBody'],
      responses: {
        200: { description: 'Access token', content: { 'application/json': { schema: TokenResponseSchema } } },
        400: { description: 'OAuth error', content: { 'application/json': { schema: OAuthErrorSchema } } },
      },
    }),
    async (c) => {
      const form = Object.fromEntries(new URLSearchParams(await c.req.text()));
      let code: string;
      try {
        const parsed = as.parseAccessTokenRequest({
          request: { method: 'POST', url: e.token, headers: c.req.raw.headers },
          accessTokenRequest: form,
        });
        if (parsed.grant.grantType !== 'urn:ietf:params:oauth:grant-type:pre-authorized_code')
          return oauthError(
            c,
            'vci-unsupported-grant-type',
            'unsupported_grant_type',
            'Only the pre-authorized_code grant.',
          );
        code = parsed.grant.preAuthorizedCode;
      } catch {
        return oauthError(c, 'vci-invalid-request', 'invalid_request', 'The token request is malformed.');
      }
      const personaId = state.consumeCode(code);
      if (!personaId)
        return oauthError(
          c,
          'vci-invalid-grant',
          'invalid_grant',
          'The pre-authorized_code is unknown, expired or used.',
        );
      c.header('Cache-Control', 'no-store');
      return c.json(
        {
          access_token: state.newAccessToken(personaId),
          token_type: 'Bearer' as const,
          expires_in: LIFETIMES.accessToken,
        },
        200,
      );
    },
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: `${SETAGAYA_PATH}/nonce`,
      tags,
      summary: `${SETAGAYA.name}'s nonce endpoint (OpenID4VCI §7)`,
      responses: { 200: { description: 'c_nonce', content: { 'application/json': { schema: NonceResponseSchema } } } },
    }),
    (c) => {
      c.header('Cache-Control', 'no-store');
      return c.json(
        vci.createNonceResponse({ cNonce: state.newNonce(), cNonceExpiresIn: LIFETIMES.cNonce }) as never,
        200,
      );
    },
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: `${SETAGAYA_PATH}/credential`,
      tags,
      summary: `${SETAGAYA.name}'s credential endpoint: the certificate of residence (dc+sd-jwt) bound to the proof key`,
      request: { body: { required: true, content: { 'application/json': { schema: CredentialRequestSchema } } } },
      responses: {
        200: { description: 'The credential', content: { 'application/json': { schema: CredentialResponseSchema } } },
        400: { description: 'OpenID4VCI error', content: { 'application/json': { schema: OAuthErrorSchema } } },
        401: { description: 'Access token refused', content: { 'application/json': { schema: OAuthErrorSchema } } },
      },
    }),
    async (c) => {
      requireJson(c.req.header('content-type'));
      const auth = c.req.header('authorization') ?? '';
      const personaId = auth.startsWith('Bearer ') ? state.personaOfToken(auth.slice(7).trim()) : undefined;
      const persona = deps.personas.find((p) => p.id === personaId);
      if (!persona)
        return oauthError(
          c,
          'vci-invalid-token',
          'invalid_token',
          'The access token is missing, unknown or expired.',
          401,
        );
      const m = metadata();
      let request: ReturnType<typeof vci.parseCredentialRequest>;
      try {
        request = vci.parseCredentialRequest({ issuerMetadata: m, credentialRequest: c.req.valid('json') });
      } catch {
        return oauthError(
          c,
          'vci-invalid-request',
          'invalid_credential_request',
          'The credential request is malformed.',
        );
      }
      if (request.credentialConfigurationId !== RESIDENCE_CONFIGURATION_ID)
        return oauthError(
          c,
          'vci-unknown-credential-configuration',
          'unknown_credential_configuration',
          `Only ${RESIDENCE_CONFIGURATION_ID}.`,
        );
      const proofs = request.proofs?.jwt ?? [];
      if (proofs.length !== 1)
        return oauthError(c, 'vci-invalid-proof', 'invalid_proof', 'Send exactly one proof in proofs.jwt.');
      const proofJwt = proofs[0] as string;
      let claimed: { nonce?: unknown; iat?: unknown };
      try {
        claimed = decodeJwt(proofJwt);
      } catch {
        return oauthError(c, 'vci-invalid-proof', 'invalid_proof', 'The proof is not a JWT.');
      }
      if (typeof claimed.nonce !== 'string' || !state.consumeNonce(claimed.nonce))
        return oauthError(
          c,
          'vci-invalid-nonce',
          'invalid_nonce',
          'The proof does not carry a fresh c_nonce of this issuer.',
        );
      const now = deps.clock.now();
      let holderJwk: Record<string, unknown>;
      try {
        const verified = await vci.verifyCredentialRequestJwtProof({
          issuerMetadata: m,
          jwt: proofJwt,
          expectedNonce: claimed.nonce,
          now,
        });
        if (verified.header.alg !== 'ES256' || verified.signer.method !== 'jwk') throw new Error('alg or key');
        holderJwk = verified.signer.publicJwk as Record<string, unknown>;
      } catch {
        return oauthError(
          c,
          'vci-invalid-proof',
          'invalid_proof',
          'The proof does not verify (typ openid4vci-proof+jwt, aud, nonce, ES256 with its jwk).',
        );
      }
      const age = now.getTime() / 1000 - (typeof claimed.iat === 'number' ? claimed.iat : 0);
      if (Math.abs(age) > PROOF_MAX_AGE)
        return oauthError(c, 'vci-invalid-proof', 'invalid_proof', `The proof's iat is ${Math.round(age)} s from now.`);
      const credential = await issueResidenceSdJwt({
        issuer: e.credentialIssuer,
        key,
        holderJwk: { kty: holderJwk.kty, crv: holderJwk.crv, x: holderJwk.x, y: holderJwk.y },
        claims: residenceClaimsOf(persona, now),
        now,
        expires: new Date(now.getTime() + VALIDITY_DAYS * 86_400_000),
        status: { idx: statuses.allocate(), uri: e.statusList },
      });
      hop(c, 'wallet: Setagaya residence attestation issued (dc+sd-jwt)', {
        type: 'dc+sd-jwt',
        personaId,
        vct: RESIDENCE_VCT,
      });
      c.header('Cache-Control', 'no-store');
      return c.json(
        vci.createCredentialResponse({ credentialRequest: request, credentials: [{ credential }] }) as never,
        200,
      );
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: `${SETAGAYA_PATH}/status-lists/1`,
      tags,
      summary: `${SETAGAYA.name}'s Token Status List (statuslist+jwt) for its residence attestations`,
      responses: {
        200: {
          description: 'The status list token',
          content: { 'application/statuslist+jwt': { schema: z.string() } },
        },
      },
    }),
    async (c) => {
      const token = await statusListToken({ uri: e.statusList, key, list: statuses.list(), now: deps.clock.now() });
      return c.body(token, 200, {
        'content-type': 'application/statuslist+jwt',
        'cache-control': `max-age=${STATUS_LIST_TTL}`,
      }) as never;
    },
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/admin/wallet/status',
      tags: ['wallet', 'admin'],
      security: [{ adminToken: [] }],
      summary: `Set a residence attestation's status in ${SETAGAYA.name}'s status list: invalid (revoked), suspended, or valid again`,
      request: { body: { required: true, content: { 'application/json': { schema: SetStatusSchema } } } },
      responses: {
        200: {
          description: 'The status now',
          content: { 'application/json': { schema: z.object({ idx: z.number(), status: z.string() }) } },
        },
        ...problemResponses(400, 401, 404, 415),
      },
    }),
    (c) => {
      requireJson(c.req.header('content-type'));
      const { idx, status } = c.req.valid('json');
      if (!statuses.isAllocated(idx))
        throw new KakehashiError(
          'vci-unknown-status-index',
          `No attestation of ${SETAGAYA.name} has the index ${idx}.`,
        );
      statuses.set(idx, STATUS[status]);
      hop(c, `wallet: Setagaya residence attestation status set to ${status}`, { type: 'status_list_entry', idx });
      return c.json({ idx, status }, 200);
    },
  );
  return r;
}
