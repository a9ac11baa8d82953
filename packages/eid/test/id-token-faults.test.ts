import { createHmac, createPublicKey, generateKeyPairSync, type KeyObject, X509Certificate } from 'node:crypto';
import {
  CORE_OPTIONS,
  createComponentApp,
  createMemoryLogger,
  defineFaults,
  type FaultDefinition,
  FaultSwitchboard,
  LayeredConfig,
  MemoryTraceSink,
  mountAdmin,
  openStore,
  SeededRandom,
  VirtualClock,
} from '@kakehashi/core';
import { generatePersonas, LOA } from '@kakehashi/personas';
import { compactVerify, decodeJwt, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { ID_TOKEN_FAULTS, type IdTokenFault, LENIENT_ID_TOKEN_FAULTS } from '../src/id-token/faults.ts';
import {
  FAULT_CRIT_EXTENSION,
  FAULT_OTHER_AUDIENCE,
  FAULT_OTHER_ISSUER,
  FAULT_TAMPERED_FAMILY_NAME,
  FAULT_UNKNOWN_KID,
  LOGOUT_EVENT,
} from '../src/id-token/forge-id-token.ts';
import { issueIdToken } from '../src/id-token/issue-id-token.ts';
import { EID_OPTIONS } from '../src/options.ts';
import { s256Challenge } from '../src/pkce/verify-pkce.ts';
import { mountOidcProvider } from '../src/provider/mount-oidc-provider.ts';
import { createStoreReplayCache } from '../src/validate/replay-cache.ts';
import { validateIdToken } from '../src/validate/validate-id-token.ts';

const ISSUER = 'http://127.0.0.1:7007';
const RP = 'kakehashi-demo-rp';
const REDIRECT = 'http://127.0.0.1:5000/cb';
const VERIFIER = 'v'.repeat(43);
const BASIC = `Basic ${Buffer.from(`${RP}:kakehashi-demo-secret`).toString('base64')}`;
const ADMIN = { authorization: 'Bearer kakehashi-admin-test-only', 'content-type': 'application/json' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
// Another block's per-request fault on the same node: a login may not ask the OIDC provider for it.
const OTHER = defineFaults('eid-faults-test', [
  { name: 'other-block.thing', kind: 'forge', description: 'not an ID-token fault', perRequest: true },
]);

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** A JP provider in process on a frozen virtual clock, with the node's admin API and a memory trace. */
function provider() {
  const clock = new VirtualClock();
  clock.freeze(new Date('2027-01-01T00:00:00Z'));
  const logger = createMemoryLogger('warn');
  const traces = new MemoryTraceSink();
  const deps = {
    store: openStore({ name: 'node-jp' }),
    clock,
    random: new SeededRandom('kakehashi-test'),
    logger,
    config: new LayeredConfig([...CORE_OPTIONS, ...EID_OPTIONS], { env: {}, cli: { seed: 'kakehashi-test' } }),
    fetch: globalThis.fetch,
    traces,
    faults: new FaultSwitchboard(),
  };
  const app = createComponentApp({ component: 'node', country: 'JP', name: 'JP', version: '0' }, deps);
  mountAdmin(app, deps);
  deps.faults.offer(OTHER);
  deps.faults.offer(LENIENT_ID_TOKEN_FAULTS); // as at a node, where the validation service offers them
  const ctx = mountOidcProvider(app, {
    ...deps,
    issuer: ISSUER,
    country: 'JP',
    loa: LOA.high,
    personas: generatePersonas('kakehashi-test', 'JP'),
    signing: { privateKey: rsa.privateKey, certPem: '', chainPem: [] },
  });
  const replay = createStoreReplayCache(openStore({ name: 'validator' }), clock);

  const authorize = (params: Record<string, string> = {}, headers: Record<string, string> = {}) => {
    const u = new URL(`${ISSUER}/oidc/authorize`);
    const all: Record<string, string> = {
      client_id: RP,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid',
      state: 'st',
      nonce: `n-${Math.random()}`,
      code_challenge: s256Challenge(VERIFIER),
      code_challenge_method: 'S256',
      ...params,
    };
    for (const [k, v] of Object.entries(all)) u.searchParams.set(k, v);
    return app.request(u.toString(), { headers });
  };
  const tokenRequest = async (params: Record<string, string>) => {
    const res = await app.request(`${ISSUER}/oidc/token`, {
      method: 'POST',
      headers: { ...FORM, authorization: BASIC },
      body: new URLSearchParams(params),
    });
    const body = (await res.json()) as Record<string, string>;
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body;
  };
  const exchangeFull = (location: string) => {
    const code = new URL(location).searchParams.get('code');
    expect(code, location).toBeTruthy();
    return tokenRequest({
      grant_type: 'authorization_code',
      code: code as string,
      code_verifier: VERIFIER,
      redirect_uri: REDIRECT,
    });
  };
  const exchange = async (location: string) => (await exchangeFull(location)).id_token as string;
  /** A headless login for jp-001 at substantial; the raw ID token and the nonce sent. */
  const login = async (params: Record<string, string> = {}, headers: Record<string, string> = {}) => {
    const nonce = `n-${Math.random()}`;
    const res = await authorize(
      { kakehashi_persona: 'jp-001', acr_values: LOA.substantial, nonce, ...params },
      headers,
    );
    expect(res.status, await res.clone().text()).toBe(302);
    return { token: await exchange(res.headers.get('location') as string), nonce };
  };
  const jwks = async () => ((await (await app.request(`${ISSUER}/oidc/jwks`)).json()) as { keys: JWK[] }).keys;
  /** Kakehashi's own validator, strict, with this provider's JWKS as the registered issuer's keys. */
  const validate = async (token: string, nonce: string, faults?: FaultSwitchboard) => {
    const keys = (await jwks()).map((jwk) => ({ kid: jwk.kid as string, alg: jwk.alg as string, jwk }));
    return validateIdToken(
      token,
      { issuer: ISSUER, audience: RP, nonce, requestedLoa: LOA.substantial },
      {
        clock,
        clockSkewSeconds: 60,
        replay,
        faults,
        resolveKeys: async (iss) =>
          iss === ISSUER ? { issuer: ISSUER, country: 'JP', keys: new Map(keys.map((k) => [k.kid, k])) } : undefined,
      },
    );
  };
  const setFaults = (body: { enable?: string[]; disable?: string[] }) =>
    app.request(`${ISSUER}/admin/faults`, { method: 'PUT', headers: ADMIN, body: JSON.stringify(body) });
  return {
    app,
    clock,
    ctx,
    logger,
    traces,
    authorize,
    exchange,
    exchangeFull,
    tokenRequest,
    login,
    jwks,
    validate,
    setFaults,
  };
}

const nowOf = (p: ReturnType<typeof provider>) => Math.floor(p.clock.nowMs() / 1000);
const segments = (token: string) => token.split('.') as [string, string, string];
const verifiesWith = (token: string, key: KeyObject | Awaited<ReturnType<typeof importJWK>>, crit?: string[]) =>
  compactVerify(token, key, crit ? { crit: Object.fromEntries(crit.map((c) => [c, true])) } : {}).then(
    () => true,
    () => false,
  );

/** What each fault must have done to the token (and only that: the rest is checked against an honest token). */
const DEFECTS: Record<IdTokenFault, (token: string, p: ReturnType<typeof provider>, nonce: string) => Promise<void>> = {
  'id-token.alg-none': async (token) => {
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'none', typ: 'JWT' });
    expect(segments(token)[2]).toBe('');
  },
  'id-token.hs256-key-confusion': async (token, p) => {
    const header = decodeProtectedHeader(token);
    const rsaJwk = (await p.jwks()).find((k) => k.alg === 'RS256') as JWK;
    expect(header).toMatchObject({ alg: 'HS256', kid: rsaJwk.kid });
    const pem = createPublicKey({ key: rsaJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const [h, pl, s] = segments(token);
    expect(createHmac('sha256', pem).update(`${h}.${pl}`).digest('base64url')).toBe(s);
  },
  'id-token.embedded-jwk': async (token, p) => {
    const header = decodeProtectedHeader(token);
    expect(header.jwk).toMatchObject({ kty: 'RSA' });
    expect(header.jwk).not.toHaveProperty('d');
    expect((await p.jwks()).map((k) => k.kid)).not.toContain(header.kid);
    expect(await verifiesWith(token, await importJWK(header.jwk as JWK, 'RS256'))).toBe(true);
  },
  'id-token.unknown-kid': async (token) => {
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', kid: FAULT_UNKNOWN_KID });
    expect(await verifiesWith(token, rsa.publicKey)).toBe(true);
  },
  'id-token.untrusted-key': async (token, p) => {
    const header = decodeProtectedHeader(token);
    const rsaJwk = (await p.jwks()).find((k) => k.alg === 'RS256') as JWK;
    expect(header.kid).toBe(rsaJwk.kid);
    const cert = new X509Certificate(Buffer.from((header.x5c as string[])[0] as string, 'base64'));
    expect(cert.issuer).toBe(cert.subject); // self-signed
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(await verifiesWith(token, cert.publicKey)).toBe(true);
    expect(await verifiesWith(token, rsa.publicKey)).toBe(false);
  },
  'id-token.expired': async (token, p) => {
    const c = decodeJwt(token);
    expect(c.exp).toBe(nowOf(p) - 600);
    expect((c.exp as number) - (c.iat as number)).toBe(300);
    expect(await verifiesWith(token, rsa.publicKey)).toBe(true);
  },
  'id-token.issued-in-future': async (token, p) => {
    const c = decodeJwt(token);
    expect(c.iat).toBe(nowOf(p) + 3600);
    expect(c.nbf).toBe(nowOf(p) + 3600);
    expect(await verifiesWith(token, rsa.publicKey)).toBe(true);
  },
  'id-token.wrong-audience': async (token) => {
    expect(decodeJwt(token)).toMatchObject({ aud: FAULT_OTHER_AUDIENCE, azp: FAULT_OTHER_AUDIENCE });
    expect(await verifiesWith(token, rsa.publicKey)).toBe(true);
  },
  'id-token.wrong-issuer': async (token) => {
    expect(decodeJwt(token).iss).toBe(FAULT_OTHER_ISSUER);
    expect(await verifiesWith(token, rsa.publicKey)).toBe(true);
  },
  'id-token.nonce-mismatch': async (token, _p, nonce) => {
    const c = decodeJwt(token);
    expect(typeof c.nonce).toBe('string');
    expect(c.nonce).not.toBe(nonce);
    expect(await verifiesWith(token, rsa.publicKey)).toBe(true);
  },
  'id-token.wrong-typ': async (token) => {
    expect(decodeProtectedHeader(token).typ).toBe('logout+jwt');
    expect(decodeJwt(token).events).toEqual({ [LOGOUT_EVENT]: {} });
    expect(await verifiesWith(token, rsa.publicKey)).toBe(true);
  },
  'id-token.unknown-crit': async (token) => {
    const header = decodeProtectedHeader(token);
    expect(header.crit).toEqual([FAULT_CRIT_EXTENSION]);
    expect(header[FAULT_CRIT_EXTENSION]).toBe(true);
    expect(await verifiesWith(token, rsa.publicKey, [FAULT_CRIT_EXTENSION])).toBe(true);
  },
  'id-token.tampered-payload': async (token) => {
    expect(decodeJwt(token).family_name).toBe(FAULT_TAMPERED_FAMILY_NAME);
    expect(await verifiesWith(token, rsa.publicKey)).toBe(false);
  },
  'id-token.acr-too-low': async (token) => {
    expect(decodeJwt(token)).toMatchObject({ acr: LOA.low, amr: ['pwd'] });
    expect(await verifiesWith(token, rsa.publicKey)).toBe(true);
  },
};

/** The claims a fault is allowed to change; every other claim must be the honest token's. */
// sid: every login starts its own session.
const CHANGED = [
  'sid',
  'exp',
  'iat',
  'nbf',
  'auth_time',
  'aud',
  'azp',
  'iss',
  'nonce',
  'events',
  'family_name',
  'acr',
  'amr',
];

describe('ID-token faults at the token endpoint', () => {
  it('declares one forge fault per J-rule an issuer can break, each with its rule and per request', () => {
    expect(ID_TOKEN_FAULTS.map((f) => f.rule?.split(' ')[0])).toEqual([
      'J1',
      'J2',
      'J4',
      'J6',
      'J7',
      'J8',
      'J8',
      'J9',
      'J10',
      'J11',
      'J12',
      'J13',
      'J15',
      'J16',
    ]);
    for (const f of ID_TOKEN_FAULTS) expect(f).toMatchObject({ block: 'eid', kind: 'forge', perRequest: true });
    expect(Object.keys(DEFECTS).sort()).toEqual(ID_TOKEN_FAULTS.map((f) => f.name).sort());
  });

  it.each(ID_TOKEN_FAULTS.map((f) => [f.name, f.rule as string] as const))(
    'kakehashi_fault=%s: the ID token has exactly that defect, and our validator refuses it with %s',
    async (fault, rule) => {
      const p = provider();
      const honest = decodeJwt((await p.login()).token);
      const { token, nonce } = await p.login({ kakehashi_fault: fault });
      await DEFECTS[fault](token, p, nonce);
      const claims = decodeJwt(token);
      for (const [k, v] of Object.entries(honest))
        if (!CHANGED.includes(k)) expect(claims[k], `claim ${k} is unchanged`).toEqual(v);

      const verdict = await p.validate(token, nonce);
      const [id, code] = rule.split(' ');
      expect(verdict.valid).toBe(false);
      expect(verdict.failure).toMatchObject({ rule: id, code });
      // Logged and on the token request's trace hop; never on the other requests.
      expect(p.logger.lines).toContainEqual(expect.objectContaining({ msg: 'fault fired', fault }));
      const hops = p.traces.events.filter((e) => e.faults !== undefined);
      expect(hops.map((e) => [e.operation, e.faults])).toEqual([['POST /oidc/token', [fault]]]);
    },
  );

  it('honours the header X-Kakehashi-Fault, and a login without a fault stays valid', async () => {
    const p = provider();
    const { token } = await p.login({}, { 'x-kakehashi-fault': 'id-token.alg-none' });
    expect(decodeProtectedHeader(token).alg).toBe('none');
    const honest = await p.login();
    expect((await p.validate(honest.token, honest.nonce)).valid).toBe(true);
  });

  it('switched on with PUT /admin/faults, every login gets it until it is switched off', async () => {
    const p = provider();
    expect((await p.setFaults({ enable: ['id-token.wrong-audience'] })).status).toBe(200);
    for (let i = 0; i < 2; i++) expect(decodeJwt((await p.login()).token).aud).toBe(FAULT_OTHER_AUDIENCE);
    // The fault one login asks for wins over the one switched on: one defect per token.
    expect(decodeProtectedHeader((await p.login({ kakehashi_fault: 'id-token.wrong-typ' })).token).typ).toBe(
      'logout+jwt',
    );
    const config = (await (await p.app.request(`${ISSUER}/admin/config`, { headers: ADMIN })).json()) as {
      faults: string[];
    };
    expect(config.faults).toEqual(['id-token.wrong-audience']);
    await p.setFaults({ disable: ['id-token.*'] });
    expect(decodeJwt((await p.login()).token).aud).toBe(RP);
  });

  it('carries the fault through the persona picker: asked on the authorization request or in the form', async () => {
    const p = provider();
    const pickerLogin = async (authorizeParams: Record<string, string>, form: Record<string, string>) => {
      const page = await p.authorize(authorizeParams);
      expect(page.status).toBe(200);
      const requestId = /name="request_id" value="([^"]+)"/.exec(await page.text())?.[1] as string;
      const res = await p.app.request(`${ISSUER}/oidc/login`, {
        method: 'POST',
        headers: FORM,
        body: new URLSearchParams({ request_id: requestId, persona: 'jp-002', ...form }),
      });
      expect(res.status, await res.clone().text()).toBe(303);
      return p.exchange(res.headers.get('location') as string);
    };
    expect(decodeJwt(await pickerLogin({ kakehashi_fault: 'id-token.expired' }, {})).exp).toBe(nowOf(p) - 600);
    expect(decodeJwt(await pickerLogin({}, { kakehashi_fault: 'id-token.wrong-issuer' })).iss).toBe(FAULT_OTHER_ISSUER);
    expect(decodeJwt(await pickerLogin({}, {})).iss).toBe(ISSUER);
  });

  it('refuses a fault it does not offer, a lenient one and another block’s, with a 400 problem and no code', async () => {
    const p = provider();
    const cases: [string, string][] = [
      ['id-token.no-such-defect', 'fault-unknown'],
      ['lenient.id-token.alg-none', 'fault-not-per-request'],
      ['other-block.thing', 'fault-unknown'],
    ];
    for (const [fault, code] of cases) {
      const res = await p.authorize({ kakehashi_persona: 'jp-001', kakehashi_fault: fault });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(((await res.json()) as { code: string }).code).toBe(code);
    }
  });

  it('keeps the fault for the ID tokens of the refresh tokens of that login, and only of that login', async () => {
    const p = provider();
    const offline = { kakehashi_persona: 'jp-001', scope: 'openid offline_access', prompt: 'consent' };
    const faulty = await p.exchangeFull(
      (await p.authorize({ ...offline, kakehashi_fault: 'id-token.wrong-issuer' })).headers.get('location') as string,
    );
    const honest = await p.exchangeFull((await p.authorize(offline)).headers.get('location') as string);
    const refreshed = (t: Record<string, string>) =>
      p.tokenRequest({ grant_type: 'refresh_token', refresh_token: t.refresh_token as string });
    expect(decodeJwt((await refreshed(faulty)).id_token as string).iss).toBe(FAULT_OTHER_ISSUER);
    expect(decodeJwt((await refreshed(honest)).id_token as string).iss).toBe(ISSUER);
  });

  it('issueIdToken (in process) mints the same defects', async () => {
    const p = provider();
    const token = await issueIdToken(p.ctx, { personaId: 'jp-001', audience: RP, fault: 'id-token.unknown-crit' });
    expect(decodeProtectedHeader(token).crit).toEqual([FAULT_CRIT_EXTENSION]);
    const plain = await issueIdToken(p.ctx, { personaId: 'jp-001', audience: RP });
    expect(decodeProtectedHeader(plain).crit).toBeUndefined();
  });
});

