import type { TrustVerifierCertificate } from '../verifier/request-object.ts';

/**
 * A holder's trust view borrowed from a node (its home country's): the verifier's access certificate is judged by
 * `POST /trust/validate-certificate` there — the node's own view of the LOTL and national trusted lists.
 */
export function trustThroughNode(nodeUrl: string, fetcher: typeof fetch): TrustVerifierCertificate {
  return async (certPem, chainPem) => {
    const res = await fetcher(`${nodeUrl}/trust/validate-certificate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ certificate: certPem, chain: chainPem, usage: ['digitalSignature'] }),
    });
    if (!res.ok) return { valid: false, reason: `the trust view answered ${res.status}` };
    const v = (await res.json()) as { valid: boolean; failure?: { reason?: string } };
    return { valid: v.valid === true, reason: v.failure?.reason };
  };
}
