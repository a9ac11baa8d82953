import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SAML, type SamlConfig, ValidateInResponseTo } from '@node-saml/node-saml';
import * as client from 'openid-client';

/**
 * Real relying parties for the browser lane: tiny HTTP servers on an OS-chosen loopback port, in the test process,
 * built on the libraries integrators use — openid-client (default settings: `client_secret_post`, PKCE S256,
 * state, nonce) for OIDC and @node-saml/node-saml for SAML. The browser starts at `<url>/login`, ends at the
 * callback (ACS), and the server keeps what it received and validated; its page shows the outcome with
 * `data-testid="rp-result"` and `data-outcome="valid" | "error"`.
 */
export interface RelyingParty<T> {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Where a browser starts a login (query parameters are passed on to the authorization request). */
  loginUrl(params?: Record<string, string>): string;
  /** Every completed callback, in order: the validated result or the library's refusal. */
  results: RpResult<T>[];
  close(): Promise<void>;
}

export type RpResult<T> = { outcome: 'valid'; value: T } | { outcome: 'error'; error: string };

/** What the OIDC relying party holds after a login: the validated ID token's claims and the token response. */
export interface OidcLogin {
  claims: client.IDToken & Record<string, unknown>;
  tokens: client.TokenEndpointResponse;
  /** The callback URL the browser arrived on (code, state, iss). */
  callback: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function page(res: ServerResponse, status: number, result: RpResult<unknown>): void {
  const body = result.outcome === 'valid' ? JSON.stringify(result.value, null, 2) : result.error;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test relying party</title></head><body><h1>Test relying party</h1><pre data-testid="rp-result" data-outcome="${result.outcome}">${esc(body)}</pre></body></html>`,
  );
}

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse, self: URL) => Promise<void>,
): Promise<{ server: Server; url: string }> {
  let url = '';
  const server = createServer((req, res) => {
    handler(req, res, new URL(req.url ?? '/', url)).catch((e: unknown) => {
      if (!res.headersSent) page(res, 500, { outcome: 'error', error: String(e) });
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, url };
}

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

/**
 * An OIDC relying party of `issuer` (a node), using openid-client with its default settings: discovery, the
 * client secret sent as `client_secret_post`, authorization code + PKCE S256, state and nonce, the ID token
 * validated by the library (signature from the JWKS, iss, aud, exp, iat, nonce). Only plain HTTP is allowed
 * besides (the federation listens on loopback without TLS).
 */
export async function startOidcRp(opts: {
  issuer: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
}): Promise<RelyingParty<OidcLogin>> {
  const results: RpResult<OidcLogin>[] = [];
  const pending = new Map<string, { verifier: string; nonce: string }>();
  let config: Promise<client.Configuration> | undefined;
  const configuration = () => {
    config ??= client.discovery(new URL(opts.issuer), opts.clientId, opts.clientSecret, undefined, {
      execute: [client.allowInsecureRequests],
    });
    return config;
  };
  const { server, url } = await listen(async (_req, res, self) => {
    if (self.pathname === '/login') {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      pending.set(state, { verifier, nonce });
      const location = client.buildAuthorizationUrl(await configuration(), {
        ...Object.fromEntries(self.searchParams),
        redirect_uri: `${url}/callback`,
        scope: opts.scope ?? 'openid profile',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      res.writeHead(302, { location: location.href, 'cache-control': 'no-store' });
      res.end();
      return;
    }
    if (self.pathname === '/callback') {
      const state = self.searchParams.get('state') ?? '';
      const p = pending.get(state);
      pending.delete(state);
      let result: RpResult<OidcLogin>;
      try {
        if (!p) throw new Error(`no pending login for state ${JSON.stringify(state)}: ${self.search}`);
        const tokens = await client.authorizationCodeGrant(await configuration(), self, {
          pkceCodeVerifier: p.verifier,
          expectedState: state,
          expectedNonce: p.nonce,
          idTokenExpected: true,
        });
        const claims = tokens.claims() as client.IDToken & Record<string, unknown>;
        result = { outcome: 'valid', value: { claims, tokens, callback: self.href } };
      } catch (e) {
        const err = e as Error & { code?: string; cause?: unknown };
        result = { outcome: 'error', error: `${err.code ?? err.name}: ${err.message} ${JSON.stringify(err.cause)}` };
      }
      results.push(result);
      page(
        res,
        result.outcome === 'valid' ? 200 : 400,
        result.outcome === 'valid' ? { outcome: 'valid', value: result.value.claims } : result,
      );
      return;
    }
    res.writeHead(404).end();
  });
  return {
    url,
    loginUrl: (params = {}) => `${url}/login${Object.keys(params).length ? `?${new URLSearchParams(params)}` : ''}`,
    results,
    close: () => closeServer(server),
  };
}

/** What the SAML service provider holds after a login: the validated profile (node-saml's view of the assertion). */
export interface SamlLogin {
  profile: NonNullable<Awaited<ReturnType<SAML['validatePostResponseAsync']>>['profile']>;
  relayState?: string | undefined;
}

/**
 * A SAML service provider using @node-saml/node-saml: a signed AuthnRequest over the HTTP-Redirect binding to the
 * IdP's SSO, the Response posted to `<url>/acs` validated by the library (Destination, InResponseTo, audience,
 * conditions, both signatures, the encrypted assertion decrypted with `privateKeyPem`).
 */
export async function startSamlSp(opts: {
  entityId: string;
  ssoUrl: string;
  idpEntityId: string;
  idpCert: string;
  privateKeyPem: string;
  loa: string;
}): Promise<RelyingParty<SamlLogin>> {
  const results: RpResult<SamlLogin>[] = [];
  let saml: SAML | undefined;
  const { server, url } = await listen(async (req, res, self) => {
    if (self.pathname === '/login') {
      const location = await (saml as SAML).getAuthorizeUrlAsync(
        self.searchParams.get('RelayState') ?? '',
        undefined,
        {},
      );
      res.writeHead(302, { location, 'cache-control': 'no-store' });
      res.end();
      return;
    }
    if (self.pathname === '/acs' && req.method === 'POST') {
      const form = await readForm(req);
      let result: RpResult<SamlLogin>;
      try {
        const { profile } = await (saml as SAML).validatePostResponseAsync(form);
        if (!profile) throw new Error('node-saml returned no profile');
        result = { outcome: 'valid', value: { profile, relayState: form.RelayState } };
      } catch (e) {
        result = { outcome: 'error', error: String(e) };
      }
      results.push(result);
      page(res, result.outcome === 'valid' ? 200 : 400, result);
      return;
    }
    res.writeHead(404).end();
  });
  const config: SamlConfig = {
    entryPoint: opts.ssoUrl,
    issuer: opts.entityId,
    callbackUrl: `${url}/acs`,
    idpCert: opts.idpCert,
    idpIssuer: opts.idpEntityId,
    audience: opts.entityId,
    privateKey: opts.privateKeyPem,
    decryptionPvk: opts.privateKeyPem,
    signatureAlgorithm: 'sha256',
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: true,
    identifierFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    racComparison: 'minimum',
    authnContext: [opts.loa],
    validateInResponseTo: ValidateInResponseTo.always,
  };
  saml = new SAML(config);
  return {
    url,
    loginUrl: (params = {}) => `${url}/login${Object.keys(params).length ? `?${new URLSearchParams(params)}` : ''}`,
    results,
    close: () => closeServer(server),
  };
}
