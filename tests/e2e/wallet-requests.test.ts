import { generateKeyPairSync } from 'node:crypto';
import { HolderWallet, type PresentationVerdict, trustThroughNode } from '@kakehashi/wallet';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * The German verifier's request and response modes with an Estonian PID: encrypted responses (direct_post.jwt) and
 * signed request objects passed by reference (x509_hash client_id), with the wallet's checks of both.
 */
interface Req {
  transaction_id: string;
  authorization_request: {
    client_id: string;
    response_type: string;
    response_mode: string;
    response_uri: string;
    nonce: string;
    state: string;
    dcql_query: unknown;
  };
  request_url: string;
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const unb64 = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));

describe('EUDI wallet: encrypted responses and signed requests (EE PID, DE verifier)', () => {
  let f: TestFederation;
  let ee: string;
  let de: string;
  let wallet: HolderWallet;
  const clock = { now: () => f.clock.now() };

  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'EE'] });
    ee = f.urls.nodes.EE as string;
    de = f.urls.nodes.DE as string;
    wallet = new HolderWallet({ fetch: f.fetch, clock });
    const offer = await json<{ credential_offer_url: string }>(
      f.fetch(`${ee}/wallet/issuer/offers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ personaId: 'ee-004' }),
      }),
    );
    await wallet.receive(offer.body.credential_offer_url);
  }, 240_000);
  afterAll(() => f?.dispose());

  describe('direct_post.jwt (encrypted responses)', () => {
    const encryptedRequest = async () => {
      const r = await json<
        Req & { authorization_request: { client_metadata: { jwks: { keys: Record<string, unknown>[] } } } }
      >(
        f.fetch(`${de}/wallet/verifier/requests`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ response_mode: 'direct_post.jwt' }),
        }),
      );
      expect(r.status).toBe(200);
      return r.body;
    };

    it('the wallet encrypts its answer to the request’s fresh ECDH-ES key and the verdict is valid', async () => {
      const req = await encryptedRequest();
      const [key] = req.authorization_request.client_metadata.jwks.keys;
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ECDH-ES', use: 'enc' });
      expect(key?.d).toBeUndefined();
      const other = await encryptedRequest();
      expect(other.authorization_request.client_metadata.jwks.keys[0]?.kid).not.toBe(key?.kid);
      let posted = '';
      const spy = (async (url: string, init?: RequestInit) => {
        posted = String(init?.body);
        return f.fetch(url, init);
      }) as typeof fetch;
      const w = HolderWallet.restore(wallet.exportState(), { fetch: spy, clock });
      const answer = await w.present(req.request_url);
      expect(answer.status).toBe(200);
      const form = new URLSearchParams(posted);
      expect([...form.keys()]).toEqual(['response']);
      expect(form.get('response')?.split('.')).toHaveLength(5);
      const t = await json<{ verdict: PresentationVerdict }>(
        f.fetch(`${de}/wallet/verifier/transactions/${req.transaction_id}`),
      );
      expect(t.body.verdict.valid, JSON.stringify(t.body.verdict.failure)).toBe(true);
    });

    it('refuses a plain direct_post to a request that asked for encryption', async () => {
      const req = await encryptedRequest();
      const { vpToken } = await wallet.createPresentation({
        ...req.authorization_request,
        response_mode: 'direct_post',
      });
      const r = await json<{ code: string }>(
        f.fetch(req.authorization_request.response_uri, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            vp_token: JSON.stringify(vpToken),
            state: req.authorization_request.state,
          }).toString(),
        }),
      );
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('vp-invalid-response');
    });
  });

  describe('signed request objects (x509_hash, request_uri)', () => {
    const signedRequest = async () => {
      const r = await json<Req & { authorization_request: { request_uri: string } }>(
        f.fetch(`${de}/wallet/verifier/requests`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ signed: true, response_mode: 'direct_post.jwt' }),
        }),
      );
      expect(r.status).toBe(200);
      return r.body;
    };

    it('the wallet fetches the request object, checks it against the x509_hash client_id, and the verdict is valid', async () => {
      const req = await signedRequest();
      const url = new URL(req.request_url);
      expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
      expect(url.searchParams.get('client_id')).toMatch(/^x509_hash:[A-Za-z0-9_-]{43}$/);
      const object = await f.fetch(req.authorization_request.request_uri);
      expect(object.headers.get('content-type')).toContain('application/oauth-authz-req+jwt');
      const jwt = await object.text();
      const header = unb64(jwt.split('.')[0] as string);
      expect(header).toMatchObject({ typ: 'oauth-authz-req+jwt', alg: 'ES256' });
      expect(unb64(jwt.split('.')[1] as string)).toMatchObject({ client_id: url.searchParams.get('client_id') });
      expect((await wallet.present(req.request_url)).status).toBe(200);
      const t = await json<{ verdict: PresentationVerdict }>(
        f.fetch(`${de}/wallet/verifier/transactions/${req.transaction_id}`),
      );
      expect(t.body.verdict.valid, JSON.stringify(t.body.verdict.failure)).toBe(true);
    });

    it('a wallet that judges the access certificate by its home node: the German verifier is trusted, a look-alike verifier is not', async () => {
      const trusting = HolderWallet.restore(wallet.exportState(), {
        fetch: f.fetch,
        clock,
        trustVerifier: trustThroughNode(ee, f.fetch),
      });
      const req = await signedRequest();
      const realLeaf = unb64(
        (await (await f.fetch(req.authorization_request.request_uri)).text()).split('.')[0] as string,
      ).x5c[0];
      expect((await trusting.present(req.request_url)).status).toBe(200);
      // a fake verifier: its own key under a self-signed certificate copying the German access certificate's subject
      const { issueCertificate } = await import('@kakehashi/trust');
      const { createHash, X509Certificate } = await import('node:crypto');
      const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const { der } = issueCertificate(
        {
          subject: [
            { type: 'C', value: 'DE' },
            { type: 'CN', value: new X509Certificate(Buffer.from(realLeaf, 'base64')).subject.split('CN=')[1] ?? 'x' },
          ],
          serialHex: '02',
          notBefore: new Date('2025-01-01T00:00:00Z'),
          notAfter: new Date('2035-01-01T00:00:00Z'),
          keyUsage: ['digitalSignature'],
        },
        key.publicKey,
        { selfSigningKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey },
      );
      const clientId = `x509_hash:${createHash('sha256').update(der).digest('base64url')}`;
      const fake = await new SignJWT({ ...req.authorization_request, client_id: clientId, request_uri: undefined })
        .setProtectedHeader({ alg: 'ES256', typ: 'oauth-authz-req+jwt', x5c: [der.toString('base64')] })
        .sign(key.privateKey);
      const fakeUri = 'https://fake-verifier.example/request.jwt';
      const withFake = (async (url: string, init?: RequestInit) =>
        url === fakeUri ? new Response(fake) : f.fetch(url, init)) as typeof fetch;
      const url = `openid4vp://?client_id=${encodeURIComponent(clientId)}&request_uri=${encodeURIComponent(fakeUri)}`;
      const judged = HolderWallet.restore(wallet.exportState(), {
        fetch: withFake,
        clock,
        trustVerifier: trustThroughNode(ee, f.fetch),
      });
      await expect(judged.present(url)).rejects.toThrow(/access certificate is not trusted/);
    });

    it('the wallet refuses a request object changed in transit, or another certificate than the client_id names', async () => {
      const req = await signedRequest();
      const tampering = (async (url: string, init?: RequestInit) => {
        const res = await f.fetch(url, init);
        if (!url.endsWith('/request.jwt')) return res;
        const [h, p, sig] = (await res.text()).split('.') as [string, string, string];
        const payload = { ...unb64(p), response_uri: 'https://attacker.example/collect' };
        return new Response(`${h}.${b64(payload)}.${sig}`);
      }) as typeof fetch;
      const w = HolderWallet.restore(wallet.exportState(), { fetch: tampering, clock });
      await expect(w.present(req.request_url)).rejects.toThrow(/signature verification failed/);
      const other = new URL(req.request_url);
      other.searchParams.set('client_id', `x509_hash:${'A'.repeat(43)}`);
      await expect(wallet.present(other.toString())).rejects.toThrow(
        /not the certificate the x509_hash client_id names/,
      );
      // and a by-value request may not claim a key-based client_id
      await expect(
        wallet.present({
          ...req.authorization_request,
          client_id: new URL(req.request_url).searchParams.get('client_id') as string,
        }),
      ).rejects.toThrow(/needs a signed request object/);
    });
  });
});
