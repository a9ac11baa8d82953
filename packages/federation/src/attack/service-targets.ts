import { FAULT_HEADER } from '@kakehashi/core';
import type { AttackCase } from './cases.ts';
import { AttackError, type Attempt, type DriverContext, namesRule } from './driver.ts';
import { excerpt } from './probe.ts';

/** What `/esig/sign` answers (the fields the runner uses). */
export interface SignedDocument {
  format: string;
  level: string;
  packaging: string;
  signature: string;
  signatureEncoding: string;
  signingTime?: string;
  timestamp?: { genTime: string; tsa: string };
  signer?: { subject: string };
}

const DOCUMENT =
  '<Document xmlns="urn:kakehashi:attack"><Subject>TEST ONLY: a document the attack runner signs</Subject></Document>';

async function getJson(
  ctx: DriverContext,
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const res = await ctx.fetch(url, { signal: AbortSignal.timeout(ctx.timeoutMs), ...init });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as Record<string, unknown>, text };
  } catch {
    throw new AttackError(`${url} answered ${res.status} without JSON: ${excerpt(text, 200)}`);
  }
}

/**
 * A document signed at the node's signing service (`POST /esig/sign`, an agency of the node) with the case's
 * fault asked for in `X-Kakehashi-Fault`: CAdES for the signing-certificate attribute, XAdES otherwise; B-T when
 * the node has a time-stamping authority.
 */
export async function signForged(ctx: DriverContext, c: AttackCase | null): Promise<SignedDocument> {
  const signers = await getJson(ctx, `${ctx.node}/esig/signers`);
  const agency = (signers.body.agencies as { id: string }[] | undefined)?.[0]?.id;
  if (!agency) throw new AttackError(`${ctx.node} has no agency that signs (GET /esig/signers)`);
  const levels = (signers.body.levels as string[] | undefined) ?? ['B-B'];
  const format = c?.fault === 'esig.missing-signing-certificate' ? 'cades' : 'xades';
  const r = await getJson(ctx, `${ctx.node}/esig/sign`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(c ? { [FAULT_HEADER]: c.fault } : {}) },
    body: JSON.stringify({
      signer: { type: 'agency', id: agency },
      document: { content: DOCUMENT, mimeType: 'application/xml', name: 'attack.xml' },
      format,
      // B-T where the case is about the time-stamp (and for the genuine signature); B-B otherwise, the level the
      // rules of the certificate cases name (an expired signer at B-T is EXPIRED, at B-B OUT_OF_BOUNDS_NO_POE).
      level: levels.includes('B-T') && (c === null || c.fault === 'esig.untrusted-tsa') ? 'B-T' : 'B-B',
    }),
  });
  if (r.status !== 200)
    throw new AttackError(`the node's signing service answered ${r.status}: ${excerpt(r.text, 200)}`);
  return r.body as unknown as SignedDocument;
}

export function summariseSignature(s: SignedDocument): { summary: string; artefact: Record<string, unknown> } {
  return {
    summary: `${s.format} ${s.level} (${s.packaging}) signed by ${s.signer?.subject ?? '?'} at ${s.signingTime ?? '?'}${s.timestamp ? `, time-stamped by ${s.timestamp.tsa}` : ''}; ${s.signature.length} chars (${s.signatureEncoding})`,
    artefact: {
      format: s.format,
      level: s.level,
      packaging: s.packaging,
      signer: s.signer?.subject,
      signingTime: s.signingTime,
      timestamp: s.timestamp,
      signatureEncoding: s.signatureEncoding,
    },
  };
}

/**
 * `signature-validator`: each forged signature is posted to the user's endpoint as JSON in the shape of
 * Kakehashi's own `POST /esig/validate` (`{ "signature": …, "signatureEncoding": "base64" }` for CAdES), and the
 * outcome probe reads its answer.
 */
export async function signatureValidatorAttempt(ctx: DriverContext, c: AttackCase | null): Promise<Attempt> {
  const signed = await signForged(ctx, c);
  const res = await ctx.fetch(ctx.target, {
    method: 'POST',
    redirect: 'manual',
    signal: AbortSignal.timeout(ctx.timeoutMs),
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      signature: signed.signature,
      ...(signed.signatureEncoding === 'base64-der' ? { signatureEncoding: 'base64' } : {}),
    }),
  });
  const text = (await res.text()).slice(0, 200_000);
  const location = res.headers.get('location');
  return {
    sent: summariseSignature(signed),
    answer: { status: res.status, redirects: location ? [location] : [], url: ctx.target, text },
  };
}

const SERVICE = 'urn:kakehashi:service:evidence';

/**
 * The target must be where the message goes: among the node's peers (`GET /peers`, their `/metadata`), the one
 * that publishes the recipient names its AS4 endpoint, and another endpoint than the target's URL stops the case
 * before anything is sent elsewhere. A recipient no peer publishes is taken on trust.
 */
