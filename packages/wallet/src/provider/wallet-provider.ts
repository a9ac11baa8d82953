import { createRoute, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule, KakehashiError } from '@kakehashi/core';
import { createClientAttestationJwt } from '@openid4vc/oauth2';
import { createKeyAttestationJwt } from '@openid4vc/openid4vci';
import { CompactSign, compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { HEADLESS_CLIENT_ID } from '../holder/authorization-code.ts';
import type { PidIssuerKey } from '../issuer/pid-issuer-key.ts';
import type { WalletDeps } from '../wallet-deps.ts';

/** How long a wallet-unit attestation lives: under 24 h, as the ARF asks of a WIA (WUA_09/TS3). */
export const WALLET_ATTESTATION_SECONDS = 3600;
/** How old a key proof may be (seconds, on the virtual clock). */
const KEY_PROOF_MAX_AGE = 300;
/** The `typ` of the holder's proof of possession of the device key, sent to get an attestation. */
export const KEY_PROOF_TYP = 'kakehashi-wallet-key-proof+jwt';

/** The wallet provider's attestation endpoint at a node. */
export function walletProviderEndpoint(origin: string): string {
  return `${origin.replace(/\/+$/, '')}/wallet/provider/attestations`;
}

/**
 * Signs a JWT with an x5c signer (the wallet provider's key): @openid4vc/oauth2 builds the header (`typ`, `alg`,
 * `x5c`) and the payload, this signs them.
 */
function x5cSigner(key: PidIssuerKey) {
  return async (_signer: unknown, jwt: { header: Record<string, unknown>; payload: Record<string, unknown> }) => ({
    jwt: await new CompactSign(new TextEncoder().encode(JSON.stringify(jwt.payload)))
      // OpenID4VCI 1.0 App. D.1 names the key attestation's typ key-attestation+jwt; the library (0.4.6) still writes
      // the draft's keyattestation+jwt, and accepts both when it verifies
      .setProtectedHeader({
        ...jwt.header,
        ...(jwt.header.typ === 'keyattestation+jwt' ? { typ: 'key-attestation+jwt' } : {}),
        alg: 'ES256',
      } as never)
      .sign(key.privateKey),
    signerJwk: key.publicJwk,
  });
}

const AttestationRequestSchema = z
  .object({
    proof: z
      .string()
      .max(4000)
      .openapi({
        description: `A JWS by the device key: header typ ${KEY_PROOF_TYP}, alg ES256, jwk (the device public key); payload aud = this endpoint, iat`,
      }),
  })
  .strict()
  .openapi('WalletAttestationRequest');

const AttestationResponseSchema = z
  .object({
    wallet_attestation: z.string().openapi({
      description:
        'oauth-client-attestation+jwt: iss the wallet provider, sub the client_id, cnf.jwk the device key, x5c the provider certificate chain',
    }),
    key_attestation: z.string().openapi({
      description:
        'key-attestation+jwt (OpenID4VCI 1.0 App. D.1): attested_keys [the device key], key_storage and user_authentication iso_18045_moderate (asserted, TEST ONLY), x5c the provider certificate chain; for the key_attestation header of the jwt proof',
    }),
    expires_in: z.number(),
  })
  .openapi('WalletAttestationResponse');

/**
 * A mock wallet provider at the node (TEST ONLY): it attests a wallet instance's device key as an OAuth 2.0 client
 * attestation (the wallet instance attestation of the ARF's WUA), signed by a key the country's CA certified and the
 * hub lists on the EU list of wallet providers. The wallet proves possession of the key with a short JWS; no device
 * integrity is checked (a headless wallet has none). With it comes a key attestation of the same key
 * (`key-attestation+jwt`, OpenID4VCI 1.0 App. D) for the proofs' `key_attestation` header.
 * @see https://datatracker.ietf.org/doc/draft-ietf-oauth-attestation-based-client-auth/ §5.1 (client attestation JWT)
 * @see https://github.com/eu-digital-identity-wallet/eudi-doc-standards-and-technical-specifications (TS3, WIA)
 */
export function walletProviderRoutes(deps: Pick<WalletDeps, 'publicUrl' | 'clock'>, key: PidIssuerKey): ComponentApp {
  const r = createRouteModule();
  const endpoint = walletProviderEndpoint(deps.publicUrl);
  const providerId = `${deps.publicUrl.replace(/\/+$/, '')}/wallet/provider`;
  r.openapi(
    createRoute({
      method: 'post',
      path: '/wallet/provider/attestations',
      tags: ['wallet'],
      summary:
        "The node's mock wallet provider (TEST ONLY): a wallet-unit attestation (oauth-client-attestation+jwt, x5c of the provider listed on the EU wallet-provider list) for the device key the request proves",
      request: { body: { required: true, content: { 'application/json': { schema: AttestationRequestSchema } } } },
      responses: {
        200: {
          description: 'The attestation',
          content: { 'application/json': { schema: AttestationResponseSchema } },
        },
      },
    }),
    async (c) => {
      const { proof } = c.req.valid('json');
      const bad = (why: string) =>
        new KakehashiError('vci-wallet-attestation-invalid', `The key proof is refused: ${why}`);
      let header: ReturnType<typeof decodeProtectedHeader>;
      try {
        header = decodeProtectedHeader(proof);
      } catch {
        throw bad('not a JWS.');
      }
      const jwk = header.jwk as JWK | undefined;
      if (
        header.typ !== KEY_PROOF_TYP ||
        header.alg !== 'ES256' ||
        jwk?.kty !== 'EC' ||
        jwk.crv !== 'P-256' ||
        'd' in jwk
      )
        throw bad(`typ ${KEY_PROOF_TYP}, alg ES256 and a public P-256 jwk are required.`);
      let payload: { aud?: unknown; iat?: unknown };
      try {
        payload = JSON.parse(
          new TextDecoder().decode((await compactVerify(proof, await importJWK(jwk, 'ES256'))).payload),
        ) as typeof payload;
      } catch {
        throw bad('its signature does not verify with its jwk.');
      }
      const now = deps.clock.now();
      const nowS = Math.floor(now.getTime() / 1000);
      if (payload.aud !== endpoint) throw bad(`aud must be ${endpoint}.`);
      if (typeof payload.iat !== 'number' || Math.abs(nowS - payload.iat) > KEY_PROOF_MAX_AGE)
        throw bad(`iat must be within ${KEY_PROOF_MAX_AGE} s of ${now.toISOString()}.`);
      const { kty, crv, x, y } = jwk;
      const publicJwk = { kty: kty as string, crv, x, y };
      const attestation = await createClientAttestationJwt({
        issuer: providerId,
        clientId: HEADLESS_CLIENT_ID,
        issuedAt: now,
        expiresAt: new Date(now.getTime() + WALLET_ATTESTATION_SECONDS * 1000),
        confirmation: { jwk: publicJwk as never },
        signer: { method: 'x5c', x5c: key.x5c, alg: 'ES256' },
        additionalPayload: { wallet_name: 'Kakehashi headless wallet (TEST ONLY)' },
        callbacks: { signJwt: x5cSigner(key) as never },
      });
      // The key attestation (App. D) of the same key, for the proof's key_attestation header: nothing of the device's
      // key storage is known here (headless), so the storage and user authentication levels are asserted, TEST ONLY.
      const keyAttestation = await createKeyAttestationJwt({
        issuedAt: now,
        expiresAt: new Date(now.getTime() + WALLET_ATTESTATION_SECONDS * 1000),
        attestedKeys: [publicJwk as never],
        keyStorage: ['iso_18045_moderate'],
        userAuthentication: ['iso_18045_moderate'],
        use: 'proof_type.jwt',
        signer: { method: 'x5c', x5c: key.x5c, alg: 'ES256' },
        callbacks: { signJwt: x5cSigner(key) as never },
      });
      c.header('Cache-Control', 'no-store');
      return c.json(
        { wallet_attestation: attestation, key_attestation: keyAttestation, expires_in: WALLET_ATTESTATION_SECONDS },
        200,
      );
    },
  );
  return r;
}
