import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CORE_OPTIONS,
  createComponentApp,
  createMemoryLogger,
  FaultSwitchboard,
  KakehashiError,
  LayeredConfig,
  mountAdmin,
  openStore,
  SeededRandom,
  type Store,
  VirtualClock,
} from '@kakehashi/core';
import { generatePersonas } from '@kakehashi/personas';
import { decodeJwt, SignJWT } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { forgetIssuedCodes, type IssuedCode, issuedCodes, rememberIssuedCode } from '../src/authorize/issued-codes.ts';
import { DEMO_CLIENT_SECRET } from '../src/clients/client-registry.ts';
import { EID_OPTIONS } from '../src/options.ts';
import { s256Challenge } from '../src/pkce/verify-pkce.ts';
import { mountOidcProvider } from '../src/provider/mount-oidc-provider.ts';
import { ACCESS_TOKEN_TTL_SECONDS, REFRESH_TOKEN_TTL_SECONDS } from '../src/token/mint-tokens.ts';

const ISSUER = 'http://127.0.0.1:7007';
const REDIRECT = 'http://127.0.0.1:5000/cb';
const VERIFIER = 'v'.repeat(43);
const BASIC = `Basic ${Buffer.from(`kakehashi-demo-rp:${DEMO_CLIENT_SECRET}`).toString('base64')}`;
const ADMIN = { authorization: 'Bearer kakehashi-admin-test-only' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** One JP provider in process on a frozen virtual clock; a tiny browser that keeps the session cookie. */
function provider(store: Store = openStore({ name: 'node-jp' })) {
  const clock = new VirtualClock();
  clock.freeze(new Date('2027-01-01T00:00:00Z'));
  const deps = {
    store,
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
  mountOidcProvider(app, {
    ...deps,
    issuer: ISSUER,
    country: 'JP',
    loa: 'http://eidas.europa.eu/LoA/high',
    personas: generatePersonas('kakehashi-test', 'JP'),
    signing: { privateKey: rsa.privateKey, certPem: '', chainPem: [] },
  });
  let cookie: string | undefined;
  const request = async (url: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    const res = await app.request(url, { ...init, headers });
    const set = res.headers.get('set-cookie');
    if (set) {
      const [pair] = set.split(';');
      cookie = /=$/.test(pair as string) || /max-age=0/i.test(set) ? undefined : pair;
    }
    return res;
  };
  const authorize = (params: Record<string, string | undefined> = {}) => {
    const u = new URL(`${ISSUER}/oidc/authorize`);
    const all: Record<string, string | undefined> = {
      client_id: 'kakehashi-demo-rp',
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid',
      state: 'st',
      nonce: `n-${Math.random()}`,
      code_challenge: s256Challenge(VERIFIER),
      code_challenge_method: 'S256',
      ...params,
    };
    for (const [k, v] of Object.entries(all)) if (v !== undefined) u.searchParams.set(k, v);
    return request(u.toString());
  };
  const redirectOf = (res: Response) => new URL(res.headers.get('location') as string).searchParams;
  const token = async (body: Record<string, string>, authorization = BASIC) => {
    const res = await app.request(`${ISSUER}/oidc/token`, {
      method: 'POST',
      headers: { ...FORM, ...(authorization ? { authorization } : {}) },
      body: new URLSearchParams(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  };
  const exchange = (code: string, authorization?: string) =>
    token({ grant_type: 'authorization_code', code, code_verifier: VERIFIER, redirect_uri: REDIRECT }, authorization);
  /** authorize → code → tokens; returns the token response and the ID token's claims. */
  const login = async (params: Record<string, string | undefined> = {}) => {
    const res = await authorize(params);
    expect(res.status, await res.clone().text()).toBe(302);
    const code = redirectOf(res).get('code');
    expect(code, res.headers.get('location') as string).toBeTruthy();
    const t = await exchange(code as string);
    expect(t.status, JSON.stringify(t.body)).toBe(200);
    return { tokens: t.body, claims: decodeJwt(t.body.id_token as string) };
  };
  return {
    app,
    clock,
    store: deps.store,
    request,
    authorize,
    redirectOf,
    token,
    exchange,
    login,
    cookie: () => cookie,
    dropCookie: () => {
      cookie = undefined;
    },
  };
}

describe('login sessions: prompt and max_age (OIDC Core §3.1.2.1)', () => {
  let p: ReturnType<typeof provider>;
  beforeEach(() => {
    p = provider();
  });

  it('a login sets an HttpOnly, SameSite=Lax session cookie scoped to the node; the session answers the next request', async () => {
    const res = await p.authorize({ kakehashi_persona: 'jp-001' });
    const set = res.headers.get('set-cookie') as string;
    expect(set).toMatch(/^kakehashi_op_jp=[A-Za-z0-9_-]{43};/);
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Lax/);
    expect(set).toMatch(/Path=\/oidc/);
    expect(set).not.toMatch(/Secure|Max-Age|Expires/i); // http issuer; expiry is the store's, on the virtual clock
    const first = decodeJwt((await p.exchange(p.redirectOf(res).get('code') as string)).body.id_token as string);
    p.clock.advance(30_000);
    // No persona, no page: the session answers with a code at once (single sign-on), keeping auth_time and sid.
    const again = await p.login();
    expect(again.claims.sub).toBe(first.sub);
    expect(again.claims.auth_time).toBe(first.auth_time);
    expect(again.claims.sid).toBe(first.sid);
    expect(typeof first.sid).toBe('string');
    expect(again.claims.iat).toBe((first.iat as number) + 30);
  });

  it('prompt=none: login_required (error redirect with state and iss) without a session, even with kakehashi_persona', async () => {
    for (const extra of [{}, { kakehashi_persona: 'jp-001' }]) {
      const res = await p.authorize({ prompt: 'none', ...extra });
      expect(res.status).toBe(302);
      const q = p.redirectOf(res);
      expect(q.get('error')).toBe('login_required');
      expect(q.get('state')).toBe('st');
      expect(q.get('iss')).toBe(ISSUER);
      expect(q.get('code')).toBeNull();
      expect(res.headers.get('set-cookie')).toBeNull();
    }
    await p.login({ kakehashi_persona: 'jp-002' });
    const silent = await p.login({ prompt: 'none' });
    expect(silent.claims.nonce).toBeTruthy();
  });

  it('prompt=login and select_account ask for a new authentication: the picker, or the headless persona', async () => {
    const first = await p.login({ kakehashi_persona: 'jp-001' });
    p.clock.advance(10_000);
    for (const prompt of ['login', 'select_account']) {
      const page = await p.authorize({ prompt });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('data-testid="persona-list"');
    }
    const fresh = await p.login({ prompt: 'login', kakehashi_persona: 'jp-002' });
    expect(fresh.claims.auth_time).toBe((first.claims.auth_time as number) + 10);
    expect(fresh.claims.sub).not.toBe(first.claims.sub);
    expect(fresh.claims.sid).not.toBe(first.claims.sid);
    // The new session replaced the old one.
    expect((await p.login({ prompt: 'none' })).claims.sub).toBe(fresh.claims.sub);
  });

  it('max_age: an older session needs a new authentication; auth_time is in the ID token', async () => {
    const first = await p.login({ kakehashi_persona: 'jp-001' });
    p.clock.advance(120_000);
    const within = await p.login({ max_age: '300' });
    expect(within.claims.auth_time).toBe(first.claims.auth_time);
    const page = await p.authorize({ max_age: '60' });
    expect(page.status).toBe(200);
    expect(p.redirectOf(await p.authorize({ max_age: '60', prompt: 'none' })).get('error')).toBe('login_required');
    const zero = await p.authorize({ max_age: '0' });
    expect(zero.status).toBe(200);
    const reauth = await p.login({ max_age: '60', kakehashi_persona: 'jp-001' });
    expect(reauth.claims.auth_time).toBe((first.claims.auth_time as number) + 120);
  });

  it('the session expires after 8 hours on the virtual clock', async () => {
    await p.login({ kakehashi_persona: 'jp-001' });
    p.clock.advance(8 * 3600_000 - 1000);
    expect((await p.authorize({ prompt: 'none' })).status).toBe(302);
    expect(p.redirectOf(await p.authorize({ prompt: 'none' })).get('code')).toBeTruthy();
    p.clock.advance(2000);
    expect(p.redirectOf(await p.authorize({ prompt: 'none' })).get('error')).toBe('login_required');
  });

  it('refuses unknown prompt values, none with others, and a malformed max_age (invalid_request redirects)', async () => {
    for (const bad of [{ prompt: 'create' }, { prompt: 'none login' }, { max_age: '-1' }, { max_age: 'soon' }]) {
      const q = p.redirectOf(await p.authorize({ kakehashi_persona: 'jp-001', ...bad }));
      expect(q.get('error'), JSON.stringify(bad)).toBe('invalid_request');
    }
  });
});

describe('refresh tokens: offline_access with prompt=consent, rotation, reuse detection (RFC 9700 §4.14)', () => {
  let p: ReturnType<typeof provider>;
  beforeEach(() => {
    p = provider();
  });
  const offline = { kakehashi_persona: 'jp-001', scope: 'openid offline_access', prompt: 'consent' };
  const refresh = (refresh_token: string, authorization?: string, extra: Record<string, string> = {}) =>
    p.token({ grant_type: 'refresh_token', refresh_token, ...extra }, authorization);

  it('offline_access without prompt=consent is dropped: no refresh token', async () => {
    const { tokens } = await p.login({ kakehashi_persona: 'jp-001', scope: 'openid offline_access' });
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.scope).toBe('openid');
  });

  it('rotates on every use; the new ID token keeps sub, aud and auth_time, without a nonce', async () => {
    const { tokens, claims } = await p.login(offline);
    expect(tokens.scope).toBe('openid offline_access');
    expect(tokens.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    p.clock.advance(3600_000);
    const r1 = await refresh(tokens.refresh_token as string);
    expect(r1.status, JSON.stringify(r1.body)).toBe(200);
    expect(r1.body.refresh_token).not.toBe(tokens.refresh_token);
    const c1 = decodeJwt(r1.body.id_token as string);
    expect(c1.sub).toBe(claims.sub);
    expect(c1.aud).toBe('kakehashi-demo-rp');
    expect(c1.auth_time).toBe(claims.auth_time);
    expect(c1.iat).toBe((claims.iat as number) + 3600);
    expect(c1.nonce).toBeUndefined();
    const ui = await p.app.request(`${ISSUER}/oidc/userinfo`, {
      headers: { authorization: `Bearer ${r1.body.access_token}` },
    });
    expect(ui.status).toBe(200);
    // A narrower scope is allowed, a wider one not.
    expect((await refresh(r1.body.refresh_token as string, undefined, { scope: 'openid profile' })).body.error).toBe(
      'invalid_scope',
    );
  });

  it('a reused refresh token revokes the whole family: refresh and access tokens', async () => {
    const { tokens } = await p.login(offline);
    const r1 = await refresh(tokens.refresh_token as string);
    expect(r1.status).toBe(200);
    const reuse = await refresh(tokens.refresh_token as string);
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe('invalid_grant');
    expect(reuse.body.code).toBe('oidc-refresh-token-reused');
    // The legitimate successor is revoked too, and so are the access tokens of the family.
    const next = await refresh(r1.body.refresh_token as string);
    expect(next.body.error).toBe('invalid_grant');
    for (const at of [tokens.access_token, r1.body.access_token]) {
      const ui = await p.app.request(`${ISSUER}/oidc/userinfo`, { headers: { authorization: `Bearer ${at}` } });
      expect(ui.status).toBe(401);
    }
  });

  it('is bound to its client, expires after a day, and needs the refresh_token grant in the registration', async () => {
    const secret = 'another-client-secret';
    const reg = await p.app.request(`${ISSUER}/admin/oidc/clients`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'code-only-rp', client_secret: secret, redirect_uris: [REDIRECT] }),
    });
    expect(reg.status).toBe(201);
    const other = `Basic ${Buffer.from(`code-only-rp:${secret}`).toString('base64')}`;
    const { tokens } = await p.login(offline);
    const stolen = await refresh(tokens.refresh_token as string, other);
    expect(stolen.body.error).toBe('unauthorized_client');
    const withPost = await p.token(
      {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token as string,
        client_id: 'kakehashi-demo-rp',
        client_secret: DEMO_CLIENT_SECRET,
      },
      '',
    );
    expect(withPost.status).toBe(200);
    p.clock.advance(24 * 3600_000 + 1000);
    const late = await refresh(withPost.body.refresh_token as string);
    expect(late.body.error).toBe('invalid_grant');
    expect(late.body.error_description).toMatch(/expired/);
    // The code-only client gets no refresh token even with prompt=consent.
    p.dropCookie();
    const res = await p.authorize({ ...offline, client_id: 'code-only-rp' });
    const t = await p.exchange(p.redirectOf(res).get('code') as string, other);
    expect(t.body.refresh_token).toBeUndefined();
    expect(t.body.scope).toBe('openid');
  });

  it('another client cannot redeem a refresh token (invalid_grant)', async () => {
    const secret = 'refreshing-client-secret';
    await p.app.request(`${ISSUER}/admin/oidc/clients`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: 'refreshing-rp',
        client_secret: secret,
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
      }),
    });
    const { tokens } = await p.login(offline);
    const res = await refresh(
      tokens.refresh_token as string,
      `Basic ${Buffer.from(`refreshing-rp:${secret}`).toString('base64')}`,
    );
    expect(res.body.error).toBe('invalid_grant');
    expect(res.body.error_description).toMatch(/another client/);
  });
});

