import { z } from '@hono/zod-openapi';
import { KakehashiError } from '../errors/index.ts';
import { type NodeMetadata, NodeMetadataSchema } from './node-metadata.ts';

/** A node as the hub's registry lists it. */
export interface RegisteredNodeEntry {
  country: string;
  metadata: NodeMetadata;
  registeredAt: string;
  updatedAt: string;
  /** What the hub's last health check of the node found (the registry lists it; older hubs may not). */
  health?: { status: string; checkedAt: string | null; detail?: string | undefined } | undefined;
}

/** One node with the compact JWS it registered (to verify it yourself: trust nothing the hub only relays). */
export interface RegisteredNodeWithSignature extends RegisteredNodeEntry {
  signedMetadata: string;
}

/** What discovery answers for a participant and a service (the SML/SMP role). */
export const DiscoveredEndpointSchema = z.object({
  participantId: z.string(),
  service: z.string(),
  country: z.string(),
  endpoint: z.string().url(),
  certificate: z.string().min(50),
  encryptionCertificate: z.string().min(50),
});
export type DiscoveredEndpoint = z.infer<typeof DiscoveredEndpointSchema>;

/** The hub's answer to a registration. */
export interface RegistrationAnswer {
  country: string;
  created: boolean;
  checks: { rule: string; outcome: string; reason: string }[];
}

/** The trust publication index (`GET /trust`). */
export interface TrustIndex {
  lotl: string;
  trustedLists: Record<string, string>;
  crls: string[];
  ocspResponders?: string[];
}

const RegisteredNodeEntrySchema = z.object({
  country: z.string(),
  metadata: NodeMetadataSchema,
  registeredAt: z.string(),
  updatedAt: z.string(),
  health: z.object({ status: z.string(), checkedAt: z.string().nullable(), detail: z.string().optional() }).optional(),
});
const NodesSchema = z.object({ nodes: z.array(RegisteredNodeEntrySchema) });
const NodeWithSignatureSchema = RegisteredNodeEntrySchema.extend({ signedMetadata: z.string() });
const TrustIndexSchema = z.object({
  lotl: z.string(),
  trustedLists: z.record(z.string(), z.string()),
  crls: z.array(z.string()),
  ocspResponders: z.array(z.string()).optional(),
});

export interface HubClientOptions {
  /** The hub's origin, e.g. `http://127.0.0.1:7000`. */
  hubUrl: string;
  /** Outbound fetch (in-process or real). Each call can pass the request's tracing fetch instead. */
  fetch: typeof fetch;
  /** Who calls, sent as `x-kakehashi-caller` (e.g. `node:DE`) so the hub's traces name the caller. */
  caller: string;
  /** How long one call may take before it is a 504 `upstream-timeout`. Default 10 s. */
  timeoutMs?: number;
  /** Admin token, for the calls that need it (none of the calls below do today). */
  adminToken?: string;
}

/**
 * The typed client of the hub's API that nodes and blocks use instead of hand-written calls: registry,
 * discovery, registration and the trust publication. A hub that does not answer is a 502
 * `upstream-unavailable`, one that answers too late a 504 `upstream-timeout`; an answer that does not match
 * its schema is a 502 too (the hub is a dependency, never trusted blindly).
 */
export interface HubClient {
  readonly hubUrl: string;
  /** `GET /registry/nodes`. */
  registeredNodes(fetcher?: typeof fetch): Promise<RegisteredNodeEntry[]>;
  /** `GET /registry/nodes/{cc}`: the node with its signed metadata, undefined when not registered. */
  node(country: string, fetcher?: typeof fetch): Promise<RegisteredNodeWithSignature | undefined>;
  /** `GET /discovery/participants/{id}?service=`: `participant-not-found` (404) when nobody serves it. */
  discover(participantId: string, service: string, fetcher?: typeof fetch): Promise<DiscoveredEndpoint>;
  /** `POST /registry/nodes`: the hub's refusal is rethrown as the hub's own problem (code and detail kept). */
  register(signedMetadata: string, fetcher?: typeof fetch): Promise<RegistrationAnswer>;
  /** A CRL the hub publishes (DER), undefined for a URL that is not one of the hub's CRLs or is unknown. */
  crl(url: string, fetcher?: typeof fetch): Promise<Uint8Array | undefined>;
  /** `GET /trust`: where the LOTL, the trusted lists, the CRLs and the OCSP responders are. */
  trustIndex(fetcher?: typeof fetch): Promise<TrustIndex>;
  /** The signed list of trusted lists (`GET /trust/lotl.xml`). */
  lotlXml(fetcher?: typeof fetch): Promise<string>;
  /** A document at an absolute URL under the hub (e.g. a trusted list the LOTL points at). */
  text(url: string, fetcher?: typeof fetch): Promise<string>;
}

