import { createRoute, type RouteConfig, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule, type ErrorCode, KakehashiError, requireJson } from '@kakehashi/core';
import { Oauth2AuthorizationServer, Oauth2ServerErrorResponseError } from '@openid4vc/oauth2';
import { Openid4vciIssuer, Openid4vciVersion } from '@openid4vc/openid4vci';
import type { Context } from 'hono';
import { decodeJwt } from 'jose';
import '../error-codes.ts';
import { oid4vcCallbacks } from '../crypto/oid4vc-callbacks.ts';
import type { WalletDeps } from '../wallet-deps.ts';
import { walletHop } from '../wallet-hop.ts';
import { authorizationRoutes } from './authorization-routes.ts';
import type { AuthorizationState } from './authorization-state.ts';
import {
  type CredentialIssuerProfile,
  credentialIssuerEndpoints,
  profileAuthorizationServerMetadata,
  profileIssuerMetadata,
} from './issuer-profile.ts';
import type { IssuerState } from './issuer-state.ts';
import { LIFETIMES } from './issuer-state.ts';
import type { PidIssuerKey } from './pid-issuer-key.ts';
import type { StatusRegistry } from './status-list.ts';
import { statusRoutes } from './status-routes.ts';
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

/** What an issuer keeps between requests: codes, tokens and nonces; the authorization code flow's; its status list. */
export interface IssuerParts {
  state: IssuerState;
  /** Transaction codes, issuer_state, pushed requests and logins (the authorization code flow needs an eID login). */
  auth: AuthorizationState;
  /** Signs the status list token (the issuer's own key and `x5c`). */
  key: PidIssuerKey;
  statuses: StatusRegistry;
}

/**
 * A credential issuer at a node (OpenID4VCI 1.0), the same routes for every {@link CredentialIssuerProfile} — the
 * PID provider (PID as dc+sd-jwt and mso_mdoc at every EU node) and Setagaya City (the certificate of residence at
 * Japan's): credential issuer metadata (path-inserted well-known when its identifier has a path, §12.2.2) and its
 * authorization server's (RFC 8414 §3.1), a test-only offer for a persona the issuer takes as identified (the
 * pre-authorised code, optionally with a transaction code; or the authorization code flow through the node's eID
 * login), the token endpoint (with the wallet-unit attestation when the profile asks), the nonce endpoint, the
 * credential endpoint with its `openid4vci-proof+jwt` proof of possession, and the Token Status List. Parsing and
 * proof verification are @openid4vc/openid4vci's and @openid4vc/oauth2's; the single use of codes and nonces, the
 * proof's age, and the credentials themselves (the profile's) are ours.
 * @see https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0-final.html
 */
