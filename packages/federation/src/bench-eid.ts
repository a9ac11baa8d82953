import {
  constants,
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import { openStore, type VirtualClock } from '@kakehashi/core';
import {
  buildAuthnRequest,
  buildSigningKeys,
  createStoreReplayCache,
  DEMO_SP_ENTITY_ID,
  deriveEidKeys,
  type ExpectedIdToken,
  type ExpectedSamlResponse,
  encodeRedirectRequest,
  type IssuerKey,
  type SigningKey,
  validateIdToken,
  validateSamlResponse,
} from '@kakehashi/eid';
import { SignJWT } from 'jose';
import { interleavedRates, type RateSide } from './bench-measure.ts';
import type { Federation } from './create-federation.ts';
import type { LoadedMaterial } from './trust-material.ts';

/** Untimed calls before a rate is measured (JIT, caches), the same for a function and its service. */
const WARM_UP = 20;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
/** Validations in flight at once (the service's situation: many relying parties; WebCrypto runs off-thread). */
const CONCURRENCY = 8;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * A pool of ID tokens of one node as its provider issues them (same claims, key and kid), each with its own
 * nonce so the replay cache (J11) accepts every one once. Signed here with the node's own keys from the
 * trust material, because a login per token would make the pool, not the validation, the cost.
 */
async function tokenPool(
  key: SigningKey,
  issuer: string,
  audience: string,
  clock: VirtualClock,
  size: number,
): Promise<string[]> {
  const now = Math.floor(clock.nowMs() / 1000);
  const tokens: string[] = [];
  for (let i = 0; i < size; i++)
    tokens.push(
      await new SignJWT({
        sub: randomBytes(32).toString('base64url'),
        nonce: randomBytes(16).toString('base64url'),
        acr: 'http://eidas.europa.eu/LoA/substantial',
        auth_time: now,
        azp: audience,
        family_name: 'Bench',
        given_name: 'Mark',
        birthdate: '1980-01-01',
        eidas_person_identifier: `XX/XX/${randomBytes(32).toString('base64url')}`,
      })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .sign(key.privateKey),
    );
  return tokens;
}

/**
 * eID figures: ID-token validations per second (RS256 and ES256) as a function call and through the
 * validation service (in-process HTTP), each as a ratio to the raw signature verification of its algorithm
 * measured in the same run; and the latency of a cross-border login through the hub against a domestic one.
 */
export async function benchEid(
  f: Federation,
  material: LoadedMaterial,
  opts: { windowMs: number; poolSize: number; logins: number },
): Promise<Record<string, unknown>> {
  const countries = Object.keys(f.urls.nodes);
  const a = countries.includes('EE') ? 'EE' : (countries[0] as string);
  const b = countries.includes('DE') ? 'DE' : (countries[1] as string);
  const issuer = f.urls.nodes[a] as string;
  const keys = await buildSigningKeys(
    material.nodeCredentials(a).signing,
    deriveEidKeys(f.config.get('seed'), a).es256,
  );
  const out: Record<string, unknown> = {};
  const raw = rawVerifySides();
  for (const key of keys)
    out[`idTokenValidation${key.alg}`] = await benchIdTokens(f, { key, country: a, issuer, raw: raw[key.alg] }, opts);
  out.samlResponseValidation = await benchSaml(f, material, a, opts);
  out.loginLatencyInProcess = await benchLoginLatency(f, a, b, opts.logins);
  return out;
}

/**
 * The raw ceilings: one signature verification of each algorithm with node:crypto, in its fastest form (a bare
 * KeyObject, ECDSA as DER: the `{ key, dsaEncoding }` form costs ~20 µs more per call to recognise the key), over
 * data of a token's size.
 */
function rawVerifySides(): Record<'RS256' | 'ES256', RateSide> {
  const data = randomBytes(900);
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsaSig = sign('sha256', data, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PADDING });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ecSig = sign('sha256', data, ec.privateKey);
  return {
    RS256: { fn: () => verify('sha256', data, rsa.publicKey, rsaSig), warmUp: 50 },
    ES256: { fn: () => verify('sha256', data, ec.publicKey, ecSig), warmUp: 50 },
  };
}

/** What the ID-token figures of one signing key need: the key, its node and the raw verification rate of its alg. */
interface IdTokenBench {
  key: SigningKey;
  country: string;
  issuer: string;
  /** The raw verification of the key's algorithm, measured in the same slices. */
  raw: RateSide;
}

