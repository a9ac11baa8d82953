import { createHash, randomBytes } from 'node:crypto';
import type { Scenario, ScenarioTarget } from '../scenario-runner.ts';

/**
 * Issue 7, scenarios 1 and 2: once-only evidence exchange (OOTS-style) across the hub, through HTTP only.
 *
 * - `jp-citizen-at-german-service`: a Japanese citizen logs in at a German service with the My Number Card through
 *   the hub; the service asks Japan for a residence certificate (住民票の写し) over AS4; Japan resolves her through
 *   the Cooperation Network; she previews and consents at Japan (card again); the signed certificate validates in
 *   Germany; her portal shows the access record.
 * - `ee-citizen-at-japanese-service`: an Estonian citizen at Japan's e-Tax; Japan asks Estonia's Tax and Customs
 *   Board for proof of income; preview and consent at Estonia; the evidence validates in Japan.
 *
 * Each run adds evidence requests, previews and (Japan) access records, as real use would.
 * The helpers are exported for the end-to-end tests (`tests/once-only.test.ts`).
 */

// biome-ignore lint/suspicious/noExplicitAny: scenario steps read free-form JSON member by member
type Json = any;

const RP = { id: 'kakehashi-demo-rp', secret: 'kakehashi-demo-secret', redirect: 'http://127.0.0.1:53107/callback' };

/** A minimal cookie jar: the browser the scenario plays (cookies by origin and path). */
export class Browser {
  readonly #cookies: { origin: string; path: string; name: string; value: string }[] = [];
  readonly f: ScenarioTarget;
  constructor(f: ScenarioTarget) {
    this.f = f;
  }

  /** One request without following redirects; cookies sent and stored. */
  async go(url: string, init: RequestInit = {}): Promise<Response> {
    const u = new URL(url);
    const cookie = this.#cookies
      .filter((c) => c.origin === u.origin && u.pathname.startsWith(c.path))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    const res = await this.f.fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie?.() ?? []) {
      const [pair = '', ...attrs] = line.split(';');
      const [name = '', value = ''] = pair.split('=');
      const path =
        attrs
          .map((a) => a.trim())
          .find((a) => a.toLowerCase().startsWith('path='))
          ?.slice(5) ?? '/';
      const i = this.#cookies.findIndex((c) => c.origin === u.origin && c.name === name.trim());
      if (i >= 0) this.#cookies.splice(i, 1);
      this.#cookies.push({ origin: u.origin, path, name: name.trim(), value });
    }
    return res;
  }

  /** Follows redirects until a page that is not a redirect (or `stopAt` matches the next location). */
  async follow(url: string, stopAt?: (location: string) => boolean): Promise<{ url: string; res: Response }> {
    let current = url;
    for (let i = 0; i < 12; i++) {
      const res = await this.go(current);
      const location = res.headers.get('location');
      if (![301, 302, 303, 307].includes(res.status) || !location) return { url: current, res };
      current = new URL(location, current).toString();
      if (stopAt?.(current)) return { url: current, res };
    }
    throw new Error(`too many redirects from ${url.split('?')[0]}`);
  }
}

async function json(res: Response, what: string): Promise<Json> {
  const text = await res.text();
  let body: Json;
  try {
    body = JSON.parse(text);
  } catch {
    body = { detail: text.slice(0, 200) };
  }
  if (!res.ok) throw new Error(`${what} answered ${res.status}: ${body.code ?? ''} ${body.detail ?? ''}`.trim());
  return body;
}

/** On a login picker page: the request id the card (or the picker) answers. */
function requestIdOf(page: string): string {
  const id = /name="request_id" value="([^"]+)"/.exec(page)?.[1];
  if (!id) throw new Error('no login page (request_id) where one was expected');
  return id;
}

