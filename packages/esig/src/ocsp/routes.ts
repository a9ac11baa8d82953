import { createRoute, z } from '@hono/zod-openapi';
import {
  type AppEnv,
  type ComponentApp,
  type ComponentDeps,
  createRouteModule,
  type FaultSwitchboard,
  KakehashiError,
  problemResponses,
  recordHop,
} from '@kakehashi/core';
import { TRUST_FAULTS, type TrustFaultName } from '@kakehashi/trust';
import type { Context } from 'hono';
import '../error-codes.ts';
import { OCSP_MAX_BYTES, OCSP_REQUEST_TYPE, OCSP_RESPONSE_TYPE } from './ocsp-common.ts';
import type { OcspFault, OcspResponder } from './ocsp-responder.ts';

/** What the OCSP routes need: a responder per CA name (undefined: no such CA). */
export interface OcspRoutesDeps extends Pick<ComponentDeps, 'clock' | 'random' | 'traces' | 'faults'> {
  responderFor: (caName: string) => OcspResponder | undefined;
  component: 'hub' | 'node';
  /** Where the routes live (default `/trust/ocsp`). */
  basePath?: string;
}

const DerBody = z.string().openapi({ type: 'string', format: 'binary' });
const CaName = z.string().openapi({
  param: { name: 'caName', in: 'path' },
  description: 'the CA name, e.g. DE-issuing-ca (GET /trust lists them)',
});
const ocspAnswer = {
  200: {
    description:
      'The DER OCSPResponse (protocol errors such as malformedRequest or unauthorized are OCSPResponses too)',
    content: { [OCSP_RESPONSE_TYPE]: { schema: DerBody } },
  },
};

/**
 * An RFC 6960 OCSP responder per CA (Appendix A.1): `POST <base>/{caName}` with a DER OCSPRequest as
 * `application/ocsp-request`, and `GET <base>/{caName}/{base64 request, URL-encoded}`; the answer is a DER
 * OCSPResponse as `application/ocsp-response` (protocol errors such as malformedRequest or unauthorized are
 * OCSPResponses too). An unknown CA is a 404 problem, another content type 415, an oversized request 413. Each
 * answer records an `internal` trace event with the CA, the statuses given and the signer.
 * @see https://www.rfc-editor.org/rfc/rfc6960#appendix-A.1
 */