/** Creates a {@link HubClient}. */
export function createHubClient(opts: HubClientOptions): HubClient {
  const hubUrl = opts.hubUrl.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 10_000;

  const call = async (what: string, url: string, fetcher: typeof fetch | undefined, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('x-kakehashi-caller', opts.caller);
    try {
      return await (fetcher ?? opts.fetch)(url, { ...init, headers, signal: AbortSignal.timeout(timeoutMs) });
    } catch (cause) {
      const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
      throw timedOut
        ? new KakehashiError('upstream-timeout', `The hub did not answer ${what} within ${timeoutMs} ms.`, { cause })
        : new KakehashiError('upstream-unavailable', `The hub at ${hubUrl} did not answer ${what}; is it up?`, {
            cause,
          });
    }
  };
  const unexpected = (what: string, status: number) =>
    new KakehashiError('upstream-unavailable', `The hub answered ${status} to ${what}.`, { extra: { status } });
  const parse = async <T>(what: string, res: Response, schema: z.ZodType<T>): Promise<T> => {
    const body = await res.json().catch(() => undefined);
    const r = schema.safeParse(body);
    if (!r.success)
      throw new KakehashiError('upstream-unavailable', `The hub answered ${what} with an unexpected document.`);
    return r.data;
  };

  return {
    hubUrl,
    async registeredNodes(fetcher) {
      const what = 'GET /registry/nodes';
      const res = await call(what, `${hubUrl}/registry/nodes`, fetcher);
      if (!res.ok) throw unexpected(what, res.status);
      return (await parse(what, res, NodesSchema)).nodes;
    },
    async node(country, fetcher) {
      const cc = encodeURIComponent(country);
      const what = `GET /registry/nodes/${cc}`;
      const res = await call(what, `${hubUrl}/registry/nodes/${cc}`, fetcher);
      if (res.status === 404) return undefined;
      if (!res.ok) throw unexpected(what, res.status);
      return parse(what, res, NodeWithSignatureSchema);
    },
    async discover(participantId, service, fetcher) {
      const what = 'the discovery request';
      const res = await call(
        what,
        `${hubUrl}/discovery/participants/${encodeURIComponent(participantId)}?service=${encodeURIComponent(service)}`,
        fetcher,
      );
      if (res.status === 404) {
        const body = (await res.json().catch(() => ({}))) as { detail?: unknown };
        throw new KakehashiError(
          'participant-not-found',
          `Discovery found no access point for participant "${participantId.slice(0, 100)}" and service "${service.slice(0, 100)}": ${String(body.detail ?? 'not registered').slice(0, 300)}`,
          { rule: 'OASIS BDXR SMP 2.0 §5 (SML/SMP lookup)' },
        );
      }
      if (res.status >= 400 && res.status < 500) {
        // The hub refused the lookup itself (a participant or service it cannot look up): the caller's request is
        // malformed, which no retry mends — not an outage.
        const body = (await res.json().catch(() => ({}))) as { code?: unknown; detail?: unknown };
        const code = typeof body.code === 'string' ? body.code : undefined;
        throw new KakehashiError(
          'validation-failed',
          `Discovery refused the lookup of participant "${participantId.slice(0, 100)}" and service "${service.slice(0, 100)}" (${res.status}${code ? ` ${code}` : ''}): ${String(body.detail ?? 'no detail').slice(0, 300)}`,
          { extra: { hubCode: code, hubStatus: res.status } },
        );
      }
      if (!res.ok) throw unexpected(what, res.status);
      const body = await res.json().catch(() => undefined);
      const r = DiscoveredEndpointSchema.safeParse(body);
      if (r.success) return r.data;
      if (body === undefined || typeof body !== 'object' || body === null)
        throw new KakehashiError('upstream-unavailable', `The hub answered ${what} with an unexpected document.`);
      // A JSON endpoint with malformed members: the registered metadata of the participant's node is malformed.
      const wrong = r.error.issues
        .slice(0, 10)
        .map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`)
        .join('; ');
      throw new KakehashiError(
        'discovery-answer-invalid',
        `Discovery answered for participant "${participantId.slice(0, 100)}" and service "${service.slice(0, 100)}" with a malformed endpoint (${wrong.slice(0, 500)}). The metadata its node registered is malformed; a retry will not help until that node registers again.`,
        { rule: 'OASIS BDXR SMP 2.0 §5 (SML/SMP lookup)' },
      );
    },
    async register(signedMetadata, fetcher) {
      const what = 'POST /registry/nodes';
      const res = await call(what, `${hubUrl}/registry/nodes`, fetcher, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ signedMetadata }),
      });
      const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      if (!res.ok) {
        const code = typeof body.code === 'string' ? body.code : undefined;
        throw new KakehashiError(
          res.status >= 500 || !code ? 'upstream-unavailable' : 'registration-refused',
          `The hub refused the registration (${res.status}${code ? ` ${code}` : ''}): ${String(body.detail ?? '').slice(0, 500)}`,
          { extra: { hubCode: code, hubStatus: res.status } },
        );
      }
      return body as unknown as RegistrationAnswer;
    },
    async crl(url, fetcher) {
      if (!url.startsWith(`${hubUrl}/trust/crl/`) || !url.endsWith('.crl')) return undefined;
      const what = `GET ${url.slice(hubUrl.length)}`;
      const res = await call(what, url, fetcher);
      if (res.status === 404) return undefined;
      if (!res.ok) throw unexpected(what, res.status);
      return new Uint8Array(await res.arrayBuffer());
    },
    async trustIndex(fetcher) {
      const what = 'GET /trust';
      const res = await call(what, `${hubUrl}/trust`, fetcher);
      if (!res.ok) throw unexpected(what, res.status);
      return parse(what, res, TrustIndexSchema);
    },
    async lotlXml(fetcher) {
      return this.text(`${hubUrl}/trust/lotl.xml`, fetcher);
    },
    async text(url, fetcher) {
      const what = `GET ${url.startsWith(hubUrl) ? url.slice(hubUrl.length) : url}`;
      const res = await call(what, url, fetcher);
      if (!res.ok) throw unexpected(what, res.status);
      return res.text();
    },
  };
}
