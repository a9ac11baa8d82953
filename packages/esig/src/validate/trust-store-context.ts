import type { CertificateVerdict, Clock } from '@kakehashi/core';
import type { KeyUsageName, PathValidationResult, TrustStore } from '@kakehashi/trust';
import type { SignatureValidationContext } from '../common/signature-facts.ts';

/** A PathValidationResult in the shape components report certificate verdicts. */
export function toCertificateVerdict(r: PathValidationResult): CertificateVerdict {
  const leaf = r.chain[0];
  return {
    valid: r.valid,
    country: leaf ? /(?:^|, )C=([A-Z]{2})(?:,|$)/.exec(leaf.subject)?.[1] : undefined,
    serialHex: leaf?.serial,
    anchor: r.chain.at(-1)?.isAnchor ? r.chain.at(-1)?.subject : undefined,
    failure: r.failure ? { code: r.failure.code, reason: r.failure.reason } : undefined,
    checks: r.checks.map((c) => ({
      rule: c.rule,
      outcome: c.skipped ? 'skipped' : c.outcome,
      reason: c.reason,
      ...(c.code ? { code: c.code } : {}),
    })),
  };
}

/**
 * A validation context over a `TrustStore` (anchors from verified trusted lists, CRLs) — for embedding the
 * validator in a process without a node, for tests and for the benchmark. `crls` maps a CRL distribution point
 * URL to its DER (for revocation dates); `ocsp` answers OCSP requests by responder URL.
 */
export function createTrustStoreContext(options: {
  store: TrustStore;
  clock: Pick<Clock, 'now'>;
  crls?: (url: string) => Uint8Array | undefined;
  /** Answers an OCSP request posted to `url` (e.g. an in-process responder); absent: CRL only. */
  ocsp?: (url: string, requestDer: Buffer) => Uint8Array | undefined | Promise<Uint8Array | undefined>;
}): SignatureValidationContext {
  const { ocsp } = options;
  return {
    ...(ocsp ? { fetchOcsp: async (url: string, requestDer: Buffer) => ocsp(url, requestDer) } : {}),
    clock: options.clock,
    validateCertificate: (pem, chain, opts) =>
      toCertificateVerdict(
        options.store.validate(pem, {
          intermediates: chain,
          at: opts.at,
          requiredKeyUsage: (opts.usage ?? []) as KeyUsageName[],
        }),
      ),
    loadCrl: async (url) => options.crls?.(url),
    validator: { component: 'library' },
  };
}
