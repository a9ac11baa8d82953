import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDataDirectory, KakehashiError, type Logger } from '@kakehashi/core';
import { getProfile, type NodeCredential, type NodeCredentials } from '@kakehashi/node';
import { type CountrySpec, generateTrustMaterial, type KeyCert, type TrustMaterial } from '@kakehashi/trust';
import { certifiedKeysToStore, offerStoredCertifiedKeys, type StoredCertifiedKey } from '@kakehashi/wallet';

/** Trust material plus the lookups the composition root needs. */
export interface LoadedMaterial {
  material: TrustMaterial;
  nodeCredentials(cc: string): NodeCredentials;
  lotlSignerPem(): string;
  /**
   * Writes the wallet block's certified keys (PID provider, wallet provider, verifier) beside the trust material,
   * when this start certified any the cache did not hold: the next start takes them instead of certifying again.
   */
  storeCertifiedKeys(): void;
}

/** The wallet block's certified keys in the trust material cache (`wallet-keys-<seed digest>.json`). */
interface WalletKeysFile {
  notice: string;
  format: 1;
  keys: StoredCertifiedKey[];
}

/**
 * Offers the certified keys an earlier start stored in `cacheDir` to the wallet block (each is checked against its
 * issuing CA when taken) and returns how to store this start's: merged with the file, written atomically, and only
 * when there is something new.
 */
function certifiedKeyCache(cacheDir: string, seed: string): () => void {
  const path = join(cacheDir, `wallet-keys-${createHash('sha256').update(seed).digest('hex').slice(0, 16)}.json`);
  const read = (): StoredCertifiedKey[] => {
    try {
      const file = JSON.parse(readFileSync(path, 'utf8')) as WalletKeysFile;
      return file.format === 1 && Array.isArray(file.keys) ? file.keys : [];
    } catch {
      return []; // absent or damaged: the keys are certified again
    }
  };
  const loaded = read();
  offerStoredCertifiedKeys(loaded);
  const known = new Set(loaded.map((k) => k.id));
  return () => {
    const fresh = certifiedKeysToStore(seed).filter((k) => !known.has(k.id));
    if (fresh.length === 0) return;
    const byId = new Map([...read(), ...certifiedKeysToStore(seed)].map((k) => [k.id, k]));
    const file: WalletKeysFile = {
      notice:
        'TEST ONLY: keys of the Kakehashi wallet block (PID provider, wallet provider, verifier), derived from a public seed and certified by its test CAs. They protect nothing.',
      format: 1,
      keys: [...byId.values()],
    };
    ensureDataDirectory(cacheDir, 'the trust material cache');
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(file, null, 1)}\n`, { mode: 0o600 });
    renameSync(tmp, path);
    for (const k of fresh) known.add(k.id);
  };
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
  const storeCertifiedKeys = certifiedKeyCache(opts.cacheDir, opts.seed);
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
    storeCertifiedKeys,
  };
}
