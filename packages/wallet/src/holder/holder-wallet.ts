import { createHash, createPrivateKey, createPublicKey, type KeyObject, randomBytes, sign } from 'node:crypto';
import { Openid4vciClient } from '@openid4vc/openid4vci';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { DcqlQuery } from 'dcql';
import { type EcKeyPair, freshEcKey } from '../crypto/ec-key.ts';
import { oid4vcCallbacks } from '../crypto/oid4vc-callbacks.ts';
import { sdJwtHasher } from '../issuer/issue-sd-jwt.ts';
import { PID_SD_JWT_CONFIGURATION_ID } from '../issuer/metadata.ts';
import { createMdocDeviceResponse, mdocNamespaces } from '../mdoc/present-mdoc.ts';
import type { TrustVerifierCertificate } from '../verifier/request-object.ts';
import { authorizationCodeAccessToken, type LoginDriver } from './authorization-code.ts';
import {
  checkPresentationRequest,
  encryptionKeyOf,
  type PresentationRequest,
  resolvePresentationRequest,
  submitAuthorizationResponse,
  type WalletErrorCode,
} from './openid4vp-holder.ts';
import { type HeldWalletAttestation, walletAttestationAuth } from './wallet-attestation-client.ts';

/** A credential the wallet holds. */
export interface HeldCredential {
  format: CredentialFormat;
  credentialIssuer: string;
  /** The SD-JWT VC's vct; an mdoc's doctype. */
  vct: string;
  /** The SD-JWT VC as issued (every disclosure, no key binding); an mdoc's base64url IssuerSigned. */
  credential: string;
}

/** The credential formats the wallet receives and presents. */
export type CredentialFormat = 'dc+sd-jwt' | 'mso_mdoc';

export { type PresentationRequest, parseRequestUrl } from './openid4vp-holder.ts';

/** What a holder is made with: how it reaches the network, its clock, and (optionally) a trust view. */
export interface HolderOptions {
  fetch: typeof fetch;
  clock: HolderClock;
  trustVerifier?: TrustVerifierCertificate | undefined;
  /**
   * The wallet provider's attestation endpoint the wallet-unit attestation is asked of (default: the one at the node
   * of the token endpoint); `false`: none is sent (a wallet without attestation, which a strict PID provider refuses).
   */
  walletProvider?: string | false | undefined;
  /**
   * Put the wallet provider's key attestation in the proof's `key_attestation` header (OpenID4VCI App. D). Off by
   * default: @openid4vc/openid4vci 0.4.6 checks its `exp` against the machine's clock, not the issuer's (virtual) one,
   * so it holds only while the federation's clock is near real time.
   */
  keyAttestation?: boolean | undefined;
}

/** A wallet as data: its device key (private JWK, P-256), its credentials and its wallet-unit attestation. */
export interface WalletState {
  deviceKey: EcKeyPair['publicJwk'] & { d: string };
  credentials: HeldCredential[];
  walletAttestation?: HeldWalletAttestation | undefined;
}

/** The clock the holder signs by (the federation's virtual clock, so its proofs and key bindings are on time). */
export interface HolderClock {
  now(): Date;
}

/**
 * A headless EUDI wallet for one persona: a device-bound P-256 key (generated here, never leaving the object),
 * credential storage, `receive` (OpenID4VCI pre-authorised code flow with @openid4vc/openid4vci's client) and
 * `present` (OpenID4VP direct_post: the DCQL query matched with the dcql library, only the requested claims
 * disclosed, a KB-JWT with the request's nonce and client_id; consent is automatic — the wallet is headless).
 * @see https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0-final.html#section-3.5
 * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html#section-8.2
 */
