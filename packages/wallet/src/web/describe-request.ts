import { X509Certificate } from 'node:crypto';
import { type PresentationRequest, resolvePresentationRequest } from '../holder/openid4vp-holder.ts';
import type { TrustVerifierCertificate } from '../verifier/request-object.ts';

/** The authorization request URI schemes the wallet page opens (OpenID4VP §13.1.2, HAIP, the EUDI reference). */
export const REQUEST_SCHEMES = ['openid4vp:', 'haip-vp:', 'eudi-openid4vp:'] as const;

/** What the consent page shows of a request: who asks (its access certificate), for what, and where it answers. */
export interface RequestView {
  request: PresentationRequest;
  /** The request URI as the wallet acts on it (`openid4vp://?…`). */
  url: string;
  clientId: string;
  /** Signed requests: the access certificate's subject and country (C=), judged by the wallet's trust view. */
  certificate?: { subject: string; country: string | undefined; trusted: boolean };
  /** The claim paths of the first credential query (what the consent page lists). */
  claims: (string | number | null)[][];
  credentialQueryId: string;
}

/**
 * Reads an authorization request as the consent page shows it: by value, or by reference (the `request_uri`
 * fetched and the request object verified by @openid4vc/openid4vp's client against the client_id, its access
 * certificate judged by `trust`), with the subject and country of that certificate. Throws why a request cannot be
 * answered.
 * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html#section-5.10
 */
export async function describeRequest(
  input: string,
  fetcher: typeof fetch,
  trust: TrustVerifierCertificate | undefined,
): Promise<RequestView> {
  const parsed = new URL(input.trim());
  if (!(REQUEST_SCHEMES as readonly string[]).includes(parsed.protocol))
    throw new Error(`not an authorization request URI (${REQUEST_SCHEMES.map((s) => `${s}//`).join(', ')})`);
  // The wallet acts on the request under OpenID4VP's own scheme whatever scheme invoked it.
  const url = `openid4vp://${parsed.search}`;
  const requestUri = parsed.searchParams.get('request_uri');
  if (requestUri && !/^https?:\/\//.test(requestUri)) throw new Error('the request_uri is not an http(s) URL');
  const resolved = await resolvePresentationRequest(url, { fetch: fetcher, trust });
  const request: PresentationRequest = resolved.request;
  let certificate: RequestView['certificate'];
  const leaf = resolved.x5c?.[0];
  if (leaf) {
    const cert = new X509Certificate(Buffer.from(leaf, 'base64'));
    certificate = {
      subject: cert.subject.replace(/\n/g, ', '),
      country: /(?:^|\n)C=([A-Z]{2})/.exec(cert.subject)?.[1],
      trusted: trust !== undefined,
    };
  }
  const query = request.dcql_query as { credentials?: { id?: string; claims?: { path?: unknown[] }[] }[] } | null;
  const first = query?.credentials?.[0];
  return {
    request,
    url,
    clientId: request.client_id,
    ...(certificate ? { certificate } : {}),
    claims: (first?.claims ?? []).map((c) => (Array.isArray(c.path) ? (c.path as (string | number | null)[]) : [])),
    credentialQueryId: String(first?.id ?? ''),
  };
}
