import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import * as client from 'openid-client';

/**
 * WEAKENED ON PURPOSE — a copy of `examples/relying-party` with the mistakes integrators make (marked `WEAKENED`),
 * for `kakehashi attack run --target oidc-rp` to find: the ID token's signature is never verified, its type never
 * looked at, and the level of assurance asked for but never checked. Never copy this one.
 *
 * A small relying party, as an integrator would write one: "Log in with your eID" at a Kakehashi node (OpenID
 * Connect, authorization code + PKCE, openid-client with its default settings), then a page with the person's eIDAS
 * minimum data set. Nothing in it knows about tests: the same app runs against `kakehashi start` or, in its tests,
 * against `@kakehashi/msw`.
 */
export interface RelyingPartyOptions {
  /** The OpenID provider: a Kakehashi node's origin, e.g. `http://127.0.0.1:7002` (DE). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Where browsers reach this app (its redirect URI is `<baseUrl>/callback`); default: the request's own origin. */
  baseUrl?: string;
  /**
   * The lowest eIDAS level of assurance the app asks for with `acr_values` (WEAKENED: and never checks).
   */
  minimumLoa?: string;
  /** The fetch openid-client uses (tests route it into an in-process federation); default: the global fetch. */
  fetch?: typeof fetch;
}

/** The eIDAS natural-person minimum data set, as the provider's ID token carries it. */
export interface MinimumDataSet {
  familyName: string;
  givenName: string;
  dateOfBirth: string;
  personIdentifier: string;
  familyNameLatin?: string;
  givenNameLatin?: string;
  levelOfAssurance: string;
  issuer: string;
}

interface PendingLogin {
  verifier: string;
  state: string;
  nonce: string;
}

const LOGIN_COOKIE = 'rp_login';
const SESSION_COOKIE = 'rp_session';
/** Query parameters of `/login` passed on to the provider (Kakehashi's test-only persona and country choice). */
const PASSED_ON = ['kakehashi_persona', 'kakehashi_country', 'acr_values', 'prompt', 'max_age'];

