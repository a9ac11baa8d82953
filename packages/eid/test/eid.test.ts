import { createHash } from 'node:crypto';
import {
  CORE_OPTIONS,
  createMemoryLogger,
  FaultSwitchboard,
  LayeredConfig,
  openStore,
  SeededRandom,
  VirtualClock,
} from '@kakehashi/core';
import { generatePersonas } from '@kakehashi/personas';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { authenticateClient, JWT_BEARER_ASSERTION } from '../src/client-auth/authenticate-client.ts';
import { createClientRegistry, DEMO_CLIENT_SECRET } from '../src/clients/client-registry.ts';
import { isLoopbackRedirect, matchRedirectUri } from '../src/clients/match-redirect-uri.ts';
import { deriveEidKeys } from '../src/keys/derive-keys.ts';
import { chooseAcr } from '../src/loa/loa.ts';
import { EID_OPTIONS } from '../src/options.ts';
import { computePairwiseSub, computePersonIdentifier } from '../src/pairwise/compute-pairwise-sub.ts';
import { s256Challenge, verifyPkce } from '../src/pkce/verify-pkce.ts';
import { EID_MIGRATIONS } from '../src/store/eid-migrations.ts';

const keys = deriveEidKeys('kakehashi-test', 'JP');

describe('pairwise sub and eIDAS PersonIdentifier', () => {
  it('is deterministic per seed, country, person and sector', () => {
    const again = deriveEidKeys('kakehashi-test', 'JP');
    expect(computePairwiseSub(again.pairwiseKey, 'jp-001', 'rp.example')).toBe(
      computePairwiseSub(keys.pairwiseKey, 'jp-001', 'rp.example'),
    );
    expect(computePairwiseSub(keys.pairwiseKey, 'jp-001', 'RP.example')).toBe(
      computePairwiseSub(keys.pairwiseKey, 'jp-001', 'rp.example'),
    );
    expect(computePairwiseSub(keys.pairwiseKey, 'jp-001', 'rp.example')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('is unlinkable across sectors, nodes and seeds, and is no unkeyed hash of the id', () => {
    const subs = new Set<string>();
    for (const sector of ['a.example', 'b.example', 'c.example'])
      for (const person of ['jp-001', 'jp-002']) subs.add(computePairwiseSub(keys.pairwiseKey, person, sector));
    expect(subs.size).toBe(6);
    const de = deriveEidKeys('kakehashi-test', 'DE');
    const other = deriveEidKeys('another-seed', 'JP');
    const s = computePairwiseSub(keys.pairwiseKey, 'jp-001', 'a.example');
    expect(computePairwiseSub(de.pairwiseKey, 'jp-001', 'a.example')).not.toBe(s);
    expect(computePairwiseSub(other.pairwiseKey, 'jp-001', 'a.example')).not.toBe(s);
    const unkeyed = createHash('sha256').update('pairwise/v1/jp-001/a.example').digest('base64url');
    expect(s).not.toBe(unkeyed);
  });

  it('PersonIdentifier is CC/CC/opaque, persistent per destination, different across destinations', () => {
    const at = computePersonIdentifier(keys.personIdKey, 'JP', 'AT', 'jp-001');
    expect(at).toMatch(/^JP\/AT\/[A-Za-z0-9_-]{43}$/);
    expect(computePersonIdentifier(keys.personIdKey, 'JP', 'at', 'jp-001')).toBe(at);
    const de = computePersonIdentifier(keys.personIdKey, 'JP', 'DE', 'jp-001');
    expect(de.slice(6)).not.toBe(at.slice(6));
    const persona = generatePersonas('kakehashi-test', 'JP')[0];
    expect(at).not.toContain(persona?.myNumber as string);
  });

  it('derives the same ES256 key from the same seed', async () => {
    const a = await exportJWK(keys.es256.publicKey);
    const b = await exportJWK(deriveEidKeys('kakehashi-test', 'JP').es256.publicKey);
    const c = await exportJWK(deriveEidKeys('kakehashi-test', 'DE').es256.publicKey);
    expect(a).toEqual(b);
    expect(a.x).not.toBe(c.x);
    expect(a).not.toHaveProperty('d');
  });
});

describe('PKCE (S256 only)', () => {
  it('accepts the matching verifier and refuses others', () => {
    // RFC 7636 Appendix B test vector.
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    expect(s256Challenge(verifier)).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    expect(verifier.length).toBe(43);
    expect(verifyPkce(verifier, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')).toBe(true);
    expect(verifyPkce(`${verifier.slice(0, -1)}A`, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')).toBe(false);
    expect(verifyPkce(undefined, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')).toBe(false);
    // plain: the verifier equal to the challenge is not accepted.
    expect(
      verifyPkce('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'),
    ).toBe(false);
    expect(verifyPkce('short', s256Challenge('short'))).toBe(false);
  });
});

describe('redirect URIs and LoA', () => {
  it('matches exactly, and any loopback only for the loopback client', () => {
    for (const ok of ['http://127.0.0.1:1234/cb', 'http://[::1]:80/x', 'http://localhost:9/a/b?x=1'])
      expect(isLoopbackRedirect(ok)).toBe(true);
    for (const bad of [
      'https://127.0.0.1/cb',
      'http://127.0.0.2/cb',
      'http://localhost.evil/cb',
      'http://a@127.0.0.1/',
      'http://127.0.0.1/#f',
    ])
      expect(isLoopbackRedirect(bad)).toBe(false);
    const c = { redirect_uris: ['https://rp.example/cb'], anyLoopback: false };
    expect(matchRedirectUri('https://rp.example/cb', c)).toBe(true);
    expect(matchRedirectUri('https://rp.example/cb/', c)).toBe(false);
    expect(matchRedirectUri('https://rp.example/cb?x=1', c)).toBe(false);
    expect(matchRedirectUri('http://127.0.0.1:1/cb', c)).toBe(false);
  });

  it('picks the lowest requested LoA the node can satisfy', () => {
    const L = 'http://eidas.europa.eu/LoA/';
    expect(chooseAcr([`${L}high`, `${L}substantial`], `${L}high`)).toBe(`${L}substantial`);
    expect(chooseAcr([`${L}high`], `${L}substantial`)).toBeUndefined();
    expect(chooseAcr(['urn:other'], `${L}high`)).toBeUndefined();
    expect(chooseAcr([], `${L}substantial`)).toBe(`${L}substantial`);
  });
});

describe('client authentication', () => {
  const setup = () => {
    const store = openStore({ name: 'eid-test' });
    store.migrate(EID_MIGRATIONS);
    return { store, registry: createClientRegistry(store) };
  };
  const TOKEN = 'http://127.0.0.1:7007/oidc/token';
  const base = (
    registry: ReturnType<typeof createClientRegistry>,
    store: ReturnType<typeof openStore>,
    now = new Date(),
  ) => ({
    registry,
    store,
    audiences: [TOKEN, 'http://127.0.0.1:7007'],
    issuer: 'http://127.0.0.1:7007',
    now,
    clockToleranceSeconds: 60,
  });

  it('the test RP accepts client_secret_basic and client_secret_post; a wrong secret is invalid_client', async () => {
    const { store, registry } = setup();
    const basic = (id: string, s: string) => `Basic ${Buffer.from(`${id}:${s}`).toString('base64')}`;
    const ok = await authenticateClient({
      ...base(registry, store),
      authorization: basic('kakehashi-demo-rp', DEMO_CLIENT_SECRET),
      params: new URLSearchParams(),
    });
    expect(ok.registration.client_id).toBe('kakehashi-demo-rp');
    await expect(
      authenticateClient({
        ...base(registry, store),
        authorization: basic('kakehashi-demo-rp', 'nope'),
        params: new URLSearchParams(),
      }),
    ).rejects.toMatchObject({ code: 'oidc-invalid-client' });
    const post = await authenticateClient({
      ...base(registry, store),
      authorization: undefined,
      params: new URLSearchParams({ client_id: 'kakehashi-demo-rp', client_secret: DEMO_CLIENT_SECRET }),
    });
    expect(post.registration.client_id).toBe('kakehashi-demo-rp');
    await expect(
      authenticateClient({
        ...base(registry, store),
        authorization: undefined,
        params: new URLSearchParams({ client_id: 'kakehashi-demo-rp', client_secret: 'wrong-secret-value' }),
      }),
    ).rejects.toMatchObject({ code: 'oidc-invalid-client' });
    // Both methods at once: RFC 6749 §2.3 allows one.
    await expect(
      authenticateClient({
        ...base(registry, store),
        authorization: basic('kakehashi-demo-rp', DEMO_CLIENT_SECRET),
        params: new URLSearchParams({ client_id: 'kakehashi-demo-rp', client_secret: DEMO_CLIENT_SECRET }),
      }),
    ).rejects.toMatchObject({ code: 'oidc-invalid-request' });
    expect(JSON.stringify(registry.list())).not.toContain(DEMO_CLIENT_SECRET);
  });

  it('a registered client may use only its registered method (RFC 7591 token_endpoint_auth_method)', async () => {
    const { store, registry } = setup();
    const secret = 'a-registered-secret-value';
    const basic = (id: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    registry.register(
      { client_id: 'basic-rp', client_secret: secret, redirect_uris: ['https://rp.example/cb'] },
      'admin',
    );
    registry.register(
      {
        client_id: 'post-rp',
        client_secret: secret,
        redirect_uris: ['https://rp.example/cb'],
        token_endpoint_auth_method: 'client_secret_post',
      },
      'admin',
    );
    const viaBasic = (id: string) =>
      authenticateClient({ ...base(registry, store), authorization: basic(id), params: new URLSearchParams() });
    const viaPost = (id: string) =>
      authenticateClient({
        ...base(registry, store),
        authorization: undefined,
        params: new URLSearchParams({ client_id: id, client_secret: secret }),
      });
    expect((await viaBasic('basic-rp')).registration.client_id).toBe('basic-rp');
    expect((await viaPost('post-rp')).registration.client_id).toBe('post-rp');
    await expect(viaPost('basic-rp')).rejects.toMatchObject({
      code: 'oidc-invalid-client',
      message: expect.stringMatching(/registered for client_secret_basic, not client_secret_post/),
    });
    await expect(viaBasic('post-rp')).rejects.toMatchObject({
      code: 'oidc-invalid-client',
      message: expect.stringMatching(/registered for client_secret_post, not client_secret_basic/),
    });
    const view = registry.list().find((c) => c.client_id === 'post-rp');
    expect(view?.accepted_auth_methods).toEqual(['client_secret_post']);
    expect(view?.grant_types).toEqual(['authorization_code']);
    expect(registry.list()[0]?.accepted_auth_methods).toEqual(['client_secret_basic', 'client_secret_post']);
  });

  it('private_key_jwt: verifies the assertion, refuses jti replay, wrong aud, HS256 and expired', async () => {
    const { store, registry } = setup();
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    registry.register(
      {
        client_id: 'pk-rp',
        jwks: { keys: [{ ...(await exportJWK(publicKey)), alg: 'ES256' } as { kty: 'EC' }] },
        redirect_uris: ['https://rp.example/cb'],
        token_endpoint_auth_method: 'private_key_jwt',
      },
      'admin',
    );
    const now = new Date();
    const assertion = (claims: Record<string, unknown>) =>
      new SignJWT({ jti: `j-${Math.random()}`, ...claims })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer('pk-rp')
        .setSubject('pk-rp')
        .setIssuedAt(Math.floor(now.getTime() / 1000))
        .setExpirationTime(Math.floor(now.getTime() / 1000) + 60)
        .sign(privateKey);
    const params = (a: string) =>
      new URLSearchParams({ client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: a });
    const good = await assertion({ aud: TOKEN, jti: 'fixed-jti' });
    const ok = await authenticateClient({
      ...base(registry, store, now),
      authorization: undefined,
      params: params(good),
    });
    expect(ok.registration.client_id).toBe('pk-rp');
    await expect(
      authenticateClient({ ...base(registry, store, now), authorization: undefined, params: params(good) }),
    ).rejects.toMatchObject({ code: 'oidc-invalid-client', message: expect.stringMatching(/replay/) });
    await expect(
      authenticateClient({
        ...base(registry, store, now),
        authorization: undefined,
        params: params(await assertion({ aud: 'https://elsewhere.example' })),
      }),
    ).rejects.toMatchObject({ code: 'oidc-invalid-client' });
    await expect(
      authenticateClient({
        ...base(registry, store, new Date(now.getTime() + 5 * 60_000)),
        authorization: undefined,
        params: params(await assertion({ aud: TOKEN })),
      }),
    ).rejects.toMatchObject({ code: 'oidc-invalid-client' });
    const hs = await new SignJWT({ jti: 'h', aud: TOKEN })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('pk-rp')
      .setSubject('pk-rp')
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode('x'.repeat(32)));
    await expect(
      authenticateClient({ ...base(registry, store, now), authorization: undefined, params: params(hs) }),
    ).rejects.toMatchObject({ code: 'oidc-invalid-client' });
  });

  it('refuses registrations with private keys, missing secrets or several hosts without a sector', () => {
    const { registry } = setup();
    expect(() =>
      registry.register(
        {
          client_id: 'x-rp',
          redirect_uris: ['https://a.example/cb'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
        'admin',
      ),
    ).toThrow(/client_secret/);
    expect(() =>
      registry.register(
        {
          client_id: 'y-rp',
          client_secret: 's'.repeat(20),
          redirect_uris: ['https://a.example/cb', 'https://b.example/cb'],
        },
        'admin',
      ),
    ).toThrow(/sector_identifier/);
    expect(() =>
      registry.register(
        {
          client_id: 'z-rp',
          jwks: { keys: [{ kty: 'EC', d: 'secret' } as { kty: 'EC' }] },
          redirect_uris: ['https://a.example/cb'],
          token_endpoint_auth_method: 'private_key_jwt',
        },
        'admin',
      ),
    ).toThrow(/private/);
  });
});

describe('authorization code lifecycle on the virtual clock', () => {
  it('a code is single-use and expires after 60 s', async () => {
    const { createComponentApp, mountAdmin } = await import('@kakehashi/core');
    const { mountOidcProvider } = await import('../src/provider/mount-oidc-provider.ts');
    const { generateKeyPairSync } = await import('node:crypto');
    const clock = new VirtualClock();
    clock.freeze(new Date('2027-01-01T00:00:00Z'));
    const deps = {
      store: openStore({ name: 'node-jp' }),
      clock,
      random: new SeededRandom('kakehashi-test'),
      logger: createMemoryLogger('error'),
      config: new LayeredConfig([...CORE_OPTIONS, ...EID_OPTIONS], { env: {}, cli: { seed: 'kakehashi-test' } }),
      fetch: globalThis.fetch,
      traces: { record: () => {} },
      faults: new FaultSwitchboard(),
    };
    const app = createComponentApp({ component: 'node', country: 'JP', name: 'JP', version: '0' }, deps);
    mountAdmin(app, deps);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    // A bare RSA key (no certificate: the JWK then carries no x5c).
    const ctx = mountOidcProvider(app, {
      ...deps,
      issuer: 'http://127.0.0.1:7007',
      country: 'JP',
      loa: 'http://eidas.europa.eu/LoA/high',
      personas: generatePersonas('kakehashi-test', 'JP'),
      signing: { privateKey: rsa.privateKey, certPem: '', chainPem: [] },
    });
    expect(ctx.issuer).toBe('http://127.0.0.1:7007');
    const verifier = 'v'.repeat(43);
    const u = new URL('http://127.0.0.1:7007/oidc/authorize');
    for (const [k, v] of Object.entries({
      client_id: 'kakehashi-demo-rp',
      redirect_uri: 'http://127.0.0.1:5000/cb',
      response_type: 'code',
      scope: 'openid',
      state: 's',
      nonce: 'n',
      code_challenge: s256Challenge(verifier),
      code_challenge_method: 'S256',
      kakehashi_persona: 'jp-001',
    }))
      u.searchParams.set(k, v);
    const code = async () =>
      new URL((await app.request(u.toString())).headers.get('location') as string).searchParams.get('code') as string;
    const basic = `Basic ${Buffer.from(`kakehashi-demo-rp:${DEMO_CLIENT_SECRET}`).toString('base64')}`;
    const exchange = (c: string) =>
      app.request('http://127.0.0.1:7007/oidc/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: c,
          code_verifier: verifier,
          redirect_uri: 'http://127.0.0.1:5000/cb',
        }),
      });
    // Single use: still valid at 59 s, refused the second time.
    const c1 = await code();
    clock.advance(59_000);
    const first = await exchange(c1);
    expect(first.status).toBe(200);
    const replay = await exchange(c1);
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: string }).error).toBe('invalid_grant');
    const c2 = await code();
    clock.advance(61_000);
    const late = await exchange(c2);
    expect(late.status).toBe(400);
    expect(((await late.json()) as { error_description: string }).error_description).toMatch(/expired/);
  });
});

describe('clients file (option oidcClientsFile)', () => {
  it('registers an entry at the countries it names, or at every node', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { readClientsFile } = await import('../src/clients/read-clients-file.ts');
    const file = join(mkdtempSync(join(tmpdir(), 'eid-')), 'clients.json');
    const entry = { client_secret: 's'.repeat(20), redirect_uris: ['https://rp.example/cb'] };
    writeFileSync(
      file,
      JSON.stringify([
        { ...entry, client_id: 'everywhere-rp' },
        { ...entry, client_id: 'jp-only-rp', countries: ['JP'] },
      ]),
    );
    expect(readClientsFile(file, 'JP').map((c) => c.client_id)).toEqual(['everywhere-rp', 'jp-only-rp']);
    expect(readClientsFile(file, 'DE').map((c) => c.client_id)).toEqual(['everywhere-rp']);
    expect(readClientsFile('', 'DE')).toEqual([]);
    writeFileSync(file, '[{"client_id": 1}]');
    expect(() => readClientsFile(file, 'DE')).toThrow(/oidcClientsFile/);
  });
});
