import type { SignatureValidationContext } from '../common/signature-facts.ts';
import { OCSP_MAX_BYTES, OCSP_REQUEST_TYPE, OCSP_RESPONSE_TYPE } from '../ocsp/ocsp-common.ts';
import type { EsigLenientFault } from '../validate/faults.ts';
import type { SignatureServiceDeps } from './service-deps.ts';

type OcspLoader = (url: string, requestDer: Buffer, fetcher: typeof fetch) => Promise<Uint8Array | undefined>;

/**
 * Posts OCSP requests to the hub's responders (`<hubUrl>/trust/ocsp/…`) and nowhere else, like CRLs: a
 * certificate's AIA URL is attacker-controlled, so the validator never fetches an arbitrary one.
 * @see https://www.rfc-editor.org/rfc/rfc6960#appendix-A.1
 */
function hubOcspLoader(deps: SignatureServiceDeps): OcspLoader | undefined {
  if (!deps.hubUrl) return undefined;
  const hubOcsp = `${deps.hubUrl.replace(/\/+$/, '')}/trust/ocsp/`;
  return async (url, requestDer, fetcher) => {
    if (!url.startsWith(hubOcsp)) return undefined;
    const res = await fetcher(url, {
      method: 'POST',
      headers: {
        'content-type': OCSP_REQUEST_TYPE,
        'x-kakehashi-caller': `${deps.component}${deps.country ? `:${deps.country}` : ''}`,
      },
      body: new Uint8Array(requestDer),
    });
    if (!res.ok || !(res.headers.get('content-type') ?? '').startsWith(OCSP_RESPONSE_TYPE)) return undefined;
    const der = new Uint8Array(await res.arrayBuffer());
    return der.length <= OCSP_MAX_BYTES ? der : undefined;
  };
}

/**
 * The validation context of the signature service, per request (it gets the request's tracing `fetch`): the
 * component's trust view and clock, OCSP through `loadOcsp` or the hub, and CRLs through `loadCrl` with a small
 * cache that holds while the trust view's content (`trustGeneration`) stays the same.
 */
export function validationContexts(deps: SignatureServiceDeps): (fetcher: typeof fetch) => SignatureValidationContext {
  const crlCache = new Map<string, { generation: unknown; der: Uint8Array }>();
  const loadOcsp = deps.loadOcsp ?? hubOcspLoader(deps);
  const loadCrl = deps.loadCrl;
  const cachedCrl = async (url: string, fetcher: typeof fetch) => {
    const generation = deps.trustGeneration?.();
    const hit = crlCache.get(url);
    if (hit && generation !== undefined && hit.generation === generation) return hit.der;
    const der = await loadCrl?.(url, fetcher);
    if (der) {
      crlCache.set(url, { generation, der });
      if (crlCache.size > 200) crlCache.delete(crlCache.keys().next().value as string);
    }
    return der;
  };
  return (fetcher) => ({
    ...(loadOcsp ? { fetchOcsp: (url: string, requestDer: Buffer) => loadOcsp(url, requestDer, fetcher) } : {}),
    clock: deps.clock,
    validateCertificate: deps.validateCertificate,
    validator: { component: deps.component, country: deps.country },
    clockSkewSeconds: deps.config.get('clockSkewSeconds'),
    lenient: (name: EsigLenientFault) => deps.faults.fire(name),
    ...(loadCrl ? { loadCrl: (url: string) => cachedCrl(url, fetcher) } : {}),
  });
}
