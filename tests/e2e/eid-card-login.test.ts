import { createSign } from 'node:crypto';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

const DEMO = { id: 'kakehashi-demo-rp', secret: 'kakehashi-demo-secret' };
const REDIRECT = 'http://127.0.0.1:53125/callback';
const der = (pem: string) => pem.replace(/-----[A-Z ]+-----|\s/g, '');

/**
 * Japan's IdP: login with the Individual Number Card. The card signs the login's challenge with its
 * user-authentication key; the certificate carries no personal data; the IdP maps its serial to the person.
 */
describe("login with the My Number Card's user-authentication certificate at Japan's node", () => {
  let f: TestFederation;
  let jp: string;
  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'JP'] });
    jp = f.urls.nodes.JP as string;
  }, 180_000);
  afterAll(() => f?.dispose());

  const cards = () => {
    const c = f.nodes.get('JP')?.cards;
    if (!c) throw new Error('JP node has no cards');
    return c;
  };

  /** Starts a login with openid-client's request; returns the picker's request id and challenge. */
  const startLogin = async () => {
    const config = await client.discovery(new URL(jp), DEMO.id, undefined, client.ClientSecretBasic(DEMO.secret), {
      execute: [client.allowInsecureRequests],
      [client.customFetch]: (url, options) => f.fetch(url, options as RequestInit),
    });
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const page = await (await f.fetch(url)).text();
    const requestId = /name="request_id" value="([^"]+)"/.exec(page)?.[1] as string;
    const challenge = /data-testid="card-challenge">([^<]+)</.exec(page)?.[1] as string;
    return { config, verifier, state, nonce, page, requestId, challenge };
  };

  const postCard = (requestId: string, fields: Record<string, string>) =>
    f.fetch(`${jp}/oidc/card-login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ request_id: requestId, ...fields }).toString(),
      redirect: 'manual',
    });

  const cardSignature = (
    personaId: string,
    challenge: string,
    which: 'authentication' | 'signature' = 'authentication',
  ) => {
    const cert = cards()(personaId).certificates[which];
    return {
      certificate: der(cert.certPem),
      chain: cert.chainPem.slice(0, 1).map(der).join(','),
      signature: createSign('sha256').update(challenge, 'utf8').sign(cert.privateKey).toString('base64'),
    };
  };

  it('shows the card login with its challenge at Japan only', async () => {
    const { page, challenge, requestId } = await startLogin();
    expect(page).toContain('data-testid="card-login"');
    expect(challenge).toBe(`kakehashi-card-login/v1|${jp}|${requestId}`);
    const de = await (
      await f.fetch(
        `${f.urls.nodes.DE}/oidc/authorize?client_id=${DEMO.id}&redirect_uri=${encodeURIComponent(REDIRECT)}&response_type=code&scope=openid&state=s&nonce=n&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`,
      )
    ).text();
    expect(de).not.toContain('data-testid="card-login"');
  });

  it('logs the card holder in: the certificate has no personal data, the serial maps to the person', async () => {
    const { config, verifier, state, nonce, requestId, challenge } = await startLogin();
    const auth = cards()('jp-002').certificates.authentication;
    expect(auth.certificate.subjectAltName).toBeUndefined();
    expect(auth.certificate.subject).not.toMatch(/jp-002/);
    const res = await postCard(requestId, cardSignature('jp-002', challenge));
    expect(res.status).toBe(303);
    const tokens = await client.authorizationCodeGrant(config, new URL(res.headers.get('location') as string), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const persona = (await json<Record<string, string>>(f.fetch(`${jp}/personas/jp-002`))).body;
    const claims = tokens.claims() as Record<string, unknown>;
    expect(claims.family_name).toBe(persona.familyName);
    expect(JSON.stringify(claims)).not.toContain(persona.myNumber as string);
  });

  it('refuses a signature over another challenge, the signature certificate, and garbage — naming why', async () => {
    const a = await startLogin();
    const b = await startLogin();
    const wrong = await postCard(a.requestId, cardSignature('jp-003', b.challenge));
    expect(wrong.status).toBe(403);
    const wrongBody = (await wrong.json()) as { code: string; rule: string };
    expect(wrongBody.code).toBe('oidc-access-denied');
    expect(wrongBody.rule).toBe('JPKI challenge-response');

    const sig = await postCard(b.requestId, cardSignature('jp-003', b.challenge, 'signature'));
    expect(sig.status).toBe(403);
    expect(((await sig.json()) as { rule: string }).rule).toBe('JPKI user-authentication certificate');

    const garbage = await postCard(b.requestId, { certificate: 'bm90IGEgY2VydA==', chain: '', signature: 'AA==' });
    expect(garbage.status).toBe(403);
    expect((await f.fetch(`${jp}/health`)).status).toBe(200);
  });

  it('refuses a revoked card (CRL through the trust fabric)', async () => {
    const auth = cards()('jp-004').certificates.authentication;
    const r = await f.fetch(`${f.urls.hub}/admin/trust/revoke`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ serialHex: auth.serialHex, issuer: 'JP-jpki-ca', reason: 'keyCompromise' }),
    });
    expect(r.status).toBe(200);
    const { requestId, challenge } = await startLogin();
    const res = await postCard(requestId, cardSignature('jp-004', challenge));
    expect(res.status).toBe(403);
    expect(((await res.json()) as { detail: string }).detail).toContain('cert-revoked');
  });

  it('drives the TEST ONLY simulated card reader from the picker', async () => {
    const { requestId, page } = await startLogin();
    expect(page).toContain('data-testid="card-insert"');
    const res = await f.fetch(`${jp}/oidc/card-reader`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ request_id: requestId, persona: 'jp-005' }).toString(),
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:53125\/callback\?code=/);
  });
});
