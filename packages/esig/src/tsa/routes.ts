import { createRoute, z } from '@hono/zod-openapi';
import {
  type ComponentApp,
  type ComponentDeps,
  createRouteModule,
  KakehashiError,
  problemResponses,
  recordHop,
} from '@kakehashi/core';
import { children, readDerExact } from '../asn1/der.ts';
import '../error-codes.ts';
import { TIMESTAMP_QUERY_TYPE, TIMESTAMP_REPLY_TYPE, type TimestampAuthority } from './timestamp-authority.ts';

/** What the time-stamp route needs: the component's clock and traces, and its time-stamping unit. */
export type TimestampRoutesDeps = Pick<ComponentDeps, 'clock' | 'random' | 'traces'> & {
  tsa: TimestampAuthority;
  component: 'hub' | 'node';
  country?: string | undefined;
};

/** PKIStatus granted (0) or grantedWithMods (1). */
function isGranted(resp: Buffer): boolean {
  const status = children(children(readDerExact(resp))[0])[0];
  return !!status && status.value.length === 1 && (status.value[0] as number) <= 1;
}

const DerBody = z.string().openapi({ type: 'string', format: 'binary' });

/**
 * `POST /tsa`: the RFC 3161 time-stamp protocol over HTTP (§3.4): a DER TimeStampReq with content type
 * `application/timestamp-query` in, a DER TimeStampResp with `application/timestamp-reply` out (granted, or a
 * rejection with its PKIFailureInfo). genTime comes from the virtual clock.
 * @see https://www.rfc-editor.org/rfc/rfc3161#section-3.4
 */
export function timestampAuthorityRoutes(deps: TimestampRoutesDeps): ComponentApp {
  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'post',
      path: '/tsa',
      tags: ['esig', 'tsa'],
      summary: `RFC 3161 time-stamp authority: DER TimeStampReq (${TIMESTAMP_QUERY_TYPE}) → DER TimeStampResp (${TIMESTAMP_REPLY_TYPE})`,
      request: { body: { required: true, content: { [TIMESTAMP_QUERY_TYPE]: { schema: DerBody } } } },
      responses: {
        200: { description: 'The DER TimeStampResp', content: { [TIMESTAMP_REPLY_TYPE]: { schema: DerBody } } },
        ...problemResponses(400, 413, 415),
      },
    }),
    async (c) => {
      const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== TIMESTAMP_QUERY_TYPE)
        throw new KakehashiError(
          'unsupported-media-type',
          `Send a DER TimeStampReq as ${TIMESTAMP_QUERY_TYPE} (RFC 3161 §3.4).`,
        );
      const body = Buffer.from(await c.req.arrayBuffer());
      if (body.length === 0 || body.length > 4096)
        throw new KakehashiError('tsa-request-invalid', 'A TimeStampReq is between 1 and 4096 bytes.');
      const resp = await deps.tsa.respond(body);
      const granted = isGranted(resp);
      recordHop(deps.traces, deps.clock, c.get('trace'), {
        component: deps.component,
        country: deps.country,
        operation: 'tsa: time-stamp request answered',
        direction: 'internal',
        artefact: { type: 'rfc3161', tsa: deps.tsa.label, policy: deps.tsa.policy, granted },
        verdict: { valid: granted },
      });
      return new Response(new Uint8Array(resp), { headers: { 'content-type': TIMESTAMP_REPLY_TYPE } });
    },
  );
  return r;
}

/** Mounts {@link timestampAuthorityRoutes} on a component. */
export function mountTimestampAuthority(app: ComponentApp, deps: TimestampRoutesDeps): void {
  app.route('/', timestampAuthorityRoutes(deps));
}