/** The request asks for no credential the wallet holds (DCQL matching found none): the wallet cannot answer it. */
export class NoMatchingCredentialError extends Error {
  override readonly name = 'NoMatchingCredentialError';
  readonly queryId: string;
  /** The formats the request's credential queries ask for. */
  readonly formats: string[];
  constructor(queryId: string, formats: string[]) {
    super(`no credential in the wallet matches the query "${queryId}" (${formats.join(', ')})`);
    this.queryId = queryId;
    this.formats = formats;
  }
}

export class HolderWallet {
  readonly #key: EcKeyPair;
  readonly #fetch: typeof fetch;
  readonly #clock: HolderClock;
  readonly #trustVerifier: TrustVerifierCertificate | undefined;
  readonly #keyAttestation: boolean;
  /** OAuth 2.0 Attestation-Based Client Authentication with the wallet-unit attestation (or none). */
  readonly #clientAuthentication: ReturnType<typeof walletAttestationAuth> | (() => void);
  readonly credentials: HeldCredential[] = [];

  /**
   * `trustVerifier` judges the access certificate of a signed request (e.g. {@link trustThroughNode}); without it the
   * wallet checks the request object's signature and `x509_hash` binding only.
   */
  constructor(opts: HolderOptions & { key?: EcKeyPair; walletAttestation?: HeldWalletAttestation | undefined }) {
    this.#key = opts.key ?? freshEcKey();
    this.#fetch = opts.fetch;
    this.#clock = opts.clock;
    this.#trustVerifier = opts.trustVerifier;
    this.#keyAttestation = opts.keyAttestation === true;
    this.#clientAuthentication =
      opts.walletProvider === false
        ? () => {}
        : walletAttestationAuth({
            fetch: opts.fetch,
            clock: opts.clock,
            key: this.#key,
            provider: opts.walletProvider,
            held: opts.walletAttestation,
          });
  }

