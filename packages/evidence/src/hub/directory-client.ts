import { z } from '@hono/zod-openapi';
import { KakehashiError } from '@kakehashi/core';
import '../error-codes.ts';

/** A requirement as the hub's evidence broker names it. */
export const RequirementSchema = z.looseObject({ id: z.string(), identifier: z.string(), name: z.string() });
export type Requirement = z.infer<typeof RequirementSchema>;

/** A data service as the hub's data service directory lists it. */
export const DataServiceSchema = z.looseObject({
  evidenceType: z.looseObject({
    classification: z.string(),
    kind: z.enum(['residence', 'birth', 'income']),
    title: z.string(),
    titleLocal: z.string(),
    format: z.string(),
    requirements: z.array(z.string()),
  }),
  country: z.string(),
  provider: z.object({ participantId: z.string(), agencyId: z.string() }),
  service: z.string(),
  registered: z.boolean(),
});
export type DataService = z.infer<typeof DataServiceSchema>;

const RequirementAnswerSchema = z.object({ requirement: RequirementSchema });
const ServicesAnswerSchema = z.object({ services: z.array(DataServiceSchema) });

/** The filters of `GET /data-service-directory/services`. */
export interface DataServiceQuery {
  country?: string | undefined;
  requirement?: string | undefined;
  evidenceType?: string | undefined;
  provider?: string | undefined;
}

/**
 * The hub's evidence broker and data service directory as this block calls them (the two OOTS common services
 * core's hub client does not cover, because their vocabulary is this block's). Answers are checked against
 * their schema; the broker's 404 keeps its own code (`evidence-requirement-unknown`); a hub that does not
 * answer is a 502 `upstream-unavailable`, one that answers too late a 504 `upstream-timeout`.
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/OOTS/Technical+Design+Documents (Evidence Broker, Data Service Directory)
 */
export interface DirectoryClient {
  /** `GET /evidence-broker/requirements/{id}`. */
  requirement(id: string, fetcher: typeof fetch): Promise<Requirement>;
  /** `GET /data-service-directory/services?…`. */
  dataServices(q: DataServiceQuery, fetcher: typeof fetch): Promise<DataService[]>;
}

/** Creates a {@link DirectoryClient} for the hub at `hubUrl`. */
export function createDirectoryClient(opts: { hubUrl: string; caller: string; timeoutMs?: number }): DirectoryClient {
  const hubUrl = opts.hubUrl.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 15_000;

  const get = async <T>(what: string, url: string, fetcher: typeof fetch, schema: z.ZodType<T>): Promise<T> => {
    let res: Response;
    try {
      res = await fetcher(url, {
        headers: { 'x-kakehashi-caller': opts.caller },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
      throw timedOut
        ? new KakehashiError('upstream-timeout', `${what} did not answer within ${timeoutMs} ms.`, { cause })
        : new KakehashiError('upstream-unavailable', `${what} at ${hubUrl} did not answer; is the hub up?`, { cause });
    }
    const body = (await res.json().catch(() => undefined)) as unknown;
    if (!res.ok) {
      const b = (body ?? {}) as { code?: unknown; detail?: unknown };
      const detail = typeof b.detail === 'string' ? b.detail.slice(0, 200) : '';
      if (res.status === 404 && b.code === 'evidence-requirement-unknown')
        throw new KakehashiError('evidence-requirement-unknown', detail || `${what} answered 404.`);
      throw new KakehashiError(
        'upstream-unavailable',
        `${what} answered ${res.status}${typeof b.code === 'string' ? ` ${b.code.slice(0, 60)}` : ''}: ${detail}`,
      );
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new KakehashiError('upstream-unavailable', `${what} answered an unexpected document.`);
    return parsed.data;
  };

  return {
    async requirement(id, fetcher) {
      const url = `${hubUrl}/evidence-broker/requirements/${encodeURIComponent(id)}`;
      return (await get('The evidence broker', url, fetcher, RequirementAnswerSchema)).requirement;
    },
    async dataServices(q, fetcher) {
      const p = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => e[1] !== undefined));
      const url = `${hubUrl}/data-service-directory/services?${p}`;
      return (await get('The data service directory', url, fetcher, ServicesAnswerSchema)).services;
    },
  };
}
