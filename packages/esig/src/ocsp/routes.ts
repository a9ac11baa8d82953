import type { ComponentApp, ComponentDeps } from '@kakehashi/core';
import { documentRoute, KakehashiError, recordHop } from '@kakehashi/core';
import { OCSP_MAX_BYTES, OCSP_REQUEST_TYPE, OCSP_RESPONSE_TYPE } from '../ocsp/ocsp-common.ts';
import type { OcspResponder } from '../ocsp/ocsp-responder.ts';

/** What the OCSP routes need: a responder per CA name (undefined: no such CA). */
export interface OcspRoutesDeps extends Pick<ComponentDeps, 'clock' | 'random' | 'traces'> {
  responderFor: (caName: string) => OcspResponder | undefined;
  component: 'hub' | 'node';
  /** Where the routes live (default `/trust/ocsp`). */
  basePath?: string;
}

/**
 * Mounts an RFC 6960 OCSP responder per CA (Appendix A.1): `POST <base>/{caName}` with a DER OCSPRequest as
 * `application/ocsp-request`, and `GET <base>/{caName}/{base64 request, URL-encoded}`; the answer is a DER
 * OCSPResponse as `application/ocsp-response` (protocol errors such as malformedRequest or unauthorized are
 * OCSPResponses too). An unknown CA is a 404 problem, another content type 415, an oversized request 413. Each
 * answer records an `internal` trace event with the CA, the statuses given and the signer.
 * @see https://www.rfc-editor.org/rfc/rfc6960#appendix-A.1
 */
export function mountOcspResponder(app: ComponentApp, deps: OcspRoutesDeps): void {
  const base = deps.basePath ?? '/trust/ocsp';
  const answer = (
    c: { get(k: 'trace'): { traceId: string; spanId: string; parentSpanId?: string | undefined; sampled: boolean } },
    caName: string,
    request: Uint8Array,
  ) => {
    const responder = deps.responderFor(caName);
    if (!responder)
      throw new KakehashiError(
        'not-found',
        `No OCSP responder for a CA named "${caName.slice(0, 60)}"; see GET /trust.`,
      );
    if (request.length > OCSP_MAX_BYTES)
      throw new KakehashiError('payload-too-large', `An OCSP request is at most ${OCSP_MAX_BYTES} bytes.`);
    const a = responder.respond(request);
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

  app.post(`${base}/:caName`, async (c) => {
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
  });
  // GET {url}/{url-encoding of base-64 encoding of the DER OCSPRequest}: the base64 may contain '/', so the rest
  // of the path is the request.
  app.get(`${base}/:caName/*`, (c) => {
    const caName = c.req.param('caName');
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
  });
  documentRoute(app, {
    method: 'post',
    path: `${base}/{caName}`,
    tags: ['trust', 'ocsp'],
    summary: `RFC 6960 OCSP responder of one CA: DER OCSPRequest (${OCSP_REQUEST_TYPE}) → DER OCSPResponse (${OCSP_RESPONSE_TYPE})`,
    produces: OCSP_RESPONSE_TYPE,
    params: { caName: 'the CA name, e.g. DE-issuing-ca (GET /trust lists them)' },
    problems: [404, 413, 415],
  });
  documentRoute(app, {
    method: 'get',
    path: `${base}/{caName}/{request}`,
    tags: ['trust', 'ocsp'],
    summary: 'RFC 6960 OCSP, GET form: the URL-encoded base64 DER OCSPRequest as the last path segment(s)',
    produces: OCSP_RESPONSE_TYPE,
    params: { caName: 'the CA name, e.g. DE-issuing-ca', request: 'URL-encoded base64 of the DER OCSPRequest' },
    problems: [400, 404, 413],
  });
}
