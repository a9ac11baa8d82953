import { createHash, randomBytes } from 'node:crypto';
import { FAULT_PARAM } from '@kakehashi/core';
import { buildAuthnRequest, DEMO_SP_ENTITY_ID, encodeRedirectRequest } from '@kakehashi/eid';
import { summariseJwt, summariseSamlResponse } from './artefacts.ts';
import { readForm } from './browser.ts';
import type { AttackCase } from './cases.ts';
import { AttackError, type Attempt, type DriverContext, namesRule, type SelfVerdict } from './driver.ts';
import { excerpt } from './probe.ts';
import { as4Attempt, signForged, summariseSignature } from './service-targets.ts';

/** Kakehashi's test-only demo relying party, registered at every node for any loopback redirect URI. */
export const DEMO_CLIENT = { id: 'kakehashi-demo-rp', secret: 'kakehashi-demo-secret' } as const;
/** A loopback redirect URI nobody listens on: the runner reads the code from the provider's Location header. */
const LOOPBACK_CALLBACK = 'http://127.0.0.1:9/callback';
const LOOPBACK_ACS = 'http://127.0.0.1:9/saml/acs';

const b64url = (b: Buffer) => b.toString('base64url');

async function call(
  ctx: DriverContext,
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; text: string; location: string | null; json: () => Record<string, unknown> }> {
  const res = await ctx.fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(ctx.timeoutMs), ...init });
  const text = await res.text();
  return {
    status: res.status,
    text,
    location: res.headers.get('location'),
    json: () => {
      try {
        return JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw new AttackError(`${url} answered ${res.status} without JSON: ${excerpt(text, 200)}`);
      }
    },
  };
}

const postJson = (ctx: DriverContext, url: string, body: unknown, headers: Record<string, string> = {}) =>
  call(ctx, url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

/** The verdict of one of our validation services (`{ valid, failure: { rule, code, reason } }`). */
function verdictOf(c: AttackCase | null, status: number, body: Record<string, unknown>, text: string): SelfVerdict {
  if (status !== 200) throw new AttackError(`the validation service answered ${status}: ${excerpt(text, 200)}`);
  const failure = body.failure as { rule?: string; code?: string; reason?: string } | undefined;
  const refused = body.valid === false;
  return {
    refused,
    namesRule: refused && c !== null && namesRule(c.rule, failure?.rule, JSON.stringify(failure ?? {})),
    detail: refused ? `refused: ${failure?.rule ?? '?'} ${failure?.code ?? ''} — ${failure?.reason ?? ''}` : 'valid',
    status,
    excerpt: excerpt(JSON.stringify(failure ?? { valid: body.valid }), 300),
  };
}

/** A login at the node's provider as the demo relying party, the case's fault asked for: the ID token it mints. */
export async function forgedIdToken(
  ctx: DriverContext,
  c: AttackCase | null,
): Promise<{ token: string; nonce: string; issuer: string }> {
  const meta = (await call(ctx, `${ctx.node}/.well-known/openid-configuration`)).json();
  const verifier = b64url(randomBytes(32));
  const nonce = b64url(randomBytes(16));
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: DEMO_CLIENT.id,
    redirect_uri: LOOPBACK_CALLBACK,
    scope: 'openid profile',
    state: b64url(randomBytes(16)),
    nonce,
    code_challenge: b64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
    acr_values: ctx.loa,
    kakehashi_persona: ctx.persona,
    ...(c ? { [FAULT_PARAM]: c.fault } : {}),
  });
  const auth = await call(ctx, `${meta.authorization_endpoint as string}?${q}`);
  const code = auth.location ? new URL(auth.location).searchParams.get('code') : null;
  if (!code)
    throw new AttackError(`the provider gave no code: ${auth.status} ${auth.location ?? excerpt(auth.text, 200)}`);
  const tokenRes = await call(ctx, meta.token_endpoint as string, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: LOOPBACK_CALLBACK,
      client_id: DEMO_CLIENT.id,
      client_secret: DEMO_CLIENT.secret,
      code_verifier: verifier,
    }).toString(),
  });
  const token = tokenRes.json().id_token;
  if (typeof token !== 'string')
    throw new AttackError(`the token endpoint answered ${tokenRes.status} without an ID token`);
  return { token, nonce, issuer: meta.issuer as string };
}

/** A SAML login at the node's IdP as the demo SP, the case's fault asked for: the Response it answers with. */
async function forgedSamlResponse(
  ctx: DriverContext,
  c: AttackCase | null,
): Promise<{ b64: string; id: string; destination: string }> {
  const clock = (
    await call(ctx, `${ctx.node}/admin/clock`, { headers: { authorization: `Bearer ${ctx.adminToken}` } })
  ).json();
  const sso = `${ctx.node}/saml/idp/sso`;
  const { id, xml } = buildAuthnRequest({
    issuer: DEMO_SP_ENTITY_ID,
    destination: sso,
    acsUrl: LOOPBACK_ACS,
    requestedLoa: ctx.loa as Parameters<typeof buildAuthnRequest>[0]['requestedLoa'],
    nowMs: Date.parse(String(clock.now)),
  });
  const url = encodeRedirectRequest(sso, xml, {
    relayState: 'kakehashi-attack',
    extraParams: { kakehashi_persona: ctx.persona, ...(c ? { [FAULT_PARAM]: c.fault } : {}) },
  });
  const res = await call(ctx, url);
  const form = res.status === 200 ? readForm(res.text, url) : undefined;
  if (!form?.fields.SAMLResponse)
    throw new AttackError(`the IdP answered ${res.status} without a SAMLResponse: ${excerpt(res.text, 200)}`);
  return { b64: form.fields.SAMLResponse, id, destination: LOOPBACK_ACS };
}

