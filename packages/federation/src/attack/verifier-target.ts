import {
  deviceResponseArtefact,
  type ForgedAnswer,
  type ForgeExtras,
  fetchAskingPidFault,
  forgeAnswer,
  forgeMdocAnswer,
  type HolderFault,
  HolderWallet,
  isMdocFault,
  MDOC_PID_FAULT_OF,
  NoMatchingCredentialError,
  PID_DOCTYPE,
  PID_FAULT_OF,
  PID_NAMESPACE,
  type PresentationRequest,
} from '@kakehashi/wallet';
import type { AttackCase } from './cases.ts';
import { AttackError, AttackUnavailable, type Attempt, type DriverContext } from './driver.ts';
import { excerpt } from './probe.ts';

/** How the runner gets a fresh authorization request from the user's verifier, and reads its verdict. */
export interface VerifierTargetOptions {
  /** True: `<url>` makes a request when POSTed to (JSON in, JSON out), as Kakehashi's `/wallet/verifier/requests`. */
  requestEndpoint?: boolean | undefined;
  /** The JSON body of that POST (default `{}`). */
  requestBody?: string | undefined;
  /**
   * Where the relying party's verdict is read after the answer, `{transaction_id}` and `{state}` filled in; by
   * default Kakehashi's `…/wallet/verifier/transactions/{transaction_id}` when `<url>` is its request endpoint.
   */
  verdictUrl?: string | undefined;
}

/** One request as the runner obtained it: what the wallet reads (a URL or the object) and the transaction's id. */
interface Obtained {
  request: string | PresentationRequest;
  transactionId?: string | undefined;
}

/**
 * What the runner's request asks for when a case presents the PID as mso_mdoc (`wallet.vp-mdoc-*`) and `<url>` is a
 * request endpoint: the request body's other members kept, its DCQL query this one (the mdoc PID's names and birth
 * date). A verifier reached through a page asks what it asks: without an mso_mdoc query the mdoc cases cannot run.
 */
const MDOC_QUERY = {
  credentials: [
    {
      id: 'pid-mdoc',
      format: 'mso_mdoc',
      meta: { doctype_value: PID_DOCTYPE },
      claims: ['family_name', 'given_name', 'birth_date'].map((e) => ({ path: [PID_NAMESPACE, e] })),
    },
  ],
};

