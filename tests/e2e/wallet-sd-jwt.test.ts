import { generateKeyPairSync, sign } from 'node:crypto';
import { runScenarioReversibly, SCENARIOS } from '@kakehashi/federation';
import { HolderWallet, type PresentationVerdict, trustThroughNode } from '@kakehashi/wallet';
import { exportJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * The EUDI wallet's first slice, across two countries in one in-process federation: Estonia's PID provider issues
 * a persona's PID as SD-JWT VC through the OpenID4VCI pre-authorised flow to a headless wallet, Germany's
 * verifier asks for it with DCQL (OpenID4VP direct_post) and judges it through its own trust view; each attack
 * is refused with its named W rule.
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

describe('EUDI wallet: an Estonian PID presented to the German verifier', () => {
  let f: TestFederation;
  let ee: string;
  let de: string;
  let persona: string;
  let wallet: HolderWallet;
  let credential: string;
  const clock = { now: () => f.clock.now() };

  const offer = async (node: string, personaId: string) => {
    const r = await json<{ credential_offer_url: string }>(
      f.fetch(`${node}/wallet/issuer/offers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ personaId }),
      }),
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.credential_offer_url;
  };
  const request = async (node: string) => {
    const r = await json<Req>(
      f.fetch(`${node}/wallet/verifier/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
    );
    expect(r.status).toBe(200);
    return r.body;
  };
  const validate = async (presentation: string, expected: Record<string, unknown>) => {
    const r = await json<PresentationVerdict>(
      f.fetch(`${de}/wallet/validate/presentation`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ presentation, expected }),
      }),
    );
    expect(r.status).toBe(200);
    return r.body;
  };
  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'EE'], clockStart: '2026-06-01T00:00:00Z' });
    ee = f.urls.nodes.EE as string;
    de = f.urls.nodes.DE as string;
    const personas = await json<{ id: string }[]>(f.fetch(`${ee}/personas`));
    persona = (personas.body as unknown as { id: string }[])[0]?.id as string;
    wallet = new HolderWallet({ fetch: f.fetch, clock });
    credential = (await wallet.receive(await offer(ee, persona))).credential;
  }, 240_000);
  afterAll(() => f?.dispose());

  it('publishes credential issuer metadata for the PID as dc+sd-jwt', async () => {
    const r = await json<{
      credential_issuer: string;
      credential_configurations_supported: Record<string, { format: string; vct: string }>;
    }>(f.fetch(`${ee}/.well-known/openid-credential-issuer`));
    expect(r.body.credential_issuer).toBe(ee);
    expect(Object.values(r.body.credential_configurations_supported)[0]).toMatchObject({
      format: 'dc+sd-jwt',
      vct: 'urn:eudi:pid:1',
    });
  });

  it('issues the PID as SD-JWT VC: x5c to the country CA, every claim selectively disclosable, bound to the device key', () => {
    const [jwt, ...rest] = credential.split('~');
    const header = unb64((jwt as string).split('.')[0] as string);
    const payload = unb64((jwt as string).split('.')[1] as string);
    expect(header).toMatchObject({ typ: 'dc+sd-jwt', alg: 'ES256' });
    expect(header.x5c).toHaveLength(2);
    expect(payload).toMatchObject({ iss: ee, vct: 'urn:eudi:pid:1', cnf: { jwk: wallet.publicJwk } });
    expect(payload.family_name).toBeUndefined();
    const names = rest.filter(Boolean).map((d) => unb64(d)[1]);
    expect(names).toEqual(
      expect.arrayContaining(['family_name', 'given_name', 'birthdate', 'nationalities', 'issuing_country']),
    );
    expect(credential.endsWith('~')).toBe(true);
  });

  it('the pre-authorised code is single use', async () => {
    const url = await offer(ee, persona);
    const code = JSON.parse(new URL(url).searchParams.get('credential_offer') as string).grants[
      'urn:ietf:params:oauth:grant-type:pre-authorized_code'
    ]['pre-authorized_code'];
    const token = () =>
      f.fetch(`${ee}/wallet/issuer/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code',
          'pre-authorized_code': code,
        }).toString(),
      });
    expect((await token()).status).toBe(200);
    const again = await json<{ error: string; code: string }>(token());
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ error: 'invalid_grant', code: 'vci-invalid-grant' });
  });

  it('scenario wallet-cross-border passes every step, twice, and leaves nothing to undo', async () => {
    for (let run = 0; run < 2; run++) {
      const r = await runScenarioReversibly(SCENARIOS, f, 'wallet-cross-border');
      expect(
        r.steps.filter((s) => !s.ok).map((s) => `${s.title}: ${s.detail}`),
        `run ${run + 1}`,
      ).toEqual([]);
      expect(r.steps).toHaveLength(5);
      expect(r.steps[3]?.detail).toMatch(/^valid \(15 rules passed\): .*family_name=.*from EE$/);
      expect(r.steps[4]?.detail).toBe('refused: W10 vp-nonce-invalid');
      expect(r.undo.restored).toBe(true);
    }
  });

  describe('the credential endpoint refuses', () => {
    /** A fresh access token and c_nonce for the persona. */
    const session = async () => {
      const url = await offer(ee, persona);
      const code = JSON.parse(new URL(url).searchParams.get('credential_offer') as string).grants[
        'urn:ietf:params:oauth:grant-type:pre-authorized_code'
      ]['pre-authorized_code'];
      const token = await json<{ access_token: string }>(
        f.fetch(`${ee}/wallet/issuer/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code',
            'pre-authorized_code': code,
          }).toString(),
        }),
      );
      const nonce = await json<{ c_nonce: string }>(f.fetch(`${ee}/wallet/issuer/nonce`, { method: 'POST' }));
      return { accessToken: token.body.access_token, cNonce: nonce.body.c_nonce };
    };
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const proof = async (claims: Record<string, unknown>) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', typ: 'openid4vci-proof+jwt', jwk: await exportJWK(key.publicKey) })
        .sign(key.privateKey);
    const credentialRequest = (accessToken: string, jwt: string) =>
      json<{ error: string; code: string; credentials?: unknown[] }>(
        f.fetch(`${ee}/wallet/issuer/credential`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
          body: JSON.stringify({
            credential_configuration_id: 'eu.europa.ec.eudi.pid_vc_sd_jwt',
            proofs: { jwt: [jwt] },
          }),
        }),
      );
    const iat = () => Math.floor(f.clock.now().getTime() / 1000);

    it('a c_nonce used twice (proof replay)', async () => {
      const s = await session();
      const jwt = await proof({ aud: ee, nonce: s.cNonce, iat: iat() });
      expect((await credentialRequest(s.accessToken, jwt)).status).toBe(200);
      const again = await credentialRequest(s.accessToken, jwt);
      expect(again.status).toBe(400);
      expect(again.body).toMatchObject({ error: 'invalid_nonce', code: 'vci-invalid-nonce' });
    });

    it('a proof for another issuer (aud)', async () => {
      const s = await session();
      const r = await credentialRequest(s.accessToken, await proof({ aud: de, nonce: s.cNonce, iat: iat() }));
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ error: 'invalid_proof', code: 'vci-invalid-proof' });
    });

    it('a proof made long ago', async () => {
      const s = await session();
      const r = await credentialRequest(s.accessToken, await proof({ aud: ee, nonce: s.cNonce, iat: iat() - 3600 }));
      expect(r.body).toMatchObject({ error: 'invalid_proof', code: 'vci-invalid-proof' });
    });

    it('an unknown access token', async () => {
      const s = await session();
      const r = await credentialRequest('not-a-token', await proof({ aud: ee, nonce: s.cNonce, iat: iat() }));
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ error: 'invalid_token', code: 'vci-invalid-token' });
    });
  });

  it('EE PID → DE verifier over OpenID4VP direct_post: valid, only the requested claims disclosed', async () => {
    const req = await request(de);
    const answer = await wallet.present(req.request_url);
    expect(answer.status).toBe(200);
    const t = await json<{ status: string; verdict: PresentationVerdict }>(
      f.fetch(`${de}/wallet/verifier/transactions/${req.transaction_id}`),
    );
    expect(t.body.status).toBe('answered');
    expect(t.body.verdict.valid, JSON.stringify(t.body.verdict.failure)).toBe(true);
    expect(t.body.verdict.checks.map((c) => c.rule)).toEqual([
      'W1',
      'W2',
      'W3',
      'W4',
      'W5',
      'W6',
      'W7',
      'W8',
      'W9',
      'W10',
      'W11',
      'W12',
      'W13',
      'W14',
      'W15',
    ]);
    expect(t.body.verdict.checks.every((c) => c.outcome === 'passed')).toBe(true);
    expect(t.body.verdict.credential).toMatchObject({ issuer: ee, country: 'EE', vct: 'urn:eudi:pid:1' });
    expect(Object.keys(t.body.verdict.credential?.claims ?? {}).sort()).toEqual([
      'birthdate',
      'family_name',
      'given_name',
    ]);
    // the same request is answered once
    const replay = await wallet.present(req.request_url);
    expect(replay.status).toBe(422);
    expect(replay.body).toMatchObject({ code: 'vp-replay' });
  });

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

  it("a PID its provider revoked fails W15 at the German verifier (Estonia's status list), and passes once reinstated", async () => {
    const payload = unb64((credential.split('~')[0] as string).split('.')[1] as string);
    expect(payload.status.status_list.uri).toBe(`${ee}/wallet/issuer/status-lists/1`);
    const list = await f.fetch(payload.status.status_list.uri);
    expect(list.headers.get('content-type')).toContain('application/statuslist+jwt');
    expect(unb64((await list.text()).split('.')[0] as string)).toMatchObject({ typ: 'statuslist+jwt', alg: 'ES256' });
    const setStatus = (status: string) =>
      f.fetch(`${ee}/admin/wallet/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...ADMIN },
        body: JSON.stringify({ idx: payload.status.status_list.idx, status }),
      });
    expect((await setStatus('invalid')).status).toBe(200);
    try {
      const req = await request(de);
      const { presentation } = await wallet.createPresentation(req.request_url);
      const v = await validate(presentation, {
        nonce: req.authorization_request.nonce,
        client_id: req.authorization_request.client_id,
      });
      expect({ rule: v.failure?.rule, code: v.failure?.code }).toEqual({ rule: 'W15', code: 'vp-credential-revoked' });
      expect(v.failure?.reason).toContain('revoked');
    } finally {
      expect((await setStatus('valid')).status).toBe(200);
    }
    const req = await request(de);
    const { presentation } = await wallet.createPresentation(req.request_url);
    const ok = await validate(presentation, {
      nonce: req.authorization_request.nonce,
      client_id: req.authorization_request.client_id,
    });
    expect(ok.valid).toBe(true);
    // the status list is the administrator's to change
    const anon = await f.fetch(`${ee}/admin/wallet/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ idx: payload.status.status_list.idx, status: 'invalid' }),
    });
    expect(anon.status).toBe(401);
  });

  it('a weak German verifier (lenient.wallet.kb-audience) lets a key binding for another verifier through, and says so', async () => {
    const switchAtDe = (change: { enable?: string[]; disable?: string[] }) =>
      f.fetch(`${de}/admin/faults`, {
        method: 'PUT',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify(change),
      });
    expect((await switchAtDe({ enable: ['lenient.wallet.kb-audience'] })).status).toBe(200);
    try {
      const req = await request(de);
      const { presentation } = await wallet.createPresentation(req.request_url);
      const v = await validate(presentation, {
        nonce: req.authorization_request.nonce,
        client_id: 'redirect_uri:https://rp.example/cb',
      });
      expect(v.valid).toBe(true);
      const w11 = v.checks.find((c) => c.rule === 'W11') as PresentationVerdict['checks'][number] & { fault?: string };
      expect(w11).toMatchObject({
        outcome: 'skipped',
        fault: 'lenient.wallet.kb-audience',
        code: 'vp-audience-invalid',
      });
      expect(w11.reason).toMatch(/^Let through by the fault lenient\.wallet\.kb-audience \(weak node\)/);
      // the other rules stay strict
      const nonce = await validate(presentation, { nonce: 'other', client_id: 'redirect_uri:https://rp.example/cb' });
      expect(nonce.failure?.rule).toBe('W10');
    } finally {
      expect((await switchAtDe({ disable: ['lenient.wallet.kb-audience'] })).status).toBe(200);
    }
    const req = await request(de);
    const { presentation } = await wallet.createPresentation(req.request_url);
    const strict = await validate(presentation, {
      nonce: req.authorization_request.nonce,
      client_id: 'redirect_uri:https://rp.example/cb',
    });
    expect(strict.failure?.rule).toBe('W11');
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

  /** A fresh DE request and the wallet's presentation for it (not posted). */
  const fresh = async (w: HolderWallet = wallet) => {
    const req = await request(de);
    const { presentation } = await w.createPresentation(req.request_url);
    return {
      req,
      presentation,
      expected: { nonce: req.authorization_request.nonce, client_id: req.authorization_request.client_id },
    };
  };
  const failedRule = (v: PresentationVerdict) => ({ valid: v.valid, rule: v.failure?.rule, code: v.failure?.code });

  it('the validation service accepts the untouched presentation', async () => {
    const { presentation, expected } = await fresh();
    expect(failedRule(await validate(presentation, expected))).toEqual({
      valid: true,
      rule: undefined,
      code: undefined,
    });
  });

  it('a tampered disclosure fails W7', async () => {
    const { presentation, expected } = await fresh();
    const parts = presentation.split('~');
    const i = parts.findIndex((p, k) => k > 0 && p && unb64(p)[1] === 'family_name');
    const d = unb64(parts[i] as string);
    parts[i] = b64([d[0], 'family_name', 'Mallory']);
    const v = await validate(parts.join('~'), expected);
    expect(failedRule(v)).toEqual({ valid: false, rule: 'W7', code: 'vp-disclosure-invalid' });
  });

  it('a duplicated disclosure fails W7', async () => {
    const { presentation, expected } = await fresh();
    const parts = presentation.split('~');
    parts.splice(1, 0, parts[1] as string);
    expect(failedRule(await validate(parts.join('~'), expected))).toMatchObject({ rule: 'W7' });
  });

  it('the wrong nonce fails W10', async () => {
    const { presentation, expected } = await fresh();
    const v = await validate(presentation, { ...expected, nonce: 'another-nonce' });
    expect(failedRule(v)).toEqual({ valid: false, rule: 'W10', code: 'vp-nonce-invalid' });
  });

  it('the wrong audience fails W11', async () => {
    const { presentation, expected } = await fresh();
    const v = await validate(presentation, { ...expected, client_id: 'redirect_uri:https://rp.example/cb' });
    expect(failedRule(v)).toEqual({ valid: false, rule: 'W11', code: 'vp-audience-invalid' });
  });

  it('a key binding made with another key fails W9', async () => {
    const { presentation, expected } = await fresh();
    const parts = presentation.split('~');
    const kb = parts.pop() as string;
    const [h, p] = kb.split('.') as [string, string];
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const sig = sign('sha256', Buffer.from(`${h}.${p}`), { key: other, dsaEncoding: 'ieee-p1363' }).toString(
      'base64url',
    );
    const v = await validate([...parts, `${h}.${p}.${sig}`].join('~'), expected);
    expect(failedRule(v)).toEqual({ valid: false, rule: 'W9', code: 'vp-key-binding-invalid' });
  });

  it('a presentation without key binding fails W8', async () => {
    const { presentation, expected } = await fresh();
    const parts = presentation.split('~');
    parts[parts.length - 1] = '';
    expect(failedRule(await validate(parts.join('~'), expected))).toEqual({
      valid: false,
      rule: 'W8',
      code: 'vp-key-binding-missing',
    });
  });

  it('an issuer whose certificate is on no trusted list fails W2', async () => {
    const { presentation, expected } = await fresh();
    const [jwt, ...rest] = presentation.split('~');
    const [h, p] = (jwt as string).split('.') as [string, string];
    // the same claims, re-signed by a self-made key with a self-signed look-alike certificate
    const { issueCertificate } = await import('@kakehashi/trust');
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { der } = issueCertificate(
      {
        subject: [
          { type: 'C', value: 'EE' },
          { type: 'CN', value: 'Kakehashi EE PID Provider (TEST)' },
        ],
        serialHex: '01',
        notBefore: new Date('2025-01-01T00:00:00Z'),
        notAfter: new Date('2035-01-01T00:00:00Z'),
        keyUsage: ['digitalSignature'],
      },
      key.publicKey,
      { selfSigningKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey },
    );
    const header = { ...unb64(h), x5c: [der.toString('base64')] };
    const input = `${b64(header)}.${p}`;
    const sig = sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' }).toString(
      'base64url',
    );
    const v = await validate([`${input}.${sig}`, ...rest].join('~'), expected);
    expect(failedRule(v)).toEqual({ valid: false, rule: 'W2', code: 'vp-issuer-untrusted' });
  });

  it('a posted presentation for another request (its nonce) fails W10 at the response URI', async () => {
    const a = await fresh();
    const b = await request(de);
    const r = await f.fetch(b.authorization_request.response_uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        vp_token: JSON.stringify({ pid: [a.presentation] }),
        state: b.authorization_request.state,
      }).toString(),
    });
    expect(r.status).toBe(200);
    const t = await json<{ verdict: PresentationVerdict }>(
      f.fetch(`${de}/wallet/verifier/transactions/${b.transaction_id}`),
    );
    expect(failedRule(t.body.verdict)).toMatchObject({ valid: false, rule: 'W10' });
  });
  it('a request not answered within ten minutes is forgotten: the late answer finds no request (last: moves the clock)', async () => {
    const req = await request(de);
    f.clock.advance(11 * 60_000);
    const late = await wallet.present(req.request_url);
    expect(late.status).toBe(404);
    expect(late.body).toMatchObject({ code: 'vp-unknown-transaction' });
    expect((await f.fetch(`${de}/wallet/verifier/transactions/${req.transaction_id}`)).status).toBe(404);
  });
});
