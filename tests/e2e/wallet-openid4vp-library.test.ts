import { createHash, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { SeededRandom } from '@kakehashi/core';
import { generateRsaKeyPair, issueCertificate } from '@kakehashi/trust';
import { HolderWallet, type PresentationVerdict } from '@kakehashi/wallet';
import { Openid4vpClient, Openid4vpVerifier } from '@openid4vc/openid4vp';
import {
  CompactEncrypt,
  CompactSign,
  compactDecrypt,
  compactVerify,
  decodeProtectedHeader,
  exportJWK,
  importJWK,
  type JWK,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * @openid4vc/openid4vp as a real peer on each side: the library's own wallet (Openid4vpClient, with callbacks written
 * here on jose alone) answers the German verifier's signed, encrypted request, and the library's own verifier
 * (Openid4vpVerifier, its own access key and encryption key) is answered by Kakehashi's holder and reads the
 * response. And the wallet's Decline: an error response to a direct_post.jwt request goes encrypted (OpenID4VP 1.0
 * §8.3.1), and the verifier takes it — and still a plain one, from a wallet that cannot encrypt.
 * The federation's clock is months behind the machine's: the request object has no `exp` the library would check
 * against the machine's clock.
 */
type Jwk = { kty: string; [k: string]: unknown };
const sha256 = (d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest());
const leafJwk = (x5c: string[]) =>
  new X509Certificate(Buffer.from(x5c[0] as string, 'base64')).publicKey.export({ format: 'jwk' }) as Jwk;

/** Callbacks for the library written on jose only (not Kakehashi's): `keys` are the private keys this party holds. */
function joseCallbacks(fetcher: typeof fetch, keys: { sign?: CryptoKeyLike; decrypt?: CryptoKeyLike } = {}) {
  return {
    fetch: ((u: string | URL, init?: RequestInit) => fetcher(String(u), init)) as typeof fetch,
    hash: (data: Uint8Array) => sha256(data),
    generateRandom: (n: number) => new Uint8Array(randomBytes(n)),
    signJwt: async (signer: { alg: string; x5c?: string[] }, jwt: { header: object; payload: object }) => ({
      jwt: await new CompactSign(new TextEncoder().encode(JSON.stringify(jwt.payload)))
        .setProtectedHeader({ ...jwt.header, alg: signer.alg })
        .sign(keys.sign as never),
      signerJwk: leafJwk(signer.x5c ?? []),
    }),
    verifyJwt: async (signer: { alg: string; x5c?: string[] }, jwt: { compact: string }) => {
      const jwk = leafJwk(signer.x5c ?? []);
      await compactVerify(jwt.compact, await importJWK(jwk as JWK, signer.alg));
      return { verified: true as const, signerJwk: jwk };
    },
    encryptJwe: async (e: { publicJwk: Jwk; alg: string; enc: string; apu?: string; apv?: string }, data: string) => ({
      jwe: await new CompactEncrypt(new TextEncoder().encode(data))
        .setProtectedHeader({ alg: e.alg, enc: e.enc, kid: e.publicJwk.kid as string })
        .encrypt(await importJWK(e.publicJwk as JWK, e.alg)),
      encryptionJwk: e.publicJwk,
    }),
    decryptJwe: async (jwe: string, o?: { jwk?: Jwk }) => {
      const { plaintext } = await compactDecrypt(jwe, keys.decrypt as never);
      return { decrypted: true as const, decryptionJwk: o?.jwk as Jwk, payload: new TextDecoder().decode(plaintext) };
    },
    getX509CertificateMetadata: (c: string) => ({
      sanDnsNames: (new X509Certificate(Buffer.from(c, 'base64')).subjectAltName ?? '')
        .split(/,\s*/)
        .filter((n) => n.startsWith('DNS:'))
        .map((n) => n.slice(4)),
      sanUriNames: [],
    }),
    clientAuthentication: () => {},
  };
}
type CryptoKeyLike = Parameters<CompactSign['sign']>[0];

const form = (o: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(o).toString(),
});

