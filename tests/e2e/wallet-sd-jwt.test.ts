import { generateKeyPairSync, sign } from 'node:crypto';
import { runScenarioReversibly, SCENARIOS } from '@kakehashi/federation';
import { HolderWallet, type PresentationVerdict, walletAttestationHeaders } from '@kakehashi/wallet';
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
    // a raw token request carries a wallet-unit attestation of EE's wallet provider (the PID provider asks for one)
    const token = async () =>
      f.fetch(`${ee}/wallet/issuer/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(await walletAttestationHeaders({ fetch: f.fetch, clock: f.clock, node: ee })),
        },
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
      expect(r.steps).toHaveLength(6);
      expect(r.steps[4]?.detail).toMatch(/^valid \(15 rules passed\): .*family_name=.*from EE$/);
      expect(r.steps[4]?.detail).toMatch(/eidas_person_identifiers=\{"DE":"EE\/DE\/[A-Za-z0-9_-]{43}"\}/);
      expect(r.steps[5]?.detail).toBe('refused: W10 vp-nonce-invalid');
      expect(r.undo.restored).toBe(true);
    }
  });

  it('the same person identifier from an eIDAS login and from a wallet presentation at the German relying party', async () => {
    expect(persona).toBe('ee-001');
    const login = await runScenarioReversibly(SCENARIOS, f, 'eid-cross-border');
    const eidasId = login.steps.map((st) => /EE\/DE\/[A-Za-z0-9_-]{43}/.exec(st.detail)?.[0]).find(Boolean);
    expect(eidasId, JSON.stringify(login.steps.map((st) => st.detail))).toBeDefined();
    const r = await json<Req>(
      f.fetch(`${de}/wallet/verifier/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          dcql_query: {
            credentials: [
              {
                id: 'pid',
                format: 'dc+sd-jwt',
                meta: { vct_values: ['urn:eudi:pid:1'] },
                claims: [{ path: ['family_name'] }, { path: ['eidas_person_identifiers', 'DE'] }],
              },
            ],
          },
        }),
      }),
    );
    expect((await wallet.present(r.body.request_url)).status).toBe(200);
    const t = await json<{ verdict: PresentationVerdict }>(
      f.fetch(`${de}/wallet/verifier/transactions/${r.body.transaction_id}`),
    );
    expect(t.body.verdict.valid, JSON.stringify(t.body.verdict.failure)).toBe(true);
    // only Germany's identifier is disclosed, and it is the one the eIDAS login gave
    expect(t.body.verdict.credential?.claims.eidas_person_identifiers).toEqual({ DE: eidasId });
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
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            ...(await walletAttestationHeaders({ fetch: f.fetch, clock: f.clock, node: ee })),
          },
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

  it("a refused presentation is a security event of the German node, without the persona's personal data", async () => {
    const { presentation, expected } = await fresh();
    await validate(presentation, { ...expected, nonce: 'replayed-nonce' });
    const events = (
      await json<{ events: { rule: string; detail: Record<string, unknown> }[] }>(
        f.fetch(`${de}/security/events?limit=1000`, { headers: ADMIN }),
      )
    ).body.events;
    const e = events.find((x) => x.detail.code === 'vp-nonce-invalid');
    expect(e, JSON.stringify(events.slice(-3))).toBeDefined();
    const claims = unb64((credential.split('~')[0] as string).split('.')[1] as string);
    const disclosed = credential
      .split('~')
      .slice(1)
      .filter(Boolean)
      .map((d) => unb64(d))
      .filter((d) => d[1] === 'family_name' || d[1] === 'personal_administrative_number')
      .map((d) => String(d[2]));
    expect(disclosed).toHaveLength(2);
    for (const value of disclosed) expect(JSON.stringify(e)).not.toContain(value);
    expect(claims.iss).toBe(ee);
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