/** The relying party the bench tokens are issued to (the demo client of every node). */
const BENCH_AUDIENCE = 'kakehashi-demo-rp';

/** The expectations of one bench token: its issuer, the demo audience and the nonce it carries. */
function expectedOf(issuer: string, token: string): ExpectedIdToken {
  const nonce = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8')).nonce;
  return { issuer, audience: BENCH_AUDIENCE, nonce };
}

/**
 * ID-token validations per second of one key, as a function call and through the service, against the raw
 * verification: the three measured in alternating slices of the same window (see `interleavedRates`).
 */
async function benchIdTokens(
  f: Federation,
  b: IdTokenBench,
  opts: { windowMs: number; poolSize: number },
): Promise<Record<string, unknown>> {
  const fnSide = await idTokenFunctionSide(f, b, opts);
  try {
    const r = await interleavedRates(opts.windowMs, {
      raw: b.raw,
      fn: fnSide.side,
      service: await idTokenServiceSide(f, b, opts),
    });
    return idTokenFigures(r.fn, r.service, r.raw);
  } finally {
    fnSide.close();
  }
}

function idTokenFigures(fn: number, service: number, raw: number): Record<string, unknown> {
  return {
    functionPerSecond: Math.round(fn),
    serviceHttpInProcessPerSecond: Math.round(service),
    rawVerifyPerSecond: Math.round(raw),
    concurrency: CONCURRENCY,
    functionToRawVerifyRatio: r3(fn / raw),
    serviceToRawVerifyRatio: r3(service / raw),
  };
}

/**
 * Function call: the J1–J17 checks with the real store-backed replay cache; the key set is resolved once (as the
 * service's JWKS cache does), the certificate chain of the RS256 key validated with it.
 */
async function idTokenFunctionSide(
  f: Federation,
  { key, country, issuer }: IdTokenBench,
  opts: { poolSize: number },
): Promise<{ side: RateSide; close: () => void }> {
  const pool = await tokenPool(key, issuer, BENCH_AUDIENCE, f.clock, opts.poolSize);
  const expectations = pool.map((token) => expectedOf(issuer, token));
  const store = openStore({ name: 'bench-eid' });
  const replay = createStoreReplayCache(store, f.clock);
  const issuerKey: IssuerKey = {
    kid: key.kid,
    alg: key.alg,
    jwk: { ...key.publicJwk },
    ...(key.publicJwk.x5c ? { x5c: key.publicJwk.x5c } : {}),
    certificate: { valid: true, country, reason: 'bench: validated once' },
  };
  const keySet = { issuer, country, keys: new Map([[key.kid, issuerKey]]) };
  // Each pass over the pool is a new cycle of the replay cache (its keys prefixed with the cycle): a token still in
  // flight from the previous pass must not collide with its own next use. The store is emptied at each wrap.
  let cycle = 0;
  let i = 0;
  const fn = async () => {
    if (i >= pool.length) {
      store.run('DELETE FROM jwt_replay');
      cycle++;
      i = 0;
    }
    const k = i++;
    const c = cycle;
    const v = await validateIdToken(pool[k] as string, expectations[k] as ExpectedIdToken, {
      clock: f.clock,
      clockSkewSeconds: 60,
      resolveKeys: async () => keySet,
      replay: {
        seen: (issuer, key) => replay.seen(issuer, `${c} ${key}`),
        remember: (issuer, key, expiresAt) => replay.remember(issuer, `${c} ${key}`, expiresAt),
      },
      algorithms: ['RS256', 'ES256'],
    });
    if (!v.valid) throw new Error(`bench token invalid: ${v.failure?.rule} ${v.failure?.reason}`);
  };
  return { side: { fn, concurrency: CONCURRENCY, warmUp: WARM_UP }, close: () => store.close() };
}

/**
 * The service: POST /eid/validate/id-token at the hub (in-process HTTP), a fresh pool (its replay cache keeps
 * every nonce), the same concurrency, stopping when the pool is used up. Warmed up first as the function is (20
 * tokens, at most a tenth of the pool, one at a time, untimed): the ratio compares both sides in their steady state,
 * not the service's first requests against the function's later ones.
 */
