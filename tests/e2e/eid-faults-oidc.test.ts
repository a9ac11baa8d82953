import { decodeJwt, decodeProtectedHeader } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

const DEMO = { id: 'kakehashi-demo-rp', secret: 'kakehashi-demo-secret' };
const REDIRECT = 'http://127.0.0.1:53125/callback';
const SUBSTANTIAL = 'http://eidas.europa.eu/LoA/substantial';

interface Fault {
  name: string;
  kind: string;
  rule?: string;
  perRequest?: boolean;
  enabled: boolean;
}
interface Check {
  rule: string;
  outcome: string;
  code?: string;
  fault?: string;
  reason: string;
}
interface Verdict {
  valid: boolean;
  checks: Check[];
  failure?: { rule: string; code: string; reason: string };
}

/**
 * What openid-client says when it refuses each fault's ID token at the login callback (its error's cause). Its
 * default settings do not verify the signature of an ID token received from the token endpoint (OIDC Core §3.1.3.7
 * item 6 lets TLS stand in for it): the key and signature faults are refused only with `enableNonRepudiationChecks`,
 * which a relying party that keeps or forwards ID tokens must switch on. It checks neither `typ` nor `acr` of an ID
 * token at all — a relying party built on it must check those itself (as for S18 with the SAML libraries).
 */
const OPENID_CLIENT: Record<string, { defaults: RegExp | 'accepts'; nonRepudiation?: RegExp }> = {
  'id-token.alg-none': { defaults: /unexpected JWT "alg" header parameter/ },
  'id-token.hs256-key-confusion': { defaults: /unexpected JWT "alg" header parameter/ },
  'id-token.embedded-jwk': { defaults: 'accepts', nonRepudiation: /no applicable keys found/ },
  'id-token.unknown-kid': { defaults: 'accepts', nonRepudiation: /no applicable keys found/ },
  'id-token.untrusted-key': { defaults: 'accepts', nonRepudiation: /JWT signature verification failed/ },
  'id-token.expired': { defaults: /"exp" \(expiration time\)/ },
  'id-token.issued-in-future': { defaults: /"nbf" \(not before\)/ },
  'id-token.wrong-audience': { defaults: /"aud" \(audience\)/ },
  'id-token.wrong-issuer': { defaults: /"iss" \(issuer\)/ },
  'id-token.nonce-mismatch': { defaults: /"nonce" claim value/ },
  'id-token.wrong-typ': { defaults: 'accepts' },
  'id-token.unknown-crit': { defaults: /"crit" header parameter/ },
  'id-token.tampered-payload': { defaults: 'accepts', nonRepudiation: /JWT signature verification failed/ },
  'id-token.acr-too-low': { defaults: 'accepts' },
};

/**
 * The ID-token faults of the OIDC provider, end to end in an in-process federation: a login asks for one with
 * `kakehashi_fault`; openid-client (the real library, default settings) refuses the callback, and Kakehashi's
 * validation service refuses the same token with the fault's rule. Node DE runs as a weak node (`DE:lenient.*`):
 * its validator lets each defect through where FR's and the hub's refuse it, side by side.
 */
