import { randomBytes } from 'node:crypto';
import { createRoute, type RouteConfig, z } from '@hono/zod-openapi';
import {
  type ComponentApp,
  createRouteModule,
  KakehashiError,
  langLink,
  type PageLang,
  pageLang,
} from '@kakehashi/core';
import type { Context } from 'hono';
import type { WalletDeps } from '../wallet-deps.ts';
import { claimLabel, esc, pageShell, type TextKey, textOf } from '../web/page-text.ts';
import { parseRpQueryChoice, type RpQueryChoice, rpQuery, rpQueryChoices } from './rp-queries.ts';
import type { PresentationVerdict } from './rules.ts';

/** One visit of the relying party's page: its own handle, the verifier's transaction, and the flow chosen. */
interface RpSession {
  transactionId: string;
  requestUrl: string;
  flow: 'cross-device' | 'same-device';
  /** What the person chose the relying party asks for. */
  query: RpQueryChoice;
  expiresAt: number;
}

/** The words of each choice on the page. */
const QUERY_TEXT: Record<RpQueryChoice, TextKey> = {
  login: 'queryLogin',
  age: 'queryAge',
  'name-birthdate': 'queryNameBirthdate',
  'pid-full': 'queryPidFull',
  'pid-mdoc': 'queryPidMdoc',
  residence: 'queryResidence',
};

const SESSION_TTL_MS = 600_000;
const MAX_SESSIONS = 1000;

const html200 = { 200: { description: 'The page', content: { 'text/html': { schema: z.string() } } } };

/**
 * A relying party's page at the verifier (the person's side of OpenID4VP): it asks the verifier's own API for a
 * request (a signed request object by reference under `x509_hash`, `direct_post.jwt`, DCQL) and shows its
 * authorization request URI `openid4vp://?client_id=…&request_uri=…` (OpenID4VP §13.1.2: the
 * static configuration bound to `openid4vp://`, which any OpenID4VP wallet may register; HAIP binds its own set to
 * `haip-vp://` for HAIP wallets — Kakehashi's wallet is not one it registers — and the wallet page reads all three
 * common schemes).
 * - Cross-device: a QR code of that URI (SVG), and the page polls the transaction (it reloads itself) until the
 *   verdict.
 * - Same-device: a link to the wallet; the request carries this page as `redirect_uri`, the response URI answers
 *   the wallet with it and a fresh `response_code`, and the page reads the verdict only with that code (§13.3) —
 *   from a handle of its own, never from anything the wallet says.
 * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html#section-13.1.2
 * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html#section-14.2
 */
