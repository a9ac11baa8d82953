import { createHash, randomBytes } from 'node:crypto';
import { HolderWallet, pickPersonaLogin, walletAttestationHeaders } from '@kakehashi/wallet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * OpenID4VCI's authorization code flow at Estonia's PID provider: PAR + PKCE S256, the login at the node's own eID
 * (its persona picker, driven headlessly by the form a person would post), the code back at the wallet's redirect
 * URI, the code exchanged once; and the pre-authorised code's transaction code.
 */
const unb64 = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
const REDIRECT = 'https://wallet.example.test/cb';
const form = (o: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(o).toString(),
});

/** The disclosed claims of an SD-JWT VC as issued (every disclosure). */
function claimsOf(sdJwt: string): Record<string, unknown> {
  const [, ...disclosures] = sdJwt.split('~');
  return Object.fromEntries(
    disclosures.filter(Boolean).map((d) => {
      const a = unb64(d) as unknown[];
      return [a[1], a[2]];
    }),
  );
}

describe('EUDI wallet: the authorization code flow and the transaction code', () => {
  let f: TestFederation;
  let ee: string;
  let personas: { id: string; familyNameLatin: string; nationalId: { value: string } }[];
  const clock = { now: () => f.clock.now() };

  const offer = async (body: Record<string, unknown>) => {
    const r = await json<{ credential_offer_url: string; credential_offer: Record<string, unknown>; tx_code?: string }>(
      f.fetch(`${ee}/wallet/issuer/offers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };
  /** Pushes a request, logs `persona` in at the picker, and answers the code sent to the redirect URI. */
  const codeFor = async (persona: string, verifier: string, issuerState?: string) => {
    const par = await json<{ request_uri: string }>(
      f.fetch(
        `${ee}/wallet/issuer/par`,
        form({
          response_type: 'code',
          client_id: 'test-wallet',
          redirect_uri: REDIRECT,
          code_challenge: createHash('sha256').update(verifier).digest('base64url'),
          code_challenge_method: 'S256',
          state: 'st-1',
          ...(issuerState ? { issuer_state: issuerState } : {}),
        }),
      ),
    );
    expect(par.status, JSON.stringify(par.body)).toBe(201);
    const start = `${ee}/wallet/issuer/authorize?client_id=test-wallet&request_uri=${encodeURIComponent(par.body.request_uri)}`;
    const back = new URL(await pickPersonaLogin(f.fetch, persona)(start, REDIRECT));
    expect(back.searchParams.get('state')).toBe('st-1');
    expect(back.searchParams.get('iss')).toBe(`${ee}/wallet/issuer`);
    return back.searchParams.get('code') as string;
  };
  // each raw token request carries a wallet-unit attestation of EE's wallet provider (the PID provider asks for one)
  const token = async (params: Record<string, string>) => {
    const request = form(params);
    const attested = await walletAttestationHeaders({ fetch: f.fetch, clock: f.clock, node: ee });
    return json<{ access_token?: string; error?: string; code?: string }>(
      f.fetch(`${ee}/wallet/issuer/token`, { ...request, headers: { ...request.headers, ...attested } }),
    );
  };

  beforeAll(async () => {
    f = await startTestFederation({ countries: ['EE'], clockStart: '2026-06-01T00:00:00Z' });
    ee = f.urls.nodes.EE as string;
    personas = (await json(f.fetch(`${ee}/personas`))).body as unknown as typeof personas;
  }, 240_000);
  afterAll(() => f?.dispose());

  it('publishes the authorization code flow: PAR required, PKCE S256', async () => {
    const r = await json(f.fetch(`${ee}/.well-known/oauth-authorization-server/wallet/issuer`));
    expect(r.body).toMatchObject({
      authorization_endpoint: `${ee}/wallet/issuer/authorize`,
      pushed_authorization_request_endpoint: `${ee}/wallet/issuer/par`,
      require_pushed_authorization_requests: true,
      code_challenge_methods_supported: ['S256'],
      grant_types_supported: expect.arrayContaining(['authorization_code']),
    });
  });

  it('end to end: the PID is the one of the persona who logged in at the picker', async () => {
    const who = personas[2] as (typeof personas)[number];
    const o = await offer({ grant: 'authorization_code' });
    expect(o.credential_offer.grants).toMatchObject({ authorization_code: { issuer_state: expect.any(String) } });
    const wallet = new HolderWallet({ fetch: f.fetch, clock });
    const held = await wallet.receive(o.credential_offer_url, { login: pickPersonaLogin(f.fetch, who.id) });
    expect(held.vct).toBe('urn:eudi:pid:1');
    const claims = claimsOf(held.credential);
    expect(claims.family_name).toBe(who.familyNameLatin);
    expect(claims.personal_administrative_number).toBe(who.nationalId.value);
    const mdoc = await wallet.receive((await offer({ grant: 'authorization_code' })).credential_offer_url, {
      format: 'mso_mdoc',
      login: pickPersonaLogin(f.fetch, who.id),
    });
    expect(mdoc.format).toBe('mso_mdoc');
  });

  it('an offer of the authorization code flow names no persona; a custom identity gets access_denied', async () => {
    const r = await f.fetch(`${ee}/wallet/issuer/offers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant: 'authorization_code', personaId: personas[0]?.id }),
    });
    expect(r.status).toBe(400);
    // A custom identity typed into the picker is no persona of EE: the wallet is told access_denied.
    const verifier = randomBytes(32).toString('base64url');
    const par = await json<{ request_uri: string }>(
      f.fetch(
        `${ee}/wallet/issuer/par`,
        form({
          response_type: 'code',
          client_id: 'test-wallet',
          redirect_uri: REDIRECT,
          code_challenge: createHash('sha256').update(verifier).digest('base64url'),
          code_challenge_method: 'S256',
        }),
      ),
    );
    let res = await f.fetch(
      `${ee}/wallet/issuer/authorize?client_id=test-wallet&request_uri=${encodeURIComponent(par.body.request_uri)}`,
      { redirect: 'manual' },
    );
    res = await f.fetch(res.headers.get('location') as string, { redirect: 'manual' });
    const requestId = /name="request_id" value="([^"]+)"/.exec(await res.text())?.[1] as string;
    res = await f.fetch(`${ee}/oidc/login`, {
      ...form({ request_id: requestId, family_name: 'Tamm', given_name: 'Mari', birthdate: '1990-01-01' }),
      redirect: 'manual',
    });
    res = await f.fetch(res.headers.get('location') as string, { redirect: 'manual' });
    const back = new URL(res.headers.get('location') as string);
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get('error')).toBe('access_denied');
  });

  it('refuses a PKCE verifier that does not match, a wrong redirect_uri, another client, and a code used twice', async () => {
    const who = personas[0]?.id as string;
    const verifier = randomBytes(32).toString('base64url');
    const base = { grant_type: 'authorization_code', client_id: 'test-wallet', redirect_uri: REDIRECT };
    const bad = await token({ ...base, code: await codeFor(who, verifier), code_verifier: `${verifier}x` });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'invalid_grant', code: 'vci-invalid-grant' });
    const wrongUri = await token({
      ...base,
      redirect_uri: 'https://evil.example.test/cb',
      code: await codeFor(who, verifier),
      code_verifier: verifier,
    });
    expect(wrongUri.body).toMatchObject({ error: 'invalid_grant' });
    const otherClient = await token({
      ...base,
      client_id: 'other-wallet',
      code: await codeFor(who, verifier),
      code_verifier: verifier,
    });
    expect(otherClient.body).toMatchObject({ error: 'invalid_grant' });
    const code = await codeFor(who, verifier);
    const ok = await token({ ...base, code, code_verifier: verifier });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.access_token).toEqual(expect.any(String));
    const again = await token({ ...base, code, code_verifier: verifier });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ error: 'invalid_grant' });
  });

  it('the pushed request is required, with PKCE S256, and its request_uri is single use', async () => {
    const noPkce = await json(
      f.fetch(
        `${ee}/wallet/issuer/par`,
        form({ response_type: 'code', client_id: 'test-wallet', redirect_uri: REDIRECT }),
      ),
    );
    expect(noPkce.status).toBe(400);
    expect(noPkce.body).toMatchObject({ error: 'invalid_request', code: 'vci-invalid-authorization-request' });
    const plain = await json(
      f.fetch(
        `${ee}/wallet/issuer/par`,
        form({
          response_type: 'code',
          client_id: 'test-wallet',
          redirect_uri: REDIRECT,
          code_challenge: 'a'.repeat(43),
          code_challenge_method: 'plain',
        }),
      ),
    );
    expect(plain.status).toBe(400);
    const unknown = await f.fetch(
      `${ee}/wallet/issuer/authorize?client_id=test-wallet&request_uri=urn:ietf:params:oauth:request_uri:nope`,
      { redirect: 'manual' },
    );
    expect(unknown.status).toBe(400);
    const par = await json<{ request_uri: string }>(
      f.fetch(
        `${ee}/wallet/issuer/par`,
        form({
          response_type: 'code',
          client_id: 'test-wallet',
          redirect_uri: REDIRECT,
          code_challenge: 'a'.repeat(43),
          code_challenge_method: 'S256',
        }),
      ),
    );
    const at = `${ee}/wallet/issuer/authorize?client_id=test-wallet&request_uri=${encodeURIComponent(par.body.request_uri)}`;
    expect((await f.fetch(at, { redirect: 'manual' })).status).toBe(302);
    expect((await f.fetch(at, { redirect: 'manual' })).status).toBe(400);
  });

  it('tx_code: missing is invalid_request, wrong is invalid_grant, the right one is accepted; three wrong burn the code', async () => {
    const who = personas[1] as (typeof personas)[number];
    const o = await offer({ personaId: who.id, tx_code: true });
    expect(o.tx_code).toMatch(/^\d{6}$/);
    const grant = (o.credential_offer.grants as Record<string, Record<string, unknown>>)[
      'urn:ietf:params:oauth:grant-type:pre-authorized_code'
    ] as Record<string, unknown>;
    expect(grant.tx_code).toMatchObject({ input_mode: 'numeric', length: 6 });
    const code = grant['pre-authorized_code'] as string;
    const base = { grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code', 'pre-authorized_code': code };
    const missing = await token(base);
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ error: 'invalid_request', code: 'vci-tx-code-missing' });
    const wrong = await token({ ...base, tx_code: o.tx_code === '000000' ? '111111' : '000000' });
    expect(wrong.body).toMatchObject({ error: 'invalid_grant', code: 'vci-invalid-grant' });
    const right = await token({ ...base, tx_code: o.tx_code as string });
    expect(right.status, JSON.stringify(right.body)).toBe(200);
    // The holder sends it too (as a person would type it), and gets the PID.
    const o2 = await offer({ personaId: who.id, tx_code: true });
    const wallet = new HolderWallet({ fetch: f.fetch, clock });
    const held = await wallet.receive(o2.credential_offer_url, { txCode: o2.tx_code as string });
    expect(claimsOf(held.credential).family_name).toBe(who.familyNameLatin);
    // Bounded guessing: the third wrong code withdraws the pre-authorised code; the right one then fails too.
    const o3 = await offer({ personaId: who.id, tx_code: true });
    const code3 = (o3.credential_offer.grants as Record<string, Record<string, string>>)[
      'urn:ietf:params:oauth:grant-type:pre-authorized_code'
    ]?.['pre-authorized_code'] as string;
    const wrongCode = o3.tx_code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 3; i++)
      expect((await token({ ...base, 'pre-authorized_code': code3, tx_code: wrongCode })).body).toMatchObject({
        error: 'invalid_grant',
      });
    const late = await token({ ...base, 'pre-authorized_code': code3, tx_code: o3.tx_code as string });
    expect(late.body).toMatchObject({ error: 'invalid_grant' });
  });
});
