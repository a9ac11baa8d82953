import { FAULT_PARAM } from '@kakehashi/core';
import { summariseJwt, summariseSamlResponse } from './artefacts.ts';
import { AttackBrowser, type BrowserResponse, readForm } from './browser.ts';
import { AttackError, type Driver, type DriverContext } from './driver.ts';
import type { TargetAnswer } from './probe.ts';
import { forgedIdToken } from './self-targets.ts';

/** The query parameter of Kakehashi's headless login (the persona chosen without the picker). */
const PERSONA_PARAM = 'kakehashi_persona';

const sameOrigin = (a: URL | string, b: URL | string) => new URL(a).origin === new URL(b).origin;

/**
 * After the artefact was delivered to the target: the target's own redirects (on its origin) are followed, and
 * what it finally answered is the outcome the probe reads.
 */
async function targetAnswer(browser: AttackBrowser, delivered: BrowserResponse, target: string): Promise<TargetAnswer> {
  const redirects: string[] = [];
  let res = delivered;
  for (let i = 0; i < 10; i++) {
    if (!res.location || res.status < 300 || res.status >= 400) break;
    redirects.push(res.location);
    if (!sameOrigin(res.location, target)) break;
    res = await browser.request(res.location);
  }
  return { status: res.status, redirects, url: res.url, text: res.text };
}

function describeStop(res: BrowserResponse): string {
  return `${res.url} answered ${res.status}${res.location ? ` → ${res.location}` : ''}: ${res.text.slice(0, 200).replace(/\s+/g, ' ')}`;
}

/**
 * `oidc-rp`: the runner is the browser. It opens the relying party's login URL, follows it to the node's
 * authorization endpoint, adds `kakehashi_persona` and (for a case) `kakehashi_fault`, follows the provider's
 * redirect back to the relying party's callback — which exchanges the code and receives the forged ID token — and
 * reads what the relying party answers.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 */
export function oidcRpDriver(ctx: DriverContext): Driver {
  return async (c) => {
    const browser = new AttackBrowser(ctx.fetch, ctx.timeoutMs);
    let authorize: URL | undefined;
    const start = await browser.request(ctx.target);
    const atProvider = await browser.follow(start, {
      // Up to the authorization endpoint through the relying party's and the provider's redirects; after it, only
      // the provider's own (the redirect back to the relying party is the delivery, requested below).
      follow: (next) =>
        authorize ? sameOrigin(next, ctx.node) : sameOrigin(next, ctx.target) || sameOrigin(next, ctx.node),
      rewrite: (next) => {
        if (sameOrigin(next, ctx.node) && next.pathname.endsWith('/oidc/authorize')) {
          if (!next.searchParams.has(PERSONA_PARAM)) next.searchParams.set(PERSONA_PARAM, ctx.persona);
          if (c) next.searchParams.set(FAULT_PARAM, c.fault);
          authorize = next;
        }
        return next;
      },
    });
    if (!authorize)
      throw new AttackError(
        `the login URL never led to ${ctx.node}/oidc/authorize (is --node the provider the relying party uses?): ${describeStop(atProvider)}`,
      );
    const back = atProvider.location;
    if (!back || !sameOrigin(back, ctx.target) || !sameOrigin(atProvider.url, ctx.node))
      throw new AttackError(
        `the provider did not send the browser back to the relying party: ${describeStop(atProvider)}`,
      );
    const callback = new URL(back);
    if (callback.searchParams.has('error'))
      throw new AttackError(
        `the provider answered the authorization request with ${callback.searchParams.get('error')}: ${callback.searchParams.get('error_description') ?? ''}`,
      );
    const delivered = await browser.request(callback.href);
    const answer = await targetAnswer(browser, delivered, ctx.target);
    // The token the relying party received stays between it and the provider. To show what such a token looks
    // like, the runner has the same forgery minted for a login of its own (Kakehashi's demo client) and decodes it.
    const sample = await forgedIdToken(ctx, c).then(
      (t) => summariseJwt(t.token),
      () => undefined,
    );
    const sent = {
      summary: `${c ? `a login with ${FAULT_PARAM}=${c.fault} (persona ${ctx.persona}): ${c.description}` : `a genuine login (persona ${ctx.persona})`}${sample ? ` — the same token minted for the runner's own login: ${sample.summary}` : ''}`,
      artefact: {
        authorize: authorize.href,
        callback: `${callback.origin}${callback.pathname}`,
        ...(sample ? { sameForgeryForTheRunner: sample.artefact } : {}),
      },
    };
    return { sent, answer };
  };
}