describe('EUDI wallet: @openid4vc/openid4vp as the peer on each side (EE PID, DE verifier)', () => {
  let f: TestFederation;
  let ee: string;
  let de: string;
  let wallet: HolderWallet;

  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'EE'], clockStart: '2026-06-01T00:00:00Z' });
    ee = f.urls.nodes.EE as string;
    de = f.urls.nodes.DE as string;
    wallet = new HolderWallet({ fetch: f.fetch, clock: f.clock });
    const offer = await json<{ credential_offer_url: string }>(
      f.fetch(`${ee}/wallet/issuer/offers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ personaId: 'ee-002' }),
      }),
    );
    await wallet.receive(offer.body.credential_offer_url);
  }, 240_000);
  afterAll(() => f?.dispose());

  const signedRequest = async (extra: Record<string, unknown> = {}) =>
    (
      await json<{
        transaction_id: string;
        request_url: string;
        authorization_request: { client_id: string; response_uri: string; request_uri: string; state: string };
      }>(
        f.fetch(`${de}/wallet/verifier/requests`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ signed: true, response_mode: 'direct_post.jwt', ...extra }),
        }),
      )
    ).body;
  const transaction = async (id: string) =>
    (
      await json<{ status: string; verdict?: PresentationVerdict; error?: { error: string } }>(
        f.fetch(`${de}/wallet/verifier/transactions/${id}`),
      )
    ).body;

  it("the library's wallet resolves the German verifier's request object and its encrypted answer is valid", async () => {
    const req = await signedRequest();
    const jwt = await (await f.fetch(req.authorization_request.request_uri)).text();
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString());
    expect(payload).toMatchObject({ aud: 'https://self-issued.me/v2', iat: Math.floor(f.clock.nowMs() / 1000) });
    expect(payload.exp).toBeUndefined();
    const client = new Openid4vpClient({ callbacks: joseCallbacks(f.fetch) as never });
    const parsed = client.parseOpenid4vpAuthorizationRequest({ authorizationRequest: req.request_url });
    const resolved = await client.resolveOpenId4vpAuthorizationRequest({
      authorizationRequestPayload: parsed.params as never,
    });
    expect(resolved.client).toMatchObject({ prefix: 'x509_hash', effective: req.authorization_request.client_id });
    expect(resolved.version).toBe(100);
    const { vpToken } = await wallet.createPresentation(req.request_url);
    const response = await client.createOpenid4vpAuthorizationResponse({
      authorizationRequestPayload: resolved.authorizationRequestPayload,
      authorizationResponsePayload: { vp_token: vpToken },
      jarm: {
        encryption: { nonce: 'wallet-nonce' },
        serverMetadata: {
          authorization_signing_alg_values_supported: ['ES256'],
          authorization_encryption_alg_values_supported: ['ECDH-ES'],
          authorization_encryption_enc_values_supported: ['A256GCM', 'A128GCM'],
        },
      },
    });
    expect(decodeProtectedHeader(response.jarm?.responseJwt as string)).toMatchObject({ enc: 'A256GCM' });
    const submitted = await client.submitOpenid4vpAuthorizationResponse({
      authorizationRequestPayload: resolved.authorizationRequestPayload as never,
      authorizationResponsePayload: response.authorizationResponsePayload,
      ...(response.jarm ? { jarm: { responseJwt: response.jarm.responseJwt } } : {}),
    });
    expect(submitted.response.status).toBe(200);
    const t = await transaction(req.transaction_id);
    expect(t.verdict?.valid, JSON.stringify(t.verdict?.failure)).toBe(true);
  });

  it("Kakehashi's holder answers the library's verifier, which reads the response; DE's validation service accepts it", async () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { der } = issueCertificate(
      {
        subject: [
          { type: 'C', value: 'FR' },
          { type: 'CN', value: 'Library verifier (TEST)' },
        ],
        serialHex: '7b',
        notBefore: new Date('2025-01-01T00:00:00Z'),
        notAfter: new Date('2035-01-01T00:00:00Z'),
        keyUsage: ['digitalSignature'],
      },
      key.publicKey,
      { selfSigningKey: generateRsaKeyPair(new SeededRandom('oid4vp-library', 'rsa')).privateKey },
    );
    const x5c = [der.toString('base64')];
    const clientId = `x509_hash:${createHash('sha256').update(der).digest('base64url')}`;
    const enc = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const encJwk = { ...(await exportJWK(enc.publicKey)), kid: 'lib-enc-1', alg: 'ECDH-ES', use: 'enc' } as Jwk;
    const requestUri = 'https://library-verifier.example/request.jwt';
    const responseUri = 'https://library-verifier.example/response';
    const verifier = new Openid4vpVerifier({
      callbacks: joseCallbacks(f.fetch, { sign: key.privateKey, decrypt: enc.privateKey }) as never,
    });
    const made = await verifier.createOpenId4vpAuthorizationRequest({
      authorizationRequestPayload: {
        response_type: 'vp_token',
        client_id: clientId,
        response_mode: 'direct_post.jwt',
        response_uri: responseUri,
        nonce: 'library-nonce-0123456789',
        state: 'library-state',
        dcql_query: {
          credentials: [
            {
              id: 'pid',
              format: 'dc+sd-jwt',
              meta: { vct_values: ['urn:eudi:pid:1'] },
              claims: [{ path: ['given_name'] }],
            },
          ],
        },
        client_metadata: { jwks: { keys: [encJwk] }, encrypted_response_enc_values_supported: ['A128GCM'] },
      },
      jar: { requestUri, jwtSigner: { method: 'x5c', alg: 'ES256', x5c }, expiresInSeconds: 300 },
    });
    let posted: URLSearchParams | undefined;
    const peer = (async (url: string, init?: RequestInit) => {
      if (String(url) === requestUri) return new Response(made.jar?.authorizationRequestJwt);
      if (String(url) === responseUri) {
        posted = new URLSearchParams(String(init?.body));
        return Response.json({});
      }
      return f.fetch(url, init);
    }) as typeof fetch;
    const holder = HolderWallet.restore(wallet.exportState(), { fetch: peer, clock: f.clock });
    expect((await holder.present(made.authorizationRequest)).status).toBe(200);
    expect([...(posted?.keys() ?? [])]).toEqual(['response']);
    const read = await verifier.parseOpenid4vpAuthorizationResponse({
      authorizationResponse: { response: posted?.get('response') } as never,
      authorizationRequestPayload: made.authorizationRequestPayload,
      callbacks: joseCallbacks(f.fetch, { decrypt: enc.privateKey }) as never,
    });
    expect(read.type).toBe('dcql');
    const presentation = (read as { dcql: { presentations: Record<string, string[]> } }).dcql.presentations.pid?.[0];
    const verdict = await json<PresentationVerdict>(
      f.fetch(`${de}/wallet/validate/presentation`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          presentation,
          expected: { nonce: 'library-nonce-0123456789', client_id: clientId, vct_values: ['urn:eudi:pid:1'] },
        }),
      }),
    );
    expect(verdict.body.valid, JSON.stringify(verdict.body.failure)).toBe(true);
    expect(verdict.body.credential?.claims).toEqual({ given_name: expect.any(String) });
  });

  it('Decline to a direct_post.jwt request sends access_denied encrypted (§8.3.1); the request is refused, answered once', async () => {
    const req = await signedRequest();
    let posted: URLSearchParams | undefined;
    const spy = (async (url: string, init?: RequestInit) => {
      if (String(url) === req.authorization_request.response_uri) posted = new URLSearchParams(String(init?.body));
      return f.fetch(url, init);
    }) as typeof fetch;
    const holder = HolderWallet.restore(wallet.exportState(), { fetch: spy, clock: f.clock });
    const answer = await holder.decline(req.request_url);
    expect(answer).toEqual({ status: 200, body: { received: true } });
    expect([...(posted?.keys() ?? [])]).toEqual(['response']);
    expect(posted?.get('response')?.split('.')).toHaveLength(5);
    expect(await transaction(req.transaction_id)).toMatchObject({
      status: 'refused',
      error: { error: 'access_denied' },
    });
    const again = await holder.decline(req.request_url);
    expect([again.status, (again.body as { code: string }).code]).toEqual([422, 'vp-replay']);
    const late = await holder.present(req.request_url);
    expect([late.status, (late.body as { code: string }).code]).toEqual([422, 'vp-replay']);
  });

  it('a plain error to a direct_post.jwt request is still taken (a wallet that cannot encrypt, §8.3.1); an encrypted one for another request is not', async () => {
    const req = await signedRequest();
    const plain = await f.fetch(
      req.authorization_request.response_uri,
      form({ error: 'access_denied', state: req.authorization_request.state }),
    );
    expect(plain.status).toBe(200);
    expect(await transaction(req.transaction_id)).toMatchObject({ status: 'refused' });
    // an encrypted error carrying the state of another request: refused, neither request is answered by it
    const a = await signedRequest();
    const b = await signedRequest();
    const resolvedA = await new Openid4vpClient({
      callbacks: joseCallbacks(f.fetch) as never,
    }).resolveOpenId4vpAuthorizationRequest({
      authorizationRequestPayload: new Openid4vpClient({
        callbacks: joseCallbacks(f.fetch) as never,
      }).parseOpenid4vpAuthorizationRequest({ authorizationRequest: a.request_url }).params as never,
    });
    const keyA = (resolvedA.authorizationRequestPayload.client_metadata?.jwks?.keys ?? [])[0] as Jwk;
    const jwe = await new CompactEncrypt(
      new TextEncoder().encode(JSON.stringify({ error: 'access_denied', state: b.authorization_request.state })),
    )
      .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A128GCM', kid: keyA.kid as string })
      .encrypt(await importJWK(keyA as JWK, 'ECDH-ES'));
    const crossed = await json<{ code: string }>(
      f.fetch(a.authorization_request.response_uri, form({ response: jwe })),
    );
    expect([crossed.status, crossed.body.code]).toEqual([404, 'vp-unknown-transaction']);
    expect((await transaction(a.transaction_id)).status).toBe('pending');
    expect((await transaction(b.transaction_id)).status).toBe('pending');
  });

  it('a vp_token is an object keyed by the query’s credential query ids with one presentation for it (§8.1)', async () => {
    const post = async (token: unknown) => {
      const r = await json<{ authorization_request: { response_uri: string; state: string } }>(
        f.fetch(`${de}/wallet/verifier/requests`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        }),
      );
      return json<{ code: string }>(
        f.fetch(
          r.body.authorization_request.response_uri,
          form({ vp_token: JSON.stringify(token), state: r.body.authorization_request.state }),
        ),
      );
    };
    for (const token of [{ pid: ['a~'], other: ['b~'] }, { pid: ['a~', 'b~'] }, { pid: 'a~' }, ['a~'], { pid: [] }]) {
      const r = await post(token);
      expect([r.status, r.body.code], JSON.stringify(token)).toEqual([400, 'vp-invalid-response']);
    }
  });

  it('a signed, unencrypted response naming the request key is refused: a direct_post.jwt answer is a JWE', async () => {
    const req = await signedRequest();
    const requestObject = await (await f.fetch(req.authorization_request.request_uri)).text();
    const encKid = JSON.parse(Buffer.from(requestObject.split('.')[1] as string, 'base64url').toString())
      .client_metadata.jwks.keys[0].kid as string;
    const { vpToken } = await wallet.createPresentation(req.request_url);
    const thief = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jws = await new CompactSign(
      new TextEncoder().encode(
        JSON.stringify({
          vp_token: vpToken,
          state: req.authorization_request.state,
          iss: 'x',
          aud: req.authorization_request.client_id,
          exp: 4_000_000_000,
        }),
      ),
    )
      .setProtectedHeader({ alg: 'ES256', kid: encKid, jwk: await exportJWK(thief.publicKey) })
      .sign(thief.privateKey);
    const r = await json<{ code: string }>(f.fetch(req.authorization_request.response_uri, form({ response: jws })));
    expect([r.status, r.body.code]).toEqual([400, 'vp-invalid-response']);
    expect((await transaction(req.transaction_id)).status).toBe('pending');
  });
});