  /**
   * The wallet as data (the device key's private JWK and the credentials), for a CLI that keeps one wallet per
   * persona between runs. TEST ONLY: a real wallet never exports its device key.
   */
  exportState(): WalletState {
    const d = this.#key.privateKey.export({ format: 'jwk' }).d as string;
    const walletAttestation = 'held' in this.#clientAuthentication ? this.#clientAuthentication.held() : undefined;
    return {
      deviceKey: { ...this.#key.publicJwk, d },
      credentials: [...this.credentials],
      ...(walletAttestation ? { walletAttestation } : {}),
    };
  }

  /** A wallet from {@link exportState}'s data. */
  static restore(state: WalletState, opts: HolderOptions): HolderWallet {
    const privateKey = createPrivateKey({ key: state.deviceKey, format: 'jwk' });
    const { d: _d, ...publicJwk } = state.deviceKey;
    const wallet = new HolderWallet({
      ...opts,
      key: { privateKey, publicKey: createPublicKey(privateKey), publicJwk },
      walletAttestation: state.walletAttestation,
    });
    wallet.credentials.push(...state.credentials);
    return wallet;
  }

  /** The device key's public JWK (what the issuer puts in cnf.jwk). */
  get publicJwk(): EcKeyPair['publicJwk'] {
    return this.#key.publicJwk;
  }

  /**
   * Runs the issuance flow for a credential offer (URL or JSON) and stores the credential: the offered
   * configuration of the given format (default the first offered; `mso_mdoc` the PID as ISO mdoc). The flow is
   * the pre-authorised code (with `txCode` when the offer asks for one), or with `login` the authorization code
   * flow: PAR, PKCE S256, the person logged in by `login` (e.g. {@link pickPersonaLogin}; a browser for a person),
   * the code back at `redirectUri` (default the headless wallet's) and exchanged.
   */
  async receive(
    credentialOffer: string,
    opts: { format?: CredentialFormat; txCode?: string; login?: LoginDriver; redirectUri?: string } = {},
  ): Promise<HeldCredential> {
    const callbacks = {
      ...oid4vcCallbacks({ fetch: this.#fetch, signingKey: this.#key.privateKey }),
      clientAuthentication: this.#clientAuthentication,
    } as never;
    const client = new Openid4vciClient({ callbacks });
    const offer = await client.resolveCredentialOffer(credentialOffer);
    const issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer);
    const configurations = issuerMetadata.credentialIssuer.credential_configurations_supported as Record<
      string,
      { format?: string }
    >;
    const configurationId = opts.format
      ? offer.credential_configuration_ids.find((id) => configurations[id]?.format === opts.format)
      : (offer.credential_configuration_ids[0] ?? PID_SD_JWT_CONFIGURATION_ID);
    if (!configurationId) throw new Error(`the offer has no ${opts.format} credential`);
    const format: CredentialFormat = configurations[configurationId]?.format === 'mso_mdoc' ? 'mso_mdoc' : 'dc+sd-jwt';
    const scope = (configurations[configurationId] as { scope?: string } | undefined)?.scope;
    const accessToken = opts.login
      ? await authorizationCodeAccessToken(client, {
          offer,
          issuerMetadata,
          scope,
          login: opts.login,
          callbacks,
          ...(opts.redirectUri ? { redirectUri: opts.redirectUri } : {}),
        })
      : (
          await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
            credentialOffer: offer,
            issuerMetadata,
            ...(opts.txCode !== undefined ? { txCode: opts.txCode } : {}),
          })
        ).accessTokenResponse.access_token;
    const { c_nonce } = await client.requestNonce({ issuerMetadata });
    const keyAttestation =
      this.#keyAttestation && 'keyAttestation' in this.#clientAuthentication
        ? this.#clientAuthentication.keyAttestation()
        : undefined;
    const { jwt } = await client.createCredentialRequestJwtProof({
      issuerMetadata,
      credentialConfigurationId: configurationId,
      nonce: c_nonce,
      issuedAt: this.#clock.now(),
      signer: { method: 'jwk', alg: 'ES256', publicJwk: this.#key.publicJwk },
      // the wallet provider's attestation of this key (OpenID4VCI App. D), when it gave one
      ...(keyAttestation ? { keyAttestationJwt: keyAttestation } : {}),
    });
    const response = await client.retrieveCredentials({
      issuerMetadata,
      accessToken,
      credentialConfigurationId: configurationId,
      proofs: { jwt: [jwt] },
    });
    if (!response.ok) throw new Error(`the issuer refused the credential request (${response.response.status})`);
    const first = response.credentialResponse.credentials?.[0];
    const credential = typeof first === 'object' && first && 'credential' in first ? first.credential : first;
    if (typeof credential !== 'string') throw new Error(`the issuer answered no ${format} credential`);
    const vct =
      format === 'mso_mdoc'
        ? mdocNamespaces(credential).doctype
        : String(((await this.#sdjwt().getClaims(credential)) as { vct?: unknown }).vct ?? '');
    const held: HeldCredential = { format, credentialIssuer: offer.credential_issuer, vct, credential };
    this.credentials.push(held);
    return held;
  }

  /**
   * Answers an OpenID4VP request: picks the credential the DCQL query matches, discloses the claims it names,
   * binds the presentation to the request (KB-JWT: nonce, aud = client_id, iat, sd_hash) and posts the form to the
   * response URI. Returns the verifier's answer (status and body).
   */
  async present(request: PresentationRequest | string): Promise<{ status: number; body: unknown }> {
    const { request: req, vpToken } = await this.createPresentation(request);
    return this.respond(req, vpToken);
  }

  /**
   * Posts a `vp_token` to a request's response URI with its `state` — as one JWE to the request's key when it
   * asked for `direct_post.jwt` (§8.3) — through @openid4vc/openid4vp's client, and returns the verifier's answer.
   * `present` is `createPresentation` then this; the security lab posts forged tokens with it (the library sends
   * the token as given).
   */
  async respond(
    req: PresentationRequest,
    vpToken: Record<string, string[]>,
  ): Promise<{ status: number; body: unknown }> {
    return submitAuthorizationResponse(req, { vp_token: vpToken }, this.#fetch);
  }

  /**
   * Refuses a request: the error response (§8.5, default `access_denied`: the user declined) with the request's
   * `state`, to the response URI of the request as resolved and checked — encrypted to the request's key when it
   * asked for `direct_post.jwt` (§8.3.1). Returns the verifier's answer (a same-device `redirect_uri` included).
   * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html#section-8.3.1
   */
  async decline(
    request: PresentationRequest | string,
    error: WalletErrorCode = 'access_denied',
  ): Promise<{ status: number; body: unknown }> {
    const req = await this.#resolve(request);
    await checkPresentationRequest(req, this.#fetch);
    return submitAuthorizationResponse(req, { error }, this.#fetch);
  }

  /**
   * The presentation `present` would post, without posting it: the request as read, the SD-JWT presentation and
   * the `vp_token` (credential query id → presentations, OpenID4VP §8.1).
   */
  async createPresentation(
    request: PresentationRequest | string,
  ): Promise<{ request: PresentationRequest; presentation: string; vpToken: Record<string, string[]> }> {
    const { request: req, held, frame, queryId, paths } = await this.#prepare(request);
    if (held.format === 'mso_mdoc') {
      // Annex B.2: a DeviceResponse signed over the request's SessionTranscript (the 1.0 OpenID4VPHandover).
      const presentation = await createMdocDeviceResponse({
        issuerSigned: held.credential,
        paths,
        devicePrivateJwk: this.#key.privateKey.export({ format: 'jwk' }) as never,
        handover: {
          clientId: req.client_id,
          nonce: req.nonce,
          responseUri: req.response_uri,
          encryptionJwk: req.response_mode === 'direct_post.jwt' ? (encryptionKeyOf(req) as never) : undefined,
        },
      });
      return { request: req, presentation, vpToken: { [queryId]: [presentation] } };
    }
    const presentation = await this.#sdjwt().present(held.credential, frame as never, {
      kb: { payload: { iat: Math.floor(this.#clock.now().getTime() / 1000), aud: req.client_id, nonce: req.nonce } },
    });
    return { request: req, presentation, vpToken: { [queryId]: [presentation] } };
  }

  /**
   * The disclosure step alone: the request as read and checked (as `createPresentation` does), the credential query
   * id, and the SD-JWT with the disclosures the query asks for and no key binding (`<issuer JWT>~<d>~…~`). With
   * {@link bind} it makes what `createPresentation` makes; the security lab changes what lies between.
   */
  async disclose(
    request: PresentationRequest | string,
  ): Promise<{ request: PresentationRequest; queryId: string; sdJwt: string }> {
    const { request: req, held, frame, queryId } = await this.#prepare(request);
    if (held.format !== 'dc+sd-jwt') throw new Error('disclose makes SD-JWT presentations only');
    return { request: req, queryId, sdJwt: await this.#sdjwt().present(held.credential, frame as never) };
  }

  /**
   * Appends a KB-JWT signed by the device key to an SD-JWT without one (`…~`): `typ` kb+jwt, ES256, the given
   * `aud`, `nonce` and `iat` (default now), `sd_hash` over the SD-JWT as given (RFC 9901 §4.3).
   */
  bind(sdJwt: string, payload: { aud: string; nonce: string; iat?: number }): string {
    return `${sdJwt}${keyBindingJwt(sdJwt, { iat: Math.floor(this.#clock.now().getTime() / 1000), ...payload }, this.#key.privateKey)}`;
  }

  async #prepare(request: PresentationRequest | string) {
    const req = await this.#resolve(request);
    await checkPresentationRequest(req, this.#fetch);
    const query = DcqlQuery.parse(req.dcql_query as never);
    DcqlQuery.validate(query);
    const cq = query.credentials[0] as { id: string; claims?: { path: (string | number | null)[] }[] };
    const held = await this.#match(query);
    if (!held)
      throw new NoMatchingCredentialError(
        cq.id,
        (query.credentials as { format: string }[]).map((c) => c.format),
      );
    const paths = (cq.claims ?? []).map((c) => c.path);
    return { request: req, held, frame: presentationFrame(paths), queryId: cq.id, paths };
  }

  /**
   * The request as the wallet acts on it, resolved by @openid4vc/openid4vp's client: by value (URL parameters or an
   * object), or by reference — `request_uri` fetched and its request object verified against the client_id of the
   * URL (`x509_hash:`, `x509_san_dns:`), its access certificate judged by the trust view when the wallet has one.
   */
  async #resolve(request: PresentationRequest | string): Promise<PresentationRequest> {
    return (await resolvePresentationRequest(request, { fetch: this.#fetch, trust: this.#trustVerifier })).request;
  }

  /** The first held credential that satisfies the query (dcql's matching over the credential's claims). */
  async #match(query: DcqlQuery): Promise<HeldCredential | undefined> {
    for (const held of this.credentials) {
      if (held.format === 'mso_mdoc') {
        const { doctype, namespaces } = mdocNamespaces(held.credential);
        const result = DcqlQuery.query(query, [
          {
            credential_format: 'mso_mdoc',
            doctype,
            namespaces: namespaces as never,
            cryptographic_holder_binding: true,
          },
        ]);
        if (result.can_be_satisfied) return held;
        continue;
      }
      const claims = (await this.#sdjwt().getClaims(held.credential)) as Record<string, unknown>;
      const result = DcqlQuery.query(query, [
        { credential_format: 'dc+sd-jwt', vct: held.vct, claims: claims as never, cryptographic_holder_binding: true },
      ]);
      if (result.can_be_satisfied) return held;
    }
    return undefined;
  }

  #sdjwt(): SDJwtVcInstance {
    return new SDJwtVcInstance({
      hasher: sdJwtHasher,
      hashAlg: 'sha-256',
      kbSignAlg: 'ES256',
      kbSigner: (data: string) =>
        sign('sha256', Buffer.from(data, 'ascii'), { key: this.#key.privateKey, dsaEncoding: 'ieee-p1363' }).toString(
          'base64url',
        ),
      saltGenerator: () => randomBytes(16).toString('base64url'),
    });
  }
}

/**
 * A KB-JWT for an SD-JWT without key binding (`…~`), signed by `key` (ES256): header `typ` kb+jwt, payload `iat`,
 * `aud`, `nonce` and `sd_hash` (base64url SHA-256 of the SD-JWT as given).
 * @see https://www.rfc-editor.org/rfc/rfc9901#section-4.3
 */
export function keyBindingJwt(
  sdJwt: string,
  payload: { aud: string; nonce: string; iat: number },
  key: KeyObject,
): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const sdHash = createHash('sha256').update(sdJwt, 'ascii').digest('base64url');
  const input = `${enc({ typ: 'kb+jwt', alg: 'ES256' })}.${enc({ iat: payload.iat, aud: payload.aud, nonce: payload.nonce, sd_hash: sdHash })}`;
  return `${input}.${sign('sha256', Buffer.from(input, 'ascii'), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

/**
 * The SD-JWT presentation frame for DCQL claim paths: `['family_name']` → `{family_name: true}`,
 * `['eidas_person_identifiers', 'DE']` → `{eidas_person_identifiers: {DE: true}}` (object members only; an array
 * index or wildcard discloses the whole claim).
 */
export function presentationFrame(paths: (string | number | null)[][]): Record<string, unknown> {
  const frame: Record<string, unknown> = {};
  for (const path of paths) {
    let node = frame;
    for (let i = 0; i < path.length; i++) {
      const key = path[i];
      if (typeof key !== 'string') break;
      const last = i === path.length - 1 || typeof path[i + 1] !== 'string';
      if (last) {
        node[key] = true;
        break;
      }
      if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
  }
  return frame;
}
