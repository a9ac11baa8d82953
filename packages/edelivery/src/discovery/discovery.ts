import { z } from '@hono/zod-openapi';
import { type Clock, KakehashiError } from '@kakehashi/core';

/** Where a participant's messages go, as the SML/SMP role answers it. */
export interface DiscoveredEndpoint {
  participantId: string;
  service: string;
  country: string;
  /** The receiving access point's AS4 endpoint. */
  endpoint: string;
  /** Its signing certificate (receipts must be signed with it). */
  certificate: string;
  /** Its encryption certificate (payload keys are encrypted for it). */
  encryptionCertificate: string;
}

/** Discovery as the access point uses it: participant + service → endpoint; access point → registered certificate. */
export interface Discovery {
  resolve(participantId: string, service: string, fetcher: typeof fetch): Promise<DiscoveredEndpoint>;
  /** The signing certificate the hub's registry holds for the node of `country` (undefined: not registered). */
  registeredCertificate(country: string, fetcher: typeof fetch): Promise<string | undefined>;
}

const EndpointSchema = z.object({
  participantId: z.string(),
  service: z.string(),
  country: z.string(),
  endpoint: z.string().url(),
  certificate: z.string().min(50),
  encryptionCertificate: z.string().min(50),
});

/** How long a registered certificate is reused (virtual clock). */
export const REGISTRY_CACHE_MS = 60_000;

/**
 * Discovery through the hub, which plays the SML and SMP roles:
 * `GET /discovery/participants/{participantId}?service=` and `GET /registry/nodes/{country}`.
 * @see https://docs.oasis-open.org/bdxr/bdx-smp/v2.0/os/bdx-smp-v2.0-os.html §5
 */
export function createHubDiscovery(opts: { hubUrl: string; clock: Clock; caller: string }): Discovery {
  const cache = new Map<string, { at: number; pem: string | undefined }>();
  const headers = { 'x-kakehashi-caller': opts.caller };
  return {
    async resolve(participantId, service, fetcher) {
      let res: Response;
      try {
        res = await fetcher(
          `${opts.hubUrl}/discovery/participants/${encodeURIComponent(participantId)}?service=${encodeURIComponent(service)}`,
          { headers, signal: AbortSignal.timeout(10_000) },
        );
      } catch (cause) {
        throw new KakehashiError(
          'upstream-unavailable',
          'The hub (SML/SMP) did not answer the discovery request; retry when it is up.',
          { cause },
        );
      }
      const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      if (res.status === 404)
        throw new KakehashiError(
          'participant-not-found',
          `Discovery found no access point for participant "${participantId.slice(0, 100)}" and service "${service.slice(0, 100)}": ${String(body.detail ?? 'not registered').slice(0, 300)}`,
          { rule: 'OASIS BDXR SMP 2.0 §5 (SML/SMP lookup)' },
        );
      if (!res.ok)
        throw new KakehashiError('upstream-unavailable', `The hub answered ${res.status} to the discovery request.`);
      const parsed = EndpointSchema.safeParse(body);
      if (!parsed.success)
        throw new KakehashiError(
          'upstream-unavailable',
          'The hub answered the discovery request with an unexpected document.',
        );
      return parsed.data;
    },
    async registeredCertificate(country, fetcher) {
      const now = opts.clock.nowMs();
      const hit = cache.get(country);
      if (hit && now >= hit.at && now - hit.at < REGISTRY_CACHE_MS) return hit.pem;
      const res = await fetcher(`${opts.hubUrl}/registry/nodes/${country}`, {
        headers,
        signal: AbortSignal.timeout(10_000),
      });
      if (res.status === 404) {
        cache.set(country, { at: now, pem: undefined });
        return undefined;
      }
      if (!res.ok)
        throw new KakehashiError(
          'upstream-unavailable',
          `The hub answered ${res.status} to GET /registry/nodes/${country}.`,
        );
      const body = (await res.json()) as { metadata?: { certificates?: { signing?: string } } };
      const pem = body.metadata?.certificates?.signing;
      cache.set(country, { at: now, pem });
      return pem;
    },
  };
}
