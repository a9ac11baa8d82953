import { LOA } from '@kakehashi/personas';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestFederation, type TestFederation } from '../support/federation.ts';

const DEMO = { id: 'kakehashi-demo-rp', secret: 'kakehashi-demo-secret' };
const REDIRECT = 'http://127.0.0.1:53123/callback';

interface Verdict {
  valid: boolean;
  identity?: Record<string, unknown>;
  checks: { rule: string; name: string; outcome: string; reason: string }[];
  failure?: { rule: string; code: string; reason: string };
}

/** The ID-token validation service at the hub and at a node, fed real ID tokens from JP's provider. */
describe('eID validation service: POST /eid/validate/id-token', () => {
  let f: TestFederation;
  let jp: client.Configuration;
  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'JP'] });
    jp = await client.discovery(
      new URL(f.urls.nodes.JP as string),
      DEMO.id,
      undefined,
      client.ClientSecretBasic(DEMO.secret),
      {
        execute: [client.allowInsecureRequests],
        [client.customFetch]: (url, options) => f.fetch(url, options as RequestInit),
      },
    );
  }, 180_000);
  afterAll(() => f?.dispose());

  /** A headless code + PKCE login at JP with openid-client; the raw ID token and its nonce. */
  const login = async (extra: Record<string, string> = {}) => {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(jp, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      kakehashi_persona: 'jp-001',
      ...extra,
    });
    const res = await f.fetch(url, { redirect: 'manual' });
    const tokens = await client.authorizationCodeGrant(jp, new URL(res.headers.get('location') as string), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    return { token: tokens.id_token as string, nonce };
  };

  const validateAt = (origin: string, token: string, expected: Record<string, unknown>) =>
    json<Verdict>(
      f.fetch(`${origin}/eid/validate/id-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, expected }),
      }),
    );
  const expectFailure = (v: { status: number; body: Verdict }, rule: string, code: string) => {
    expect(v.status).toBe(200);
    expect(v.body.valid).toBe(false);
    expect(v.body.failure).toMatchObject({ rule, code });
  };

  it('validates a real JP ID token at the hub and at the DE node, then refuses its replay (J11)', async () => {
    const { token, nonce } = await login();
    const expected = { issuer: f.urls.nodes.JP, audience: DEMO.id, nonce };
    const persona = (await json<Record<string, string>>(f.fetch(`${f.urls.nodes.JP}/personas/jp-001`))).body;

    for (const origin of [f.urls.hub, f.urls.nodes.DE as string]) {
      const res = await f.fetch(`${origin}/eid/validate/id-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, expected }),
      });
      const v = (await res.json()) as Verdict;
      expect(res.status).toBe(200);
      expect(v.failure).toBeUndefined();
      expect(v.valid).toBe(true);
      for (let i = 1; i <= 17; i++) expect(v.checks.map((c) => c.rule)).toContain(`J${i}`);
      expect(v.checks.find((c) => c.name.includes('certified'))?.reason).toContain('JP');
      expect(v.identity).toMatchObject({
        issuer: f.urls.nodes.JP,
        country: 'JP',
        family_name: persona.familyName,
        given_name: persona.givenName,
        birthdate: persona.dateOfBirth,
      });
      expect(v.identity?.eidas_person_identifier).toMatch(/^JP\/JP\//);
      if (origin === f.urls.hub) {
        // The hub records an internal trace event: the verdict and the decoded claims, never the raw token.
        const traceId = (res.headers.get('traceparent') as string).split('-')[1] as string;
        const events = f.hub?.traces.events(traceId) ?? [];
        const hop = events.find((e) => e.operation === 'eid: ID token validated');
        expect(hop?.direction).toBe('internal');
        expect(hop?.verdict?.valid).toBe(true);
        expect(JSON.stringify(hop)).toContain(persona.familyName);
        expect(JSON.stringify(events)).not.toContain(token.split('.')[2]);
      }
    }
    // Each component has its own replay cache: the second presentation at the hub is a replay.
    expectFailure(await validateAt(f.urls.hub, token, expected), 'J11', 'jwt-replay');
    expectFailure(await validateAt(f.urls.nodes.DE as string, token, expected), 'J11', 'jwt-replay');
  });

  it('refuses an acr below the requested level (J16)', async () => {
    const { token, nonce } = await login({ acr_values: LOA.low });
    const v = await validateAt(f.urls.hub, token, {
      issuer: f.urls.nodes.JP,
      audience: DEMO.id,
      nonce,
      requestedLoa: LOA.substantial,
    });
    expectFailure(v, 'J16', 'jwt-loa-insufficient');
  });

  it('refuses a tampered payload (J15) and a JP token presented as DE (J10)', async () => {
    const { token, nonce } = await login();
    const [h, p, s] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, family_name: 'Mallory' })).toString('base64url');
    const expected = { issuer: f.urls.nodes.JP, audience: DEMO.id, nonce };
    expectFailure(
      await validateAt(f.urls.nodes.DE as string, `${h}.${forged}.${s}`, expected),
      'J15',
      'jwt-signature-invalid',
    );
    expectFailure(
      await validateAt(f.urls.hub, token, { ...expected, issuer: f.urls.nodes.DE }),
      'J10',
      'jwt-issuer-invalid',
    );
    expectFailure(
      await validateAt(f.urls.hub, token, { ...expected, audience: 'another-rp' }),
      'J9',
      'jwt-audience-invalid',
    );
    // An unregistered expected issuer: refused on iss before anything is fetched from it.
    expectFailure(
      await validateAt(f.urls.hub, token, { ...expected, issuer: 'http://127.0.0.1:9' }),
      'J10',
      'jwt-issuer-invalid',
    );
  });

  it('refuses the token once the virtual clock is past exp (J8)', async () => {
    const { token, nonce } = await login();
    f.clock.advance(6 * 60_000 + 61_000);
    try {
      const v = await validateAt(f.urls.hub, token, { issuer: f.urls.nodes.JP, audience: DEMO.id, nonce });
      expectFailure(v, 'J8', 'jwt-time-invalid');
    } finally {
      f.clock.advance(-(6 * 60_000 + 61_000));
    }
  });

  it('answers problems only for a malformed request, and stays healthy', async () => {
    const url = `${f.urls.hub}/eid/validate/id-token`;
    const cases: [string, string, string, number, string][] = [
      ['wrong content type', 'token=x', 'text/plain', 415, 'unsupported-media-type'],
      ['broken JSON', '{"token":', 'application/json', 400, 'malformed-json'],
      ['missing expected', '{"token":"a.b.c"}', 'application/json', 400, 'validation-failed'],
      [
        'missing audience',
        `{"token":"a.b.c","expected":{"issuer":"${f.urls.nodes.JP}"}}`,
        'application/json',
        400,
        'validation-failed',
      ],
      [
        'unknown member',
        `{"token":"a.b.c","expected":{"issuer":"${f.urls.nodes.JP}","audience":"x","alg":"none"}}`,
        'application/json',
        400,
        'validation-failed',
      ],
    ];
    for (const [, body, type, status, code] of cases) {
      for (const origin of [url, `${f.urls.nodes.DE}/eid/validate/id-token`]) {
        const r = await f.fetch(origin, { method: 'POST', headers: { 'content-type': type }, body });
        expect(r.status).toBe(status);
        expect(r.headers.get('content-type')).toContain('application/problem+json');
        expect(((await r.json()) as { code: string }).code).toBe(code);
      }
    }
    // Garbage as a token is a verdict, not a problem.
    expectFailure(
      await validateAt(f.urls.hub, 'not-a-jwt', { issuer: f.urls.nodes.JP, audience: DEMO.id }),
      'J15',
      'jwt-malformed',
    );
    for (const origin of [f.urls.hub, f.urls.nodes.DE as string])
      expect((await json(f.fetch(`${origin}/health`))).body.status).toBe('ok');
  });
});
