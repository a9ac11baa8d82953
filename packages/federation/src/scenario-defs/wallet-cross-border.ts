import { HolderWallet, type PresentationVerdict, trustThroughNode, type WalletState } from '@kakehashi/wallet';
import type { Scenario, ScenarioTarget } from '../scenario-runner.ts';

/**
 * Issue 17, first slice: an Estonian citizen's PID, issued by Estonia's PID provider to a headless EUDI wallet
 * (OpenID4VCI pre-authorised flow, SD-JWT VC), presented to a German relying party's verifier (OpenID4VP,
 * DCQL, a signed request object, direct_post.jwt) and judged through Germany's own view of the trusted lists; the same presentation
 * replayed to a new request is refused by its W rule. It changes nothing that outlives the run (offers, tokens and
 * requests live in memory and expire), so there is nothing to undo.
 */

const ADMIN = { authorization: 'Bearer kakehashi-admin-test-only' };
const PERSONA = 'ee-001';

export const node = (f: ScenarioTarget, cc: string): string => {
  const url = f.urls.nodes[cc];
  if (!url) throw new Error(`this federation has no node ${cc} (countries: ${Object.keys(f.urls.nodes).join(', ')})`);
  return url;
};

export async function call<T>(f: ScenarioTarget, url: string, body?: unknown): Promise<T> {
  const res = await f.fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const parsed = (await res.json().catch(() => ({}))) as T & { detail?: string };
  if (!res.ok) throw new Error(`${new URL(url).pathname} answered ${res.status}: ${parsed.detail ?? ''}`);
  return parsed;
}

/** The federation's virtual clock as the hub tells it (the wallet signs its proofs and key bindings by it). */
export async function clockOf(f: ScenarioTarget): Promise<{ now(): Date }> {
  const res = await f.fetch(`${f.urls.hub}/admin/clock`, { headers: ADMIN });
  if (!res.ok) return { now: () => new Date() };
  const s = (await res.json()) as { now: string; frozen: boolean };
  const at = Date.parse(s.now);
  const t0 = Date.now();
  return { now: () => new Date(s.frozen ? at : at + (Date.now() - t0)) };
}

async function walletOf(f: ScenarioTarget, state: Record<string, string>): Promise<HolderWallet> {
  // The wallet judges a verifier's access certificate by its home node's (Estonia's) view of the trusted lists.
  const opts = { fetch: f.fetch, clock: await clockOf(f), trustVerifier: trustThroughNode(node(f, 'EE'), f.fetch) };
  return state.wallet ? HolderWallet.restore(JSON.parse(state.wallet) as WalletState, opts) : new HolderWallet(opts);
}

