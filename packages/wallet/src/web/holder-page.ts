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
import { HolderWallet } from '../holder/holder-wallet.ts';
import type { TrustVerifierCertificate } from '../verifier/request-object.ts';
import type { WalletDeps } from '../wallet-deps.ts';
import { describeRequest, type RequestView } from './describe-request.ts';
import { heldWallets } from './held-wallets.ts';
import { claimLabel, esc, pageShell, textOf } from './page-text.ts';

/** A consent page shown and not yet decided: the request it is about, for whom. */
interface PendingConsent {
  persona: string;
  url: string;
  expiresAt: number;
}

const CONSENT_TTL_MS = 600_000;
const MAX_PENDING = 1000;
const html200 = { 200: { description: 'The page', content: { 'text/html': { schema: z.string() } } } };
const PersonaParam = z.object({ persona: z.string().max(40) });
const LangQuery = z.object({ lang: z.enum(['en', 'ja']).optional() });
const FORM = (properties: Record<string, unknown>) =>
  ({
    required: true,
    content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', properties } } },
  }) as unknown as RouteConfig['requestBody'];

/**
 * The wallet's web page at a node (TEST ONLY): the country's EUDI wallet for its own personas, one wallet per
 * persona held by the node, over the same `HolderWallet` the library and the CLI use — list its credentials, receive
 * a PID from any country's provider (pre-authorised flow), open an authorization request (pasted, or followed from a
 * same-device link: `/wallet/holder/{persona}/authorize?client_id=…&request_uri=…`) and decide on the consent page
 * (which relying party — its access certificate's subject and country, judged by this node's trust view — asks for
 * which claims): Share posts the presentation, Decline posts the OpenID4VP error `access_denied` (§8.5); a
 * same-device request's redirect is followed. Headless use stays automatic (the library's `present`).
 * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html#section-8.5
 */
