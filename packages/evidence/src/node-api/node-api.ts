import { KakehashiError, type Verdict } from '@kakehashi/core';
import type { EvidenceDeps } from '../deps.ts';
import { EVIDENCE_SERVICE } from '../regrep/ns.ts';

export interface InboxMessage {
  messageId: string;
  conversationId: string;
  service: string;
  action: string;
  originalSender: string | null;
  finalRecipient: string | null;
  payloads: { cid: string; mimeType: string; size: number }[];
}

export interface SignatureReport {
  indication: string;
  subIndication?: string;
  subIndicationName?: string;
  explanation?: string;
  signer?: { subject?: string; country?: string; serialHex?: string };
}

/**
 * The public HTTP APIs of the node's other building blocks, as this block uses them: the node's own eDelivery
 * backend, signature service, OIDC token endpoint and ID-token validation. Nothing here reaches into another
 * block's internals; what is not a public API (sending now, registering the preview's OIDC client) comes
 * through the node port injected as `deps.node`.
 */
export class NodeApi {
  readonly #deps: EvidenceDeps;
  readonly #caller: string;

  constructor(deps: EvidenceDeps) {
    this.#deps = deps;
    this.#caller = `node:${deps.country}`;
  }

  async #json<T>(fetcher: typeof fetch, url: string, init: RequestInit = {}, what = url): Promise<T> {
    const headers = new Headers(init.headers);
    headers.set('x-kakehashi-caller', this.#caller);
    if (init.body && typeof init.body === 'string' && !headers.has('content-type'))
      headers.set('content-type', 'application/json');
    const res = await fetcher(url, { ...init, headers, signal: AbortSignal.timeout(15_000) });
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = { detail: text.slice(0, 200) };
    }
    if (!res.ok) {
      const b = body as { code?: string; detail?: string };
      if (res.status === 404 && b.code) throw new KakehashiError(b.code as never, b.detail ?? `${what} answered 404.`);
      throw new KakehashiError(
        'upstream-unavailable',
        `${what} answered ${res.status}${b.code ? ` ${b.code}` : ''}: ${(b.detail ?? '').slice(0, 200)}`,
      );
    }
    return body as T;
  }

  // ---- own node: eDelivery backend -----------------------------------------------------------------------
  async submit(
    fetcher: typeof fetch,
    m: {
      action: string;
      originalSender: string;
      finalRecipient: string;
      conversationId: string;
      refToMessageId?: string | undefined;
      payloads: { cid: string; mimeType: string; content: string }[];
    },
  ): Promise<{ messageId: string }> {
    const r = await this.#json<{ messageId: string }>(
      fetcher,
      `${this.#deps.publicUrl}/edelivery/messages`,
      {
        method: 'POST',
        body: JSON.stringify({
          service: EVIDENCE_SERVICE,
          action: m.action,
          originalSender: m.originalSender,
          finalRecipient: m.finalRecipient,
          conversationId: m.conversationId,
          ...(m.refToMessageId ? { refToMessageId: m.refToMessageId } : {}),
          payloads: m.payloads.map((p) => ({
            cid: p.cid,
            mimeType: p.mimeType,
            content: Buffer.from(p.content, 'utf8').toString('base64'),
          })),
        }),
      },
      'the eDelivery backend',
    );
    // Send now rather than at the sender loop's next tick (best effort: the loop sends it anyway). Not awaited: the
    // message is accepted (committed) here, and what follows its acceptance — the provider's access record, the
    // next message of the inbox — does not wait for an AS4 round trip.
    void this.#deps.node.pumpDelivery().catch(() => undefined);
    return r;
  }

  async inbox(fetcher: typeof fetch): Promise<InboxMessage[]> {
    const { messages } = await this.#json<{ messages: InboxMessage[] }>(
      fetcher,
      `${this.#deps.publicUrl}/edelivery/inbox?limit=100`,
      {},
      'the eDelivery inbox',
    );
    return messages;
  }

  /**
   * One received message of the node's eDelivery backend (`GET /edelivery/messages/{id}?direction=in`), with its
   * status; undefined when the backend has no such message.
   */
  async received(fetcher: typeof fetch, messageId: string): Promise<(InboxMessage & { status: string }) | undefined> {
    try {
      return await this.#json<InboxMessage & { status: string }>(
        fetcher,
        `${this.#deps.publicUrl}/edelivery/messages/${encodeURIComponent(messageId)}?direction=in`,
        {},
        'the eDelivery backend',
      );
    } catch (e) {
      if (e instanceof KakehashiError && e.code === 'not-found') return undefined;
      throw e;
    }
  }

  async download(fetcher: typeof fetch, messageId: string, cid: string): Promise<string> {
    const res = await fetcher(
      `${this.#deps.publicUrl}/edelivery/messages/${encodeURIComponent(messageId)}/payloads/${encodeURIComponent(cid)}`,
      { headers: { 'x-kakehashi-caller': this.#caller } },
    );
    if (!res.ok)
      throw new KakehashiError(
        'upstream-unavailable',
        `Payload ${cid.slice(0, 80)} could not be downloaded (${res.status}).`,
      );
    return res.text();
  }

  async ack(fetcher: typeof fetch, messageId: string): Promise<void> {
    await this.#json(
      fetcher,
      `${this.#deps.publicUrl}/edelivery/messages/${encodeURIComponent(messageId)}/ack`,
      { method: 'POST' },
      'the eDelivery backend',
    );
  }

  async webhooks(fetcher: typeof fetch): Promise<{ id: string; url: string }[]> {
    const r = await this.#json<{ webhooks?: { id: string; url: string }[] } | { id: string; url: string }[]>(
      fetcher,
      `${this.#deps.publicUrl}/edelivery/webhooks`,
      {},
      'the eDelivery webhooks',
    );
    return Array.isArray(r) ? r : (r.webhooks ?? []);
  }

  async subscribe(fetcher: typeof fetch, url: string): Promise<void> {
    await this.#json(
      fetcher,
      `${this.#deps.publicUrl}/edelivery/webhooks`,
      { method: 'POST', body: JSON.stringify({ url, events: ['RECEIVED'], batch: true }) },
      'the eDelivery webhooks',
    );
  }

  // ---- own node: signature service -----------------------------------------------------------------------
  async sign(fetcher: typeof fetch, agencyId: string, xml: string): Promise<string> {
    const r = await this.#json<{ signature: string }>(
      fetcher,
      `${this.#deps.publicUrl}/esig/sign`,
      {
        method: 'POST',
        body: JSON.stringify({
          signer: { type: 'agency', id: agencyId },
          format: 'xades',
          level: 'B-B',
          packaging: 'enveloped',
          document: { content: xml, encoding: 'utf8', mimeType: 'application/xml' },
        }),
      },
      'the signature service',
    );
    return r.signature;
  }

  validate(fetcher: typeof fetch, xml: string): Promise<SignatureReport> {
    return this.#json<SignatureReport>(
      fetcher,
      `${this.#deps.publicUrl}/esig/validate`,
      { method: 'POST', body: JSON.stringify({ signature: xml }) },
      'the signature validation service',
    );
  }

  // ---- own node: OIDC token endpoint and ID-token validation (the citizen re-authenticates at the provider)
  async redeem(
    fetcher: typeof fetch,
    c: { clientId: string; secret: string; code: string; redirectUri: string; verifier: string },
  ): Promise<string> {
    const res = await fetcher(`${this.#deps.publicUrl}/oidc/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${c.clientId}:${c.secret}`).toString('base64')}`,
        'x-kakehashi-caller': this.#caller,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: c.code,
        redirect_uri: c.redirectUri,
        code_verifier: c.verifier,
      }).toString(),
    });
    const body = (await res.json().catch(() => ({}))) as { id_token?: string; error?: string };
    if (!res.ok || !body.id_token)
      throw new KakehashiError(
        'evidence-preview-login-required',
        `The login at the provider could not be completed (${body.error ?? res.status}); start the preview again.`,
      );
    return body.id_token;
  }

  validateIdToken(
    fetcher: typeof fetch,
    token: string,
    expected: { issuer: string; audience: string; nonce: string },
  ): Promise<Verdict<string>> {
    return this.#json(
      fetcher,
      `${this.#deps.publicUrl}/eid/validate/id-token`,
      { method: 'POST', body: JSON.stringify({ token, expected }) },
      'the ID-token validation service',
    );
  }
}