describe('RP-initiated logout and the metadata documents', () => {
  let p: ReturnType<typeof provider>;
  beforeEach(() => {
    p = provider();
  });
  const logout = (params: Record<string, string>) => p.request(`${ISSUER}/oidc/logout?${new URLSearchParams(params)}`);

  it('ends the session and redirects to the registered post_logout_redirect_uri with state', async () => {
    const { tokens } = await p.login({ kakehashi_persona: 'jp-001' });
    expect(p.cookie()).toBeTruthy();
    const res = await logout({
      id_token_hint: tokens.id_token as string,
      post_logout_redirect_uri: 'http://127.0.0.1:5000/logged-out',
      state: 'bye-1',
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('http://127.0.0.1:5000/logged-out?state=bye-1');
    expect(res.headers.get('set-cookie')).toMatch(/^kakehashi_op_jp=;.*Max-Age=0/);
    expect(p.cookie()).toBeUndefined();
    expect(p.redirectOf(await p.authorize({ prompt: 'none' })).get('error')).toBe('login_required');
  });

  it("the hint's sid ends the session even without the cookie (back from another browser tab)", async () => {
    const { tokens } = await p.login({ kakehashi_persona: 'jp-001' });
    const saved = p.cookie();
    p.dropCookie();
    const res = await logout({ id_token_hint: tokens.id_token as string });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('data-testid="logged-out"');
    // The old cookie no longer opens a session.
    const again = await p.app.request(
      `${ISSUER}/oidc/authorize?${new URLSearchParams({ client_id: 'kakehashi-demo-rp', redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', state: 's', nonce: 'n', code_challenge: s256Challenge(VERIFIER), code_challenge_method: 'S256', prompt: 'none' })}`,
      { headers: { cookie: saved as string } },
    );
    expect(p.redirectOf(again).get('error')).toBe('login_required');
  });

  it('POST works too (303)', async () => {
    await p.login({ kakehashi_persona: 'jp-001' });
    const res = await p.request(`${ISSUER}/oidc/logout`, {
      method: 'POST',
      headers: FORM,
      body: new URLSearchParams({ client_id: 'kakehashi-demo-rp', post_logout_redirect_uri: 'http://localhost:9/x' }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('http://localhost:9/x');
  });

  it('refuses, with an error page and no redirect: unregistered URIs, foreign hints, mismatched client_id, no client', async () => {
    const { tokens } = await p.login({ kakehashi_persona: 'jp-001' });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = await new SignJWT({ iss: ISSUER, aud: 'kakehashi-demo-rp', sub: 'x' })
      .setProtectedHeader({
        alg: 'RS256',
        kid: JSON.parse(Buffer.from((tokens.id_token as string).split('.')[0] as string, 'base64url').toString()).kid,
      })
      .sign(other.privateKey);
    const cases: Record<string, string>[] = [
      { client_id: 'kakehashi-demo-rp', post_logout_redirect_uri: 'https://attacker.example/cb' },
      { post_logout_redirect_uri: 'http://127.0.0.1:5000/logged-out' },
      { id_token_hint: forged, post_logout_redirect_uri: 'http://127.0.0.1:5000/logged-out' },
      { id_token_hint: 'not-a-jwt' },
      { id_token_hint: tokens.id_token as string, client_id: 'someone-else' },
      { client_id: 'nobody-registered' },
    ];
    for (const params of cases) {
      const res = await logout(params);
      expect(res.status, JSON.stringify(params)).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(((await res.json()) as { code: string }).code).toBe('oidc-invalid-logout-request');
    }
    // Nothing ended: the session still answers.
    expect(p.redirectOf(await p.authorize({ prompt: 'none' })).get('code')).toBeTruthy();
  });

  it('a registered client returns only to its registered post_logout_redirect_uris (exact match)', async () => {
    await p.app.request(`${ISSUER}/admin/oidc/clients`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: 'logout-rp',
        client_secret: 'logout-client-secret',
        redirect_uris: ['https://rp.example/cb'],
        post_logout_redirect_uris: ['https://rp.example/bye'],
      }),
    });
    const ok = await logout({ client_id: 'logout-rp', post_logout_redirect_uri: 'https://rp.example/bye' });
    expect(ok.status).toBe(302);
    const loopback = await logout({ client_id: 'logout-rp', post_logout_redirect_uri: 'http://127.0.0.1:5000/bye' });
    expect(loopback.status).toBe(400);
    const prefix = await logout({ client_id: 'logout-rp', post_logout_redirect_uri: 'https://rp.example/bye/x' });
    expect(prefix.status).toBe(400);
  });

  it('the admin API refuses registrations that do not fit with invalid_client_metadata (RFC 7591 §3.2.2)', async () => {
    const register = (body: unknown) =>
      p.app.request(`${ISSUER}/admin/oidc/clients`, {
        method: 'POST',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (const bad of [
      { client_id: 'no-uris-rp', client_secret: 's'.repeat(20), redirect_uris: [] },
      { client_id: 'post-rp', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_post' },
      {
        client_id: 'grant-rp',
        client_secret: 's'.repeat(20),
        redirect_uris: [REDIRECT],
        grant_types: ['refresh_token'],
      },
      {
        client_id: 'frag-rp',
        client_secret: 's'.repeat(20),
        redirect_uris: [REDIRECT],
        post_logout_redirect_uris: ['https://rp.example/#x'],
      },
      { client_id: 'impl-rp', client_secret: 's'.repeat(20), redirect_uris: [REDIRECT], grant_types: ['implicit'] },
    ]) {
      const res = await register(bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      const body = (await res.json()) as { code: string; error: string };
      expect(body.code).toBe('oidc-invalid-client-metadata');
      expect(body.error).toBe('invalid_client_metadata');
    }
  });

  it('discovery names the end-session endpoint, the auth methods and grants; RFC 8414 metadata is the same document', async () => {
    const oidc = (await (await p.app.request(`${ISSUER}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    const oauth = (await (await p.app.request(`${ISSUER}/.well-known/oauth-authorization-server`)).json()) as Record<
      string,
      unknown
    >;
    expect(oauth).toEqual(oidc);
    expect(oidc.end_session_endpoint).toBe(`${ISSUER}/oidc/logout`);
    expect(oidc.token_endpoint_auth_methods_supported).toEqual([
      'client_secret_basic',
      'client_secret_post',
      'private_key_jwt',
    ]);
    expect(oidc.grant_types_supported).toEqual(['authorization_code', 'refresh_token']);
    expect(oidc.scopes_supported).toContain('offline_access');
    expect(oidc.prompt_values_supported).toEqual(['none', 'login', 'consent', 'select_account']);
    expect(oidc.claims_supported).toContain('sid');
  });

  it('discovery and the JWKS are answered from one serialisation: ETag, Cache-Control, 304 on If-None-Match', async () => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/oidc/jwks']) {
      const first = await p.app.request(`${ISSUER}${path}`);
      expect(first.status, path).toBe(200);
      expect(first.headers.get('content-type')).toMatch(/^application\/json/);
      expect(first.headers.get('cache-control')).toBe('public, max-age=300');
      const etag = first.headers.get('etag') as string;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
      const body = await first.text();
      const again = await p.app.request(`${ISSUER}${path}`);
      expect(again.headers.get('etag')).toBe(etag);
      expect(await again.text()).toBe(body);
      for (const inm of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
        const cached = await p.app.request(`${ISSUER}${path}`, { headers: { 'if-none-match': inm } });
        expect(cached.status, `${path} ${inm}`).toBe(304);
        expect(cached.headers.get('etag')).toBe(etag);
        expect(await cached.text()).toBe('');
      }
      const stale = await p.app.request(`${ISSUER}${path}`, { headers: { 'if-none-match': '"stale"' } });
      expect(stale.status).toBe(200);
      expect(await stale.text()).toBe(body);
    }
    const jwks = (await (await p.app.request(`${ISSUER}/oidc/jwks`)).json()) as { keys: { alg: string; d?: string }[] };
    expect(jwks.keys.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
  });
});

describe('expired grants are purged (at most once a minute on the virtual clock)', () => {
  it('codes, access tokens, refresh tokens and sessions past expiry are gone after the next issuance; live ones stay', async () => {
    const p = provider();
    // Issued codes are kept in memory until redeemed (see issuedCodes), the rest in the store.
    // Sessions and tokens are written behind the request (see GrantWrites): what is queued is written first.
    const count = (table: string) => {
      p.store.flushPending();
      return table === 'oidc_codes'
        ? issuedCodes(p.store).size
        : p.store.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)?.n;
    };
    const offline = { scope: 'openid offline_access', prompt: 'consent' };
    // A login with a refresh token, and a code never redeemed (its login replaced the first session).
    await p.login({ kakehashi_persona: 'jp-001', ...offline });
    expect((await p.authorize({ kakehashi_persona: 'jp-002' })).status).toBe(302);
    expect([count('oidc_codes'), count('oidc_tokens'), count('oidc_refresh_tokens'), count('oidc_sessions')]).toEqual([
      1, 1, 1, 1,
    ]);
    // A day later everything above has expired; one more login and redemption purges it.
    p.clock.advance((REFRESH_TOKEN_TTL_SECONDS + 1) * 1000);
    p.dropCookie();
    const live = await p.login({ kakehashi_persona: 'jp-003', ...offline });
    expect([count('oidc_codes'), count('oidc_tokens'), count('oidc_refresh_tokens'), count('oidc_sessions')]).toEqual([
      0, 1, 1, 1,
    ]);
    expect(p.store.get<{ n: number }>('SELECT COUNT(*) AS n FROM oidc_codes')?.n).toBe(0);
    // What is left is the live grant, and it still works.
    const userinfo = await p.request(`${ISSUER}/oidc/userinfo`, {
      headers: { authorization: `Bearer ${live.tokens.access_token}` },
    });
    expect(userinfo.status).toBe(200);
    p.clock.advance((ACCESS_TOKEN_TTL_SECONDS + 1) * 1000);
    const refreshed = await p.token({
      grant_type: 'refresh_token',
      refresh_token: live.tokens.refresh_token as string,
    });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    // The expired access token went with that issuance; the family (the code's hash) lives on in its tokens.
    expect(count('oidc_tokens')).toBe(1);
    expect(count('oidc_codes')).toBe(0);
    expect(count('oidc_refresh_tokens')).toBe(2);
  });

  it('indexes every purged table by expiry', () => {
    const p = provider();
    const indexed = (table: string) =>
      p.store
        .all<{ sql: string | null }>("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", table)
        .some((i) => /\(expires_at\)/.test(i.sql ?? ''));
    for (const t of ['oidc_codes', 'oidc_tokens', 'oidc_refresh_tokens', 'oidc_sessions'])
      expect(indexed(t), t).toBe(true);
  });
});

describe('authorization codes, kept in memory until redeemed', () => {
  const offline = { scope: 'openid offline_access', prompt: 'consent' };
  const codeOf = async (p: ReturnType<typeof provider>, params: Record<string, string> = {}) => {
    const res = await p.authorize({ kakehashi_persona: 'jp-001', ...params });
    expect(res.status).toBe(302);
    return p.redirectOf(res).get('code') as string;
  };

  it('a redeemed code leaves memory and writes no row; its replay still revokes the family, a restart (memory lost) too', async () => {
    const p = provider();
    const code = await codeOf(p, offline);
    expect(issuedCodes(p.store).size).toBe(1);
    const first = await p.exchange(code);
    expect(first.status).toBe(200);
    expect(issuedCodes(p.store).size).toBe(0);
    expect(p.store.get<{ n: number }>('SELECT COUNT(*) AS n FROM oidc_codes')?.n).toBe(0);
    // As after a restart: nothing in memory, the tokens issued from the code name it.
    forgetIssuedCodes(p.store);
    const replay = await p.exchange(code);
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({
      error: 'invalid_grant',
      error_description: expect.stringMatching(/already used/),
    });
    const userinfo = await p.request(`${ISSUER}/oidc/userinfo`, {
      headers: { authorization: `Bearer ${first.body.access_token}` },
    });
    expect(userinfo.status).toBe(401);
    const refreshed = await p.token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token as string });
    expect(refreshed.status).toBe(400);
  });

  it('two concurrent redemptions of one code: one gets tokens, the other is refused and revokes them', async () => {
    const p = provider();
    const code = await codeOf(p);
    const [a, b] = await Promise.all([p.exchange(code), p.exchange(code)]);
    expect([a.status, b.status].sort()).toEqual([200, 400]);
    const winner = (a.status === 200 ? a : b).body;
    const userinfo = await p.request(`${ISSUER}/oidc/userinfo`, {
      headers: { authorization: `Bearer ${winner.access_token}` },
    });
    expect(userinfo.status).toBe(401);
  });

  it('a code that failed a check is used up; an unknown code, an expired one and one issued before a restart are refused', async () => {
    const p = provider();
    const code = await codeOf(p);
    const wrong = await p.token({
      grant_type: 'authorization_code',
      code,
      code_verifier: 'x'.repeat(43),
      redirect_uri: REDIRECT,
    });
    expect(wrong.body).toMatchObject({
      error: 'invalid_grant',
      error_description: expect.stringMatching(/code_verifier/),
    });
    expect((await p.exchange(code)).body.error_description).toMatch(/already used/);
    expect((await p.exchange('not-a-code')).body.error_description).toMatch(/unknown/);
    const late = await codeOf(p);
    p.clock.advance(61_000);
    expect((await p.exchange(late)).body.error_description).toMatch(/expired/);
    const lost = await codeOf(p);
    forgetIssuedCodes(p.store);
    expect((await p.exchange(lost)).body).toMatchObject({
      error: 'invalid_grant',
      error_description: expect.stringMatching(/unknown/),
    });
  });

  it('beyond the cap the oldest code waiting for redemption is forgotten (refused as unknown), the newest kept', async () => {
    const p = provider();
    const oldest = await codeOf(p);
    const [hash, entry] = [...issuedCodes(p.store)][0] as [string, IssuedCode];
    for (let i = 0; i < 3; i++) rememberIssuedCode(p.store, `${hash}-${i}`, { ...entry }, 3);
    expect(issuedCodes(p.store).size).toBe(3);
    expect(issuedCodes(p.store).has(hash)).toBe(false);
    expect((await p.exchange(oldest)).body.error_description).toMatch(/unknown/);
  });

  it('expired codes are purged from memory by a later issuance (ten minutes after their expiry)', async () => {
    const p = provider();
    await codeOf(p);
    p.clock.advance((60 + 600 + 61) * 1000);
    await codeOf(p);
    expect(issuedCodes(p.store).size).toBe(1);
  });
});

describe('login sessions and tokens, written behind the request (GrantWrites)', () => {
  // A file store that gathers for a minute: nothing is written unless something makes the store write its queues.
  const fileStore = (dir = mkdtempSync(join(tmpdir(), 'kakehashi-grants-'))) => ({
    dir,
    store: openStore({ name: 'node-jp', dataDir: dir, writeBehindMs: 60_000 }),
  });
  const rows = (store: Store, table: string) => store.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)?.n;
  const offline = { kakehashi_persona: 'jp-001', scope: 'openid offline_access', prompt: 'consent' };

  it('a login commits nothing at its endpoints; a read of the grants writes the queue first and sees them', async () => {
    const { store } = fileStore();
    const p = provider(store);
    const { tokens } = await p.login(offline);
    // Queued, not yet in the store.
    expect([rows(store, 'oidc_sessions'), rows(store, 'oidc_tokens'), rows(store, 'oidc_refresh_tokens')]).toEqual([
      0, 0, 0,
    ]);
    const userinfo = await p.request(`${ISSUER}/oidc/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(userinfo.status).toBe(200);
    expect([rows(store, 'oidc_sessions'), rows(store, 'oidc_tokens'), rows(store, 'oidc_refresh_tokens')]).toEqual([
      1, 1, 1,
    ]);
    // A queued session is read by the next authorization request (prompt=none answers from it).
    const again = provider(fileStore().store);
    await again.login({ kakehashi_persona: 'jp-002' });
    const silent = await again.authorize({ prompt: 'none' });
    expect(silent.status).toBe(302);
    expect(again.redirectOf(silent).get('code')).toBeTruthy();
    // A refresh reads the refresh token that was queued a moment ago.
    const q = provider(fileStore().store);
    const fresh = await q.login(offline);
    const refreshed = await q.token({
      grant_type: 'refresh_token',
      refresh_token: fresh.tokens.refresh_token as string,
    });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    store.close();
  });

  it('a code replayed before its tokens were written still revokes them; logout ends a session still queued', async () => {
    const p = provider(fileStore().store);
    const res = await p.authorize({ kakehashi_persona: 'jp-001' });
    const code = p.redirectOf(res).get('code') as string;
    const first = await p.exchange(code);
    expect(first.status).toBe(200);
    expect(rows(p.store, 'oidc_tokens')).toBe(0);
    expect((await p.exchange(code)).body.error_description).toMatch(/already used/);
    const userinfo = await p.request(`${ISSUER}/oidc/userinfo`, {
      headers: { authorization: `Bearer ${first.body.access_token}` },
    });
    expect(userinfo.status).toBe(401);

    const q = provider(fileStore().store);
    const { tokens } = await q.login({ kakehashi_persona: 'jp-002' });
    expect(rows(q.store, 'oidc_sessions')).toBe(0);
    const logout = await q.request(
      `${ISSUER}/oidc/logout?${new URLSearchParams({ id_token_hint: tokens.id_token as string })}`,
    );
    expect(logout.status).toBe(200);
    expect(rows(q.store, 'oidc_sessions')).toBe(0);
    q.store.flushPending();
    expect(rows(q.store, 'oidc_sessions')).toBe(0);
    expect(q.redirectOf(await q.authorize({ prompt: 'none' })).get('error')).toBe('login_required');
  });

  it("the store's close (SIGTERM's path) writes them: after a restart the session and the token are there", async () => {
    const { dir, store } = fileStore();
    const p = provider(store);
    const { tokens } = await p.login({ kakehashi_persona: 'jp-001' });
    expect(rows(store, 'oidc_tokens')).toBe(0);
    store.close();
    const reopened = openStore({ name: 'node-jp', dataDir: dir, writeBehindMs: 60_000 });
    expect([rows(reopened, 'oidc_sessions'), rows(reopened, 'oidc_tokens')]).toEqual([1, 1]);
    const restarted = provider(reopened);
    const userinfo = await restarted.request(`${ISSUER}/oidc/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(userinfo.status).toBe(200);
    reopened.close();
  });

  it('a disk that refuses the batch: a read of the grants fails with store-write-failed (507), the writes are kept and land later', async () => {
    const real = openStore({
      name: 'node-jp',
      dataDir: mkdtempSync(join(tmpdir(), 'kakehashi-grants-')),
      writeBehindMs: 60_000,
    });
    let refuse = false;
    // The store as the provider sees it; its transactions refuse while `refuse` is set, as a full disk does.
    const store = new Proxy(real, {
      get(target, prop) {
        if (prop === 'transaction')
          return <T>(fn: () => T): T => {
            if (refuse) throw new KakehashiError('store-write-failed', 'test: the disk is full');
            return target.transaction(fn);
          };
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const p = provider(store);
    const { tokens } = await p.login({ kakehashi_persona: 'jp-001' });
    refuse = true;
    const refused = await p.request(`${ISSUER}/oidc/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(refused.status).toBe(507);
    expect(rows(real, 'oidc_tokens')).toBe(0);
    refuse = false;
    const answered = await p.request(`${ISSUER}/oidc/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(answered.status).toBe(200);
    expect([rows(real, 'oidc_sessions'), rows(real, 'oidc_tokens')]).toEqual([1, 1]);
    real.close();
  });
});
