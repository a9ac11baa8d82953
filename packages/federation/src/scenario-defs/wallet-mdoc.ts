import { HolderWallet, type PresentationVerdict, trustThroughNode, type WalletState } from '@kakehashi/wallet';
import type { Scenario, ScenarioTarget } from '../scenario-runner.ts';
import { call, clockOf, node } from './wallet-cross-border.ts';

/**
 * Issue 17, the PID as ISO mdoc: Estonia's PID provider issues a citizen's PID as `mso_mdoc` (an MSO signed
 * COSE_Sign1 under the provider's certificate chain, bound to the wallet's device key), Germany's verifier asks for
 * it by DCQL (`mso_mdoc`, a signed request, direct_post.jwt), the wallet answers with a DeviceResponse signed over
 * the OpenID4VP SessionTranscript, and the same DeviceResponse replayed to a new request is refused (W9: the
 * transcript holds the nonce). Like wallet-cross-border it changes nothing that outlives the run.
 */
const PERSONA = 'ee-001';
const NS = 'eu.europa.ec.eudi.pid.1';

async function walletOf(f: ScenarioTarget, state: Record<string, string>): Promise<HolderWallet> {
  const opts = { fetch: f.fetch, clock: await clockOf(f), trustVerifier: trustThroughNode(node(f, 'EE'), f.fetch) };
  return state.wallet ? HolderWallet.restore(JSON.parse(state.wallet) as WalletState, opts) : new HolderWallet(opts);
}

const MDOC_QUERY = {
  credentials: [
    {
      id: 'pid-mdoc',
      format: 'mso_mdoc',
      meta: { doctype_value: NS },
      claims: [{ path: [NS, 'family_name'] }, { path: [NS, 'given_name'] }, { path: [NS, 'birth_date'] }],
    },
  ],
};

export const WALLET_MDOC_SCENARIOS: Record<string, Scenario> = {
  'wallet-mdoc': {
    description:
      'An Estonian PID as ISO mdoc (mso_mdoc, COSE_Sign1, x5chain) accepted by a German verifier (DeviceResponse over the OpenID4VP SessionTranscript); a replay refused',
    steps: [
      {
        title: `A headless wallet receives ${PERSONA}'s PID as ISO mdoc (eu.europa.ec.eudi.pid.1)`,
        titleJa: `ヘッドレスのウォレットが ${PERSONA} の PID を ISO mdoc（eu.europa.ec.eudi.pid.1）として受け取る`,
        run: async (f, state) => {
          const offer = await call<{ credential_offer_url: string }>(f, `${node(f, 'EE')}/wallet/issuer/offers`, {
            personaId: PERSONA,
          });
          const wallet = await walletOf(f, state);
          const held = await wallet.receive(offer.credential_offer_url, { format: 'mso_mdoc' });
          state.wallet = JSON.stringify(wallet.exportState());
          return `${held.format}, doctype ${held.vct}, ${Buffer.from(held.credential, 'base64url').length} bytes of CBOR IssuerSigned, bound to the wallet's key`;
        },
      },
      {
        title:
          "Germany's verifier asks for the mdoc's names and birth date (DCQL mso_mdoc, signed request, direct_post.jwt)",
        titleJa: 'ドイツの検証者が mdoc の氏名と生年月日を求める（DCQL mso_mdoc、署名付き要求、direct_post.jwt）',
        run: async (f, state) => {
          const r = await call<{ transaction_id: string; request_url: string }>(
            f,
            `${node(f, 'DE')}/wallet/verifier/requests`,
            { response_mode: 'direct_post.jwt', signed: true, dcql_query: MDOC_QUERY },
          );
          state.transaction = r.transaction_id;
          state.request = r.request_url;
          return `transaction ${r.transaction_id.slice(0, 8)}…, doctype ${NS}, paths [namespace, element]`;
        },
      },
      {
        title: 'The wallet answers with a DeviceResponse over the SessionTranscript, and the verifier accepts it',
        titleJa: 'ウォレットがセッショントランスクリプトに署名した DeviceResponse で応答し、検証者が受け入れる',
        run: async (f, state) => {
          const wallet = await walletOf(f, state);
          await wallet.present(state.request as string);
          const t = await call<{ verdict?: PresentationVerdict }>(
            f,
            `${node(f, 'DE')}/wallet/verifier/transactions/${state.transaction}`,
          );
          const v = t.verdict;
          if (!v?.valid) throw new Error(`refused: ${v?.failure?.rule} ${v?.failure?.reason}`);
          const claims = (v.credential?.claims[NS] ?? {}) as Record<string, unknown>;
          return `valid (${v.checks.map((c) => c.rule).join(' ')}): ${Object.entries(claims)
            .map(([k, x]) => `${k}=${String(x)}`)
            .join(', ')} from ${v.credential?.country}`;
        },
      },
      {
        title: 'The same DeviceResponse replayed to a new request is refused (W9: the transcript holds the old nonce)',
        titleJa: '同じ DeviceResponse を新しい要求に再送すると拒否される（W9: トランスクリプトの nonce が古い）',
        run: async (f, state) => {
          const wallet = await walletOf(f, state);
          const first = await call<{ authorization_request: never }>(f, `${node(f, 'DE')}/wallet/verifier/requests`, {
            dcql_query: MDOC_QUERY,
          });
          const { presentation } = await wallet.createPresentation(first.authorization_request);
          const second = await call<{
            authorization_request: { nonce: string; client_id: string; response_uri: string };
          }>(f, `${node(f, 'DE')}/wallet/verifier/requests`, { dcql_query: MDOC_QUERY });
          const r = second.authorization_request;
          const v = await call<PresentationVerdict>(f, `${node(f, 'DE')}/wallet/validate/presentation`, {
            presentation,
            expected: { nonce: r.nonce, client_id: r.client_id, response_uri: r.response_uri, dcql_query: MDOC_QUERY },
          });
          if (v.valid || v.failure?.rule !== 'W9') throw new Error(`expected W9, got ${v.failure?.rule ?? 'valid'}`);
          return `refused: ${v.failure.rule} ${v.failure.code}`;
        },
      },
    ],
  },
};