/** Japan's picker: the TEST ONLY simulated reader makes the persona's My Number Card sign the challenge. */
export async function loginWithCard(b: Browser, jpUrl: string, page: string, personaId: string): Promise<string> {
  const res = await b.go(`${jpUrl}/oidc/card-reader`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request_id: requestIdOf(page), persona: personaId }).toString(),
  });
  const location = res.headers.get('location');
  if (res.status !== 303 || !location)
    throw new Error(`the card login answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  return location;
}

/**
 * A service (the demo relying party) at node `at` logs a citizen of `from` in through the hub; Japanese citizens
 * use the card. Returns the ID token's claims as the service sees them.
 */
export async function loginThroughHub(
  f: ScenarioTarget,
  at: string,
  from: string,
  personaId: string,
): Promise<Record<string, string>> {
  const b = new Browser(f);
  const node = f.urls.nodes[at] as string;
  const verifier = randomBytes(32).toString('base64url');
  const q = new URLSearchParams({
    client_id: RP.id,
    redirect_uri: RP.redirect,
    response_type: 'code',
    scope: 'openid',
    state: randomBytes(8).toString('hex'),
    nonce: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    acr_values: 'http://eidas.europa.eu/LoA/substantial',
    kakehashi_country: from,
    ...(from === 'JP' ? {} : { kakehashi_persona: personaId }),
  });
  const done = (l: string) => l.startsWith(RP.redirect);
  let step = await b.follow(`${node}/oidc/authorize?${q}`, done);
  if (!done(step.url)) {
    if (from !== 'JP') throw new Error(`the login stopped at ${step.url.split('?')[0]} (${step.res.status})`);
    const location = await loginWithCard(b, f.urls.nodes.JP as string, await step.res.text(), personaId);
    step = await b.follow(location, done);
  }
  const code = new URL(step.url).searchParams.get('code');
  if (!code)
    throw new Error(`no code for the service: ${new URL(step.url).searchParams.get('error_description') ?? step.url}`);
  const token = await json(
    await f.fetch(`${node}/oidc/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${RP.id}:${RP.secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: RP.redirect,
        code_verifier: verifier,
      }).toString(),
    }),
    'the token endpoint',
  );
  return JSON.parse(Buffer.from((token.id_token as string).split('.')[1] as string, 'base64url').toString('utf8'));
}

/** The service asks its node for evidence (broker + directory at the hub, then AS4). */
export async function requestEvidence(
  f: ScenarioTarget,
  at: string,
  body: {
    requester: string;
    requirement: string;
    country: string;
    procedure: string;
    person: { personIdentifier: string; familyName: string; givenName: string; dateOfBirth: string };
    evidenceType?: string;
  },
): Promise<Json> {
  return json(
    await f.fetch(`${f.urls.nodes[at]}/evidence/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, person: { ...body.person, levelOfAssurance: 'High' } }),
    }),
    'POST /evidence/requests',
  );
}

/**
 * Polls the request until its status is one of `statuses` (real time; the exchange runs asynchronously). The
 * bound is generous: on a loaded machine the exchange takes longer, and the wait ends as soon as the status is there.
 */
export async function waitForStatus(
  f: ScenarioTarget,
  at: string,
  id: string,
  statuses: string[],
  timeoutMs = 120_000,
): Promise<Json> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await json(
      await f.fetch(`${f.urls.nodes[at]}/evidence/requests/${encodeURIComponent(id)}`),
      'GET /evidence/requests/{id}',
    );
    if (statuses.includes(r.status)) return r;
    if (Date.now() > until) throw new Error(`the request is still ${r.status} (waited for ${statuses.join(' or ')})`);
    await new Promise((res) => setTimeout(res, 40));
  }
}

/**
 * The citizen goes from the requester to the provider's preview, logs in there (Japan: the card; elsewhere the
 * persona headless), and arrives on the preview with a session. Returns the browser and the preview (JSON).
 */
export async function openPreview(
  f: ScenarioTarget,
  at: string,
  id: string,
  provider: string,
  personaId: string,
): Promise<{ browser: Browser; preview: Json; previewUrl: string }> {
  const b = new Browser(f);
  const providerUrl = f.urls.nodes[provider] as string;
  const start = `${f.urls.nodes[at]}/evidence/requests/${encodeURIComponent(id)}/preview${provider === 'JP' ? '' : `?persona=${personaId}`}`;
  const isPreview = (l: string) => l.startsWith(`${providerUrl}/evidence/preview/`) && !l.includes('/callback');
  // requester → provider's preview → the provider's login (picker, or headless back to the callback) → preview
  let step = await b.follow(start, (l) => l.startsWith(`${providerUrl}/evidence/preview/callback`));
  if (!step.url.includes('/evidence/preview/callback')) {
    if (provider !== 'JP')
      throw new Error(`the preview login stopped at ${step.url.split('?')[0]} (${step.res.status})`);
    const location = await loginWithCard(b, providerUrl, await step.res.text(), personaId);
    step = { url: location, res: step.res };
  }
  const back = await b.go(step.url);
  const previewUrl = new URL(back.headers.get('location') ?? '', step.url).toString();
  if (back.status !== 303 || !isPreview(previewUrl))
    throw new Error(
      `the provider refused the login at the preview: ${back.status} ${(await back.text()).slice(0, 200)}`,
    );
  const preview = await json(await b.go(previewUrl, { headers: { accept: 'application/json' } }), 'the preview');
  return { browser: b, preview, previewUrl };
}

/** The citizen decides on the preview; then the browser returns to the requester (which sends the second request). */
export async function decide(b: Browser, previewUrl: string, decision: 'approve' | 'refuse'): Promise<Json> {
  const r = await json(
    await b.go(`${previewUrl}/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ decision }),
    }),
    'the decision',
  );
  if (r.returnUrl) await json(await b.go(r.returnUrl as string), 'the return to the requester');
  return r;
}

