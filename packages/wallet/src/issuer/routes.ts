import { createRoute, type RouteConfig, z } from '@hono/zod-openapi';
import {
  type ComponentApp,
  createRouteModule,
  type ErrorCode,
  KakehashiError,
  recordHop,
  requireJson,
} from '@kakehashi/core';
import { Oauth2AuthorizationServer, Oauth2ServerErrorResponseError } from '@openid4vc/oauth2';
import { Openid4vciIssuer, Openid4vciVersion } from '@openid4vc/openid4vci';
import type { Context } from 'hono';
import { decodeJwt } from 'jose';
import '../error-codes.ts';
import { oid4vcCallbacks } from '../crypto/oid4vc-callbacks.ts';
import { issuePidMdoc, PID_MDOC_CONFIGURATION_ID, pidMdocElementsOf } from '../mdoc/pid-mdoc.ts';
import { sdJwtArtefact } from '../trace-artefacts.ts';
import type { WalletDeps } from '../wallet-deps.ts';
import type { AuthorizationState } from './authorization-state.ts';
import { pidForgery } from './faults.ts';
import { issuePidSdJwt } from './issue-sd-jwt.ts';
import type { IssuerState } from './issuer-state.ts';
import { LIFETIMES } from './issuer-state.ts';
import {
  authorizationServerMetadata,
  credentialIssuerMetadata,
  issuerEndpoints,
  PID_SD_JWT_CONFIGURATION_ID,
} from './metadata.ts';
import { pidClaimsOf } from './pid-claims.ts';
import type { PidIssuerKey } from './pid-issuer-key.ts';
import { STATUS, type StatusRegistry } from './status-list.ts';
import { authorizationCodeGrant, type GrantOutcome, preAuthorizedGrant } from './token-grants.ts';
import { checkWalletAttestation, walletProviderRefusal } from './wallet-attestation.ts';
import {
  CredentialIssuerMetadataSchema,
  CredentialOfferResponseSchema,
  CredentialRequestSchema,
  CredentialResponseSchema,
  NonceResponseSchema,
  OAuthErrorSchema,
  OfferRequestSchema,
  TOKEN_REQUEST_FORM,
  TokenResponseSchema,
} from './z-issuer.ts';

/** How long a PID lives (a PID valid more than 24 h needs a status list, VCR_01b: not yet offered). */
const PID_VALIDITY_DAYS = 365;
/** How long an mdoc PID lives: a day, so it needs no status reference (VCR_01b), which the mdoc library cannot write. */
const MDOC_VALIDITY_MS = 86_400_000;
/** How far a proof's `iat` may be from the virtual clock (seconds): older proofs are replays (VCI §13.8). */
const PROOF_MAX_AGE = 300;

type VciErrorName =
  | 'invalid_request'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'invalid_token'
  | 'invalid_proof'
  | 'invalid_nonce'
  | 'unknown_credential_configuration'
  | 'invalid_credential_request'
  | 'invalid_client';

/** An OpenID4VCI/OAuth error answer (§6.3, §8.3.1.2) that also names the stable Kakehashi code. */
function vciError(c: Context, code: ErrorCode, error: VciErrorName, description: string, status: 400 | 401 = 400) {
  if (status === 401 && error !== 'invalid_client') c.header('WWW-Authenticate', `Bearer error="${error}"`);
  c.header('Cache-Control', 'no-store');
  return c.json({ error, error_description: description, code }, status) as never;
}

/** The eIDAS PersonIdentifiers of a persona for the federation's other countries (the wallet ↔ eIDAS mapping). */
function eidasIdentifiers(deps: WalletDeps, personaId: string): { eidas_person_identifiers?: Record<string, string> } {
  if (!deps.personIdentifier) return {};
  const ids: Record<string, string> = {};
  for (const dest of deps.destinations ?? []) {
    const id = deps.personIdentifier(personaId, dest);
    if (id) ids[dest] = id;
  }
  return Object.keys(ids).length > 0 ? { eidas_person_identifiers: ids } : {};
}

