import { createHash, randomBytes } from 'node:crypto';
import type { Scenario, ScenarioTarget } from '../scenario-runner.ts';

/** Follows one redirect as a browser would, inside the scenario's trace. */
async function follow(f: ScenarioTarget, url: string, traceId: string): Promise<string> {
  const res = await f.fetch(url, {
    redirect: 'manual',
    headers: { traceparent: `00-${traceId}-${'0'.repeat(15)}1-01` },
  });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location)
    throw new Error(`${url.split('?')[0]} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return location;
}

const DEMO_RP_REDIRECT = 'http://127.0.0.1:53100/callback';

async function getJson<T>(f: ScenarioTarget, url: string, init?: RequestInit): Promise<T> {
  const res = await f.fetch(url, init);
  const body = (await res.json()) as T;
  if (!res.ok)
    throw new Error(`${init?.method ?? 'GET'} ${url} answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return body;
}

/**
 * The federation's own scenarios: the federation in a box (trust fabric, registration, discovery, mutual
 * certificate validation) and a cross-border eID login through the hub (OIDC).
 */
export const FEDERATION_SCENARIOS: Record<string, Scenario> = {
  federation: {
    description: 'The federation in a box: trust fabric, registration, discovery and mutual certificate validation',
    steps: [
      {
        title: 'The hub publishes a signed list of trusted lists pointing at every national list',
        titleJa: 'ハブが、各国のトラストリストを指す署名付きのリスト（LOTL）を公開する',
        run: async (f) => {
          const res = await f.fetch(`${f.urls.hub}/trust/lotl.xml`);
          const xml = await res.text();
          const pointers = (xml.match(/<(?:\w+:)?TSLLocation>/g) ?? []).length;
          if (!res.ok || !xml.includes('Signature')) throw new Error('the LOTL is missing or unsigned');
          return `LOTL ${xml.length} bytes, signed, ${pointers} pointers to national lists`;
        },
      },
      {
        title: 'Every national node loaded the trust fabric and registered with signed metadata',
        titleJa: '各国のノードがトラスト基盤を読み込み、署名付きメタデータで登録した',
        run: async (f) => {
          const { nodes } = await getJson<{ nodes: { country: string }[] }>(f, `${f.urls.hub}/registry/nodes`);
          const missing = Object.keys(f.urls.nodes).filter((cc) => !nodes.some((n) => n.country === cc));
          if (missing.length) throw new Error(`not registered: ${missing.join(', ')}`);
          return `registered: ${nodes.map((n) => n.country).join(', ')}`;
        },
      },
      {
        title:
          'Each node discovers its peers through the hub and validates their certificates against the trust fabric',
        titleJa: '各ノードがハブ経由で相手を見つけ、その証明書をトラスト基盤で検証する',
        run: async (f) => {
          const ccs = Object.keys(f.urls.nodes);
          let checked = 0;
          for (const a of ccs) {
            for (const b of ccs) {
              if (a === b) continue;
              const v = await getJson<{ trusted: boolean; certificate: { failure?: { reason: string } } }>(
                f,
                `${f.urls.nodes[a]}/peers/${b}`,
              );
              if (!v.trusted)
                throw new Error(
                  `${a} does not trust ${b}: ${v.certificate.failure?.reason ?? 'signature or country mismatch'}`,
                );
              checked++;
            }
          }
          return `${checked} ordered pairs validated (chain, validity, key usage, CRL, signature, country)`;
        },
      },
      {
        title: 'Discovery resolves a participant to its access point and certificate',
        titleJa: 'ディスカバリで参加者をアクセスポイントと証明書に解決する',
        run: async (f) => {
          const { services } = await getJson<{ services: { country: string }[] }>(
            f,
            `${f.urls.hub}/discovery/services`,
          );
          const first = Object.values(f.urls.nodes)[0];
          if (!first) throw new Error('no national node to ask');
          const { metadata } = await getJson<{
            metadata: { participants: { id: string; services: string[] }[] };
          }>(f, `${first}/metadata`);
          const p = metadata.participants[0];
          if (!p?.services[0]) throw new Error('no participant to resolve');
          const r = await getJson<{ country: string; endpoint: string }>(
            f,
            `${f.urls.hub}/discovery/participants/${encodeURIComponent(p.id)}?service=${encodeURIComponent(p.services[0])}`,
          );
          return `${services.length} services listed; ${p.id} → ${r.country} at ${r.endpoint}`;
        },
      },
      {
        title: 'The hub audit chain verifies',
        titleJa: 'ハブの監査チェーンを検証する',
        run: async (f) => {
          const v = await getJson<{ valid: boolean; count: number }>(f, `${f.urls.hub}/audit/verify`);
          if (!v.valid) throw new Error('audit chain broken');
          return `${v.count} entries, hash chain intact`;
        },
      },
    ],
  },
};

