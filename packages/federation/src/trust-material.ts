import { KakehashiError, type Logger } from '@kakehashi/core';
import { getProfile, type NodeCredential, type NodeCredentials } from '@kakehashi/node';
import { type CountrySpec, generateTrustMaterial, type KeyCert, type TrustMaterial } from '@kakehashi/trust';

/** Trust material plus the lookups the composition root needs. */
export interface LoadedMaterial {
  material: TrustMaterial;
  nodeCredentials(cc: string): NodeCredentials;
  lotlSignerPem(): string;
}

/**
 * Generates (or loads from the cache) the trust material for the federation's countries: the composition root's
 * job, because it joins two packages that do not know each other — the countries' profiles (agencies, Japan's
 * JPKI) from `node` and the PKI generation from `trust` — and hands each node its credentials.
 */
export async function loadTrustMaterial(opts: {
  seed: string;
  countries: string[];
  cacheDir: string;
  hubUrl: string;
  logger: Logger;
}): Promise<LoadedMaterial> {
  const specs: CountrySpec[] = opts.countries.map((cc) => {
    const p = getProfile(cc);
    return { code: cc, name: p.name, agencies: p.agencies.map((a) => ({ id: a.id, name: a.name })), jpki: cc === 'JP' };
  });
  const material = generateTrustMaterial({
    seed: opts.seed,
    countries: specs,
    cacheDir: opts.cacheDir,
    hubUrl: opts.hubUrl,
  });
  opts.logger.info(
    material.provenance.source === 'cache' ? 'trust material loaded from cache' : 'trust material generated',
    { ms: Math.round(material.provenance.ms), keys: material.provenance.keys },
  );
  const cred = (k: KeyCert): NodeCredential => ({ certPem: k.certPem, chainPem: k.chainPem, privateKey: k.privateKey });
  return {
    material,
    nodeCredentials: (cc) => {
      const c = material.countries[cc];
      if (!c) throw new KakehashiError('unknown-country', `No trust material for ${cc}.`);
      return {
        signing: cred(c.signing),
        tls: cred(c.tls),
        encryption: cred(c.encryption),
        agencies: Object.fromEntries(Object.entries(c.agencies).map(([id, k]) => [id, cred(k)])),
        issuingCa: cred(c.issuingCa),
        ...(c.jpki ? { jpkiCa: cred(c.jpki.ca) } : {}),
        tsa: cred(c.tsa),
      };
    },
    lotlSignerPem: () => material.hub.signing.certPem,
  };
}