export function ocspResponderRoutes(deps: OcspRoutesDeps): ComponentApp {
  const base = deps.basePath ?? '/trust/ocsp';
  const r = createRouteModule();
  const answer = (c: Context<AppEnv>, caName: string, request: Uint8Array) => {
    const responder = deps.responderFor(caName);
    if (!responder)
      throw new KakehashiError(
        'not-found',
        `No OCSP responder for a CA named "${caName.slice(0, 60)}"; see GET /trust.`,
      );
    if (request.length > OCSP_MAX_BYTES)
      throw new KakehashiError('payload-too-large', `An OCSP request is at most ${OCSP_MAX_BYTES} bytes.`);
    const a = responder.respond(request, firedOcspFault(deps.faults, caName));
    recordHop(deps.traces, deps.clock, c.get('trace'), {
      component: deps.component,
      operation: `ocsp: status request for ${responder.caLabel} answered`,
      direction: 'internal',
      artefact: {
        type: 'ocsp-response',
        ca: caName,
        responseStatus: a.responseStatus,
        ...(a.reason ? { reason: a.reason } : {}),
        responses: a.responses,
        nonceEchoed: a.nonce,
        ...(a.signer ? { signer: a.signer } : {}),
      },
      verdict: { valid: a.responseStatus === 'successful' },
    });
    return new Response(new Uint8Array(a.der), {
      headers: { 'content-type': OCSP_RESPONSE_TYPE, 'cache-control': 'no-store' },
    });
  };

  r.openapi(
    createRoute({
      method: 'post',
      path: `${base}/{caName}`,
      tags: ['trust', 'ocsp'],
      summary: `RFC 6960 OCSP responder of one CA: DER OCSPRequest (${OCSP_REQUEST_TYPE}) → DER OCSPResponse (${OCSP_RESPONSE_TYPE})`,
      request: {
        params: z.object({ caName: CaName }),
        body: { required: true, content: { [OCSP_REQUEST_TYPE]: { schema: DerBody } } },
      },
      responses: { ...ocspAnswer, ...problemResponses(404, 413, 415) },
    }),
    async (c) => {
      const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== OCSP_REQUEST_TYPE)
        throw new KakehashiError(
          'unsupported-media-type',
          `Send a DER OCSPRequest as ${OCSP_REQUEST_TYPE} (RFC 6960 Appendix A.1).`,
        );
      const declared = Number(c.req.header('content-length') ?? '0');
      if (declared > OCSP_MAX_BYTES)
        throw new KakehashiError('payload-too-large', `An OCSP request is at most ${OCSP_MAX_BYTES} bytes.`);
      return answer(c, c.req.param('caName'), new Uint8Array(await c.req.arrayBuffer()));
    },
  );

  // GET {url}/{url-encoding of base-64 encoding of the DER OCSPRequest}: the base64 may contain '/', so everything
  // after "<base>/<caName>/" is the request, read from the raw path.
  const getAnswer = (c: Context<AppEnv>) => {
    const caName = c.req.param('caName') ?? '';
    const path = new URL(c.req.url).pathname;
    // everything after "<base>/<caName>/" (the CA name may arrive URL-encoded)
    const raw = path.slice(path.indexOf('/', base.length + 1) + 1);
    if (raw.length > OCSP_MAX_BYTES * 2)
      throw new KakehashiError('payload-too-large', `An OCSP request is at most ${OCSP_MAX_BYTES} bytes.`);
    let b64: string;
    try {
      b64 = decodeURIComponent(raw);
    } catch {
      throw new KakehashiError('bad-request', 'The OCSP request in the path is not correctly URL-encoded.');
    }
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 === 1)
      throw new KakehashiError(
        'bad-request',
        'The path must end with the base64 DER OCSPRequest (RFC 6960 Appendix A.1).',
      );
    return answer(c, caName, new Uint8Array(Buffer.from(b64, 'base64')));
  };
  const getRoute = {
    method: 'get' as const,
    tags: ['trust', 'ocsp'],
    summary: 'RFC 6960 OCSP, GET form: the URL-encoded base64 DER OCSPRequest as the last path segment(s)',
    responses: { ...ocspAnswer, ...problemResponses(400, 404, 413) },
  };
  r.openapi(
    createRoute({
      ...getRoute,
      path: `${base}/{caName}/{request}`,
      request: {
        params: z.object({
          caName: CaName,
          request: z.string().openapi({
            param: { name: 'request', in: 'path' },
            description: 'URL-encoded base64 of the DER OCSPRequest',
          }),
        }),
      },
    }),
    getAnswer,
  );
  // The same, when the base64 contains unencoded '/' and so spans several path segments (not documented twice).
  r.openapi(createRoute({ ...getRoute, path: `${base}/{caName}/*`, hide: true }), getAnswer);
  return r;
}

/**
 * The OCSP fault in force on this component, fired (logged, on the trace hop): `ocsp.forged` before
 * `ocsp.try-later` before `ocsp.unknown` when several are on.
 */
export function firedOcspFault(faults: FaultSwitchboard, caName: string): OcspFault | undefined {
  for (const [name, fault] of OCSP_FAULTS) if (faults.fire(name, undefined, { ca: caName })) return fault;
  return undefined;
}

const OCSP_FAULTS: [TrustFaultName, OcspFault][] = [
  ['ocsp.forged', 'forged'],
  ['ocsp.try-later', 'try-later'],
  ['ocsp.unknown', 'unknown'],
];

/**
 * Mounts {@link ocspResponderRoutes} on a component (the hub: every CA of the federation) and offers the trust
 * fabric's OCSP faults there (`ocsp.unknown`, `ocsp.try-later`, `ocsp.forged`).
 */
export function mountOcspResponder(app: ComponentApp, deps: OcspRoutesDeps): void {
  deps.faults.offer(TRUST_FAULTS.filter((f) => OCSP_FAULTS.some(([n]) => n === f.name)));
  app.route('/', ocspResponderRoutes(deps));
}