export function createRelyingParty(options: RelyingPartyOptions): Hono {
  const app = new Hono();
  let configuration: Promise<client.Configuration> | undefined;
  // WEAKENED: openid-client's defaults only. An ID token from the token endpoint is then trusted on the strength of
  // TLS (OIDC Core §3.1.3.7 item 6) and its signature never verified — over plain HTTP, or whenever the token
  // endpoint's answer is not what the provider signed, a forged signature goes unnoticed.
  const config = () => {
    configuration ??= client
      .discovery(new URL(options.issuer), options.clientId, options.clientSecret, undefined, {
        execute: [client.allowInsecureRequests],
        ...(options.fetch ? { [client.customFetch]: options.fetch as client.CustomFetch } : {}),
      })
      .catch((e: unknown) => {
        configuration = undefined;
        throw e;
      });
    return configuration;
  };
  const pending = new Map<string, PendingLogin>();
  const sessions = new Map<string, MinimumDataSet>();
  const redirectUri = (requestUrl: string) => `${options.baseUrl ?? new URL(requestUrl).origin}/callback`;

  app.get('/', (c) => {
    const person = sessions.get(getCookie(c, SESSION_COOKIE) ?? '');
    return c.html(person ? personPage(person) : page('Welcome', '<p><a href="/login">Log in with your eID</a></p>'));
  });

  app.get('/login', async (c) => {
    const login: PendingLogin = {
      verifier: client.randomPKCECodeVerifier(),
      state: client.randomState(),
      nonce: client.randomNonce(),
    };
    const id = randomBytes(16).toString('base64url');
    pending.set(id, login);
    setCookie(c, LOGIN_COOKIE, id, { httpOnly: true, sameSite: 'Lax', path: '/' });
    const extra: Record<string, string> = Object.fromEntries(
      PASSED_ON.flatMap((k) => (c.req.query(k) ? [[k, c.req.query(k) as string]] : [])),
    );
    if (options.minimumLoa && !extra.acr_values) extra.acr_values = options.minimumLoa;
    const url = client.buildAuthorizationUrl(await config(), {
      redirect_uri: redirectUri(c.req.url),
      scope: 'openid profile',
      code_challenge: await client.calculatePKCECodeChallenge(login.verifier),
      code_challenge_method: 'S256',
      state: login.state,
      nonce: login.nonce,
      ...extra,
    });
    return c.redirect(url.href, 302);
  });

  app.get('/callback', async (c) => {
    const id = getCookie(c, LOGIN_COOKIE) ?? '';
    const login = pending.get(id);
    pending.delete(id);
    if (!login) return c.html(page('Login failed', '<p>No login in progress in this browser.</p>'), 400);
    try {
      // The library checks state, iss (RFC 9207), the code exchange, and the ID token: signature, iss, aud, exp, nonce.
      const tokens = await client.authorizationCodeGrant(await config(), new URL(c.req.url), {
        pkceCodeVerifier: login.verifier,
        expectedState: login.state,
        expectedNonce: login.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims() as client.IDToken & Record<string, unknown>;
      // WEAKENED: the level of assurance was asked for (acr_values) but acr is never compared with minimumLoa; and
      // typ is never looked at (openid-client does not either): a logout token passes for an ID token.
      const person = minimumDataSet(claims);
      const session = randomBytes(16).toString('base64url');
      sessions.set(session, person);
      setCookie(c, SESSION_COOKIE, session, { httpOnly: true, sameSite: 'Lax', path: '/' });
      return c.redirect('/', 303);
    } catch (e) {
      const err = e as Error & { code?: string; error?: string };
      return c.html(
        page('Login failed', `<p data-testid="error">${esc(err.error ?? err.code ?? err.message)}</p>`),
        400,
      );
    }
  });

  /** The logged-in person as JSON (what a single-page front end would read). */
  app.get('/me', (c) => {
    const person = sessions.get(getCookie(c, SESSION_COOKIE) ?? '');
    return person ? c.json(person) : c.json({ error: 'not logged in' }, 401);
  });

  return app;
}

function minimumDataSet(claims: client.IDToken & Record<string, unknown>): MinimumDataSet {
  const text = (k: string) => (typeof claims[k] === 'string' ? (claims[k] as string) : undefined);
  return {
    familyName: text('family_name') ?? '',
    givenName: text('given_name') ?? '',
    dateOfBirth: text('birthdate') ?? '',
    personIdentifier: text('eidas_person_identifier') ?? '',
    ...(text('eidas_family_name_latin') ? { familyNameLatin: text('eidas_family_name_latin') } : {}),
    ...(text('eidas_given_name_latin') ? { givenNameLatin: text('eidas_given_name_latin') } : {}),
    levelOfAssurance: text('acr') ?? '',
    issuer: claims.iss,
  };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body><h1>${esc(title)}</h1>${body}</body></html>`;
}

function personPage(p: MinimumDataSet): string {
  const rows: [string, string, string | undefined][] = [
    ['family-name', 'Family name', p.familyName],
    ['family-name-latin', 'Family name (Latin script)', p.familyNameLatin],
    ['given-name', 'Given name', p.givenName],
    ['given-name-latin', 'Given name (Latin script)', p.givenNameLatin],
    ['date-of-birth', 'Date of birth', p.dateOfBirth],
    ['person-identifier', 'Person identifier', p.personIdentifier],
    ['loa', 'Level of assurance', p.levelOfAssurance],
    ['issuer', 'Identified by', p.issuer],
  ];
  const table = rows
    .filter((r): r is [string, string, string] => r[2] !== undefined && r[2] !== '')
    .map(([id, label, value]) => `<tr><th>${esc(label)}</th><td data-testid="${id}">${esc(value)}</td></tr>`)
    .join('');
  return page('You are logged in', `<table>${table}</table>`);
}
