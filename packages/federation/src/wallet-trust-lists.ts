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
  const eu = Object.values(material.countries)
    .filter((c) => c.code !== 'JP')
    .sort((a, b) => a.code.localeCompare(b.code));
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
