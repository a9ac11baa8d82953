/**
 * OIDC login figures for `kakehashi bench`: one complete code + PKCE login, end to end, as a relying party sees
 * it — authorize → (headless) login → token → ID token validated (signature against the provider's JWKS with jose,
 * then iss / aud / nonce / exp) — against a Kakehashi node and, for comparison, against panva's `oidc-provider`.
 *
 * The same `oidcLoginFlow` drives both: it follows the redirects by hand with a per-flow cookie jar (Kakehashi's
 * headless login sets none; oidc-provider needs its interaction and resume cookies) until the browser would land on
 * the RP's redirect URI. oidc-provider runs in its own process (`node bench-oidc.ts serve-oidc-provider`), like
 * `kakehashi start`, so neither server shares an event loop with the load generator.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { percentile } from './bench-measure.ts';

/** The redirect URI every flow uses: a loopback URI (any is accepted for Kakehashi's test RP; registered exactly at oidc-provider). */
export const BENCH_REDIRECT_URI = 'http://127.0.0.1:53123/callback';
export const KAKEHASHI_DEMO_RP = { id: 'kakehashi-demo-rp', secret: 'kakehashi-demo-secret' } as const;
/** The client registered at the comparison oidc-provider (TEST ONLY, not a secret). */
export const OIDC_PROVIDER_RP = { id: 'bench-rp', secret: 'bench-rp-secret-not-a-secret' } as const;

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** What a relying party knows about a provider after discovery. */
export interface OidcTarget {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwks: JWTVerifyGetKey;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Extra authorization parameters (Kakehashi: the headless `kakehashi_persona`). */
  extraParams: Record<string, string>;
  fetch: Fetch;
  /** The verifier's notion of now (a node's virtual clock in-process); defaults to the real clock. */
  now?: () => Date;
  /** False for providers that do not send RFC 9207's `iss` on the redirect (checked whenever it is present). */
  issParam?: boolean;
  /** How the client authenticates at the token endpoint (default `basic`: client_secret_basic). */
  tokenAuth?: 'basic' | 'post';
}

/** Discovery document and JWKS, fetched once (as an RP caches them); the flow itself never re-fetches them. */
export async function discoverTarget(
  issuer: string,
  client: { id: string; secret: string },
  opts: {
    fetch?: Fetch;
    extraParams?: Record<string, string>;
    now?: () => Date;
    issParam?: boolean;
    tokenAuth?: 'basic' | 'post';
    /** Rewrites the discovered endpoint URLs (a peer whose discovery document has `//` in its paths). */
    fixUrl?: (url: string) => string;
  } = {},
): Promise<OidcTarget> {
  const fix = opts.fixUrl ?? ((u: string) => u);
  const doFetch: Fetch = opts.fetch ?? ((u, i) => fetch(u, i));
  const res = await doFetch(`${issuer}/.well-known/openid-configuration`);
  if (res.status !== 200) throw new Error(`discovery at ${issuer} answered ${res.status}`);
  const meta = (await res.json()) as {
    issuer: string;
    authorization_endpoint: string;
    token_endpoint: string;
    jwks_uri: string;
  };
  if (meta.issuer !== issuer) throw new Error(`discovery issuer ${meta.issuer} is not ${issuer}`);
  const jwksRes = await doFetch(fix(meta.jwks_uri));
  if (jwksRes.status !== 200) throw new Error(`JWKS at ${meta.jwks_uri} answered ${jwksRes.status}`);
  const jwks = createLocalJWKSet((await jwksRes.json()) as JSONWebKeySet);
  return {
    issuer,
    authorizationEndpoint: fix(meta.authorization_endpoint),
    tokenEndpoint: fix(meta.token_endpoint),
    jwks,
    clientId: client.id,
    clientSecret: client.secret,
    redirectUri: BENCH_REDIRECT_URI,
    extraParams: opts.extraParams ?? {},
    fetch: doFetch,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.issParam !== undefined ? { issParam: opts.issParam } : {}),
    ...(opts.tokenAuth ? { tokenAuth: opts.tokenAuth } : {}),
  };
}

interface Cookie {
  name: string;
  value: string;
  path: string;
}

/** A minimal per-flow cookie jar: one origin, Path prefix matching, Max-Age=0 / expired deletes. */
class CookieJar {
  #cookies = new Map<string, Cookie>();