/**
 * `self`: each forged artefact is taken from the node (`--node`) and handed to the validation services of the
 * target component (`<url>`, the hub or a node): `/eid/validate/id-token`, `/eid/validate/saml-response`,
 * `/esig/validate`; eDelivery's forged messages are sent by the node's access point to the target's. A case passes
 * when the validator refuses the artefact and names the case's rule.
 */
export function selfDriver(
  ctx: DriverContext,
): (c: AttackCase | null, artefact: AttackCase['artefact']) => Promise<Attempt> {
  let demoKey: string | undefined;
  return async (c, artefact) => {
    if (artefact === 'id-token') {
      const { token, nonce, issuer } = await forgedIdToken(ctx, c);
      const s = summariseJwt(token);
      const r = await postJson(ctx, `${ctx.target}/eid/validate/id-token`, {
        token,
        expected: { issuer, audience: DEMO_CLIENT.id, nonce, requestedLoa: ctx.loa },
      });
      return { sent: s, verdict: verdictOf(c, r.status, r.json(), r.text) };
    }
    if (artefact === 'saml') {
      demoKey ??= (await call(ctx, `${ctx.node}/saml/demo-sp/key`)).json().privateKeyPem as string;
      const { b64, id, destination } = await forgedSamlResponse(ctx, c);
      const s = summariseSamlResponse(b64);
      const r = await postJson(ctx, `${ctx.target}/eid/validate/saml-response`, {
        samlResponse: b64,
        expected: {
          issuer: `${ctx.node}/saml/idp/metadata`,
          audience: DEMO_SP_ENTITY_ID,
          destination,
          inResponseTo: id,
          requestedLoa: ctx.loa,
          decryptionKeyPem: demoKey,
        },
      });
      return { sent: s, verdict: verdictOf(c, r.status, r.json(), r.text) };
    }
    if (artefact === 'esig') {
      const signed = await signForged(ctx, c);
      const r = await postJson(ctx, `${ctx.target}/esig/validate`, {
        signature: signed.signature,
        ...(signed.signatureEncoding === 'base64-der' ? { signatureEncoding: 'base64' } : {}),
      });
      const report = r.json();
      if (r.status !== 200) throw new AttackError(`/esig/validate answered ${r.status}: ${excerpt(r.text, 200)}`);
      // A B-T signature whose time-stamp fails attains B-B only: that is the refusal of the time-stamp (not of
      // the signature), reported as the level attained.
      const downgraded = signed.level === 'B-T' && report.level !== undefined && report.level !== 'B-T';
      const refused = report.indication !== 'TOTAL-PASSED' || downgraded;
      const text = JSON.stringify(report);
      return {
        sent: summariseSignature(signed),
        verdict: {
          refused,
          namesRule: refused && c !== null && namesRule(c.rule, undefined, text),
          detail: `${report.indication as string}${report.subIndicationName ? ` ${report.subIndicationName as string}` : ''} at level ${String(report.level)}: ${String(report.levelExplanation ?? report.explanation ?? '')}`,
          status: r.status,
          excerpt: excerpt(String(report.explanation ?? ''), 300),
        },
      };
    }
    // edelivery: the node's access point sends to a participant of the target's (the target must be a node).
    let recipient = ctx.recipient;
    if (!recipient) {
      const meta = (await call(ctx, `${ctx.target}/metadata`)).json().metadata as
        | { participants?: { id: string }[] }
        | undefined;
      recipient = meta?.participants?.[0]?.id;
    }
    if (!recipient)
      throw new AttackError(`${ctx.target} publishes no eDelivery participant (GET /metadata): pass --recipient`);
    // Delivered or not is read where it counts, at the receiving access point: its inbound messages before and after.
    const inbound = async () =>
      ((await call(ctx, `${ctx.target}/edelivery/messages?direction=in&limit=1000`)).json().messages as unknown[])
        .length;
    const before = await inbound();
    const a = await as4Attempt({ ...ctx, recipient }, c, false);
    const delivered = (await inbound()) > before;
    const v = a.verdict as SelfVerdict;
    const answeredWithReceipt = /^ACKNOWLEDGED/.test(v.detail);
    return {
      ...a,
      verdict: {
        ...v,
        refused: !delivered,
        // The receiver names the rule with its ebMS error; a duplicate is answered with the original receipt (E3).
        namesRule:
          !delivered && c !== null && (v.namesRule || answeredWithReceipt || namesRule(c.rule, undefined, v.detail)),
        detail: `${delivered ? 'delivered' : 'not delivered'} at ${ctx.target}; the sender saw ${v.detail}`,
      },
    };
  };
}
