import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

const COUNTRIES = ['AT', 'DE', 'EE', 'ES', 'FR', 'IT', 'JP'];
const DEMO = { id: 'kakehashi-demo-rp', secret: 'kakehashi-demo-secret' };
const REDIRECT = 'http://127.0.0.1:53125/callback';

/**
 * What integrators' clients expect from a provider, driven by openid-client with its DEFAULT settings: a client
 * secret given as the metadata string (openid-client then authenticates with client_secret_post), no extra
 * checks switched on or off. The only options are the transport: the federation runs in process (customFetch)
 * on http loopback origins (allowInsecureRequests).
 */
describe('openid-client with default settings, at every node', () => {
  let f: TestFederation;
  beforeAll(async () => {
    f = await startTestFederation();
  }, 180_000);
  afterAll(() => f?.dispose());

  /** Every request the relying party makes, and a cookie jar per node origin (the browser's part). */
  const sent: { url: string; headers: Headers; body: string }[] = [];
  const jar = new Map<string, string>();
  const rpFetch: client.CustomFetch = async (url, options) => {
    sent.push({ url, headers: new Headers(options.headers), body: String(options.body ?? '') });
    return f.fetch(url, options as RequestInit);
  };
  const browse = async (url: URL | string) => {
    const u = new URL(url);
    const headers: Record<string, string> = {};
    const cookie = jar.get(u.origin);
    if (cookie) headers.cookie = cookie;
    const res = await f.fetch(u.toString(), { redirect: 'manual', headers });
    const set = res.headers.get('set-cookie');
    if (set) {
      const pair = set.split(';')[0] as string;
      if (/max-age=0/i.test(set)) jar.delete(u.origin);
      else jar.set(u.origin, pair);
    }
    return res;
  };
  const discover = (cc: string, clientId = DEMO.id, secret = DEMO.secret) =>
    client.discovery(new URL(f.urls.nodes[cc] as string), clientId, secret, undefined, {
      execute: [client.allowInsecureRequests],
      [client.customFetch]: rpFetch,
    });

  const login = async (
    config: client.Configuration,
    params: Record<string, string>,
    checks: { maxAge?: number } = {},
  ) => {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid profile',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...params,
    });
    const res = await browse(url);
    expect(res.status, await res.clone().text()).toBe(302);
    const tokens = await client.authorizationCodeGrant(config, new URL(res.headers.get('location') as string), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      ...checks,
    });
    return { tokens, claims: tokens.claims() as client.IDToken & Record<string, unknown> };
  };

  it.each(COUNTRIES)('completes a login at %s (client_secret_post, the library default)', async (cc) => {
    const config = await discover(cc);
    expect(config.serverMetadata().token_endpoint_auth_methods_supported).toContain('client_secret_post');
    sent.length = 0;
    const { tokens, claims } = await login(config, { kakehashi_persona: `${cc.toLowerCase()}-001` });
    const tokenRequest = sent.find((r) => r.url.endsWith('/oidc/token'));
    expect(tokenRequest?.headers.get('authorization')).toBeNull();
    expect(new URLSearchParams(tokenRequest?.body).get('client_secret')).toBe(DEMO.secret);
    expect(claims.iss).toBe(f.urls.nodes[cc]);
    expect(claims.auth_time).toBeTypeOf('number');
    expect(claims.sid).toBeTypeOf('string');
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(userinfo.eidas_person_identifier).toBe(claims.eidas_person_identifier);
  });

  it('the login session: silent login with prompt=none, max_age checked by the library, login_required without a session', async () => {
    jar.clear();
    const config = await discover('EE');
    const first = await login(config, { kakehashi_persona: 'ee-002' });
    const silent = await login(config, { prompt: 'none' }, { maxAge: 300 });
    expect(silent.claims.sub).toBe(first.claims.sub);
    expect(silent.claims.auth_time).toBe(first.claims.auth_time);
    jar.clear();
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'st-none',
      nonce: 'n-none',
      prompt: 'none',
    });
    const res = await browse(url);
    const err = await client
      .authorizationCodeGrant(config, new URL(res.headers.get('location') as string), {
        pkceCodeVerifier: verifier,
        expectedState: 'st-none',
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(client.AuthorizationResponseError);
    expect((err as client.AuthorizationResponseError).error).toBe('login_required');
  });

  it('refresh tokens: offline_access with prompt=consent; refreshTokenGrant rotates; the old one is refused', async () => {
    jar.clear();
    const config = await discover('IT');
    const { tokens, claims } = await login(config, {
      kakehashi_persona: 'it-001',
      scope: 'openid offline_access',
      prompt: 'consent',
    });
    expect(tokens.refresh_token).toBeTruthy();
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token as string);
    expect(refreshed.claims()?.sub).toBe(claims.sub);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    const reused = await client.refreshTokenGrant(config, tokens.refresh_token as string).catch((e: unknown) => e);
    expect(reused).toBeInstanceOf(client.ResponseBodyError);
    expect((reused as client.ResponseBodyError).error).toBe('invalid_grant');
    // Reuse revoked the family: the successor is dead too.
    const after = await client.refreshTokenGrant(config, refreshed.refresh_token as string).catch((e: unknown) => e);
    expect((after as client.ResponseBodyError).error).toBe('invalid_grant');
  });

  it('RP-initiated logout: buildEndSessionUrl ends the session and returns to the RP with state', async () => {
    jar.clear();
    const config = await discover('ES');
    expect(config.serverMetadata().end_session_endpoint).toBe(`${f.urls.nodes.ES}/oidc/logout`);
    const { tokens } = await login(config, { kakehashi_persona: 'es-001' });
    expect(jar.has(f.urls.nodes.ES as string)).toBe(true);
    const url = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token as string,
      post_logout_redirect_uri: 'http://127.0.0.1:53125/logged-out',
      state: 'after-logout',
    });
    const res = await browse(url);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('http://127.0.0.1:53125/logged-out?state=after-logout');
    expect(jar.has(f.urls.nodes.ES as string)).toBe(false);
  });

  it('a client registered for client_secret_basic is refused with the default client_secret_post (invalid_client)', async () => {
    const secret = 'basic-only-client-secret';
    const reg = await json(
      f.fetch(`${f.urls.nodes.AT}/admin/oidc/clients`, {
        method: 'POST',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({
          client_id: 'at-basic-rp',
          client_secret: secret,
          redirect_uris: [REDIRECT],
          token_endpoint_auth_method: 'client_secret_basic',
        }),
      }),
    );
    expect(reg.status).toBe(201);
    const config = await discover('AT', 'at-basic-rp', secret);
    const err = await login(config, { kakehashi_persona: 'at-001' }).catch((e: unknown) => e);
    expect((err as client.ResponseBodyError).error).toBe('invalid_client');
    expect((err as client.ResponseBodyError).error_description).toMatch(/client_secret_basic, not client_secret_post/);
    // Told to use Basic, the same client logs in.
    const basic = await client.discovery(
      new URL(f.urls.nodes.AT as string),
      'at-basic-rp',
      undefined,
      client.ClientSecretBasic(secret),
      { execute: [client.allowInsecureRequests], [client.customFetch]: rpFetch },
    );
    expect((await login(basic, { kakehashi_persona: 'at-001' })).claims.aud).toBe('at-basic-rp');
  });

  it('RFC 8414 metadata at every node equals the OpenID discovery document', async () => {
    for (const cc of COUNTRIES) {
      const node = f.urls.nodes[cc] as string;
      const oidc = (await json(f.fetch(`${node}/.well-known/openid-configuration`))).body;
      const oauth = (await json(f.fetch(`${node}/.well-known/oauth-authorization-server`))).body;
      expect(oauth).toEqual(oidc);
      expect(oauth.issuer).toBe(node);
    }
  });
});
