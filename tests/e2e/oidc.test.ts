import { createLocalJWKSet, exportJWK, generateKeyPair, type JSONWebKeySet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

const COUNTRIES = ['AT', 'DE', 'EE', 'ES', 'FR', 'IT', 'JP'];
const DEMO = { id: 'kakehashi-demo-rp', secret: 'kakehashi-demo-secret' };
const REDIRECT = 'http://127.0.0.1:53123/callback';
const BASIC = `Basic ${Buffer.from(`${DEMO.id}:${DEMO.secret}`).toString('base64')}`;

/** The real relying-party library, routed into the in-process federation (no sockets). */
describe('OIDC provider at every node, driven by openid-client', () => {
  let f: TestFederation;
  beforeAll(async () => {
    f = await startTestFederation();
  }, 180_000);
  afterAll(() => f?.dispose());

  const rpFetch: client.CustomFetch = (url, options) => f.fetch(url, options as RequestInit);
  const discover = (cc: string, clientId: string, auth: client.ClientAuth, metadata?: Partial<client.ClientMetadata>) =>
    client.discovery(new URL(f.urls.nodes[cc] as string), clientId, metadata, auth, {
      execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
      [client.customFetch]: rpFetch,
    });

  /** A full code + PKCE login with the headless persona parameter; returns what the RP got. */
  const login = async (config: client.Configuration, persona: string, redirectUri = REDIRECT, extra = {}) => {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      kakehashi_persona: persona,
      ...extra,
    });
    const res = await f.fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') as string);
    expect(location.searchParams.get('iss')).toBe(config.serverMetadata().issuer);
    const tokens = await client.authorizationCodeGrant(config, location, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    return { tokens, claims: tokens.claims() as client.IDToken & Record<string, unknown>, nonce };
  };

  it.each(COUNTRIES)('completes code + PKCE login and userinfo at %s', async (cc) => {
    const origin = f.urls.nodes[cc] as string;
    const config = await discover(cc, DEMO.id, client.ClientSecretBasic(DEMO.secret));
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(origin);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.subject_types_supported).toEqual(['pairwise']);
    const persona = `${cc.toLowerCase()}-001`;
    const { tokens, claims, nonce } = await login(config, persona);

    // Validate the ID token ourselves too: signature with the discovered JWKS, iss, aud, nonce, exp.
    const jwks = (await json<JSONWebKeySet>(f.fetch(meta.jwks_uri as string))).body;
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token as string, createLocalJWKSet(jwks), {
      issuer: origin,
      audience: DEMO.id,
      algorithms: ['RS256'],
      typ: 'JWT',
      currentDate: f.clock.now(),
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload.nonce).toBe(nonce);
    expect((payload.exp as number) - (payload.iat as number)).toBe(300);
    expect(payload.azp).toBe(DEMO.id);
    expect(claims.acr).toMatch(/^http:\/\/eidas\.europa\.eu\/LoA\/(low|substantial|high)$/);
    expect(meta.acr_values_supported).toContain(claims.acr);

    const personaDoc = (await json<Record<string, string>>(f.fetch(`${origin}/personas/${persona}`))).body;
    expect(claims.family_name).toBe(personaDoc.familyName);
    expect(claims.given_name).toBe(personaDoc.givenName);
    expect(claims.birthdate).toBe(personaDoc.dateOfBirth);
    expect(claims.eidas_person_identifier).toMatch(new RegExp(`^${cc}/${cc}/[A-Za-z0-9_-]{43}$`));
    // Never the national number, in any claim.
    const natId = (personaDoc as unknown as { nationalId: { value: string } }).nationalId.value;
    expect(JSON.stringify(payload)).not.toContain(natId);
    expect(claims.sub).not.toContain(natId);
    if (cc === 'JP') {
      expect(claims.eidas_family_name_latin).toMatch(/^[A-Za-z' -]+$/);
    }

    const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(userinfo.sub).toBe(claims.sub);
    expect(userinfo.family_name).toBe(claims.family_name);
    expect(userinfo.eidas_person_identifier).toBe(claims.eidas_person_identifier);
  });

  it('gives the same person the same sub in one sector and different subs across sectors and nodes', async () => {
    const de = await discover('DE', DEMO.id, client.ClientSecretBasic(DEMO.secret));
    const a = (await login(de, 'de-002')).claims.sub;
    const b = (await login(de, 'de-002', 'http://127.0.0.1:40000/other')).claims.sub;
    const c = (await login(de, 'de-002', 'http://localhost:40000/cb')).claims.sub;
    const d = (await login(de, 'de-003')).claims.sub;
    expect(b).toBe(a); // same host: same sector
    expect(c).not.toBe(a); // another host: another sector
    expect(d).not.toBe(a);
  });

  it('publishes the RS256 key with an x5c chain and an ES256 key, never private parts', async () => {
    const { body } = await json<{ keys: Record<string, unknown>[] }>(f.fetch(`${f.urls.nodes.EE}/oidc/jwks`));
    expect(body.keys.map((k) => k.alg)).toEqual(['RS256', 'ES256']);
    for (const k of body.keys) for (const p of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(k).not.toHaveProperty(p);
    const rsa = body.keys[0] as { x5c: string[]; kid: string };
    expect(rsa.x5c).toHaveLength(3);
    const check = await json<{ valid: boolean; country: string }>(
      f.fetch(`${f.urls.nodes.JP}/trust/validate-certificate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          certificate: `-----BEGIN CERTIFICATE-----\n${rsa.x5c[0]}\n-----END CERTIFICATE-----`,
          chain: rsa.x5c.slice(1).map((c) => `-----BEGIN CERTIFICATE-----\n${c}\n-----END CERTIFICATE-----`),
        }),
      }),
    );
    expect(check.body.valid).toBe(true);
    expect(check.body.country).toBe('EE');
    const meta = (
      await json<{ metadata: { capabilities: string[]; endpoints: { oidcIssuer: string } } }>(
        f.fetch(`${f.urls.nodes.EE}/metadata`),
      )
    ).body.metadata;
    expect(meta.capabilities).toContain('eid');
    expect(meta.endpoints.oidcIssuer).toBe(f.urls.nodes.EE);
  });

  it('private_key_jwt: a client registered through the admin API with an ES256 JWKS logs in with openid-client', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig', kid: 'rp-key-1' };
    const redirectUri = 'http://127.0.0.1:8123/pkjwt/cb';
    const reg = await json<Record<string, unknown>>(
      f.fetch(`${f.urls.nodes.FR}/admin/oidc/clients`, {
        method: 'POST',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({
          client_id: 'fr-pkjwt-rp',
          jwks: { keys: [jwk] },
          redirect_uris: [redirectUri],
          token_endpoint_auth_method: 'private_key_jwt',
          id_token_signed_response_alg: 'ES256',
          country: 'DE',
        }),
      }),
    );
    expect(reg.status).toBe(201);
    expect(reg.body).not.toHaveProperty('client_secret');
    const listed = await json<{ clients: Record<string, unknown>[] }>(
      f.fetch(`${f.urls.nodes.FR}/admin/oidc/clients`, { headers: ADMIN }),
    );
    // Beside the demo RP and this one: the node's PID provider, a relying party of its eID (the wallet's login).
    expect(listed.body.clients.map((c) => c.client_id).sort()).toEqual([
      'fr-pkjwt-rp',
      'kakehashi-demo-rp',
      'urn:kakehashi:wallet:pid-provider',
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(DEMO.secret);

    const config = await discover('FR', 'fr-pkjwt-rp', client.PrivateKeyJwt(privateKey), {
      id_token_signed_response_alg: 'ES256',
    });
    const { tokens, claims } = await login(config, 'fr-001', redirectUri);
    expect(tokens.id_token?.length).toBeGreaterThan(0);
    const header = JSON.parse(Buffer.from((tokens.id_token as string).split('.')[0] as string, 'base64url').toString());
    expect(header.alg).toBe('ES256');
    expect(claims.eidas_person_identifier).toMatch(/^FR\/DE\//);
    expect(claims.aud).toBe('fr-pkjwt-rp');
  });
});

describe('OIDC provider refuses bad input with the protocol error', () => {
  let f: TestFederation;
  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'JP'] });
  }, 180_000);
  afterAll(() => f?.dispose());

  const jp = () => f.urls.nodes.JP as string;
  const authorizeUrl = (params: Record<string, string | undefined>) => {
    const u = new URL(`${jp()}/oidc/authorize`);
    const all: Record<string, string | undefined> = {
      client_id: DEMO.id,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid',
      state: 'st-123',
      nonce: 'n-456',
      code_challenge_method: 'S256',
      kakehashi_persona: 'jp-001',
      ...params,
    };
    for (const [k, v] of Object.entries(all)) if (v !== undefined) u.searchParams.set(k, v);
    return u;
  };
  const codeFor = async (extra: Record<string, string | undefined> = {}) => {
    const verifier = client.randomPKCECodeVerifier();
    const res = await f.fetch(
      authorizeUrl({ code_challenge: await client.calculatePKCECodeChallenge(verifier), ...extra }),
      { redirect: 'manual' },
    );
    expect(res.status).toBe(302);
    const loc = new URL(res.headers.get('location') as string);
    return { code: loc.searchParams.get('code') as string, verifier, loc };
  };
  const token = (body: Record<string, string>, headers: Record<string, string> = { authorization: BASIC }) =>
    f.fetch(`${jp()}/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(body),
    });
  const exchange = (code: string, verifier: string, headers?: Record<string, string>) =>
    token({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT }, headers);

  it('unknown client: an error page, no redirect', async () => {
    const res = await f.fetch(authorizeUrl({ client_id: 'nobody', code_challenge: 'x'.repeat(43) }), {
      redirect: 'manual',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    const body = (await res.json()) as { code: string; error: string };
    expect(body.code).toBe('oidc-unknown-client');
    expect(body.error).toBe('invalid_request');
  });

  it.each([
    'https://attacker.example/cb',
    'http://127.0.0.1.attacker.example:80/cb',
    'http://user@127.0.0.1:9/cb',
    'https://127.0.0.1:53123/callback',
  ])('unregistered redirect URI %s: an error page, no redirect', async (uri) => {
    const res = await f.fetch(authorizeUrl({ redirect_uri: uri, code_challenge: 'x'.repeat(43) }), {
      redirect: 'manual',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(((await res.json()) as { code: string }).code).toBe('oidc-invalid-redirect-uri');
  });

  const redirected = async (params: Record<string, string | undefined>) => {
    const res = await f.fetch(authorizeUrl(params), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const loc = new URL(res.headers.get('location') as string);
    expect(`${loc.origin}${loc.pathname}`).toBe(REDIRECT);
    expect(loc.searchParams.get('code')).toBeNull();
    expect(loc.searchParams.get('iss')).toBe(jp());
    return loc.searchParams;
  };

  it('missing PKCE: error redirect invalid_request with state and iss', async () => {
    const q = await redirected({ code_challenge: undefined });
    expect(q.get('error')).toBe('invalid_request');
    expect(q.get('state')).toBe('st-123');
    expect(q.get('error_description')).toMatch(/PKCE/);
  });

  it('plain PKCE: refused', async () => {
    const q = await redirected({ code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' });
    expect(q.get('error')).toBe('invalid_request');
    expect(q.get('error_description')).toMatch(/S256/);
  });

  it('other authorization errors: response_type, scope, nonce, LoA', async () => {
    const ch = 'A'.repeat(43);
    expect((await redirected({ code_challenge: ch, response_type: 'token' })).get('error')).toBe(
      'unsupported_response_type',
    );
    expect((await redirected({ code_challenge: ch, scope: 'profile' })).get('error')).toBe('invalid_scope');
    expect((await redirected({ code_challenge: ch, nonce: undefined })).get('error')).toBe('invalid_request');
    expect((await redirected({ code_challenge: ch, acr_values: 'urn:example:loa:gold' })).get('error')).toBe(
      'unmet_authentication_requirements',
    );
    expect((await redirected({ code_challenge: ch, kakehashi_persona: 'jp-999' })).get('error')).toBe(
      'invalid_request',
    );
  });

  it('acr_values: the lowest requested LoA the node can satisfy', async () => {
    const { code, verifier } = await codeFor({
      acr_values: 'http://eidas.europa.eu/LoA/high http://eidas.europa.eu/LoA/substantial',
    });
    const res = await json<{ id_token: string }>(exchange(code, verifier));
    expect(res.status).toBe(200);
    const claims = JSON.parse(Buffer.from(res.body.id_token.split('.')[1] as string, 'base64url').toString());
    expect(claims.acr).toBe('http://eidas.europa.eu/LoA/substantial');
    expect(claims.amr).toContain('mfa');
  });

  it('wrong code_verifier: invalid_grant', async () => {
    const { code } = await codeFor();
    const res = await json<{ error: string }>(exchange(code, client.randomPKCECodeVerifier()));
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
  });

  it('replayed code: invalid_grant, and the access token issued from it is revoked', async () => {
    const { code, verifier } = await codeFor();
    const first = await json<{ access_token: string }>(exchange(code, verifier));
    expect(first.status).toBe(200);
    const ui = () =>
      f.fetch(`${jp()}/oidc/userinfo`, { headers: { authorization: `Bearer ${first.body.access_token}` } });
    expect((await ui()).status).toBe(200);
    const again = await json<{ error: string }>(exchange(code, verifier));
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_grant');
    const after = await ui();
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
  });

  it('expired code (60 s on the virtual clock): invalid_grant', async () => {
    const { code, verifier } = await codeFor();
    f.clock.advance(61_000);
    try {
      const res = await json<{ error: string; error_description: string }>(exchange(code, verifier));
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_grant');
      expect(res.body.error_description).toMatch(/expired/);
    } finally {
      f.clock.advance(-61_000);
    }
  });

  it('wrong client secret: 401 invalid_client with WWW-Authenticate, the secret never echoed', async () => {
    const { code, verifier } = await codeFor();
    const res = await exchange(code, verifier, {
      authorization: `Basic ${Buffer.from(`${DEMO.id}:wrong-secret-value`).toString('base64')}`,
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    const text = await res.text();
    expect(JSON.parse(text).error).toBe('invalid_client');
    expect(text).not.toContain('wrong-secret-value');
    // No authentication at all.
    const none = await exchange(code, verifier, {});
    expect(none.status).toBe(401);
  });

  it('malformed JSON, garbage and wrong grant types at the token endpoint: OAuth errors; the node stays healthy', async () => {
    const asJson = await f.fetch(`${jp()}/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: BASIC },
      body: '{"grant_type": "authorization_code", ',
    });
    expect(asJson.status).toBe(400);
    expect(((await asJson.json()) as { error: string }).error).toBe('invalid_request');
    const garbage = await f.fetch(`${jp()}/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: BASIC },
      body: '\u0000\u00ff%%%&&==garbage',
    });
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: string }).error).toBe('invalid_request');
    const grant = await json<{ error: string }>(token({ grant_type: 'password', username: 'x', password: 'y' }));
    expect(grant.status).toBe(400);
    expect(grant.body.error).toBe('unsupported_grant_type');
    const dup = await f.fetch(`${jp()}/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: BASIC },
      body: 'grant_type=authorization_code&code=a&code=b',
    });
    expect(((await dup.json()) as { error: string }).error).toBe('invalid_request');
    const ui = await f.fetch(`${jp()}/oidc/userinfo`);
    expect(ui.status).toBe(401);
    expect(ui.headers.get('www-authenticate')).toBe(`Bearer realm="${jp()}"`);
    expect((await json(f.fetch(`${jp()}/health`))).body.status).toBe('ok');
  });

  it('the picker page and POST /oidc/login (persona and custom identity)', async () => {
    const verifier = client.randomPKCECodeVerifier();
    const url = authorizeUrl({
      kakehashi_persona: undefined,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
    });
    const page = await f.fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('TEST ONLY');
    for (const id of [
      'persona-jp-001',
      'custom-identity-form',
      'custom-family-name',
      'custom-given-name',
      'custom-birthdate',
    ])
      expect(html).toContain(`data-testid="${id}"`);
    const requestId = /name="request_id" value="([^"]+)"/.exec(html)?.[1] as string;
    const post = (form: Record<string, string>) =>
      f.fetch(`${jp()}/oidc/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
        redirect: 'manual',
      });
    const res = await post({ request_id: requestId, family_name: '山本', given_name: '次郎', birthdate: '1990-04-01' });
    expect(res.status).toBe(303);
    const loc = new URL(res.headers.get('location') as string);
    expect(loc.searchParams.get('state')).toBe('st-123');
    const tok = await json<{ access_token: string }>(exchange(loc.searchParams.get('code') as string, verifier));
    expect(tok.status).toBe(200);
    const ui = await json<Record<string, string>>(
      f.fetch(`${jp()}/oidc/userinfo`, { headers: { authorization: `Bearer ${tok.body.access_token}` } }),
    );
    expect(ui.body.family_name).toBe('山本');
    expect(ui.body.birthdate).toBe('1990-04-01');
    // The pending request is single-use.
    const again = await post({ request_id: requestId, persona: 'jp-001' });
    expect(again.status).toBe(400);
    expect(again.headers.get('location')).toBeNull();
  });

  it('records the decoded ID token claims as an internal trace event (never the token)', async () => {
    const { code, verifier } = await codeFor();
    const traceId = 'a'.repeat(31) + 'b';
    const res = await exchange(code, verifier, {
      authorization: BASIC,
      traceparent: `00-${traceId}-${'c'.repeat(16)}-01`,
    });
    const body = (await res.json()) as { id_token: string; access_token: string };
    const events = f.hub!.traces.events(traceId);
    const internal = events.find((e) => e.direction === 'internal');
    expect(internal?.operation).toMatch(/ID token/);
    const artefact = internal?.artefact as { claims: { aud: string; sub: string } };
    expect(artefact.claims.aud).toBe(DEMO.id);
    const all = JSON.stringify(events);
    expect(all).not.toContain(body.id_token);
    expect(all).not.toContain(body.access_token);
  });
});