async function requireEndpoint(ctx: DriverContext, recipient: string): Promise<void> {
  const peers = await getJson(ctx, `${ctx.node}/peers`).catch(() => undefined);
  for (const peer of (peers?.body.peers as { url: string }[] | undefined) ?? []) {
    const meta = (await getJson(ctx, `${peer.url.replace(/\/+$/, '')}/metadata`).catch(() => undefined))?.body
      .metadata as { endpoints?: { as4?: string }; participants?: { id: string }[] } | undefined;
    if (!meta?.participants?.some((p) => p.id === recipient)) continue;
    const endpoint = meta.endpoints?.as4;
    if (endpoint && endpoint.replace(/\/+$/, '') !== ctx.target.replace(/\/+$/, ''))
      throw new AttackError(
        `${recipient} is registered at ${endpoint}, not at the target ${ctx.target}: pass a participant your endpoint receives for`,
      );
    return;
  }
}

const DELIVERED = /^ACKNOWLEDGED/;
const REFUSED = /^(SEND_FAILURE|SEND_ATTEMPT_FAILED|WAITING_FOR_RETRY)$/;

/**
 * `as4` (and the eDelivery cases of `self`): the node's access point submits a message from one of its
 * participants to the recipient (`--recipient`, found through the hub's discovery at the target's AS4 endpoint)
 * with the case's fault in `X-Kakehashi-Fault`, sends it at once (`POST /admin/edelivery/pump`) and reads the
 * outcome from the sender's side: a receipt (delivered) or the ebMS error the receiving access point answered.
 * @see https://docs.oasis-open.org/ebxml-msg/ebms/v3.0/profiles/AS4-profile/v1.0/os/AS4-profile-v1.0-os.html
 */
export async function as4Attempt(ctx: DriverContext, c: AttackCase | null, checkEndpoint = true): Promise<Attempt> {
  const admin = { authorization: `Bearer ${ctx.adminToken}` };
  const meta = (await getJson(ctx, `${ctx.node}/metadata`)).body.metadata as
    | { participants?: { id: string }[] }
    | undefined;
  const sender = ctx.sender ?? meta?.participants?.[0]?.id;
  if (!sender)
    throw new AttackError(`${ctx.node} publishes no participant to send from (GET /metadata); pass --sender`);
  if (!ctx.recipient)
    throw new AttackError('no recipient: pass --recipient <participant id> (registered at the target)');
  if (checkEndpoint) await requireEndpoint(ctx, ctx.recipient);
  const submitted = await getJson(ctx, `${ctx.node}/edelivery/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(c ? { [FAULT_HEADER]: c.fault } : {}) },
    body: JSON.stringify({
      service: SERVICE,
      action: 'ExecuteQueryRequest',
      originalSender: sender,
      finalRecipient: ctx.recipient,
      payloads: [
        { mimeType: 'application/xml', content: Buffer.from('<Attack>TEST ONLY</Attack>').toString('base64') },
      ],
    }),
  });
  if (submitted.status !== 202 && submitted.status !== 200)
    throw new AttackError(`the node refused the submission: ${submitted.status} ${excerpt(submitted.text, 200)}`);
  const id = submitted.body.messageId as string;
  let view: Record<string, unknown> = submitted.body;
  for (let i = 0; i < 3 && !DELIVERED.test(String(view.status)) && !REFUSED.test(String(view.status)); i++) {
    await getJson(ctx, `${ctx.node}/admin/edelivery/pump`, { method: 'POST', headers: admin });
    view = (await getJson(ctx, `${ctx.node}/edelivery/messages/${encodeURIComponent(id)}?direction=out`)).body;
  }
  const status = String(view.status);
  const lastError = typeof view.lastError === 'string' ? view.lastError : '';
  const refused = REFUSED.test(status);
  return {
    sent: {
      summary: `AS4 message ${id} from ${sender} to ${ctx.recipient}${c ? ` with ${FAULT_HEADER}: ${c.fault} (${c.description})` : ' (genuine)'}`,
      artefact: {
        messageId: id,
        fromParty: view.fromParty,
        toParty: view.toParty,
        service: view.service,
        action: view.action,
      },
    },
    verdict: {
      refused,
      // The receiver names the rule with an ebMS error code; a duplicate is answered with the original's receipt (E3).
      namesRule:
        refused &&
        c !== null &&
        (namesRule(c.rule, undefined, lastError) ||
          /EBMS:\d{4}/.test(lastError) ||
          (c.rule.startsWith('E3') && /receipt refers to/i.test(lastError))),
      detail: `${status}${lastError ? `: ${lastError}` : ''}`,
      status: DELIVERED.test(status) ? 200 : refused ? 400 : 0,
      excerpt: excerpt(lastError || status, 300),
    },
  };
}
