import { type CertificateVerdict, type FaultSwitchboard, KakehashiError } from '@kakehashi/core';
import type { TrustLenientFault } from '@kakehashi/trust';
import type { NodeTrust } from './node-trust.ts';

/**
 * Validates a certificate (PEM) and its chain against the node's own trust view at `opts.at`, requiring the
 * key usages named. The one closure every building block of a node receives (eID, eSignature, eDelivery, the
 * card login, peer checks), so they all judge certificates the same way.
 */
export type ValidateCertificate = (
  certPem: string,
  chainPem: string[],
  opts: { at: Date; usage?: string[] | undefined },
) => CertificateVerdict;

/**
 * The node's {@link ValidateCertificate}: `upstream-unavailable` (502) until the trust fabric is loaded. With the
 * node's `faults`, a weak node's `lenient.trust.*` switches decide whether a stale view is let through.
 */
export function createCertificateValidator(
  trust: NodeTrust,
  country: string,
  faults?: FaultSwitchboard,
): ValidateCertificate {
  const lenient = faults ? (name: TrustLenientFault) => faults.fire(name) : undefined;
  return (certPem, chainPem, opts) => {
    if (!(trust.loaded ? trust.loaded() : trust.status().loaded)) {
      throw new KakehashiError(
        'upstream-unavailable',
        `Node ${country} has not loaded the trust fabric from the hub yet (POST /admin/trust/refresh).`,
      );
    }
    return trust.validateCertificate(certPem, chainPem, { at: opts.at, usage: opts.usage ?? [], lenient });
  };
}
