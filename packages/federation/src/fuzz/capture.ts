import { createHash, randomBytes } from 'node:crypto';
import type { Federation } from '../create-federation.ts';

/** One HTTP request as the fuzzer sends it (and saves it when it fails). */
export interface HttpInput {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/**
 * Records the requests the federation's components send each other (the fetch every component uses): how the
 * fuzzer captures artefacts it does not send itself — the AS4 message of an access point, the signed calls of
 * Japan's agencies, a node's registration at the hub. On only while capturing.
 */
export class Recorder {
  readonly requests: HttpInput[] = [];
  recording = true;

  wrap = (inner: typeof fetch): typeof fetch => {
    return async (input, init) => {
      if (!this.recording) return inner(input, init);
      const request = new Request(input, init);
      const body = request.body ? Buffer.from(await request.clone().arrayBuffer()) : undefined;
      this.requests.push({
        method: request.method,
        url: request.url,
        headers: Object.fromEntries(request.headers),
        ...(body ? { body } : {}),
      });
      return inner(request);
    };
  };

  /** The recorded requests to `path` at `origin` (the newest last). */
  find(origin: string, path: string, method = 'POST'): HttpInput[] {
    return this.requests.filter(
      (r) => r.method === method && r.url.startsWith(origin) && new URL(r.url).pathname === path,
    );
  }
}

/** The entry points the fuzzer knows, in the order it runs them. */
export const ENTRY_POINTS = [
  'id-token',
  'token',
  'saml-sso',
  'saml-acs',
  'esig-xades',
  'esig-jades',
  'esig-cades',
  'as4',
  'jp-network',
  'registration',
] as const;
export type EntryPoint = (typeof ENTRY_POINTS)[number];

export type Corpus = Record<EntryPoint, HttpInput[]>;

export const DEMO_RP = 'kakehashi-demo-rp';
export const DEMO_RP_AUTH = `Basic ${Buffer.from(`${DEMO_RP}:kakehashi-demo-secret`).toString('base64')}`;
const REDIRECT = 'http://127.0.0.1:53999/cb';
export const ADMIN_TOKEN_HEADER = (token: string) => ({ authorization: `Bearer ${token}` });

const jsonPost = (url: string, body: unknown, headers: Record<string, string> = {}): HttpInput => ({
  method: 'POST',
  url,
  headers: { 'content-type': 'application/json', ...headers },
  body: Buffer.from(JSON.stringify(body)),
});

/** Sends a captured input through the federation's fetch. */
export function send(f: Pick<Federation, 'fetch'>, input: HttpInput): Promise<Response> {
  return f.fetch(input.url, {
    method: input.method,
    headers: input.headers,
    redirect: 'manual',
    ...(input.body && input.method !== 'GET' && input.method !== 'HEAD' ? { body: new Uint8Array(input.body) } : {}),
  });
}

/**
 * One OIDC login of the demo relying party at node `rp` (authorization code with PKCE; `extra` e.g. a citizen of
 * another country through the hub): the token request it would send, not sent, and the nonce.
 */
export async function oidcLogin(
  f: Federation,
  rp: string,
  extra: Record<string, string>,
): Promise<{ tokenRequest: HttpInput; nonce: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const nonce = randomBytes(12).toString('base64url');
  const q = new URLSearchParams({
    client_id: DEMO_RP,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid profile',
    state: randomBytes(8).toString('hex'),
    nonce,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...extra,
  });
  let url = `${f.urls.nodes[rp]}/oidc/authorize?${q}`;
  for (let hops = 0; hops < 10 && !url.startsWith(REDIRECT); hops++) {
    const res = await f.fetch(url, { redirect: 'manual' });
    const location = res.headers.get('location');
    if (res.status !== 302 || !location) throw new Error(`login at ${rp} stopped at ${url} with ${res.status}`);
    url = new URL(location, url).href;
  }
  const code = new URL(url).searchParams.get('code');
  if (!code) throw new Error(`login at ${rp} failed: ${new URL(url).searchParams.get('error_description')}`);
  return {
    nonce,
    tokenRequest: {
      method: 'POST',
      url: `${f.urls.nodes[rp]}/oidc/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: DEMO_RP_AUTH },
      body: Buffer.from(
        new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT,
          code_verifier: verifier,
        }).toString(),
      ),
    },
  };
}

/** A cross-border eIDAS SAML login of a citizen of `idp` at the connector of `sp`: the Redirect URL and the POST. */
export async function samlLogin(
  f: Federation,
  sp: string,
  idp: string,
  persona: string,
): Promise<{ sso: HttpInput; acs: HttpInput }> {
  const start = await f.fetch(`${f.urls.nodes[sp]}/saml/sp/login?country=${idp}&loa=low&persona=${persona}`, {
    redirect: 'manual',
  });
  const relay = start.headers.get('location');
  if (start.status !== 302 || !relay) throw new Error(`SAML login at ${sp} answered ${start.status}`);
  const relayed = await f.fetch(relay, { redirect: 'manual' });
  const idpUrl = relayed.headers.get('location');
  if (relayed.status !== 302 || !idpUrl) throw new Error(`the hub's SAML relay answered ${relayed.status}`);
  const html = await (await f.fetch(idpUrl)).text();
  const value = /name="SAMLResponse" value="([^"]*)"/
    .exec(html)?.[1]
    ?.replace(/&#(\d+);/g, (_, d) => String.fromCharCode(Number(d)));
  if (!value) throw new Error(`the IdP of ${idp} gave no SAMLResponse`);
  return {
    sso: { method: 'GET', url: idpUrl, headers: {} },
    acs: {
      method: 'POST',
      url: `${f.urls.nodes[sp]}/saml/sp/acs`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from(new URLSearchParams({ SAMLResponse: value }).toString()),
    },
  };
}

/** Sends `input` and returns its JSON answer, failing on a status other than `ok`. */
export async function sendJson<T>(f: Federation, input: HttpInput, ok = [200]): Promise<T> {
  const res = await send(f, input);
  const text = await res.text();
  if (!ok.includes(res.status))
    throw new Error(`${input.method} ${input.url} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/**
 * Runs the real flows once and keeps what they send: ID tokens (from logins, each wrapped in a request to the
 * hub's validation service), token requests (redeemed and fresh codes), SAML AuthnRequests (Redirect binding) and
 * Responses (POST binding), XAdES/JAdES/CAdES signatures of an agency of `eu`, an AS4 message from `eu` to JP,
 * signed calls of Japan's agencies to the network, and the nodes' registrations at the hub.
 */
export async function captureCorpus(
  f: Federation,
  recorder: Recorder,
  opts: { eu: 'DE'; adminToken: string; logins?: number },
): Promise<Corpus> {
  const { eu } = opts;
  const euUrl = f.urls.nodes[eu] as string;
  const jpUrl = f.urls.nodes.JP as string;
  const admin = ADMIN_TOKEN_HEADER(opts.adminToken);
  const logins = opts.logins ?? 6;
  const corpus = Object.fromEntries(ENTRY_POINTS.map((e) => [e, [] as HttpInput[]])) as unknown as Corpus;

  // OIDC: domestic logins at eu and cross-border ones (a citizen of eu at JP's relying party, through the hub).
  for (let i = 0; i < logins; i++) {
    const cross = i % 2 === 1;
    const rp = cross ? 'JP' : eu;
    const persona = `${eu.toLowerCase()}-00${1 + (i % 8)}`;
    const { tokenRequest, nonce } = await oidcLogin(
      f,
      rp,
      cross ? { kakehashi_country: eu, kakehashi_persona: persona } : { kakehashi_persona: persona },
    );
    corpus.token.push(tokenRequest);
    if (i >= logins / 2) continue; // the other half stays fresh: codes the fuzzer may redeem
    const tokens = await sendJson<{ id_token: string }>(f, tokenRequest);
    // Validated as the relying party would: the issuer and audience the token names, the nonce it sent.
    const claims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1] as string, 'base64url').toString()) as {
      aud: string | string[];
      iss: string;
    };
    corpus['id-token'].push(
      jsonPost(`${f.urls.hub}/eid/validate/id-token`, {
        token: tokens.id_token,
        expected: { issuer: claims.iss, audience: Array.isArray(claims.aud) ? claims.aud[0] : claims.aud, nonce },
      }),
    );
  }

  // SAML: a citizen of JP at the connector of eu, and one of eu at JP's.
  for (let i = 0; i < Math.max(2, logins / 2); i++) {
    const [sp, idp] = i % 2 === 0 ? [eu, 'JP'] : ['JP', eu];
    const { sso, acs } = await samlLogin(f, sp, idp, `${idp.toLowerCase()}-00${1 + (i % 8)}`);
    corpus['saml-sso'].push(sso);
    corpus['saml-acs'].push(acs);
    if (i < 2) {
      const v = await sendJson<{ valid: boolean }>(f, acs);
      if (!v.valid) throw new Error(`the captured SAML login at ${sp} did not validate`);
    }
  }

  // eSignature: an agency of eu signs; JP's validation service is the entry point.
  const signers = await sendJson<{ agencies: { id: string }[] }>(f, {
    method: 'GET',
    url: `${euUrl}/esig/signers`,
    headers: {},
  });
  const agency = signers.agencies[0]?.id as string;
  const doc = '<Bescheid xmlns="urn:kakehashi:fuzz"><Az>2026/001</Az><Text>Fuzz &amp; co</Text></Bescheid>';
  for (const format of ['xades', 'jades', 'cades'] as const)
    for (const level of ['B-B', 'B-T'] as const) {
      const signed = await sendJson<{ signature: string }>(
        f,
        jsonPost(`${euUrl}/esig/sign`, {
          signer: { type: 'agency', id: agency },
          format,
          level,
          document: { content: doc },
        }),
      );
      const request = jsonPost(`${jpUrl}/esig/validate`, { signature: signed.signature });
      const report = await sendJson<{ indication: string }>(f, request);
      if (report.indication !== 'TOTAL-PASSED') throw new Error(`the captured ${format} ${level} did not validate`);
      corpus[`esig-${format}`].push(request);
    }

  // AS4: eu's access point sends to JP's (the backend submits, the pump sends; the recorder keeps the message).
  for (let i = 0; i < 2; i++) {
    await sendJson(
      f,
      jsonPost(`${euUrl}/edelivery/messages`, {
        service: 'urn:kakehashi:service:evidence',
        action: 'ExecuteQueryRequest',
        originalSender: 'urn:kakehashi:participant:de:bzst',
        finalRecipient: 'urn:kakehashi:participant:jp:national-tax-agency',
        payloads: [{ mimeType: 'application/xml', content: Buffer.from(doc).toString('base64') }],
      }),
      [202],
    );
    await sendJson(f, { method: 'POST', url: `${euUrl}/admin/edelivery/pump`, headers: admin });
  }
  corpus.as4.push(...recorder.find(jpUrl, '/as4'));

  // Japan's Cooperation Network: staff of a city ask the tax agency (a signed, sealed call to the network).
  const subjects = await sendJson<{ subjects: { internal_id: string }[] }>(f, {
    method: 'GET',
    url: `${jpUrl}/admin/jp/agencies/setagaya-city/subjects`,
    headers: admin,
  });
  for (const s of subjects.subjects.slice(0, 2))
    await sendJson(
      f,
      jsonPost(
        `${jpUrl}/admin/jp/agencies/setagaya-city/queries`,
        { internalId: s.internal_id, procedure: 'child-allowance', provider: 'national-tax-agency', items: ['income'] },
        admin,
      ),
    );
  corpus['jp-network'].push(...recorder.find(jpUrl, '/jp/network/queries'));

  // Registration: what the nodes sent the hub when they started.
  corpus.registration.push(...recorder.find(f.urls.hub, '/registry/nodes'));

  for (const e of ENTRY_POINTS) if (corpus[e].length === 0) throw new Error(`no ${e} artefact was captured`);
  return corpus;
}