export function rpPageRoutes(deps: WalletDeps): ComponentApp {
  const sessions = new Map<string, RpSession>();
  const choices = rpQueryChoices(deps.destinations ?? []);
  const purge = () => {
    const now = deps.clock.nowMs();
    for (const [k, s] of sessions) if (s.expiresAt < now || sessions.size > MAX_SESSIONS) sessions.delete(k);
  };
  const lang = (c: Context): { lang: PageLang; langLinks: { en: string; ja: string } } => ({
    lang: pageLang(c),
    langLinks: { en: langLink(c, 'en'), ja: langLink(c, 'ja') },
  });
  const r = createRouteModule();

  r.openapi(
    createRoute({
      method: 'get',
      path: '/wallet/verifier/rp',
      tags: ['wallet'],
      summary: "A relying party's page (TEST ONLY): sign in with a wallet, cross-device (QR) or same-device",
      request: { query: z.object({ lang: z.enum(['en', 'ja']).optional() }) },
      responses: html200,
    }),
    (c) => {
      const l = lang(c);
      const t = textOf(l.lang);
      const button = (flow: string, label: string) =>
        `<button type="submit" name="flow" value="${flow}" data-testid="rp-${flow}">${esc(label)}</button>`;
      const options = choices
        .map(
          (q, i) =>
            `<label><input type="radio" name="query" value="${q}"${i === 0 ? ' checked' : ''} data-testid="rp-query-${q}"> ${esc(t(QUERY_TEXT[q]))}</label><br>`,
        )
        .join('\n');
      return c.html(
        pageShell({
          ...l,
          title: `${t('rpTitle')} (${deps.country})`,
          body: `<p>${esc(t('rpIntro'))}</p><form method="post" action="/wallet/verifier/rp?lang=${l.lang}">
<fieldset class="box" data-testid="rp-query"><legend>${esc(t('rpChoose'))}</legend>
${options}</fieldset>
${button('cross-device', t('crossDevice'))}${button('same-device', t('sameDevice'))}</form>`,
        }),
      );
    },
  );

  r.openapi(
    createRoute({
      method: 'post',
      path: '/wallet/verifier/rp',
      tags: ['wallet'],
      summary: "The relying party starts a presentation through the verifier's API and shows it (303 to its page)",
      requestBody: {
        required: true,
        content: {
          'application/x-www-form-urlencoded': {
            schema: {
              type: 'object',
              properties: {
                flow: { type: 'string', enum: ['cross-device', 'same-device'] },
                query: { type: 'string', enum: [...choices], description: 'What the relying party asks for' },
              },
            },
          },
        },
      } as unknown as RouteConfig['requestBody'],
      responses: { 303: { description: "To the relying party's page of this request" } },
    }),
    async (c) => {
      const form = new URLSearchParams(await c.req.text());
      const flow = form.get('flow') === 'same-device' ? 'same-device' : 'cross-device';
      const query = parseRpQueryChoice(form.get('query'), choices);
      const l = pageLang(c);
      purge();
      const sid = randomBytes(16).toString('base64url');
      const page = `${deps.publicUrl}/wallet/verifier/rp/s/${sid}`;
      const res = await c.get('fetch')(`${deps.publicUrl}/wallet/verifier/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          signed: true,
          response_mode: 'direct_post.jwt',
          dcql_query: rpQuery(query, deps.country),
          ...(flow === 'same-device' ? { redirect_uri: page } : {}),
        }),
      });
      if (!res.ok) throw new KakehashiError('vp-invalid-response', `The verifier answered ${res.status}.`);
      const made = (await res.json()) as { transaction_id: string; request_url: string };
      sessions.set(sid, {
        transactionId: made.transaction_id,
        requestUrl: made.request_url,
        flow,
        query,
        expiresAt: deps.clock.nowMs() + SESSION_TTL_MS,
      });
      return c.redirect(`/wallet/verifier/rp/s/${sid}?lang=${l}`, 303);
    },
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/wallet/verifier/rp/s/{sid}',
      tags: ['wallet'],
      summary:
        "The relying party's page of one request: the QR code and request URI while pending (reloading itself), then the verdict; same-device, read with the redirect's response_code",
      request: {
        params: z.object({ sid: z.string().max(100) }),
        query: z.object({ lang: z.enum(['en', 'ja']).optional(), response_code: z.string().max(200).optional() }),
      },
      responses: html200,
    }),
    async (c) => {
      purge();
      const s = sessions.get(c.req.valid('param').sid);
      if (!s) throw new KakehashiError('vp-unknown-transaction', 'No request of this relying party has that handle.');
      const code = c.req.valid('query').response_code;
      const l = lang(c);
      const t = textOf(l.lang);
      const url = new URL(`${deps.publicUrl}/wallet/verifier/transactions/${s.transactionId}`);
      if (code) url.searchParams.set('response_code', code);
      const res = await c.get('fetch')(url.toString());
      const tx = (await res.json()) as {
        status?: 'pending' | 'answered' | 'refused';
        verdict?: PresentationVerdict;
        error?: { error: string };
      };
      const title = `${t('rpTitle')} (${deps.country})`;
      if (!res.ok || tx.status === 'pending' || tx.status === undefined) {
        // Same-device and answered, read without the code: the page shows what a fresh visitor sees (pending).
        // Loaded at the first page that draws one, not at every start (qrcode and its PNG encoder).
        const { default: QRCode } = await import('qrcode');
        const qr = await QRCode.toString(s.requestUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
        const body =
          s.flow === 'cross-device'
            ? `<p>${esc(t('qrHint'))}</p><div class="qr" data-testid="rp-qr">${qr}</div>`
            : `<p><a href="${esc(s.requestUrl)}" data-testid="same-device-link">${esc(t('sameDeviceLink'))}</a></p>`;
        return c.html(
          pageShell({
            ...l,
            title,
            head: s.flow === 'cross-device' ? '<meta http-equiv="refresh" content="2">' : '',
            body: `${body}<textarea readonly data-testid="request-uri">${esc(s.requestUrl)}</textarea>
<p data-testid="rp-status" data-status="pending">${esc(t('waiting'))}</p>`,
          }),
        );
      }
      let result: string;
      if (tx.status === 'refused')
        result = `<p class="fail" data-testid="rp-verdict" data-status="refused">${esc(
          tx.error?.error === 'access_denied' ? t('refused') : t('walletError'),
        )} <span class="mono">(${esc(tx.error?.error)})</span></p>`;
      else if (tx.verdict?.valid) {
        // One line a disclosed claim (a member of an object claim, an mdoc namespace's element), with its path.
        const claims = Object.entries(tx.verdict.credential?.claims ?? {}).flatMap(([k, v]): [string[], unknown][] =>
          v && typeof v === 'object' && !Array.isArray(v)
            ? Object.entries(v).map(([k2, v2]): [string[], unknown] => [[k, k2], v2])
            : [[[k], v]],
        );
        // In the order the relying party asked for them (the issuer's digests, so the disclosures, have none).
        const asked = (rpQuery(s.query, deps.country).credentials[0]?.claims ?? []).map((c) => c.path.map(String));
        const rank = (path: string[]) => {
          const i = asked.findIndex((a) => a.every((x, n) => n >= path.length || x === path[n]));
          return i < 0 ? asked.length : i;
        };
        claims.sort((a, b) => rank(a[0]) - rank(b[0]));
        const cred = tx.verdict.credential;
        result = `<p class="ok" data-testid="rp-verdict" data-status="valid">${esc(t('verdictValid'))} (${esc(
          cred?.country,
        )})</p><p>${esc(t('rpAsked'))}: <span data-testid="rp-asked" data-query="${s.query}">${esc(t(QUERY_TEXT[s.query]))}</span>
<span class="mono" data-testid="rp-credential">${esc(cred?.format ?? 'dc+sd-jwt')} ${esc(cred?.vct)}</span></p>
<h2>${esc(t('disclosed'))}</h2><dl data-testid="rp-claims">${claims
          .map(
            ([path, v]) =>
              `<dt data-testid="rp-claim" data-path="${esc(JSON.stringify(path))}">${esc(claimLabel(path, l.lang))}</dt><dd class="mono">${esc(typeof v === 'string' ? v : JSON.stringify(v))}</dd>`,
          )
          .join('')}</dl>`;
      } else
        result = `<p class="fail" data-testid="rp-verdict" data-status="invalid">${esc(t('verdictInvalid'))}: ${esc(
          t('rule'),
        )} ${esc(tx.verdict?.failure?.rule)} — ${esc(tx.verdict?.failure?.reason)}</p>`;
      return c.html(
        pageShell({
          ...l,
          title,
          body: `${result}<p><a href="/wallet/verifier/rp?lang=${l.lang}">${esc(t('start'))}</a></p>`,
        }),
      );
    },
  );
  return r;
}
