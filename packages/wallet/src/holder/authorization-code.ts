import { randomBytes } from 'node:crypto';
import { Oauth2Client } from '@openid4vc/oauth2';
import type { Openid4vciClient } from '@openid4vc/openid4vci';

/** The redirect URI of the headless wallet (a real wallet app registers its own scheme or universal link). */
export const HEADLESS_REDIRECT_URI = 'https://wallet.kakehashi.test/callback';
/** The client identifier the headless wallet uses at an authorization server (a public client). */
export const HEADLESS_CLIENT_ID = 'kakehashi-headless-wallet';

/**
 * How the person logs in: given the authorization request URL, answers the URL the authorization server finally
 * redirects the browser to (the wallet's redirect URI with `code`, `state`, `iss`). The headless wallet's
 * {@link pickPersonaLogin} drives the node's persona picker; a browser test drives the real page.
 */
export type LoginDriver = (authorizationRequestUrl: string, redirectUri: string) => Promise<string>;

/**
 * A headless login at a node's eID: follows the redirects from the authorization request to the persona picker,
 * posts the picker's form with `persona` (as the headless OIDC tests and the CLI do: the person's choice, never a
 * parameter of the issuer), and follows on until the wallet's redirect URI.
 */
export function pickPersonaLogin(fetcher: typeof fetch, persona: string): LoginDriver {
  return async (start, redirectUri) => {
    let url = start;
    let init: RequestInit = { redirect: 'manual' };
    for (let hop = 0; hop < 10; hop++) {
      if (url.startsWith(redirectUri)) return url;
      const res = await fetcher(url, init);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel();
        url = new URL(location, url).toString();
        init = { redirect: 'manual' };
        continue;
      }
      const html = await res.text();
      const requestId = /name="request_id" value="([^"]+)"/.exec(html)?.[1];
      if (res.status !== 200 || !requestId)
        throw new Error(`the login stopped at ${new URL(url).pathname} (${res.status}) without a persona picker`);
      url = new URL('/oidc/login', url).toString();
      init = {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ request_id: requestId, persona }).toString(),
      };
    }
    throw new Error('the login did not come back to the wallet within 10 redirects');
  };
}

/**
 * The wallet's side of the authorization code flow (OpenID4VCI §5–6): the request pushed with PKCE S256, a state
 * and the offer's `issuer_state` (@openid4vc/oauth2's `createAuthorizationRequestUrl`, which pushes when the
 * authorization server asks for PAR), the login, the redirect's `state` and `iss` checked, the code exchanged with the verifier.
 * Answers the access token.
 * @see https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0-final.html#section-5.1
 */
export async function authorizationCodeAccessToken(
  client: Openid4vciClient,
  opts: {
    offer: Parameters<Openid4vciClient['initiateAuthorization']>[0]['credentialOffer'];
    issuerMetadata: Parameters<Openid4vciClient['initiateAuthorization']>[0]['issuerMetadata'];
    scope: string | undefined;
    login: LoginDriver;
    /** The crypto and fetch callbacks of the wallet's client (PKCE's hash and random). */
    callbacks: ConstructorParameters<typeof Oauth2Client>[0]['callbacks'];
    redirectUri?: string;
    clientId?: string;
  },
): Promise<string> {
  const { callbacks } = opts;
  const redirectUri = opts.redirectUri ?? HEADLESS_REDIRECT_URI;
  const clientId = opts.clientId ?? HEADLESS_CLIENT_ID;
  const state = randomBytes(16).toString('base64url');
  // The offer's authorization server (this issuer names one); @openid4vc/oauth2 pushes the request when it asks for
  // PAR, with a fresh PKCE S256 pair. (openid4vci's initiateAuthorization would drop the state: not used.)
  const grant = opts.offer.grants?.authorization_code;
  const authorizationServer = opts.issuerMetadata.authorizationServers.find(
    (a) => a.issuer === (grant?.authorization_server ?? opts.issuerMetadata.authorizationServers[0]?.issuer),
  );
  if (!grant || !authorizationServer) throw new Error('the offer has no authorization_code grant this wallet can use');
  const started = await new Oauth2Client({ callbacks }).createAuthorizationRequestUrl({
    authorizationServerMetadata: authorizationServer,
    clientId,
    redirectUri,
    state,
    resource: opts.issuerMetadata.credentialIssuer.credential_issuer,
    ...(opts.scope ? { scope: opts.scope } : {}),
    additionalRequestPayload: grant.issuer_state ? { issuer_state: grant.issuer_state } : {},
  });
  const back = await opts.login(started.authorizationRequestUrl, redirectUri);
  const response = client.parseAndVerifyAuthorizationResponseRedirectUrl({
    url: back,
    authorizationServerMetadata: authorizationServer,
  });
  if (response.error !== undefined)
    throw new Error(`the login was refused: ${response.error} ${String(response.error_description ?? '')}`);
  if (response.state !== state) throw new Error('the authorization response carries another state (CSRF)');
  const { accessTokenResponse } = await client.retrieveAuthorizationCodeAccessTokenFromOffer({
    credentialOffer: opts.offer,
    issuerMetadata: opts.issuerMetadata,
    authorizationCode: response.code,
    ...(started.pkce ? { pkceCodeVerifier: started.pkce.codeVerifier } : {}),
    redirectUri,
    additionalRequestPayload: { client_id: clientId },
  });
  return accessTokenResponse.access_token;
}
