import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

const DEMO = { id: 'kakehashi-demo-rp', secret: 'kakehashi-demo-secret' };
const REDIRECT = 'http://127.0.0.1:53126/callback';

/** The eID block's operational surface: reset, and the algorithms the validation accepts (runtime option). */
describe('eID administration', () => {
  let f: TestFederation;
  let de: string;
  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'EE'] });
    de = f.urls.nodes.DE as string;
  }, 180_000);
  afterAll(() => f?.dispose());

  const login = async (cc: string) => {
    const config = await client.discovery(
      new URL(f.urls.nodes[cc] as string),
      DEMO.id,
      undefined,
      client.ClientSecretBasic(DEMO.secret),
      { execute: [client.allowInsecureRequests], [client.customFetch]: (u, o) => f.fetch(u, o as RequestInit) },
    );
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'st',
      nonce,
      kakehashi_persona: `${cc.toLowerCase()}-001`,
    });
    const res = await f.fetch(url, { redirect: 'manual' });
    return { config, verifier, nonce, location: new URL(res.headers.get('location') as string) };
  };

  it('POST /admin/reset forgets pending codes and admin-registered clients; the demo RP stays', async () => {
    const reg = await f.fetch(`${de}/admin/oidc/clients`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: 'reset-me',
        client_secret: 'reset-me-secret-0123456789',
        redirect_uris: ['https://rp.example/cb'],
      }),
    });
    expect(reg.status).toBe(201);
    const pending = await login('DE');
    const reset = await f.fetch(`${de}/admin/reset`, { method: 'POST', headers: ADMIN });
    expect(reset.status).toBe(200);
    await expect(
      client.authorizationCodeGrant(pending.config, pending.location, {
        pkceCodeVerifier: pending.verifier,
        expectedState: 'st',
        expectedNonce: pending.nonce,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    const { body } = await json<{ clients: { client_id: string }[] }>(
      f.fetch(`${de}/admin/oidc/clients`, { headers: ADMIN }),
    );
    // The node's PID provider stays too: a relying party the node registers itself (the wallet's login).
    expect(body.clients.map((c) => c.client_id)).toEqual([DEMO.id, 'urn:kakehashi:wallet:pid-provider']);
    const again = await login('DE');
    const tokens = await client.authorizationCodeGrant(again.config, again.location, {
      pkceCodeVerifier: again.verifier,
      expectedState: 'st',
      expectedNonce: again.nonce,
    });
    expect(tokens.id_token).toBeDefined();
  });

  it('accepts only the configured ID-token algorithms (runtime option idTokenAlgorithms, J3)', async () => {
    const r = await login('EE');
    const tokens = await client.authorizationCodeGrant(r.config, r.location, {
      pkceCodeVerifier: r.verifier,
      expectedState: 'st',
      expectedNonce: r.nonce,
    });
    const validate = () =>
      json<{ valid: boolean; failure?: { rule: string; code: string } }>(
        f.fetch(`${f.urls.hub}/eid/validate/id-token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token: tokens.id_token, expected: { issuer: f.urls.nodes.EE, audience: DEMO.id } }),
        }),
      );
    expect((await validate()).body.valid).toBe(true);
    const patch = await f.fetch(`${f.urls.hub}/admin/config`, {
      method: 'PATCH',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ idTokenAlgorithms: ['ES256'] }),
    });
    expect(patch.status).toBe(200);
    const refused = await validate();
    expect(refused.body.valid).toBe(false);
    expect(refused.body.failure?.rule).toBe('J3');
    const bad = await f.fetch(`${f.urls.hub}/admin/config`, {
      method: 'PATCH',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ idTokenAlgorithms: ['HS256'] }),
    });
    expect(bad.status).toBe(400);
    await f.fetch(`${f.urls.hub}/admin/config`, {
      method: 'PATCH',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ idTokenAlgorithms: ['RS256', 'ES256'] }),
    });
  });
});