describe('the weak node: lenient.id-token.* at the validator', () => {
  const twins = LENIENT_ID_TOKEN_FAULTS.map((l) => {
    const forged = ID_TOKEN_FAULTS.find((f) => `lenient.${f.name}` === l.name);
    return [l.name, forged?.name as IdTokenFault, forged?.rule as string] as const;
  });

  it('has a lenient twin for every ID-token fault, never per request', () => {
    expect(twins.map(([, forged]) => forged).sort()).toEqual(ID_TOKEN_FAULTS.map((f) => f.name).sort());
    for (const l of LENIENT_ID_TOKEN_FAULTS) expect(l).toMatchObject({ kind: 'lenient', block: 'eid' });
    for (const l of LENIENT_ID_TOKEN_FAULTS) expect((l as FaultDefinition).perRequest).toBeUndefined();
  });

  it.each(twins)(
    '%s lets %s through (reported with the fault); every other lenient fault does not',
    async (lenient, fault, rule) => {
      const p = provider();
      const logger = createMemoryLogger('warn');
      const board = new FaultSwitchboard({ logger });
      board.offer(LENIENT_ID_TOKEN_FAULTS);
      const { token, nonce } = await p.login({ kakehashi_fault: fault });
      const [id, code] = rule.split(' ');

      board.set({ enable: ['lenient.*'], disable: [] });
      board.set({ disable: [lenient] });
      const strict = await p.validate(token, nonce, board);
      expect(strict.valid).toBe(false);
      expect(strict.failure).toMatchObject({ rule: id, code });
      expect(logger.lines.filter((l) => l.msg === 'fault fired')).toEqual([]);

      board.set({ disable: ['lenient.*'], enable: [lenient] });
      const weak = await p.validate(token, nonce, board);
      expect(weak.failure).toBeUndefined();
      expect(weak.valid).toBe(true);
      expect(weak.identity?.sub).toBe(decodeJwt(token).sub);
      const relaxed = weak.checks.filter((c) => c.fault !== undefined);
      expect(relaxed.length).toBeGreaterThan(0);
      for (const c of relaxed) expect(c).toMatchObject({ fault: lenient, outcome: 'skipped' });
      expect(relaxed).toContainEqual(expect.objectContaining({ rule: id, code }));
      expect(relaxed[0]?.reason).toContain('strict validation refuses');
      expect(logger.lines).toContainEqual(expect.objectContaining({ msg: 'fault fired', fault: lenient }));
    },
  );

  it('a weak node still refuses what its faults do not cover, and accepts honest tokens as before', async () => {
    const p = provider();
    const board = new FaultSwitchboard();
    board.offer(LENIENT_ID_TOKEN_FAULTS);
    board.set({ enable: ['lenient.id-token.alg-none'] });
    const expired = await p.login({ kakehashi_fault: 'id-token.expired' });
    expect((await p.validate(expired.token, expired.nonce, board)).failure).toMatchObject({ rule: 'J8' });
    const honest = await p.login();
    const verdict = await p.validate(honest.token, honest.nonce, board);
    expect(verdict.valid).toBe(true);
    expect(verdict.checks.filter((c) => c.fault !== undefined)).toEqual([]);
  });
});