FEDERATION_SCENARIOS['eid-cross-border'] = {
  description:
    "An Estonian citizen logs in at a German service through the hub (OIDC): DE's connector → hub → EE's proxy service → back, validated against the trust fabric",
  steps: [
    {
      title: "The German service (the demo relying party at DE) asks DE's node; the citizen chooses Estonia",
      titleJa: 'ドイツのサービス（DE のデモ RP）がドイツのノードに依頼し、市民はエストニアを選ぶ',
      run: async (f, st) => {
        st.traceId = randomBytes(16).toString('hex');
        st.verifier = randomBytes(32).toString('base64url');
        const q = new URLSearchParams({
          client_id: 'kakehashi-demo-rp',
          redirect_uri: DEMO_RP_REDIRECT,
          response_type: 'code',
          scope: 'openid',
          state: 'scenario',
          nonce: randomBytes(8).toString('hex'),
          code_challenge: createHash('sha256').update(st.verifier).digest('base64url'),
          code_challenge_method: 'S256',
          acr_values: 'http://eidas.europa.eu/LoA/substantial',
          kakehashi_country: 'EE',
          kakehashi_persona: 'ee-001',
        });
        st.next = await follow(f, `${f.urls.nodes.DE}/oidc/authorize?${q}`, st.traceId);
        if (!st.next.startsWith(`${f.urls.hub}/eid/proxy/EE/authorize`))
          throw new Error(`DE did not send the citizen to the hub: ${st.next.split('?')[0]}`);
        return `DE's connector → ${st.next.split('?')[0]} as client urn:kakehashi:connector:DE (PKCE, nonce, LoA substantial)`;
      },
    },
    {
      title: "The hub relays the request to Estonia's proxy service",
      titleJa: 'ハブが要求をエストニアのプロキシサービスに中継する',
      run: async (f, st) => {
        st.next = await follow(f, st.next as string, st.traceId as string);
        if (!st.next.startsWith(`${f.urls.nodes.EE}/oidc/authorize`)) throw new Error('the hub did not relay to EE');
        return `hub → ${st.next.split('?')[0]}`;
      },
    },
    {
      title: 'Estonia authenticates ee-001 (headless) and answers DE with a code',
      titleJa: 'エストニアが ee-001 を認証し（ヘッドレス）、ドイツに認可コードで応答する',
      run: async (f, st) => {
        st.next = await follow(f, st.next as string, st.traceId as string);
        if (!st.next.startsWith(`${f.urls.nodes.DE}/eid/connector/callback`))
          throw new Error(`EE answered elsewhere: ${st.next.split('?')[0]}`);
        return `EE → ${st.next.split('?')[0]} with a single-use code (iss ${f.urls.nodes.EE})`;
      },
    },
    {
      title:
        "DE's connector redeems the code through the hub (private_key_jwt) and validates Estonia's ID token (J1–J17)",
      titleJa:
        'ドイツのコネクタがハブ経由でコードを引き換え（private_key_jwt）、エストニアの ID トークンを検証する（J1〜J17）',
      run: async (f, st) => {
        st.next = await follow(f, st.next as string, st.traceId as string);
        const u = new URL(st.next);
        if (u.searchParams.get('error')) throw new Error(u.searchParams.get('error_description') ?? 'refused');
        st.code = u.searchParams.get('code') ?? '';
        return `validated; DE issues its own code to the service at ${u.origin}${u.pathname}`;
      },
    },
    {
      title: "The German service redeems DE's code: the person is EE/DE/…, with the minimum data set",
      titleJa: 'ドイツのサービスがコードを引き換える: 本人は EE/DE/…、最小データセット付き',
      run: async (f, st) => {
        const res = await f.fetch(`${f.urls.nodes.DE}/oidc/token`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: `Basic ${Buffer.from('kakehashi-demo-rp:kakehashi-demo-secret').toString('base64')}`,
          },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code: st.code as string,
            redirect_uri: DEMO_RP_REDIRECT,
            code_verifier: st.verifier as string,
          }).toString(),
        });
        const body = (await res.json()) as { id_token?: string; error_description?: string };
        if (!body.id_token) throw new Error(body.error_description ?? `token endpoint ${res.status}`);
        const claims = JSON.parse(Buffer.from(body.id_token.split('.')[1] as string, 'base64url').toString('utf8'));
        if (!String(claims.eidas_person_identifier).startsWith('EE/DE/')) throw new Error('wrong PersonIdentifier');
        return `${claims.given_name} ${claims.family_name}, born ${claims.birthdate}, ${claims.eidas_person_identifier}, acr ${claims.acr}`;
      },
    },
    {
      title: 'The trace shows every hop, each with its decoded artefact',
      titleJa: 'トレースに、すべてのホップが復号した成果物付きで表示される',
      run: async (f, st) => {
        const { events } = await getJson<{ events: { component: string; country?: string; operation: string }[] }>(
          f,
          `${f.urls.hub}/traces/${st.traceId}`,
        );
        const explained = events.filter((e) => e.operation.includes(':'));
        return `${events.length} events in trace ${st.traceId}; ${explained.map((e) => `${e.component}${e.country ? `:${e.country}` : ''} ${e.operation}`).join(' | ')}`;
      },
    },
  ],
};