  store(res: Response, requestPath: string): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = requestPath.slice(0, requestPath.lastIndexOf('/') + 1) || '/';
      let expired = false;
      for (const a of attrs) {
        const [k = '', v = ''] = a.split('=').map((s) => s.trim());
        const key = k.toLowerCase();
        if (key === 'path' && v.startsWith('/')) path = v;
        else if (key === 'max-age' && Number(v) <= 0) expired = true;
        else if (key === 'expires' && Date.parse(v) < Date.now()) expired = true;
      }
      const id = `${name};${path}`;
      if (expired) this.#cookies.delete(id);
      else this.#cookies.set(id, { name, value, path });
    }
  }

  header(path: string): string | undefined {
    const matching = [...this.#cookies.values()].filter(
      (c) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`),
    );
    return matching.length ? matching.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }
}

/**
 * One login, as the RP and the user's browser together do it: PKCE S256, state and nonce; follows the redirects
 * (at most 10 hops) until the RP's redirect URI; code exchange with client_secret_basic; the ID token verified with
 * jose against the cached JWKS (RS256 pinned, iss, aud, exp) and its nonce checked. Throws on any deviation.
 * Returns the number of HTTP requests the login took (redirect hops plus the token request).
 */
export async function oidcLoginFlow(t: OidcTarget): Promise<number> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(16).toString('base64url');
  const nonce = randomBytes(16).toString('base64url');
  const authorize = new URL(t.authorizationEndpoint);
  const params: Record<string, string> = {
    client_id: t.clientId,
    redirect_uri: t.redirectUri,
    response_type: 'code',
    scope: 'openid profile',
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...t.extraParams,
  };
  for (const [k, v] of Object.entries(params)) authorize.searchParams.set(k, v);

  const jar = new CookieJar();
  let url = authorize;
  let callback: URL | undefined;
  let requests = 0;
  for (let hop = 0; hop < 10 && !callback; hop++) {
    requests++;
    const cookie = jar.header(url.pathname);
    const res = await t.fetch(url.href, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    jar.store(res, url.pathname);
    await res.arrayBuffer();
    const location = res.headers.get('location');
    if (res.status < 300 || res.status > 399 || !location) {
      throw new Error(`login flow: ${url.pathname} answered ${res.status} without a redirect`);
    }
    const next = new URL(location, url);
    if (`${next.origin}${next.pathname}` === t.redirectUri) callback = next;
    else url = next;
  }
  if (!callback) throw new Error('login flow: no redirect to the RP after 10 hops');
  const q = callback.searchParams;
  if (q.get('error')) throw new Error(`login flow: ${q.get('error')}: ${q.get('error_description')}`);
  if (q.get('state') !== state) throw new Error('login flow: state mismatch');
  if ((t.issParam !== false || q.has('iss')) && q.get('iss') !== t.issuer)
    throw new Error(`login flow: iss ${q.get('iss')} is not ${t.issuer}`);
  const code = q.get('code');
  if (!code) throw new Error('login flow: no code');

  const basic = Buffer.from(`${encodeURIComponent(t.clientId)}:${encodeURIComponent(t.clientSecret)}`).toString(
    'base64',
  );
  const post = t.tokenAuth === 'post';
  const tokenRes = await t.fetch(t.tokenEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(post ? {} : { authorization: `Basic ${basic}` }),
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: t.redirectUri,
      ...(post ? { client_id: t.clientId, client_secret: t.clientSecret } : {}),
    }).toString(),
  });
  const tokens = (await tokenRes.json()) as { id_token?: string; access_token?: string; error?: string };
  if (tokenRes.status !== 200 || !tokens.id_token || !tokens.access_token) {
    throw new Error(`token endpoint answered ${tokenRes.status} ${tokens.error ?? ''}`);
  }
  const { payload } = await jwtVerify(tokens.id_token, t.jwks, {
    issuer: t.issuer,
    audience: t.clientId,
    algorithms: ['RS256'],
    requiredClaims: ['exp', 'iat', 'sub', 'nonce'],
    ...(t.now ? { currentDate: t.now() } : {}),
  });
  if (payload.nonce !== nonce) throw new Error('ID token nonce mismatch');
  return requests + 1;
}

// ---------------------------------------------------------------------------------------------------------------
// The comparison provider: panva's oidc-provider (certified), configured like a Kakehashi node's test RP setup.

/** The slice of oidc-provider's API used here (the package ships no type declarations). */
interface OidcProviderCtor {
  new (issuer: string, configuration: Record<string, unknown>): OidcProviderInstance;
}
interface OidcProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<{ uid: string; prompt: { name: string }; params: Record<string, string | undefined> }>;
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: Record<string, unknown>,
    opts?: { mergeWithLastSubmission?: boolean },
  ): Promise<void>;
  Grant: new (props: {
    accountId: string;
    clientId: string;
  }) => { addOIDCScope(scope: string): void; save(): Promise<string> };
  on(event: string, listener: (...args: unknown[]) => void): void;
}

/** The fixed account every login at the comparison provider authenticates as. */
const ACCOUNT = {
  sub: 'bench-account-0001',
  family_name: 'Yamada',
  given_name: 'Hanako',
  birthdate: '1985-04-12',
};

/**
 * Serves oidc-provider on 127.0.0.1:`port` with node:http: one confidential client (client_secret_basic, code
 * flow, PKCE S256 required, one exact loopback redirect URI), an RS256 key generated at start, a `findAccount` with
 * a fixed account, and the interaction (login + consent) finished programmatically at `GET /interaction/:uid`.
 */
export async function serveOidcProvider(
  port: number,
  moduleDir?: string,
): Promise<{ issuer: string; close(): Promise<void> }> {
  const specifier = moduleDir
    ? pathToFileURL(createRequire(`${moduleDir}/`).resolve('oidc-provider')).href
    : 'oidc-provider';
  const { default: Provider } = (await import(specifier)) as { default: OidcProviderCtor };
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'bench-rs256', alg: 'RS256', use: 'sig' };
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: OIDC_PROVIDER_RP.id,
        client_secret: OIDC_PROVIDER_RP.secret,
        redirect_uris: [BENCH_REDIRECT_URI],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'RS256',
      },
    ],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    cookies: { keys: ['kakehashi-bench-cookie-key-test-only'] },
    jwks: { keys: [signingKey] },
    claims: { openid: ['sub'], profile: ['family_name', 'given_name', 'birthdate'] },
    // Put the profile claims into the ID token, as a Kakehashi node does (default: userinfo only).
    conformIdTokenClaims: false,
    findAccount: async (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: async () => ({ ...ACCOUNT, sub: id }),
    }),
  });
  const handle = provider.callback();
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.startsWith('/interaction/')) {
      void (async () => {
        try {
          const details = await provider.interactionDetails(req, res);
          const grant = new provider.Grant({ accountId: ACCOUNT.sub, clientId: details.params.client_id as string });
          grant.addOIDCScope(details.params.scope ?? 'openid');
          const grantId = await grant.save();
          await provider.interactionFinished(
            req,
            res,
            { login: { accountId: ACCOUNT.sub }, consent: { grantId } },
            { mergeWithLastSubmission: false },
          );
        } catch (e) {
          res.statusCode = 500;
          res.end(String(e));
        }
      })();
      return;
    }
    handle(req, res);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(port, '127.0.0.1', () => res());
  });
  return {
    issuer,
    close: () =>
      new Promise<void>((res) => {
        server.close(() => res());
        server.closeAllConnections();
      }),
  };
}

const SELF = fileURLToPath(import.meta.url);

/** Starts `serveOidcProvider` in its own Node process (as `kakehashi start` is); resolves once it listens. */
export async function startOidcProviderProcess(
  port: number,
  moduleDir?: string,
): Promise<{ issuer: string; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    [SELF, 'serve-oidc-provider', String(port), ...(moduleDir ? [moduleDir] : [])],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const lines = createInterface({ input: child.stdout });
  const issuer = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`oidc-provider not ready after 30 s: ${stderr.slice(-500)}`)), 30_000);
    lines.on('line', (l) => {
      try {
        const e = JSON.parse(l) as { event?: string; issuer?: string };
        if (e.event === 'oidc-provider-ready') {
          clearTimeout(timer);
          res(e.issuer as string);
        }
      } catch {
        /* not ours */
      }
    });
    child.once('exit', (code) => rej(new Error(`oidc-provider exited with ${code}: ${stderr.slice(-500)}`)));
  });
  return {
    issuer,
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGTERM');
      }),
  };
}

if (process.argv[1] === SELF && process.argv[2] === 'serve-oidc-provider') {
  const served = await serveOidcProvider(Number(process.argv[3] ?? 0), process.argv[4]);
  process.stdout.write(`${JSON.stringify({ event: 'oidc-provider-ready', issuer: served.issuer })}\n`);
  process.once('SIGTERM', () => {
    void served.close().then(() => process.exit(0));
  });
}

/** Login throughput and latency of one target over a measured window. */
export interface LoginFigures {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  httpRequestsPerLogin: number;
  logins: number;
}

/**
 * Logins against several targets, interleaved: `rounds` slices of `ms / rounds` each, target after target, with
 * `concurrency` clients each, so that a noisy neighbour on a shared machine slows all of them alike (the ratio is
 * what matters). 20 sequential warm-up logins per target first (JIT, connections).
 */
export async function interleavedLoginLoad(
  ms: number,
  concurrency: number,
  rounds: number,
  targets: OidcTarget[],
): Promise<LoginFigures[]> {
  const acc = targets.map(() => ({ latencies: [] as number[], elapsedMs: 0, httpRequestsPerLogin: 0 }));
  for (const [i, t] of targets.entries()) {
    const a = acc[i] as (typeof acc)[number];
    for (let w = 0; w < 20; w++) a.httpRequestsPerLogin = await oidcLoginFlow(t);
  }
  for (let r = 0; r < rounds; r++) {
    for (const [i, t] of targets.entries()) {
      const a = acc[i] as (typeof acc)[number];
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() - t0 < ms / rounds) {
            const s = performance.now();
            await oidcLoginFlow(t);
            a.latencies.push(performance.now() - s);
          }
        }),
      );
      a.elapsedMs += performance.now() - t0;
    }
  }
  return acc.map((a) => {
    return {
      perSecond: Math.round((a.latencies.length / (a.elapsedMs / 1000)) * 10) / 10,
      p50Ms: percentile(a.latencies, 0.5),
      p99Ms: percentile(a.latencies, 0.99),
      httpRequestsPerLogin: a.httpRequestsPerLogin,
      logins: a.latencies.length,
    };
  });
}
