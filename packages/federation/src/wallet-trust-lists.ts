import type { EntityListEntry, EntityListKind, TrustMaterial } from '@kakehashi/trust';
import { pidProviderListEntry, walletProviderListEntry } from '@kakehashi/wallet';

/**
 * The providers the hub lists on the EUDI lists of trusted entities (ETSI TS 119 602) the LOTL points at: every EU
 * node's PID provider (the certificate its wallet block signs PIDs with: same seed, same issuing CA) and its mock
 * wallet provider (the certificate of its wallet-unit attestations). Japan's node mounts neither and is not listed.
 */
export function walletEntityLists(
  material: TrustMaterial,
  seed: string,
): Partial<Record<EntityListKind, readonly EntityListEntry[]>> {
  // By code unit, not localeCompare: the codes are ISO 3166 alpha-2 (A–Z only, the same order), and a start's first
  // localeCompare sets up ICU's collator (~8 ms of a warm start's main thread, issue 15).
  const eu = Object.values(material.countries)
    .filter((c) => c.code !== 'JP')
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const certifiedBy = (c: (typeof eu)[number]) => ({
    seed,
    country: c.code,
    issuingCa: { certPem: c.issuingCa.certPem, chainPem: c.issuingCa.chainPem, privateKey: c.issuingCa.privateKey },
    signingCertPem: c.signing.certPem,
  });
  return {
    'pid-providers': eu.map((c) => pidProviderListEntry(certifiedBy(c))),
    'wallet-providers': eu.map((c) => walletProviderListEntry(certifiedBy(c))),
  };
}