export function holderPageRoutes(
  deps: WalletDeps,
  opts: {
    trust: TrustVerifierCertificate;
    nodeUrlOf: (country: string, fetcher: typeof fetch) => Promise<string | undefined>;
  },
): ComponentApp & { reset(): void } {
  // In the node's store: a credential received here survives a restart (POST /admin/reset forgets them).
  const wallets = heldWallets(deps.store);
  const pending = new Map<string, PendingConsent>();
  const persona = (id: string) => {
    if (!deps.personas.some((p) => p.id === id))
      throw new KakehashiError('vci-unknown-persona', `No persona of ${deps.country} has the id "${id}".`);
    return id;
  };
  const walletOf = (c: Context, id: string) => {
    const o = { fetch: c.get('fetch') as typeof fetch, clock: deps.clock, trustVerifier: opts.trust };
    const s = wallets.get(id);
    if (s) return HolderWallet.restore(s, o);
    // A new wallet's device key is stored at once, so two requests of the same persona share one key.
    wallets.put(id, new HolderWallet(o).exportState());
    return HolderWallet.restore(wallets.get(id) as NonNullable<ReturnType<typeof wallets.get>>, o);
  };
  const lang = (c: Context): { lang: PageLang; langLinks: { en: string; ja: string } } => ({
    lang: pageLang(c),
    langLinks: { en: langLink(c, 'en'), ja: langLink(c, 'ja') },
  });
  const r = createRouteModule();

  r.openapi(
    createRoute({
      method: 'get',
      path: '/wallet/holder/{persona}',
      tags: ['wallet'],
      summary: "A persona's wallet page (TEST ONLY): its credentials, receive a PID, open an authorization request",
      request: { params: PersonaParam, query: LangQuery },
      responses: html200,
    }),
    async (c) => {
      const id = persona(c.req.valid('param').persona);
      const l = lang(c);
      const t = textOf(l.lang);
      const held = wallets.get(id)?.credentials ?? [];
      const countries = [...new Set([deps.country, ...(deps.destinations ?? [])])].filter((x) => x !== 'JP');
      const list = held.length
        ? `<ul data-testid="wallet-credentials">${held
            .map(
              (h, i) =>
                `<li data-testid="wallet-credential-${i}"><span class="mono">${esc(h.format)}</span> ${esc(h.vct)} — ${esc(h.credentialIssuer)}</li>`,
            )
            .join('')}</ul>`
        : `<p data-testid="wallet-credentials-empty">${esc(t('noCredentials'))}</p>`;
      return c.html(
        pageShell({
          ...l,
          title: t('walletTitle'),
          body: `<p>${esc(t('persona'))}: <strong data-testid="wallet-persona">${esc(id)}</strong></p>
<h2>${esc(t('credentials'))}</h2>${list}
<h2>${esc(t('receive'))}</h2>
<form method="post" action="/wallet/holder/${esc(id)}/receive?lang=${l.lang}">${esc(t('receiveFrom'))}
<select name="country" data-testid="wallet-receive-country">${countries.map((x) => `<option${x === deps.country ? ' selected' : ''}>${esc(x)}</option>`).join('')}</select>
<select name="format" data-testid="wallet-receive-format"><option>dc+sd-jwt</option><option>mso_mdoc</option></select>
<button type="submit" data-testid="wallet-receive">${esc(t('receiveButton'))}</button></form>
<h2>${esc(t('openRequest'))}</h2>
<form method="get" action="/wallet/holder/${esc(id)}/authorize"><p>${esc(t('openRequestHint'))}</p>
<input type="hidden" name="lang" value="${l.lang}"><textarea name="request" data-testid="wallet-request"></textarea>
<button type="submit" data-testid="wallet-open">${esc(t('openButton'))}</button></form>`,
        }),
      );
    },
  );

  r.openapi(
    createRoute({
      method: 'post',
      path: '/wallet/holder/{persona}/receive',
      tags: ['wallet'],
      summary: "The persona's wallet receives a PID from a country's provider (TEST-ONLY offer, pre-authorised flow)",
      request: { params: PersonaParam, query: LangQuery },
      requestBody: FORM({ country: { type: 'string' }, format: { type: 'string', enum: ['dc+sd-jwt', 'mso_mdoc'] } }),
      responses: { 303: { description: 'Back to the wallet page' } },
    }),
    async (c) => {
      const id = persona(c.req.valid('param').persona);
      const form = new URLSearchParams(await c.req.text());
      const country = (form.get('country') ?? deps.country).toUpperCase();
      const format = form.get('format') === 'mso_mdoc' ? 'mso_mdoc' : 'dc+sd-jwt';
      const base = country === deps.country ? deps.publicUrl : await opts.nodeUrlOf(country, c.get('fetch'));
      if (!base) throw new KakehashiError('bad-request', `No node of the federation is ${country}.`);
      const res = await c.get('fetch')(`${base}/wallet/issuer/offers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ personaId: id }),
      });
      if (!res.ok)
        throw new KakehashiError('bad-request', `${country}'s PID provider refused the offer (${res.status}).`);
      const { credential_offer_url } = (await res.json()) as { credential_offer_url: string };
      const wallet = walletOf(c, id);
      await wallet.receive(credential_offer_url, { format });
      wallets.put(id, wallet.exportState());
      return c.redirect(`/wallet/holder/${encodeURIComponent(id)}?lang=${pageLang(c)}`, 303);
    },
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/wallet/holder/{persona}/authorize',
      tags: ['wallet'],
      summary:
        "The wallet's consent page for an authorization request: request=<openid4vp://…>, or the request URI's own parameters (a same-device link)",
      request: {
        params: PersonaParam,
        query: z
          .object({ lang: z.enum(['en', 'ja']).optional(), request: z.string().max(20_000).optional() })
          .passthrough(),
      },
      responses: html200,
    }),
    async (c) => {
      const id = persona(c.req.valid('param').persona);
      const l = lang(c);
      const t = textOf(l.lang);
      const q = new URL(c.req.url).searchParams;
      let input = q.get('request');
      if (!input) {
        q.delete('lang');
        input = `openid4vp://?${q.toString()}`;
      }
      let view: RequestView;
      try {
        view = await describeRequest(input, c.get('fetch'), opts.trust);
        // The credential must satisfy the query before the person is asked (the library's own matching).
        await walletOf(c, id)
          .disclose(view.url)
          .catch(async (e: Error) => {
            if (/no credential/.test(e.message)) throw new Error(t('noMatch'));
            if (!/SD-JWT presentations only/.test(e.message)) throw e;
          });
      } catch (e) {
        return c.html(
          pageShell({
            ...l,
            title: t('cannotOpen'),
            body: `<p class="fail" data-testid="consent-error">${esc(e instanceof Error ? e.message : String(e))}</p><p><a href="/wallet/holder/${esc(id)}?lang=${l.lang}">${esc(t('back'))}</a></p>`,
          }),
          400,
        );
      }
      for (const [k, p] of pending)
        if (p.expiresAt < deps.clock.nowMs() || pending.size > MAX_PENDING) pending.delete(k);
      const token = randomBytes(16).toString('base64url');
      pending.set(token, { persona: id, url: view.url, expiresAt: deps.clock.nowMs() + CONSENT_TTL_MS });
      const cert = view.certificate;
      const who = cert
        ? `<dt>${esc(t('subject'))}</dt><dd data-testid="consent-subject">${esc(cert.subject)}</dd>
<dt>${esc(t('country'))}</dt><dd data-testid="consent-country">${esc(cert.country)}</dd>`
        : '';
      return c.html(
        pageShell({
          ...l,
          title: t('consentTitle'),
          body: `<div class="box"><h2>${esc(t('verifier'))}</h2><dl>${who}
<dt>${esc(t('clientId'))}</dt><dd class="mono" data-testid="consent-client-id">${esc(view.clientId)}</dd></dl>
${cert ? `<p class="ok" data-testid="consent-trusted">${esc(t('trusted'))}</p>` : ''}</div>
<div class="box"><h2>${esc(t('asks'))}</h2><ul data-testid="consent-claims">${view.claims
            .map(
              (p) =>
                `<li data-testid="consent-claim" data-path="${esc(JSON.stringify(p))}">${esc(claimLabel(p, l.lang))}</li>`,
            )
            .join('')}</ul></div>
<form method="post" action="/wallet/holder/${esc(id)}/authorize?lang=${l.lang}"><input type="hidden" name="consent" value="${token}">
<button type="submit" name="decision" value="share" data-testid="consent-share">${esc(t('share'))}</button>
<button type="submit" name="decision" value="decline" data-testid="consent-decline">${esc(t('decline'))}</button></form>`,
        }),
      );
    },
  );

  r.openapi(
    createRoute({
      method: 'post',
      path: '/wallet/holder/{persona}/authorize',
      tags: ['wallet'],
      summary:
        'The decision on a consent page (once): share posts the presentation, decline posts error=access_denied to the response URI; a same-device redirect_uri is followed (303)',
      request: { params: PersonaParam, query: LangQuery },
      requestBody: FORM({ consent: { type: 'string' }, decision: { type: 'string', enum: ['share', 'decline'] } }),
      responses: { ...html200, 303: { description: "To the relying party's redirect_uri (same-device)" } },
    }),
    async (c) => {
      const id = persona(c.req.valid('param').persona);
      const l = lang(c);
      const t = textOf(l.lang);
      const form = new URLSearchParams(await c.req.text());
      const p = pending.get(form.get('consent') ?? '');
      if (!p || p.persona !== id || p.expiresAt < deps.clock.nowMs())
        throw new KakehashiError('bad-request', 'No consent page of this wallet is open with that token.');
      pending.delete(form.get('consent') ?? '');
      const decision = form.get('decision');
      if (decision !== 'share' && decision !== 'decline')
        throw new KakehashiError('bad-request', 'decision must be share or decline.');
      const wallet = walletOf(c, id);
      let answer: { status: number; body: unknown };
      if (decision === 'share') answer = await wallet.present(p.url);
      // §8.5: access_denied to the response URI of the request as resolved and checked (never a pasted one),
      // encrypted to the request's key when it asked for direct_post.jwt (§8.3.1).
      else
        answer = await wallet.decline(p.url).catch((e: unknown) => {
          throw new KakehashiError('bad-request', `The request cannot be declined: ${(e as Error).message}`);
        });
      const redirect = (answer.body as { redirect_uri?: unknown } | null)?.redirect_uri;
      if (answer.status === 200 && typeof redirect === 'string' && /^https?:\/\//.test(redirect))
        return c.redirect(redirect, 303);
      const ok = answer.status === 200;
      const message = ok
        ? t(decision === 'share' ? 'shared' : 'declined')
        : `${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`;
      return c.html(
        pageShell({
          ...l,
          title: t('walletTitle'),
          body: `<p class="${ok ? 'ok' : 'fail'}" data-testid="wallet-outcome" data-decision="${decision}">${esc(message)}</p><p><a href="/wallet/holder/${esc(id)}?lang=${l.lang}">${esc(t('back'))}</a></p>`,
        }),
      );
    },
  );
  const reset = () => {
    wallets.clear();
    pending.clear();
  };
  return Object.assign(r, { reset });
}