/**
 * `saml-sp`: the runner is the browser. It opens the SP's login URL, follows it to the node's IdP SSO endpoint
 * (HTTP-Redirect, or an auto-submitting HTTP-POST form), adds `kakehashi_persona` and the case's `kakehashi_fault`,
 * then posts the IdP's auto-submitting form (the SAMLResponse) to the SP's ACS and reads what the SP answers.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-bindings-2.0-os.pdf (§3.4, §3.5)
 */
export function samlSpDriver(ctx: DriverContext): Driver {
  return async (c) => {
    const browser = new AttackBrowser(ctx.fetch, ctx.timeoutMs);
    const addFault = (u: URL) => {
      if (!u.searchParams.has(PERSONA_PARAM)) u.searchParams.set(PERSONA_PARAM, ctx.persona);
      if (c) u.searchParams.set(FAULT_PARAM, c.fault);
      return u;
    };
    const isSso = (u: URL) => sameOrigin(u, ctx.node) && u.pathname.endsWith('/saml/idp/sso');
    let reachedSso = false;
    const start = await browser.request(ctx.target);
    let idp = await browser.follow(start, {
      follow: (next) => sameOrigin(next, ctx.target) || sameOrigin(next, ctx.node),
      rewrite: (next) => {
        if (isSso(next)) {
          reachedSso = true;
          return addFault(next);
        }
        return next;
      },
    });
    if (!reachedSso && idp.status === 200) {
      // HTTP-POST binding: the SP's page posts the AuthnRequest to the IdP.
      const form = readForm(idp.text, idp.url);
      if (form && isSso(new URL(form.action))) {
        reachedSso = true;
        // The IdP reads the persona and the fault from the form (and the fault from the URL too).
        const action = addFault(new URL(form.action));
        const fields = { [PERSONA_PARAM]: ctx.persona, ...form.fields, ...(c ? { [FAULT_PARAM]: c.fault } : {}) };
        idp = await browser.request(action.href, {
          method: 'POST',
          body: new URLSearchParams(fields).toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
      }
    }
    if (!reachedSso)
      throw new AttackError(
        `the login URL never led to ${ctx.node}/saml/idp/sso (is --node the IdP the SP uses?): ${describeStop(idp)}`,
      );
    const answer = idp.status === 200 ? readForm(idp.text, idp.url) : undefined;
    if (!answer?.fields.SAMLResponse)
      throw new AttackError(`the IdP answered without a SAMLResponse form: ${describeStop(idp)}`);
    if (!sameOrigin(answer.action, ctx.target))
      throw new AttackError(`the IdP posts the Response to ${answer.action}, not to the SP at ${ctx.target}`);
    const decoded = summariseSamlResponse(answer.fields.SAMLResponse);
    const delivered = await browser.request(answer.action, {
      method: 'POST',
      body: new URLSearchParams(answer.fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const sent = {
      summary: `${c ? `${FAULT_PARAM}=${c.fault}: ${c.description}` : 'a genuine login'} (persona ${ctx.persona}); ${decoded.summary}`,
      artefact: { ...decoded.artefact, acs: answer.action },
    };
    return { sent, answer: await targetAnswer(browser, delivered, ctx.target) };
  };
}