describe('eID faults (OIDC): every id-token.* fault against openid-client and our validator', () => {
  let f: TestFederation;
  const captured: string[] = [];
  const rpFetch: client.CustomFetch = async (url, options) => {
    const res = await f.fetch(url, options as RequestInit);
    // The token response passes through here: keep its ID token for the validators (openid-client discards it).
    if (new URL(url).pathname === '/oidc/token') {
      const body = (await res.clone().json()) as { id_token?: string };
      if (body.id_token) captured.push(body.id_token);
    }
    return res;
  };
  const configs = new Map<string, client.Configuration>();
  /** openid-client's defaults (client_secret_post), or with its ID-token signature verification on. */
  const discover = async (cc: string, nonRepudiation = false) => {
    let config = configs.get(`${cc}/${nonRepudiation}`);
    if (!config) {
      config = await client.discovery(new URL(f.urls.nodes[cc] as string), DEMO.id, DEMO.secret, undefined, {
        execute: [client.allowInsecureRequests, ...(nonRepudiation ? [client.enableNonRepudiationChecks] : [])],
        [client.customFetch]: rpFetch,
      });
      configs.set(`${cc}/${nonRepudiation}`, config);
    }
    return config;
  };
  /** Per country, a persona who reaches substantial (the level every login here asks for). */
  const personas = new Map<string, string>();

  beforeAll(async () => {
    f = await startTestFederation({ countries: ['AT', 'DE', 'FR'], faults: ['DE:lenient.*'] });
    for (const cc of ['AT', 'DE', 'FR']) {
      const list = (await json<{ id: string; loa: string }[]>(f.fetch(`${f.urls.nodes[cc]}/personas`))).body;
      personas.set(cc, (list.find((p) => !p.loa.endsWith('/low')) as { id: string }).id);
    }
  }, 180_000);
  afterAll(() => f?.dispose());

  /** Follows redirects until the browser leaves the federation for the relying party's redirect URI. */
  const browse = async (start: string, rewrite: (url: string) => string = (u) => u) => {
    let url = start;
    for (let i = 0; i < 10; i++) {
      const res = await f.fetch(rewrite(url), { redirect: 'manual' });
      const next = res.headers.get('location');
      if (res.status !== 302 || !next) throw new Error(`stopped at ${url}: ${res.status} ${await res.text()}`);
      if (next.startsWith(REDIRECT)) return new URL(next);
      url = next;
    }
    throw new Error('too many redirects');
  };

  /** A headless code + PKCE login at `cc` through openid-client, acr_values substantial; what the library said. */
  const login = async (
    cc: string,
    extra: Record<string, string> = {},
    rewrite?: (url: string) => string,
    nonRepudiation = false,
  ) => {
    const config = await discover(cc, nonRepudiation);
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
      acr_values: SUBSTANTIAL,
      kakehashi_persona: personas.get(extra.kakehashi_country ?? cc) as string,
      ...extra,
    });
    const callback = await browse(url.toString(), rewrite);
    const before = captured.length;
    const outcome = await client
      .authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      })
      .then(
        (tokens) => ({ accepted: true as const, claims: tokens.claims() as Record<string, unknown> }),
        (e: Error) => ({
          accepted: false as const,
          error: `${e.name}: ${e.message} (${e.cause instanceof Error ? e.cause.message : String(e.cause)})`,
        }),
      );
    return { outcome, callback, nonce, idToken: captured[before] };
  };

  const validateAt = (origin: string, token: string, expected: Record<string, unknown>) =>
    json<Verdict>(
      f.fetch(`${origin}/eid/validate/id-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, expected }),
      }),
    );

  it('offers the id-token faults at every node (per request) and the lenient twins at the validators', async () => {
    const faults = (await json<{ faults: Fault[] }>(f.fetch(`${f.urls.nodes.FR}/admin/faults`, { headers: ADMIN })))
      .body.faults;
    const forge = faults.filter((x) => x.name.startsWith('id-token.'));
    expect(forge.map((x) => x.name).sort()).toEqual(Object.keys(OPENID_CLIENT).sort());
    for (const x of forge) expect(x).toMatchObject({ kind: 'forge', perRequest: true, enabled: false });
    expect(faults.filter((x) => x.name.startsWith('lenient.id-token.'))).toHaveLength(forge.length);
    // DE is the weak node: the option switched its lenient faults on at start, and its config says so.
    const de = (await json<{ faults: string[] }>(f.fetch(`${f.urls.nodes.DE}/admin/config`, { headers: ADMIN }))).body
      .faults;
    expect(de).toEqual(expect.arrayContaining(forge.map((x) => `lenient.${x.name}`)));
    const fr = (await json<{ faults: string[] }>(f.fetch(`${f.urls.nodes.FR}/admin/config`, { headers: ADMIN }))).body
      .faults;
    expect(fr.filter((n) => n.includes('id-token'))).toEqual([]);
  });

  it.each(Object.entries(OPENID_CLIENT))(
    '%s: openid-client refuses the callback, the validation service refuses with the rule, DE (weak) lets it through',
    async (fault, library) => {
      const rule = (
        await json<{ faults: Fault[] }>(f.fetch(`${f.urls.nodes.FR}/admin/faults`, { headers: ADMIN }))
      ).body.faults.find((x) => x.name === fault)?.rule as string;
      const [id, code] = rule.split(' ');
      const r = await login('FR', { kakehashi_fault: fault });
      if (library.defaults === 'accepts') {
        // openid-client's blind spot: the claims reach the application, which must check typ / acr itself.
        expect(r.outcome.accepted).toBe(true);
      } else {
        expect(r.outcome.accepted, JSON.stringify(r.outcome)).toBe(false);
        expect(r.outcome.accepted ? '' : r.outcome.error).toMatch(library.defaults);
      }
      if (library.nonRepudiation) {
        const checked = await login('FR', { kakehashi_fault: fault }, undefined, true);
        expect(checked.outcome.accepted, JSON.stringify(checked.outcome)).toBe(false);
        expect(checked.outcome.accepted ? '' : checked.outcome.error).toMatch(library.nonRepudiation);
      }
      const token = r.idToken as string;
      expect(token).toBeTruthy();
      const expected = { issuer: f.urls.nodes.FR, audience: DEMO.id, nonce: r.nonce, requestedLoa: SUBSTANTIAL };
      // Strict: the hub and node FR refuse with the fault's rule and code.
      for (const origin of [f.urls.hub, f.urls.nodes.FR as string]) {
        const v = await validateAt(origin, token, expected);
        expect(v.status).toBe(200);
        expect(v.body.valid).toBe(false);
        expect(v.body.failure).toMatchObject({ rule: id, code });
      }
      // Weak: node DE accepts it, and its verdict says which check its lenient twin skipped.
      const weak = await validateAt(f.urls.nodes.DE as string, token, expected);
      expect(weak.body.failure).toBeUndefined();
      expect(weak.body.valid).toBe(true);
      expect(weak.body.checks).toContainEqual(
        expect.objectContaining({ rule: id, code, outcome: 'skipped', fault: `lenient.${fault}` }),
      );
    },
  );

  it('side by side: an alg-none token is accepted by DE (lenient.id-token.alg-none) and refused by FR, both naming J1', async () => {
    const { idToken, nonce } = await login('AT', { kakehashi_fault: 'id-token.alg-none' });
    expect(decodeProtectedHeader(idToken as string).alg).toBe('none');
    const expected = { issuer: f.urls.nodes.AT, audience: DEMO.id, nonce };
    const fr = await validateAt(f.urls.nodes.FR as string, idToken as string, expected);
    const de = await validateAt(f.urls.nodes.DE as string, idToken as string, expected);
    expect(fr.body).toMatchObject({ valid: false, failure: { rule: 'J1', code: 'jwt-alg-none' } });
    expect(de.body.valid).toBe(true);
    const j1 = de.body.checks.find((c) => c.rule === 'J1');
    expect(j1).toMatchObject({ outcome: 'skipped', code: 'jwt-alg-none', fault: 'lenient.id-token.alg-none' });
    expect(j1?.reason).toMatch(/weak node/);
    // The signature checks were not evaluated at all: the token has none.
    expect(de.body.checks.find((c) => c.rule === 'J15' && c.reason.includes('unsigned'))?.outcome).toBe('skipped');
    // DE logged the fault as fired.
    expect(f.logs).toContainEqual(
      expect.objectContaining({ msg: 'fault fired', fault: 'lenient.id-token.alg-none', country: 'DE' }),
    );
  });

  it('switched on with PUT /admin/faults, every login gets it; switched off, logins are valid again', async () => {
    const put = (body: unknown) =>
      f.fetch(`${f.urls.nodes.FR}/admin/faults`, {
        method: 'PUT',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await put({ enable: ['id-token.expired'] })).status).toBe(200);
    try {
      for (let i = 0; i < 2; i++) {
        const r = await login('FR');
        expect(r.outcome.accepted).toBe(false);
        expect(decodeJwt(r.idToken as string).exp).toBeLessThan(Math.floor(f.clock.now().getTime() / 1000));
      }
    } finally {
      expect((await put({ disable: ['id-token.*'] })).status).toBe(200);
    }
    expect((await login('FR')).outcome.accepted).toBe(true);
  });

  it('refuses an unknown fault or a lenient one on the authorization request with a 400 problem', async () => {
    for (const [fault, code] of [
      ['id-token.no-such-thing', 'fault-unknown'],
      ['lenient.id-token.alg-none', 'fault-not-per-request'],
    ]) {
      const u = new URL(`${f.urls.nodes.FR}/oidc/authorize`);
      for (const [k, v] of Object.entries({
        client_id: DEMO.id,
        redirect_uri: REDIRECT,
        response_type: 'code',
        scope: 'openid',
        state: 's',
        nonce: 'n',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
        kakehashi_persona: personas.get('FR') as string,
        kakehashi_fault: fault as string,
      }))
        u.searchParams.set(k, v);
      const res = await f.fetch(u, { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe(code);
    }
  });

  describe('cross-border, through the hub', () => {
    /** Adds a fault to the hub's relay URL: country A's proxy service gets it, as a tester at the hub would ask. */
    const atHub = (fault: string) => (url: string) => {
      if (!url.startsWith(`${f.urls.hub}/eid/proxy/`)) return url;
      const u = new URL(url);
      u.searchParams.set('kakehashi_fault', fault);
      return u.toString();
    };

    it("the hub relays kakehashi_fault to A's proxy service: the strict connector (AT) refuses, the weak one (DE) lets it through", async () => {
      const strict = await login('AT', { kakehashi_country: 'FR' }, atHub('id-token.alg-none'));
      expect(strict.callback.searchParams.get('error')).toBe('access_denied');
      expect(strict.callback.searchParams.get('error_description')).toMatch(/failed J1/);
      expect(strict.outcome.accepted).toBe(false);

      const weak = await login('DE', { kakehashi_country: 'FR' }, atHub('id-token.alg-none'));
      expect(weak.callback.searchParams.get('error')).toBeNull();
      expect(weak.outcome.accepted, JSON.stringify(weak.outcome)).toBe(true);
      expect(weak.outcome.accepted && weak.outcome.claims.eidas_person_identifier).toMatch(/^FR\/DE\//);
    });

    it("a fault the relying party asks of its own node (B) applies to B's ID token after the cross-border login", async () => {
      const r = await login('AT', { kakehashi_country: 'FR', kakehashi_fault: 'id-token.wrong-audience' });
      expect(r.callback.searchParams.get('code')).toBeTruthy();
      expect(r.outcome.accepted).toBe(false);
      expect(r.outcome.accepted ? '' : r.outcome.error).toMatch(/"aud"/);
      expect(decodeJwt(r.idToken as string)).toMatchObject({
        iss: f.urls.nodes.AT,
        aud: expect.not.stringMatching(DEMO.id),
      });
    });
  });
});