export function credentialIssuerRoutes(
  deps: WalletDeps,
  profile: CredentialIssuerProfile,
  parts: IssuerParts,
): ComponentApp {
  const { state, auth, statuses } = parts;
  const endpoints = credentialIssuerEndpoints(deps.publicUrl, profile.basePath, profile.identifierPath);
  const { name, credentialName, basePath } = profile;
  const configurationIds = Object.keys(profile.configurations);
  const mdoc = Object.values(profile.configurations).some((c) => c.format === 'mso_mdoc');
  const callbacks = oid4vcCallbacks({ fetch: deps.fetch });
  const vci = new Openid4vciIssuer({ callbacks });
  const as = new Oauth2AuthorizationServer({ callbacks });
  const asMetadata = profileAuthorizationServerMetadata(profile, endpoints);
  const issuerMetadata = () => {
    const credentialIssuer = vci.createCredentialIssuerMetadata(profileIssuerMetadata(profile, endpoints) as never);
    return {
      originalDraftVersion: Openid4vciVersion.V1,
      credentialIssuer,
      authorizationServers: [as.createAuthorizationServerMetadata(asMetadata)],
      knownCredentialConfigurations: vci.getKnownCredentialConfigurationsSupported(credentialIssuer),
    };
  };
  const hop = walletHop(deps);
  const grantsText = profile.eidLogin
    ? 'the pre-authorized_code and authorization_code grants'
    : 'the pre-authorized_code grant';
  const tags = ['wallet'];

  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'get',
      path: `/.well-known/openid-credential-issuer${profile.identifierPath}`,
      tags,
      summary: `Credential issuer metadata of ${name} (OpenID4VCI §12.2${profile.identifierPath ? ', path inserted' : ''}): ${configurationIds.join(', ')}`,
      responses: {
        200: { description: 'Metadata', content: { 'application/json': { schema: CredentialIssuerMetadataSchema } } },
      },
    }),
    (c) => c.json(issuerMetadata().credentialIssuer as never, 200),
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: `/.well-known/oauth-authorization-server${basePath}`,
      tags,
      summary: `Authorization server metadata of ${name} (RFC 8414 §3.1, path inserted): pre-authorised code${profile.eidLogin ? ', and the authorization code flow (PAR required, PKCE S256)' : ''}`,
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
    (c) => c.json(asMetadata, 200),
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: `${basePath}/offers`,
      tags,
      summary: `TEST ONLY: a credential offer of ${name} (${credentialName}): a pre-authorised code for a persona it takes as identified (as the headless eID login does), optionally with a transaction code${profile.eidLogin ? '; or the authorization code grant (whoever logs in at the node)' : ''}`,
      request: { body: { required: true, content: { 'application/json': { schema: OfferRequestSchema } } } },
      responses: {
        200: { description: 'The offer', content: { 'application/json': { schema: CredentialOfferResponseSchema } } },
      },
    }),
    async (c) => {
      requireJson(c.req.header('content-type'));
      const { personaId = '', grant, tx_code } = c.req.valid('json');
      if (grant === 'authorization_code') {
        if (!profile.eidLogin)
          throw new KakehashiError(
            'vci-unsupported-grant-type',
            `${name} at node ${deps.country} has no eID login for the wallet: the pre-authorised code only.`,
          );
        const offer = await vci.createCredentialOffer({
          issuerMetadata: issuerMetadata(),
          credentialConfigurationIds: configurationIds,
          grants: { authorization_code: { issuer_state: auth.newIssuerState() } },
        });
        hop(c, 'wallet: credential offer created (authorization code)', { type: 'credential_offer', issuer: name });
        return c.json(
          { credential_offer: offer.credentialOfferObject, credential_offer_url: offer.credentialOffer } as never,
          200,
        );
      }
      const persona = deps.personas.find((p) => p.id === personaId);
      if (!persona)
        throw new KakehashiError(
          'vci-unknown-persona',
          `Node ${deps.country} has no persona "${personaId.slice(0, 40)}" (GET /personas).`,
        );
      const refused = profile.refusal?.(persona);
      if (refused) throw refused;
      const code = state.newCode(personaId);
      const txCode = tx_code ? auth.newTxCode(code) : undefined;
      const offer = await vci.createCredentialOffer({
        issuerMetadata: issuerMetadata(),
        credentialConfigurationIds: configurationIds,
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
        issuer: name,
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
      path: `${basePath}/token`,
      tags,
      summary: `Token endpoint of ${name} (OpenID4VCI §6)${profile.walletAttestation ? ', the wallet authenticated by its wallet-unit attestation (OAuth-Client-Attestation and -PoP headers)' : ''}: the pre-authorized_code (single use; tx_code when the offer asked, at most 3 wrong)${profile.eidLogin ? ', or authorization_code with code_verifier (PKCE S256), redirect_uri and client_id of the pushed request (single use)' : ''}. Errors as OAuth JSON`,
      requestBody: {
        required: true,
        content: { 'application/x-www-form-urlencoded': { schema: TOKEN_REQUEST_FORM } },
      } as unknown as RouteConfig['requestBody'],
      responses: {
        200: { description: 'Access token', content: { 'application/json': { schema: TokenResponseSchema } } },
        400: { description: 'OAuth error', content: { 'application/json': { schema: OAuthErrorSchema } } },
        ...(profile.walletAttestation
          ? {
              401: {
                description:
                  'invalid_client: no valid wallet-unit attestation (OAuth-Client-Attestation + OAuth-Client-Attestation-PoP headers, the provider on the EU wallet-provider list)',
                content: { 'application/json': { schema: OAuthErrorSchema } },
              },
            }
          : {}),
      },
    }),
    async (c) => {
      const form = Object.fromEntries(new URLSearchParams(await c.req.text()));
      const request = { method: 'POST' as const, url: endpoints.token, headers: c.req.raw.headers };
      let parsed: ReturnType<typeof as.parseAccessTokenRequest>;
      try {
        parsed = as.parseAccessTokenRequest({ request, accessTokenRequest: form });
      } catch (e) {
        const error = e instanceof Oauth2ServerErrorResponseError ? e.errorResponse.error : 'invalid_request';
        if (error === 'unsupported_grant_type')
          return vciError(c, 'vci-unsupported-grant-type', 'unsupported_grant_type', `Only ${grantsText}.`);
        return vciError(
          c,
          'vci-invalid-request',
          'invalid_request',
          'The token request is malformed (OpenID4VCI §6.1).',
        );
      }
      if (profile.walletAttestation) {
        // The wallet-unit attestation (OAuth 2.0 Attestation-Based Client Authentication), whatever the grant.
        const refused = await checkWalletAttestation(deps, as, endpoints.authorizationServer, c.req.raw.headers);
        if (refused) {
          hop(c, 'wallet: token request refused', { type: 'token_request', error: refused.error }, false);
          return vciError(c, refused.code, refused.error, refused.description, 401);
        }
      }
      let outcome: GrantOutcome;
      if (parsed.grant.grantType === 'urn:ietf:params:oauth:grant-type:pre-authorized_code')
        outcome = preAuthorizedGrant(state, auth, parsed.grant.preAuthorizedCode, form.tx_code);
      else if (parsed.grant.grantType === 'authorization_code' && profile.eidLogin)
        outcome = await authorizationCodeGrant(as, auth, {
          parsed: parsed.grant,
          form,
          request,
          metadata: issuerMetadata().authorizationServers[0] as never,
        });
      else return vciError(c, 'vci-unsupported-grant-type', 'unsupported_grant_type', `Only ${grantsText}.`);
      if (!('personaId' in outcome)) {
        hop(c, 'wallet: token request refused', { type: 'token_request', error: outcome.error }, false);
        return vciError(c, outcome.code, outcome.error, outcome.description);
      }
      const { personaId } = outcome;
      c.header('Cache-Control', 'no-store');
      hop(c, `wallet: ${outcome.grant} exchanged`, { type: 'access_token', issuer: name, personaId });
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
      path: `${basePath}/nonce`,
      tags,
      summary: `Nonce endpoint of ${name} (OpenID4VCI §7): a fresh c_nonce, usable once by a proof`,
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
      path: `${basePath}/credential`,
      tags,
      summary: `Credential endpoint of ${name} (OpenID4VCI §8): Bearer access token, credential_configuration_id (${configurationIds.join(', ')}), proofs.jwt (one openid4vci-proof+jwt with the c_nonce); answers the ${credentialName} bound to the proof key${mdoc ? ' (an mso_mdoc as base64url CBOR IssuerSigned, App. A.2.4)' : ''}`,
      request: { body: { required: true, content: { 'application/json': { schema: CredentialRequestSchema } } } },
      responses: {
        200: { description: 'The credential', content: { 'application/json': { schema: CredentialResponseSchema } } },
        400: { description: 'OpenID4VCI error', content: { 'application/json': { schema: OAuthErrorSchema } } },
        401: { description: 'Access token refused', content: { 'application/json': { schema: OAuthErrorSchema } } },
      },
    }),
    async (c) => {
      requireJson(c.req.header('content-type'));
      const bearer = c.req.header('authorization') ?? '';
      const personaId = bearer.startsWith('Bearer ') ? state.personaOfToken(bearer.slice(7).trim()) : undefined;
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
      const configurationId = request.credentialConfigurationId;
      if (!configurationId || !configurationIds.includes(configurationId))
        return vciError(
          c,
          'vci-unknown-credential-configuration',
          'unknown_credential_configuration',
          `Only ${configurationIds.join(' and ')} ${configurationIds.length > 1 ? 'are' : 'is'} offered.`,
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
          `The proof does not carry a fresh c_nonce of this issuer (POST ${basePath}/nonce).`,
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
      const jwk = verified.signer.publicJwk as Record<string, string>;
      const issued = await profile.issue(configurationId, {
        persona,
        holderJwk: { kty: jwk.kty as string, crv: jwk.crv as string, x: jwk.x as string, y: jwk.y as string },
        now,
        endpoints,
        statuses,
      });
      hop(c, issued.operation, { ...issued.artefact, personaId });
      c.header('Cache-Control', 'no-store');
      return c.json(
        vci.createCredentialResponse({
          credentialRequest: request,
          credentials: [{ credential: issued.credential }],
        }) as never,
        200,
      );
    },
  );
  // The authorization code flow's PAR, authorization endpoint and the eID login's callback (with an eID login).
  if (profile.eidLogin)
    r.route('/', authorizationRoutes(deps, auth, { ...profile, eidLogin: profile.eidLogin }, endpoints));
  // The Token Status List and its administration.
  r.route('/', statusRoutes(deps, profile, parts.key, statuses, endpoints));
  return r;
}