/** A URI that carries an OpenID4VP request (any scheme: openid4vp://, eudi-openid4vp://, haip://, https://…). */
const REQUEST_URI = /[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]*client_id=[^\s"'<>`]*/i;
const unescapeHtml = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#x2F;/gi, '/');
const isRequestUrl = (s: string) => /[?&]client_id=/.test(s) && /[?&](request_uri|response_uri|request)=/.test(s);

/** The request in a JSON answer: `request_url`, `authorization_request` (a URL or the object), or `request_uri`. */
function fromJson(body: Record<string, unknown>): Obtained | undefined {
  const id = [body.transaction_id, body.transactionId, body.id].find((x) => typeof x === 'string') as
    | string
    | undefined;
  for (const k of ['request_url', 'authorization_request_url', 'authorization_request', 'url']) {
    const v = body[k];
    if (typeof v === 'string' && isRequestUrl(v)) return { request: v, transactionId: id };
    if (v && typeof v === 'object' && typeof (v as Record<string, unknown>).client_id === 'string') {
      const o = v as Record<string, unknown>;
      if (typeof o.request_uri === 'string')
        return {
          request: `openid4vp://?${new URLSearchParams({ client_id: o.client_id as string, request_uri: o.request_uri })}`,
          transactionId: id,
        };
      return { request: o as unknown as PresentationRequest, transactionId: id };
    }
  }
  // The EUDI reference verifier's shape: { transaction_id, client_id, request_uri }.
  if (typeof body.client_id === 'string' && typeof body.request_uri === 'string')
    return {
      request: `openid4vp://?${new URLSearchParams({ client_id: body.client_id, request_uri: body.request_uri })}`,
      transactionId: id,
    };
  return undefined;
}

/**
 * A fresh authorization request from `<url>`: an `openid4vp://…` URI itself (the same each time: only as good as
 * its request_uri is fresh), the JSON of a request endpoint (`--request-endpoint`, POSTed), or what a GET answers —
 * a redirect to the request URI (same-device), JSON naming it, or a page that links it (the QR or button of a
 * relying party's login page).
 */
async function obtainRequest(ctx: DriverContext, opts: VerifierTargetOptions, mdoc = false): Promise<Obtained> {
  const url = ctx.target;
  if (!/^https?:/i.test(url)) return { request: url };
  const call = (u: string) =>
    ctx.fetch(u, {
      redirect: 'manual',
      signal: AbortSignal.timeout(ctx.timeoutMs),
      ...(opts.requestEndpoint
        ? {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json' },
            body: mdoc
              ? JSON.stringify({ ...(JSON.parse(opts.requestBody ?? '{}') as object), dcql_query: MDOC_QUERY })
              : (opts.requestBody ?? '{}'),
          }
        : { headers: { accept: 'application/json, text/html;q=0.9, */*;q=0.5' } }),
    });
  let at = url;
  for (let hop = 0; hop < 5; hop++) {
    const res = await call(at);
    const location = res.headers.get('location');
    if (location && res.status >= 300 && res.status < 400) {
      const next = new URL(location, at).toString();
      if (isRequestUrl(next)) return { request: next };
      if (opts.requestEndpoint) throw new AttackError(`the request endpoint redirected to ${next}`);
      at = next;
      continue;
    }
    const text = await res.text();
    if (!res.ok) throw new AttackError(`${at} answered ${res.status} without a request: ${excerpt(text, 200)}`);
    try {
      const found = fromJson(JSON.parse(text) as Record<string, unknown>);
      if (found) return found;
    } catch {
      // not JSON: a page
    }
    const m = REQUEST_URI.exec(unescapeHtml(text));
    if (m && isRequestUrl(m[0])) return { request: m[0] };
    throw new AttackError(
      `${at} answered ${res.status} with no OpenID4VP request (no redirect, request_url or link with client_id and request_uri/response_uri): ${excerpt(text, 200)}`,
    );
  }
  throw new AttackError(`${url}: more than five redirects before a request`);
}

/** The verdict URL for a transaction: the option's template, or Kakehashi's own beside its request endpoint. */
function verdictUrlOf(ctx: DriverContext, opts: VerifierTargetOptions, o: Obtained, state: string): string | undefined {
  let template = opts.verdictUrl;
  if (!template && opts.requestEndpoint && /\/wallet\/verifier\/requests\/?$/.test(new URL(ctx.target).pathname))
    template = ctx.target.replace(/\/requests\/?$/, '/transactions/{transaction_id}');
  if (!template || (template.includes('{transaction_id}') && !o.transactionId)) return undefined;
  return template
    .replaceAll('{transaction_id}', encodeURIComponent(o.transactionId ?? ''))
    .replaceAll('{state}', encodeURIComponent(state));
}

const b64json = (s: string | undefined): Record<string, unknown> => {
  try {
    return JSON.parse(Buffer.from(s ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
};

/** What was presented, decoded (never a claim's value): the issuer, vct, disclosed names and the key binding. */
export function summarisePresentation(a: ForgedAnswer): { summary: string; artefact: Record<string, unknown> } {
  if (!a.presentation.includes('.') && !a.presentation.includes('~')) return summariseMdoc(a);
  const parts = a.presentation.split('~');
  const [h, p] = (parts[0] ?? '').split('.');
  const header = b64json(h);
  const payload = b64json(p);
  const last = parts.at(-1) ?? '';
  const kb = last ? b64json(last.split('.')[1]) : undefined;
  const disclosed = parts
    .slice(1, -1)
    .map((d) => {
      try {
        const arr = JSON.parse(Buffer.from(d, 'base64url').toString('utf8')) as unknown[];
        return arr.length === 3 ? String(arr[1]) : '(array element)';
      } catch {
        return '(undecodable)';
      }
    })
    .filter(Boolean);
  const kbText = kb
    ? `KB aud=${String(kb.aud)} nonce=${String(kb.nonce).slice(0, 12)}… iat=${String(kb.iat)}`
    : 'no KB-JWT';
  return {
    summary: `${a.note}: SD-JWT VC of ${String(payload.iss)} (vct ${String(payload.vct)}), disclosures [${disclosed.join(', ')}], ${kbText}; posted to ${a.request.response_uri} (${a.request.response_mode}) with state ${a.request.state.slice(0, 12)}…`,
    artefact: {
      header: { alg: header.alg, typ: header.typ, x5c: Array.isArray(header.x5c) ? header.x5c.length : undefined },
      iss: payload.iss,
      vct: payload.vct,
      exp: payload.exp,
      status: payload.status,
      disclosed,
      keyBinding: kb ? { aud: kb.aud, nonce: kb.nonce, iat: kb.iat } : null,
      responseUri: a.request.response_uri,
      responseMode: a.request.response_mode,
    },
  };
}

/**
 * `verifier`: the runner's headless wallet holds a PID from the federation node's PID provider (`--node`; the
 * credential faults get one issued with their `wallet.pid-*` fault) and, for each case, answers a FRESH request of
 * the user's verifier with the forged presentation (`wallet.vp-*`), then reads the verifier's answer: the response
 * URI's status (4xx/5xx: refused) and, where the verifier offers one (`--verdict-url`, or Kakehashi's own
 * transaction), the relying party's verdict (`valid`); with neither, the outcome probe reads the response URI's
 * answer. The baseline (the genuine presentation) must be accepted.
 * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html#section-8.2
 */
export function verifierDriver(
  ctx: DriverContext,
  opts: VerifierTargetOptions,
): (c: AttackCase | null) => Promise<Attempt> {
  const wallets = new Map<string, Promise<HolderWallet>>();
  const seen = new Set<string>();
  let offset: Promise<number> | undefined;
  /** The federation's clock (the node's, virtual): the wallet signs its proofs and key bindings by it. */
  const clockOffset = () => {
    offset ??= ctx
      .fetch(`${ctx.node}/admin/clock`, { headers: { authorization: `Bearer ${ctx.adminToken}` } })
      .then(async (r) => (r.ok ? Date.parse(String(((await r.json()) as { now?: string }).now)) - Date.now() : 0))
      .catch(() => 0);
    return offset;
  };
  const walletFor = (pidFault: string | undefined, format: 'dc+sd-jwt' | 'mso_mdoc') => {
    const key = `${format} ${pidFault ?? ''}`;
    let w = wallets.get(key);
    if (!w) {
      w = (async () => {
        const skew = await clockOffset();
        const wallet = new HolderWallet({
          fetch: pidFault ? fetchAskingPidFault(ctx.fetch, pidFault) : ctx.fetch,
          clock: { now: () => new Date(Date.now() + skew) },
        });
        const res = await ctx.fetch(`${ctx.node}/wallet/issuer/offers`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ personaId: ctx.persona }),
          signal: AbortSignal.timeout(ctx.timeoutMs),
        });
        const text = await res.text();
        if (!res.ok)
          throw new AttackError(`${ctx.node} has no PID provider to issue from (${res.status}): ${excerpt(text, 200)}`);
        await wallet.receive((JSON.parse(text) as { credential_offer_url: string }).credential_offer_url, { format });
        return wallet;
      })();
      w.catch(() => wallets.delete(key));
      wallets.set(key, w);
    }
    return w;
  };
  /** A fresh request of the target, checked to be one the verifier never gave before (state and nonce). */
  const fresh = async (wallet: HolderWallet, fault: HolderFault | null, extras: ForgeExtras = {}) => {
    const mdoc = isMdocFault(fault);
    const obtained = await obtainRequest(ctx, opts, mdoc);
    const forged = isMdocFault(fault)
      ? forgeMdocAnswer(wallet, obtained.request, fault)
      : forgeAnswer(wallet, obtained.request, fault, extras);
    const answer = await forged.catch((e: unknown) => {
      // A page asks what it asks: a request for no mdoc cannot take the mdoc cases (a request endpoint is asked for one).
      if (mdoc && e instanceof NoMatchingCredentialError)
        throw new AttackUnavailable(
          `the target's request asks for ${e.formats.join(', ')} only, no mso_mdoc: the mdoc cases cannot run against it (give --request-endpoint, or --only the SD-JWT cases)`,
        );
      throw new AttackError(`the wallet could not answer the request: ${(e as Error).message}`);
    });
    const key = `${answer.request.state}\u0000${answer.request.nonce}`;
    if (seen.has(key))
      throw new AttackError(
        'the verifier gave the same request (state and nonce) twice: the target must give a fresh request each time (a page or a request endpoint, not one fixed openid4vp:// URI)',
      );
    seen.add(key);
    return { obtained, answer };
  };
  return async (c) => {
    const fault = (c?.fault ?? null) as HolderFault | null;
    const wallet = isMdocFault(fault)
      ? await walletFor(MDOC_PID_FAULT_OF[fault], 'mso_mdoc')
      : await walletFor(fault ? PID_FAULT_OF[fault] : undefined, 'dc+sd-jwt');
    const extras: ForgeExtras = {};
    if (fault === 'wallet.vp-replayed') {
      // The attacker's copy: a genuine answer the verifier took for an earlier request, sent to a new one.
      const first = await fresh(wallet, null);
      await wallet.respond(first.answer.request, first.answer.vpToken);
      extras.previousVpToken = first.answer.vpToken;
    }
    if (fault === 'wallet.vp-wrong-response-uri') {
      // Verifier A is the federation node's own: the presentation is made for its request.
      const res = await ctx.fetch(`${ctx.node}/wallet/verifier/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        signal: AbortSignal.timeout(ctx.timeoutMs),
      });
      if (!res.ok) throw new AttackError(`${ctx.node} has no verifier to make the other request (${res.status})`);
      extras.otherRequest = ((await res.json()) as { request_url: string }).request_url;
    }
    const { obtained, answer } = await fresh(wallet, fault, extras);
    const posted = await wallet.respond(answer.request, answer.vpToken);
    const postedText = typeof posted.body === 'string' ? posted.body : JSON.stringify(posted.body ?? '');
    const sent = summarisePresentation(answer);
    if (posted.status >= 400)
      return {
        sent,
        verdict: {
          refused: true,
          namesRule: true,
          detail: `the response URI answered ${posted.status}: ${excerpt(postedText, 200)}`,
          status: posted.status,
          excerpt: excerpt(postedText, 300),
        },
      };
    const verdictUrl = verdictUrlOf(ctx, opts, obtained, answer.request.state);
    if (!verdictUrl)
      return {
        sent,
        answer: { status: posted.status, redirects: [], url: answer.request.response_uri, text: postedText },
      };
    const vr = await ctx.fetch(verdictUrl, { signal: AbortSignal.timeout(ctx.timeoutMs) });
    const vText = await vr.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(vText) as Record<string, unknown>;
    } catch {
      // not JSON: probed below
    }
    const v = (body.verdict && typeof body.verdict === 'object' ? body.verdict : body) as Record<string, unknown>;
    if (typeof v.valid !== 'boolean')
      return { sent, answer: { status: vr.status, redirects: [], url: verdictUrl, text: vText } };
    const failure = v.failure as { rule?: string; code?: string; reason?: string } | undefined;
    const named = failure?.rule ? `${failure.rule} ${failure.code ?? ''}`.trim() : '';
    const other = c && named && !c.rule.startsWith(`${failure?.rule} `) ? ` (the case's rule is ${c.rule})` : '';
    return {
      sent,
      verdict: {
        refused: !v.valid,
        namesRule: true,
        detail: v.valid
          ? `the response URI answered ${posted.status} and the verdict at ${verdictUrl} is valid`
          : `refused: ${named || 'invalid'}${failure?.reason ? ` — ${failure.reason}` : ''}${other}`,
        status: posted.status,
        excerpt: excerpt(JSON.stringify(failure ?? { valid: v.valid }), 300),
      },
    };
  };
}

/** An mdoc presentation (base64url DeviceResponse) decoded for the report: element names, never their values. */
function summariseMdoc(a: ForgedAnswer): { summary: string; artefact: Record<string, unknown> } {
  const { issuerSigned, ...rest } = deviceResponseArtefact(a.presentation) as {
    issuerSigned?: Record<string, unknown>;
    document?: { docType?: string };
  } & Record<string, unknown>;
  const elements = Object.keys(issuerSigned ?? {});
  return {
    summary: `${a.note}: mdoc DeviceResponse (docType ${String(rest.document?.docType)}), elements [${elements.join(', ')}]; posted to ${a.request.response_uri} (${a.request.response_mode}) with state ${a.request.state.slice(0, 12)}…`,
    artefact: { ...rest, elements, responseUri: a.request.response_uri, responseMode: a.request.response_mode },
  };
}
