import type { EntityListEntry, EntityListKind, TrustMaterial } from '@kakehashi/trust';
import { pidProviderListEntry } from '@kakehashi/wallet';

/**
 * The providers the hub lists on the EUDI lists of trusted entities (ETSI TS 119 602) the LOTL points at: every EU
 * node's PID provider (the certificate its wallet block signs PIDs with: same seed, same issuing CA). Japan's node
 * mounts no PID provider and is not listed.
 */
export function walletEntityLists(
  material: TrustMaterial,
  seed: string,
): Partial<Record<EntityListKind, readonly EntityListEntry[]>> {
  const eu = Object.values(material.countries)
    .filter((c) => c.code !== 'JP')
    .sort((a, b) => a.code.localeCompare(b.code));
  return {
    'pid-providers': eu.map((c) =>
      pidProviderListEntry({
        seed,
        country: c.code,
        issuingCa: { certPem: c.issuingCa.certPem, chainPem: c.issuingCa.chainPem, privateKey: c.issuingCa.privateKey },
        signingCertPem: c.signing.certPem,
      }),
    ),
  };
}