/**
 * The PID provider (OpenID4VCI 1.0, pre-authorised code flow): credential issuer metadata, a credential offer for
 * a persona (test-only: the provider is taken to have identified the persona, as `kakehashi_persona` does for the
 * eID login), the token endpoint, the nonce endpoint and the credential endpoint with an `openid4vci-proof+jwt`
 * proof of possession. Parsing and proof verification are @openid4vc/openid4vci's and @openid4vc/oauth2's;
 * the single use of codes and nonces, the proof's age, and the PID itself are ours.
 * @see https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0-final.html
 */
export function issuerRoutes(
  deps: WalletDeps,
  state: IssuerState,
  key: PidIssuerKey,
  statuses: StatusRegistry,
  /** The authorization code flow's state (present when the node's eID login is wired): issuer_state, codes, tx codes. */
  auth?: AuthorizationState,
): ComponentApp {
  const origin = deps.publicUrl;
  const endpoints = issuerEndpoints(origin);
  const callbacks = oid4vcCallbacks({ fetch: deps.fetch });
  const vci = new Openid4vciIssuer({ callbacks });
  const as = new Oauth2AuthorizationServer({ callbacks });
  const issuerMetadata = () => {
    const credentialIssuer = vci.createCredentialIssuerMetadata(
      credentialIssuerMetadata(origin, deps.country) as never,
    );
    return {
      originalDraftVersion: Openid4vciVersion.V1,
      credentialIssuer,
      authorizationServers: [as.createAuthorizationServerMetadata(authorizationServerMetadata(origin))],
      knownCredentialConfigurations: vci.getKnownCredentialConfigurationsSupported(credentialIssuer),
    };
  };
  const hop = (c: Context, operation: string, artefact: Record<string, unknown>, valid = true) =>
    recordHop(deps.traces, deps.clock, c.get('trace'), {
      component: 'node',
      country: deps.country,
      operation,
      direction: 'internal',
      artefact,
      verdict: { valid },
    });

  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'get',
      path: '/.well-known/openid-credential-issuer',
      tags: ['wallet'],
      summary:
        'Credential issuer metadata of the PID provider (OpenID4VCI §12.2): the PID as dc+sd-jwt and as mso_mdoc (eu.europa.ec.eudi.pid.1)',
      responses: {
        200: { description: 'Metadata', content: { 'application/json': { schema: CredentialIssuerMetadataSchema } } },
      },
    }),
    (c) => c.json(issuerMetadata().credentialIssuer as never, 200),
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/.well-known/oauth-authorization-server/wallet/issuer',
      tags: ['wallet'],
      summary:
        "The PID provider's authorization server metadata (RFC 8414 §3.1, path inserted): pre-authorised code, and the authorization code flow (PAR required, PKCE S256)",
      responses: {
        200: {
          description: 'Metadata',
          content: {
            'application/json': {
              schema: z.object({ issuer: z.string(), token_endpoint: z.string() }).passthrough(),
            },
          },
        },
      },
    }),
    (c) => c.json(authorizationServerMetadata(origin), 200),
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/wallet/issuer/offers',
      tags: ['wallet'],
      summary:
        'TEST ONLY: a credential offer with a pre-authorised code for a persona of this country (the provider takes the persona as identified, as the headless eID login does)',
      request: { body: { required: true, content: { 'application/json': { schema: OfferRequestSchema } } } },
      responses: {
        200: { description: 'The offer', content: { 'application/json': { schema: CredentialOfferResponseSchema } } },
      },
    }),
    async (c) => {
      requireJson(c.req.header('content-type'));
      const { personaId = '', grant, tx_code } = c.req.valid('json');
      if (grant === 'authorization_code') {
        if (!auth)
          throw new KakehashiError(
            'vci-unsupported-grant-type',
            `Node ${deps.country} has no eID login for the wallet.`,
          );
        const offer = await vci.createCredentialOffer({
          issuerMetadata: issuerMetadata(),
          credentialConfigurationIds: [PID_SD_JWT_CONFIGURATION_ID, PID_MDOC_CONFIGURATION_ID],
          grants: { authorization_code: { issuer_state: auth.newIssuerState() } },
        });
        hop(c, 'wallet: credential offer created (authorization code)', { type: 'credential_offer' });
        return c.json(
          { credential_offer: offer.credentialOfferObject, credential_offer_url: offer.credentialOffer } as never,
          200,
        );
      }
      if (!deps.personas.some((p) => p.id === personaId))
        throw new KakehashiError(
          'vci-unknown-persona',
          `Node ${deps.country} has no persona "${personaId.slice(0, 40)}" (GET /personas).`,
        );
      const code = state.newCode(personaId);
      const txCode = tx_code && auth ? auth.newTxCode(code) : undefined;
      const offer = await vci.createCredentialOffer({
        issuerMetadata: issuerMetadata(),
        credentialConfigurationIds: [PID_SD_JWT_CONFIGURATION_ID, PID_MDOC_CONFIGURATION_ID],
        grants: {
          'urn:ietf:params:oauth:grant-type:pre-authorized_code': {
            'pre-authorized_code': code,
            ...(txCode
              ? { tx_code: { input_mode: 'numeric', length: 6, description: 'The code sent to you (TEST ONLY)' } }
              : {}),
          },
        },
      });
      hop(c, 'wallet: credential offer created', {
        type: 'credential_offer',
        personaId,
        offer: offer.credentialOfferObject,
      });
      return c.json(
        {
          credential_offer: offer.credentialOfferObject,
          credential_offer_url: offer.credentialOffer,
          ...(txCode ? { tx_code: txCode } : {}),
        } as never,
        200,
      );
    },
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/wallet/issuer/token',
      tags: ['wallet'],
      summary:
        'Token endpoint of the PID provider (OpenID4VCI §6), the wallet authenticated by its wallet-unit attestation (OAuth-Client-Attestation and -PoP headers): the pre-authorized_code (single use; tx_code when the offer asked, at most 3 wrong), or authorization_code with code_verifier (PKCE S256), redirect_uri and client_id of the pushed request (single use). Errors as OAuth JSON',
      requestBody: {
        required: true,
        content: { 'application/x-www-form-urlencoded': { schema: TOKEN_REQUEST_FORM } },
      } as unknown as RouteConfig['requestBody'],
      responses: {
        200: { description: 'Access token', content: { 'application/json': { schema: TokenResponseSchema } } },
        400: { description: 'OAuth error', content: { 'application/json': { schema: OAuthErrorSchema } } },
        401: {
          description:
            'invalid_client: no valid wallet-unit attestation (OAuth-Client-Attestation + OAuth-Client-Attestation-PoP headers, the provider on the EU wallet-provider list)',
          content: { 'application/json': { schema: OAuthErrorSchema } },
        },
      },
    }),
    async (c) => {
      const form = Object.fromEntries(new URLSearchParams(await c.req.text()));
      let parsed: ReturnType<typeof as.parseAccessTokenRequest>;
      try {
        parsed = as.parseAccessTokenRequest({
          request: { method: 'POST', url: endpoints.token, headers: c.req.raw.headers },
          accessTokenRequest: form,
        });
      } catch (e) {
        const name = e instanceof Oauth2ServerErrorResponseError ? e.errorResponse.error : 'invalid_request';
        if (name === 'unsupported_grant_type')
          return vciError(
            c,
            'vci-unsupported-grant-type',
            'unsupported_grant_type',
            'Only the pre-authorized_code and authorization_code grants are supported.',
          );
        return vciError(
          c,
          'vci-invalid-request',
          'invalid_request',
          'The token request is malformed (OpenID4VCI §6.1).',
        );
      }
      // The wallet-unit attestation (OAuth 2.0 Attestation-Based Client Authentication), whatever the grant.
      const refused = await checkWalletAttestation(deps, as, endpoints.authorizationServer, c.req.raw.headers);
      if (refused) {
        hop(c, 'wallet: token request refused', { type: 'token_request', error: refused.error }, false);
        return vciError(c, refused.code, refused.error, refused.description, 401);
      }
      let outcome: GrantOutcome;
      if (parsed.grant.grantType === 'urn:ietf:params:oauth:grant-type:pre-authorized_code')
        outcome = preAuthorizedGrant(state, auth, parsed.grant.preAuthorizedCode, form.tx_code);
      else if (parsed.grant.grantType === 'authorization_code' && auth)
        outcome = await authorizationCodeGrant(as, auth, {
          parsed: parsed.grant,
          form,
          request: { method: 'POST', url: endpoints.token, headers: c.req.raw.headers },
          metadata: issuerMetadata().authorizationServers[0] as never,
        });
      else
        return vciError(
          c,
          'vci-unsupported-grant-type',
          'unsupported_grant_type',
          'Only the pre-authorized_code and authorization_code grants are supported.',
        );
      if (!('personaId' in outcome)) {
        hop(c, 'wallet: token request refused', { type: 'token_request', error: outcome.error }, false);
        return vciError(c, outcome.code, outcome.error, outcome.description);
      }
      const { personaId } = outcome;
      const accessToken = state.newAccessToken(personaId);
      c.header('Cache-Control', 'no-store');
      hop(c, `wallet: ${outcome.grant} exchanged`, { type: 'access_token', personaId });
      return c.json(
        { access_token: accessToken, token_type: 'Bearer' as const, expires_in: LIFETIMES.accessToken },
        200,
      );
    },
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/wallet/issuer/nonce',
      tags: ['wallet'],
      summary: 'Nonce endpoint (OpenID4VCI §7): a fresh c_nonce, usable once by a proof',
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
      path: '/wallet/issuer/credential',
      tags: ['wallet'],
      summary:
        'Credential endpoint (OpenID4VCI §8): Bearer access token, credential_configuration_id, proofs.jwt (openid4vci-proof+jwt with the c_nonce); answers the PID bound to the proof key: dc+sd-jwt, or for eu.europa.ec.eudi.pid.1 an mso_mdoc (base64url CBOR IssuerSigned, App. A.2.4)',
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
      if (!personaId)
        return vciError(
          c,
          'vci-invalid-token',
          'invalid_token',
          'The access token is missing, unknown or expired.',
          401,
        );
      const persona = deps.personas.find((p) => p.id === personaId);
      if (!persona) return vciError(c, 'vci-invalid-token', 'invalid_token', 'The access token names no persona.', 401);
      const metadata = issuerMetadata();
      let request: ReturnType<typeof vci.parseCredentialRequest>;
      try {
        request = vci.parseCredentialRequest({ issuerMetadata: metadata, credentialRequest: c.req.valid('json') });
      } catch {
        return vciError(
          c,
          'vci-invalid-request',
          'invalid_credential_request',
          'The credential request is malformed (OpenID4VCI §8.2).',
        );
      }
      const asMdoc = request.credentialConfigurationId === PID_MDOC_CONFIGURATION_ID;
      if (request.credentialConfigurationId !== PID_SD_JWT_CONFIGURATION_ID && !asMdoc)
        return vciError(
          c,
          'vci-unknown-credential-configuration',
          'unknown_credential_configuration',
          `Only ${PID_SD_JWT_CONFIGURATION_ID} and ${PID_MDOC_CONFIGURATION_ID} are offered.`,
        );
      const proofs = request.proofs?.jwt ?? [];
      if (proofs.length !== 1)
        return vciError(
          c,
          'vci-invalid-proof',
          'invalid_proof',
          'Send exactly one proof in proofs.jwt (batch issuance is not offered).',
        );
      const proofJwt = proofs[0] as string;
      // The nonce must be one this issuer gave out, used once: the library only compares it with what it is told.
      let claimed: { nonce?: unknown; iat?: unknown };
      try {
        claimed = decodeJwt(proofJwt);
      } catch {
        return vciError(c, 'vci-invalid-proof', 'invalid_proof', 'The proof is not a JWT.');
      }
      if (typeof claimed.nonce !== 'string' || !state.consumeNonce(claimed.nonce))
        return vciError(
          c,
          'vci-invalid-nonce',
          'invalid_nonce',
          'The proof does not carry a fresh c_nonce of this issuer (POST /wallet/issuer/nonce).',
        );
      const now = deps.clock.now();
      let verified: Awaited<ReturnType<typeof vci.verifyCredentialRequestJwtProof>>;
      try {
        verified = await vci.verifyCredentialRequestJwtProof({
          issuerMetadata: metadata,
          jwt: proofJwt,
          expectedNonce: claimed.nonce,
          now,
        });
      } catch {
        return vciError(
          c,
          'vci-invalid-proof',
          'invalid_proof',
          'The proof does not verify: typ openid4vci-proof+jwt, aud the issuer, the nonce, signed by its jwk (OpenID4VCI App. F.4).',
        );
      }
      // A key attestation in the proof (OpenID4VCI App. D): the library verified it and that it attests the proof key;
      // its provider must be one the trusted lists know and the EU wallet-provider list names.
      const keyAttestationRefused = verified.keyAttestation
        ? walletProviderRefusal(deps, verified.keyAttestation.header.x5c, now)
        : undefined;
      if (keyAttestationRefused)
        return vciError(
          c,
          'vci-invalid-proof',
          'invalid_proof',
          `The proof's key_attestation: ${keyAttestationRefused}`,
        );
      const age = now.getTime() / 1000 - (typeof claimed.iat === 'number' ? claimed.iat : 0);
      if (Math.abs(age) > PROOF_MAX_AGE)
        return vciError(
          c,
          'vci-invalid-proof',
          'invalid_proof',
          `The proof's iat is ${Math.round(age)} s from now (at most ${PROOF_MAX_AGE} s).`,
        );
      if (verified.header.alg !== 'ES256' || verified.signer.method !== 'jwk')
        return vciError(
          c,
          'vci-invalid-proof',
          'invalid_proof',
          'The proof must be ES256 and name its key in the jwk header (cryptographic_binding_methods_supported: jwk).',
        );
      const holderJwk = verified.signer.publicJwk as Record<string, unknown>;
      // The security lab: a switched-on wallet.pid-* fault forges exactly one defect into this PID.
      const forged = pidForgery(deps.faults, deps.seed, deps.country, deps);
      const issuedAt = new Date(now.getTime() - (forged.backdateMs ?? 0));
      const expires = forged.backdateMs
        ? new Date(now.getTime() - forged.backdateMs / 2)
        : new Date(now.getTime() + PID_VALIDITY_DAYS * 86_400_000);
      if (asMdoc) {
        // The mdoc PID is short-lived (no status reference in its MSO: see issuePidMdoc); a forged key or date stays.
        const until = forged.backdateMs ? expires : new Date(now.getTime() + MDOC_VALIDITY_MS);
        const credential = await issuePidMdoc({
          key: forged.key ?? key,
          deviceJwk: { kty: 'EC', crv: 'P-256', x: holderJwk.x as string, y: holderJwk.y as string },
          elements: pidMdocElementsOf(persona, issuedAt, until),
          now: issuedAt,
          expires: until,
        });
        hop(c, 'wallet: PID issued (mso_mdoc)', { type: 'mso_mdoc', personaId, doctype: PID_MDOC_CONFIGURATION_ID });
        c.header('Cache-Control', 'no-store');
        return c.json(
          vci.createCredentialResponse({ credentialRequest: request, credentials: [{ credential }] }) as never,
          200,
        );
      }
      const idx = forged.withoutStatus ? undefined : statuses.allocate();
      if (idx !== undefined && forged.revoked) statuses.set(idx, STATUS.invalid);
      const credential = await issuePidSdJwt({
        issuer: origin,
        key: forged.key ?? key,
        holderJwk: { kty: holderJwk.kty, crv: holderJwk.crv, x: holderJwk.x, y: holderJwk.y },
        claims: { ...pidClaimsOf(persona, issuedAt, expires), ...eidasIdentifiers(deps, persona.id) },
        now: issuedAt,
        expires,
        ...(idx !== undefined ? { status: { idx, uri: endpoints.statusList } } : {}),
        ...(forged.vct ? { vct: forged.vct } : {}),
      });
      hop(c, 'wallet: PID issued (dc+sd-jwt)', { ...sdJwtArtefact(credential), personaId });
      c.header('Cache-Control', 'no-store');
      return c.json(
        vci.createCredentialResponse({ credentialRequest: request, credentials: [{ credential }] }) as never,
        200,
      );
    },
  );
  return r;
}