async function idTokenServiceSide(
  f: Federation,
  { key, issuer }: IdTokenBench,
  opts: { poolSize: number },
): Promise<RateSide> {
  const httpPool = await tokenPool(key, issuer, BENCH_AUDIENCE, f.clock, opts.poolSize);
  const validate = async (token: string) => {
    const res = await f.fetch(`${f.urls.hub}/eid/validate/id-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, expected: expectedOf(issuer, token) }),
    });
    const v = (await res.json()) as { valid: boolean; failure?: { rule: string } };
    if (!v.valid) throw new Error(`bench token refused by the service: ${v.failure?.rule}`);
  };
  let j = 0;
  return {
    fn: () => validate(httpPool[j++] as string),
    concurrency: CONCURRENCY,
    warmUp: Math.min(WARM_UP, Math.floor(httpPool.length / 10)),
    exhausted: () => j >= httpPool.length,
  };
}

/**
 * Login latency: a domestic login at B and a cross-border login of a citizen of A at B's relying party
 * (B's connector → hub → A → B, code redeemed through the hub, A's token validated), median of N each.
 */
async function benchLoginLatency(
  f: Federation,
  a: string,
  b: string,
  logins: number,
): Promise<Record<string, unknown>> {
  const time = async (extra: Record<string, string>) => {
    for (let k = 0; k < 5; k++) await headlessLogin(f, b, extra);
    const ms: number[] = [];
    for (let k = 0; k < logins; k++) {
      const s = performance.now();
      await headlessLogin(f, b, extra);
      ms.push(performance.now() - s);
    }
    return Math.round(median(ms) * 100) / 100;
  };
  const domestic = await time({ kakehashi_persona: `${b.toLowerCase()}-001` });
  const crossBorder = await time({ kakehashi_country: a, kakehashi_persona: `${a.toLowerCase()}-001` });
  return {
    domesticMedianMs: domestic,
    crossBorderMedianMs: crossBorder,
    crossBorderToDomesticRatio: r3(crossBorder / domestic),
    pair: `${a} citizen at ${b} relying party`,
    logins,
  };
}

/** One OIDC login (authorization code with PKCE) of the demo relying party at node `cc`, code redeemed. */
async function headlessLogin(f: Federation, cc: string, extra: Record<string, string>): Promise<void> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const redirect = 'http://127.0.0.1:53999/cb';
  const q = new URLSearchParams({
    client_id: BENCH_AUDIENCE,
    redirect_uri: redirect,
    response_type: 'code',
    scope: 'openid',
    state: 's',
    nonce: randomBytes(8).toString('hex'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  });
  let url = `${f.urls.nodes[cc]}/oidc/authorize?${q}`;
  for (let hops = 0; hops < 8 && !url.startsWith(redirect); hops++) {
    const res = await f.fetch(url, { redirect: 'manual' });
    url = res.headers.get('location') ?? '';
    if (res.status !== 302 || !url) throw new Error(`login stopped at ${res.status}`);
  }
  const code = new URL(url).searchParams.get('code');
  if (!code) throw new Error(`login failed: ${new URL(url).searchParams.get('error_description')}`);
  const res = await f.fetch(`${f.urls.nodes[cc]}/oidc/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${BENCH_AUDIENCE}:kakehashi-demo-secret`).toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirect,
      code_verifier: verifier,
    }).toString(),
  });
  if (!res.ok) throw new Error(`token endpoint answered ${res.status}`);
}

/**
 * eIDAS SAML Responses validated per second (S1–S20: parse, decrypt the assertion, verify the Response and the
 * assertion signatures, bindings, conditions, replay), against the raw crypto of one Response — one RSA-OAEP
 * decryption and two RSA-SHA256 verifications — measured in the same run. Responses come from real headless
 * logins of the demo SP at node `cc`; the replay cache is cleared when the pool wraps.
 */
async function benchSaml(
  f: Federation,
  material: LoadedMaterial,
  cc: string,
  opts: { windowMs: number; poolSize: number },
): Promise<Record<string, unknown>> {
  const node = f.urls.nodes[cc] as string;
  const acs = 'http://127.0.0.1:53998/saml/acs';
  const key = (await (await f.fetch(`${node}/saml/demo-sp/key`)).json()) as { privateKeyPem: string };
  const decryptionKey = createPrivateKey(key.privateKeyPem);
  // Single-use Responses for the service (its replay cache keeps every ID); the function cycles through the same.
  const size = Math.max(20, Math.min(120, Math.round(opts.poolSize / 5)));
  const pool: { b64: string; expected: ExpectedSamlResponse }[] = [];
  for (let i = 0; i < size; i++) {
    const { id, xml } = buildAuthnRequest({
      issuer: DEMO_SP_ENTITY_ID,
      destination: `${node}/saml/idp/sso`,
      acsUrl: acs,
      requestedLoa: 'http://eidas.europa.eu/LoA/low',
      nowMs: f.clock.nowMs(),
    });
    const res = await f.fetch(
      encodeRedirectRequest(`${node}/saml/idp/sso`, xml, {
        extraParams: { kakehashi_persona: `${cc.toLowerCase()}-00${1 + (i % 8)}` },
      }),
    );
    const b64 = /name="SAMLResponse" value="([^"]*)"/.exec(await res.text())?.[1];
    if (!b64) throw new Error(`demo SP login at ${cc} failed (${res.status})`);
    pool.push({
      b64,
      expected: {
        issuer: `${node}/saml/idp/metadata`,
        audience: DEMO_SP_ENTITY_ID,
        destination: acs,
        inResponseTo: id,
        requestedLoa: 'http://eidas.europa.eu/LoA/low',
      },
    });
  }
  const idp = { country: cc, signingCerts: [material.nodeCredentials(cc).signing.certPem] };
  // Each pass over the pool is a new cycle of the replay cache: a Response still in flight from the previous pass
  // must not collide with its own next use.
  const seen = new Set<string>();
  let cycle = 0;
  let i = 0;
  const fn = async () => {
    if (i >= pool.length) {
      seen.clear();
      cycle++;
      i = 0;
    }
    const c = cycle;
    const replay = {
      seen: (issuer: string, id: string) => seen.has(`${c} ${issuer} ${id}`),
      remember: (issuer: string, id: string) => void seen.add(`${c} ${issuer} ${id}`),
    };
    const p = pool[i++] as (typeof pool)[number];
    const v = await validateSamlResponse(p.b64, p.expected, {
      clock: f.clock,
      clockSkewSeconds: 60,
      resolveIdp: async () => idp,
      replay,
      decryptionKey,
    });
    if (!v.valid) throw new Error(`bench SAML Response invalid: ${JSON.stringify(v.failure)}`);
  };

  // The raw crypto of one Response: RSA-OAEP decryption of a 32-byte key, two verifications.
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const wrapped = publicEncrypt({ key: rsa.publicKey, oaepHash: 'sha1' }, randomBytes(32));
  const data = randomBytes(900);
  const sig = sign('sha256', data, rsa.privateKey);

  // The service: POST /eid/validate/saml-response at the hub (its replay cache keeps every ID): each Response of
  // the pool once, at the same concurrency as the function.
  let next = 0;
  const service = async () => {
    const p = pool[next++] as (typeof pool)[number];
    const res = await f.fetch(`${f.urls.hub}/eid/validate/saml-response`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ samlResponse: p.b64, expected: { ...p.expected, decryptionKeyPem: key.privateKeyPem } }),
    });
    const v = (await res.json()) as { valid: boolean; failure?: unknown };
    if (!v.valid) throw new Error(`bench SAML Response refused by the service: ${JSON.stringify(v.failure)}`);
  };
  // All four in alternating slices of the same window (see interleavedRates).
  const r = await interleavedRates(opts.windowMs, {
    fn: { fn, concurrency: CONCURRENCY, warmUp: WARM_UP },
    decrypts: { fn: () => privateDecrypt({ key: rsa.privateKey, oaepHash: 'sha1' }, wrapped), warmUp: 20 },
    verifies: { fn: () => verify('sha256', data, rsa.publicKey, sig), warmUp: 20 },
    service: {
      fn: service,
      concurrency: CONCURRENCY,
      warmUp: Math.min(WARM_UP, Math.floor(pool.length / 10)),
      exhausted: () => next >= pool.length,
    },
  });
  const ceiling = 1 / (1 / r.decrypts + 2 / r.verifies);
  const { fn: functionRate, decrypts, verifies } = r;
  return {
    functionPerSecond: Math.round(functionRate),
    serviceHttpInProcessPerSecond: Math.round(r.service),
    serviceSample: next,
    rawRsaOaepDecryptsPerSecond: Math.round(decrypts),
    rawRsaVerifiesPerSecond: Math.round(verifies),
    cryptoCeilingPerSecond: Math.round(ceiling),
    functionToCryptoCeilingRatio: r3(functionRate / ceiling),
    concurrency: CONCURRENCY,
    pool: pool.length,
  };
}