/** Japan's portal: the citizen logs in with the card and reads the access records about her. */
export async function portalRecords(f: ScenarioTarget, personaId: string): Promise<Json[]> {
  const jp = f.urls.nodes.JP as string;
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) =>
    json(
      await f.fetch(`${jp}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
      `POST ${path}`,
    );
  const ch = await post('/jp/portal/login/challenge', { purpose: 'login' });
  const card = await post('/jp/portal/test-card-reader', { personaId, challenge: ch.challenge });
  const { sessionToken } = await post('/jp/portal/login', { challengeId: ch.challengeId, ...card });
  const r = await json(
    await f.fetch(`${jp}/jp/portal/me/records`, { headers: { authorization: `Bearer ${sessionToken}` } }),
    'GET /jp/portal/me/records',
  );
  return r.records as Json[];
}

/** The open preview of a run, between its steps (a browser's state is not a string). */
const previewBrowsers = new Map<string, { browser: Browser; previewUrl: string }>();

const person = (c: Record<string, string>) => ({
  personIdentifier: c.eidas_person_identifier as string,
  familyName: c.family_name as string,
  givenName: c.given_name as string,
  dateOfBirth: c.birthdate as string,
});

export const ONCE_ONLY_SCENARIOS: Record<string, Scenario> = {
  'jp-citizen-at-german-service': {
    description:
      'Once-only: a Japanese citizen applies at a German service (card login through the hub); Japan issues a signed residence certificate (住民票の写し) after her preview and consent; it validates in Germany; her portal shows the access record',
    steps: [
      {
        title: 'She logs in at the German residence-registration service with her My Number Card, through the hub',
        titleJa: '彼女がマイナンバーカードで、ハブ経由でドイツの住民登録サービスにログインする',
        run: async (f, st) => {
          const c = await loginThroughHub(f, 'DE', 'JP', 'jp-001');
          if (!String(c.eidas_person_identifier).startsWith('JP/DE/'))
            throw new Error('Germany did not get a JP/DE/… identifier');
          const persona = await json(await f.fetch(`${f.urls.nodes.JP}/personas/jp-001`), 'GET /personas/jp-001');
          if (JSON.stringify(c).includes(persona.myNumber)) throw new Error('the My Number reached Germany');
          Object.assign(st, { person: JSON.stringify(person(c)) });
          return `Germany sees ${c.eidas_person_identifier} — ${c.family_name} ${c.given_name}, born ${c.birthdate}, acr ${c.acr}; no My Number`;
        },
      },
      {
        title: "The service asks the hub's evidence broker and data service directory who proves residence in Japan",
        titleJa:
          'サービスがハブのエビデンスブローカーとデータサービスディレクトリに、日本の居住を証明するのは誰かを問い合わせる',
        run: async (f) => {
          const eb = await json(
            await f.fetch(`${f.urls.hub}/evidence-broker/requirements/proof-of-residence?country=JP`),
            'the evidence broker',
          );
          const dsd = await json(
            await f.fetch(`${f.urls.hub}/data-service-directory/services?country=JP&requirement=proof-of-residence`),
            'the data service directory',
          );
          const t = eb.evidenceTypes[0];
          const s = dsd.services[0];
          if (!t || !s) throw new Error('no evidence type or data service for proof of residence in Japan');
          return `${t.titleLocal} (${t.title}) from ${s.provider.participantId}`;
        },
      },
      {
        title: 'Germany sends a RegRep QueryRequest over AS4 to Setagaya City',
        titleJa: 'ドイツが AS4 で世田谷区に RegRep の QueryRequest を送る',
        run: async (f, st) => {
          const r = await requestEvidence(f, 'DE', {
            requester: 'urn:kakehashi:participant:de:koeln-buergeramt',
            requirement: 'proof-of-residence',
            country: 'JP',
            procedure: 'Registration of residence (Wohnsitzanmeldung), City of Cologne',
            person: JSON.parse(st.person as string),
          });
          st.request = r.id;
          return `${r.id} → ${r.provider} (${r.evidenceType.classification}), conversation ${r.conversationId}`;
        },
      },
      {
        title: 'Japan resolves her through the Cooperation Network and asks for her preview (EDM:ERR:0002)',
        titleJa: '日本が情報提供ネットワークシステムで本人を特定し、本人のプレビューを求める（EDM:ERR:0002）',
        run: async (f, st) => {
          const r = await waitForStatus(f, 'DE', st.request as string, ['preview-required', 'failed']);
          if (r.status !== 'preview-required') throw new Error(`${r.exception?.code}: ${r.exception?.detail}`);
          return `PreviewRequired at ${r.previewLocation.split('/evidence/')[0]}/evidence/preview/…`;
        },
      },
      {
        title: 'She opens the preview at Japan and re-authenticates with her card',
        titleJa: '彼女が日本でプレビューを開き、カードで再認証する',
        run: async (f, st) => {
          const { browser, preview, previewUrl } = await openPreview(f, 'DE', st.request as string, 'JP', 'jp-001');
          previewBrowsers.set(st.request as string, { browser, previewUrl });
          const facts = Object.entries(preview.facts as Record<string, string>).map(([k, v]) => `${k}: ${v}`);
          return `${preview.evidenceType.titleLocal} for ${preview.requester.name}: ${facts.slice(0, 4).join('; ')}`;
        },
      },
      {
        title: 'She approves: Setagaya City signs the certificate (XAdES); Germany sends the second request',
        titleJa: '彼女が承認する: 世田谷区が証明書に署名し（XAdES）、ドイツが 2 回目の要求を送る',
        run: async (_f, st) => {
          const p = previewBrowsers.get(st.request as string);
          if (!p) throw new Error('no preview open');
          const r = await decide(p.browser, p.previewUrl, 'approve');
          return `decision ${r.status}; back at ${new URL(r.returnUrl).origin}`;
        },
      },
      {
        title: 'The evidence arrives in Germany and its signature validates (TOTAL-PASSED)',
        titleJa: 'エビデンスがドイツに届き、署名の検証に合格する（TOTAL-PASSED）',
        run: async (f, st) => {
          const r = await waitForStatus(f, 'DE', st.request as string, ['received', 'rejected', 'failed']);
          if (r.status !== 'received')
            throw new Error(`${r.status}: ${JSON.stringify(r.verdict ?? r.exception).slice(0, 300)}`);
          const v = r.evidence.verdict;
          return `${v.indication}; signer ${v.signer.subject}; ${v.checks.map((c: Json) => `${c.rule} ${c.outcome}`).join(', ')}`;
        },
      },
      {
        title: 'Her Mynaportal shows the access record: who asked, when, why, which items',
        titleJa: '彼女のマイナポータルにアクセス記録が表示される: 誰が・いつ・何のために・どの項目を',
        run: async (f) => {
          const records = await portalRecords(f, 'jp-001');
          const mine = records.filter((r) => r.why?.procedure?.includes('explicit request'));
          const last = mine.at(-1);
          if (!last) throw new Error('no access record for the cross-border request');
          return `${last.when.requestedAt}: ${last.who.requester} ← ${last.who.provider}, ${last.items.join(', ')}, ${last.outcome}`;
        },
      },
    ],
  },
  'ee-citizen-at-japanese-service': {
    description:
      "Once-only, the reverse direction: an Estonian citizen at Japan's e-Tax (login through the hub); Japan asks Estonia's Tax and Customs Board for proof of income; preview and consent at Estonia; the signed evidence validates in Japan",
    steps: [
      {
        title: "He logs in at Japan's e-Tax with his Estonian eID, through the hub",
        titleJa: '彼がエストニアの eID で、ハブ経由で日本の e-Tax にログインする',
        run: async (f, st) => {
          const c = await loginThroughHub(f, 'JP', 'EE', 'ee-001');
          if (!String(c.eidas_person_identifier).startsWith('EE/JP/'))
            throw new Error('Japan did not get an EE/JP/… identifier');
          st.person = JSON.stringify(person(c));
          return `Japan sees ${c.eidas_person_identifier} — ${c.family_name} ${c.given_name}, born ${c.birthdate}`;
        },
      },
      {
        title: 'The National Tax Agency asks Estonia for proof of income over AS4 (broker and directory at the hub)',
        titleJa: '国税庁が AS4 でエストニアに所得の証明を求める（ハブのブローカーとディレクトリ経由）',
        run: async (f, st) => {
          const r = await requestEvidence(f, 'JP', {
            requester: 'urn:kakehashi:participant:jp:national-tax-agency',
            requirement: 'proof-of-income',
            country: 'EE',
            procedure: 'Final income tax return of a non-resident (確定申告)',
            person: JSON.parse(st.person as string),
          });
          st.request = r.id;
          return `${r.id} → ${r.provider} (${r.evidenceType.title})`;
        },
      },
      {
        title: 'Estonia matches him and asks for his preview',
        titleJa: 'エストニアが本人を照合し、本人のプレビューを求める',
        run: async (f, st) => {
          const r = await waitForStatus(f, 'JP', st.request as string, ['preview-required', 'failed']);
          if (r.status !== 'preview-required') throw new Error(`${r.exception?.code}: ${r.exception?.detail}`);
          return `PreviewRequired at ${new URL(r.previewLocation).origin}`;
        },
      },
      {
        title: 'He logs in again at Estonia, previews and approves',
        titleJa: '彼がエストニアで再ログインし、プレビューして承認する',
        run: async (f, st) => {
          const { browser, preview, previewUrl } = await openPreview(f, 'JP', st.request as string, 'EE', 'ee-001');
          const r = await decide(browser, previewUrl, 'approve');
          return `${preview.evidenceType.titleLocal}: ${Object.entries(preview.facts as Record<string, string>)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}; ${r.status}`;
        },
      },
      {
        title: 'The evidence arrives in Japan and validates (TOTAL-PASSED)',
        titleJa: 'エビデンスが日本に届き、検証に合格する（TOTAL-PASSED）',
        run: async (f, st) => {
          const r = await waitForStatus(f, 'JP', st.request as string, ['received', 'rejected', 'failed']);
          if (r.status !== 'received')
            throw new Error(`${r.status}: ${JSON.stringify(r.verdict ?? r.exception).slice(0, 300)}`);
          return `${r.evidence.verdict.indication}; signer ${r.evidence.verdict.signer.subject}`;
        },
      },
      {
        title: 'The trace shows both sides of the exchange',
        titleJa: 'トレースに、やり取りの両側が表示される',
        run: async (f, st) => {
          const r = await json(
            await f.fetch(`${f.urls.nodes.JP}/evidence/requests/${encodeURIComponent(st.request as string)}`),
            'the request',
          );
          const t = await json(await f.fetch(`${f.urls.hub}/traces/${r.traceId}`), 'the trace');
          const hops = (t.events as Json[]).filter((e) => String(e.operation).startsWith('evidence:'));
          return `${hops.length} evidence hops in trace ${r.traceId}: ${hops.map((e) => `${e.country} ${e.operation.slice(10)}`).join(' | ')}`;
        },
      },
    ],
  },
};