export const WALLET_SCENARIOS: Record<string, Scenario> = {
  'wallet-cross-border': {
    description:
      'An Estonian PID in an EUDI wallet (OpenID4VCI, SD-JWT VC) accepted by a German verifier (OpenID4VP, DCQL, encrypted response); a replay refused',
    steps: [
      {
        title: "Estonia's PID provider publishes its credential issuer metadata",
        titleJa: 'エストニアの PID 提供者がクレデンシャル発行者メタデータを公開する',
        run: async (f) => {
          const m = await call<{
            credential_issuer: string;
            credential_configurations_supported: Record<string, { format: string; vct: string }>;
          }>(f, `${node(f, 'EE')}/.well-known/openid-credential-issuer`);
          const [id, c] = Object.entries(m.credential_configurations_supported)[0] ?? [];
          return `${m.credential_issuer}: ${id} (${c?.format}, ${c?.vct})`;
        },
      },
      {
        title: `Estonia's PID provider makes a credential offer for ${PERSONA} (pre-authorised code)`,
        titleJa: `エストニアの PID 提供者が ${PERSONA} にクレデンシャルオファーを出す（事前認可コード）`,
        run: async (f, state) => {
          const offer = await call<{
            credential_offer_url: string;
            credential_offer: { credential_configuration_ids: string[] };
          }>(f, `${node(f, 'EE')}/wallet/issuer/offers`, { personaId: PERSONA });
          state.offer = offer.credential_offer_url;
          return `offer of ${offer.credential_offer.credential_configuration_ids.join(', ')}`;
        },
      },
      {
        title: `A headless wallet receives ${PERSONA}'s PID (token, nonce, proof of possession): an SD-JWT VC`,
        titleJa: `ヘッドレスのウォレットが ${PERSONA} の PID を受け取る（トークン、nonce、所有証明）: SD-JWT VC`,
        run: async (f, state) => {
          const wallet = await walletOf(f, state);
          const held = await wallet.receive(state.offer as string);
          state.wallet = JSON.stringify(wallet.exportState());
          const disclosures = held.credential.split('~').filter(Boolean).length - 1;
          return `${held.format}, ${held.vct}, ${disclosures} selectively disclosable claims, bound to the wallet's key`;
        },
      },
      {
        title:
          "Germany's verifier asks for the PID's names, birth date and its eIDAS identifier (DCQL, a request object signed under x509_hash, direct_post.jwt)",
        titleJa:
          'ドイツの検証者が PID の氏名・生年月日・eIDAS 識別子を求める（DCQL、x509_hash で署名した要求オブジェクト、direct_post.jwt）',
        run: async (f, state) => {
          const r = await call<{
            transaction_id: string;
            request_url: string;
            authorization_request: { client_id: string };
          }>(f, `${node(f, 'DE')}/wallet/verifier/requests`, {
            response_mode: 'direct_post.jwt',
            signed: true,
            dcql_query: {
              credentials: [
                {
                  id: 'pid',
                  format: 'dc+sd-jwt',
                  meta: { vct_values: ['urn:eudi:pid:1'] },
                  claims: [
                    { path: ['family_name'] },
                    { path: ['given_name'] },
                    { path: ['birthdate'] },
                    { path: ['eidas_person_identifiers', 'DE'] },
                  ],
                },
              ],
            },
          });
          state.transaction = r.transaction_id;
          state.request = r.request_url;
          return `client_id ${r.authorization_request.client_id.slice(0, 24)}…, a signed request object, a fresh nonce and encryption key`;
        },
      },
      {
        title: 'The wallet presents (only what was asked, key binding) and the verifier accepts it',
        titleJa: 'ウォレットが提示し（求められた項目だけ、鍵バインディング付き）、検証者が受け入れる',
        run: async (f, state) => {
          const wallet = await walletOf(f, state);
          const { presentation } = await wallet.createPresentation(state.request as string);
          state.presentation = presentation;
          await wallet.present(state.request as string);
          const t = await call<{ verdict?: PresentationVerdict }>(
            f,
            `${node(f, 'DE')}/wallet/verifier/transactions/${state.transaction}`,
          );
          const v = t.verdict;
          if (!v?.valid) throw new Error(`refused: ${v?.failure?.rule} ${v?.failure?.reason}`);
          return `valid (${v.checks.length} rules passed): ${Object.entries(v.credential?.claims ?? {})
            .map(([k, x]) => `${k}=${typeof x === 'object' ? JSON.stringify(x) : String(x)}`)
            .join(', ')} from ${v.credential?.country}`;
        },
      },
      {
        title: 'The same presentation replayed to a new request is refused (W10: another nonce)',
        titleJa: '同じ提示を新しい要求に再送すると拒否される（W10: nonce が違う）',
        run: async (f, state) => {
          const r = await call<{ authorization_request: { nonce: string; client_id: string } }>(
            f,
            `${node(f, 'DE')}/wallet/verifier/requests`,
            {},
          );
          const v = await call<PresentationVerdict>(f, `${node(f, 'DE')}/wallet/validate/presentation`, {
            presentation: state.presentation,
            expected: { nonce: r.authorization_request.nonce, client_id: r.authorization_request.client_id },
          });
          if (v.valid || v.failure?.rule !== 'W10') throw new Error(`expected W10, got ${v.failure?.rule ?? 'valid'}`);
          return `refused: ${v.failure.rule} ${v.failure.code}`;
        },
      },
    ],
  },
};
