import type { Clock, Logger, Store } from '@kakehashi/core';
import { KakehashiError } from '@kakehashi/core';
import type { CertificateVerdict, HubTrust, RevocationRequest } from '@kakehashi/hub';
import { getProfile, type NodeCertificateVerdict, type NodeCredential, type NodeTrust, type NodeTrustStatus } from '@kakehashi/node';
import {
  buildLotl,
  buildTrustedList,
  type CountrySpec,
  createCrl,
  generateTrustMaterial,
  inspectCertificate,
  type KeyCert,
  listCertificateAuthorities,
  listKeyCerts,
  type ParsedCrl,
  parseCrl,
  type TrustMaterial,
  TrustStore,
  validateCertificatePath,
  verifyLotl,
  verifyTrustedList,
} from '@kakehashi/trust';

/** Trust material plus the lookups the composition root needs. */
export interface LoadedMaterial {
  material: TrustMaterial;
  nodeCredentials(cc: string): { signing: NodeCredential; tls: NodeCredential; encryption: NodeCredential };
  lotlSignerPem(): string;
}

/** Generates (or loads from the cache) the trust material for the federation's countries. */
export async function loadTrustMaterial(opts: { seed: string; countries: string[]; cacheDir: string; hubUrl: string; logger: Logger }): Promise<LoadedMaterial> {
  const specs: CountrySpec[] = opts.countries.map((cc) => {
    const p = getProfile(cc);
    return { code: cc, name: p.name, agencies: p.agencies.map((a) => ({ id: a.id, name: a.name })), jpki: cc === 'JP' };
  });
  const material = generateTrustMaterial({ seed: opts.seed, countries: specs, cacheDir: opts.cacheDir, hubUrl: opts.hubUrl });
  opts.logger.info(material.provenance.source === 'cache' ? 'trust material loaded from cache' : 'trust material generated', {
    ms: Math.round(material.provenance.ms),
    keys: material.provenance.keys,
  });
  const cred = (k: KeyCert): NodeCredential => ({ certPem: k.certPem, chainPem: k.chainPem, privateKey: k.privateKey });
  return {
    material,
    nodeCredentials: (cc) => {
      const c = material.countries[cc];
      if (!c) throw new KakehashiError('unknown-country', `No trust material for ${cc}.`);
      return { signing: cred(c.signing), tls: cred(c.tls), encryption: cred(c.encryption) };
    },
    lotlSignerPem: () => material.hub.signing.certPem,
  };
}

const REVOCATION_MIGRATIONS = [
  {
    id: 'hub/revocations/001',
    up: `CREATE TABLE trust_revocations (serial_hex TEXT PRIMARY KEY, ca_name TEXT NOT NULL, revoked_at TEXT NOT NULL, reason TEXT NOT NULL);
         CREATE TABLE trust_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  },
];

/**
 * The hub's trust: publishes the LOTL and national lists (re-signed when they near NextUpdate on the virtual
 * clock), one CRL per CA built from the revocations persisted in the hub store, and validates certificates
 * against anchors taken from its own verified lists.
 */
export function createHubTrust(loaded: LoadedMaterial, deps: { clock: Clock; store: Store; hubUrl: string; validityDays: () => number }): HubTrust {
  const { material } = loaded;
  const { store, clock } = deps;
  store.migrate(REVOCATION_MIGRATIONS);
  const cas = listCertificateAuthorities(material);
  const all = listKeyCerts(material);
  const countries = Object.keys(material.countries).sort();

  const crlCache = new Map<string, { der: Buffer; parsed: ParsedCrl; until: number }>();
  const crlFor = (ca: KeyCert) => {
    const now = clock.nowMs();
    const hit = crlCache.get(ca.name);
    if (hit && hit.until > now) return hit;
    const revoked = store
      .all<{ serial_hex: string; revoked_at: string; reason: string }>('SELECT * FROM trust_revocations WHERE ca_name = ? ORDER BY serial_hex', ca.name)
      .map((r) => ({ serialHex: r.serial_hex, revokedAt: new Date(r.revoked_at), reason: r.reason as never }));
    const number = Number(store.get<{ value: string }>("SELECT value FROM trust_state WHERE key = 'crlNumber'")?.value ?? '1');
    const thisUpdate = new Date(now - 60_000);
    const nextUpdate = new Date(now + deps.validityDays() * 86_400_000);
    const der = createCrl(ca, revoked, thisUpdate, nextUpdate, number);
    const entry = { der, parsed: parseCrl(der), until: nextUpdate.getTime() - 86_400_000 };
    crlCache.set(ca.name, entry);
    return entry;
  };

  let lists: { lotl: string; tls: Record<string, string>; until: number } | undefined;
  const publish = () => {
    const now = clock.nowMs();
    if (lists && lists.until > now) return lists;
    const seqRow = store.get<{ value: string }>("SELECT value FROM trust_state WHERE key = 'tlSequence'");
    const sequenceNumber = Number(seqRow?.value ?? '0') + 1;
    store.run("INSERT OR REPLACE INTO trust_state (key, value) VALUES ('tlSequence', ?)", String(sequenceNumber));
    const issueDate = new Date(now);
    const nextUpdate = new Date(now + deps.validityDays() * 86_400_000);
    const tls: Record<string, string> = {};
    for (const cc of countries) tls[cc] = buildTrustedList(material, cc, { hubUrl: deps.hubUrl, sequenceNumber, issueDate, nextUpdate });
    const lotl = buildLotl(material, { hubUrl: deps.hubUrl, sequenceNumber, issueDate, nextUpdate });
    lists = { lotl, tls, until: nextUpdate.getTime() - 86_400_000 };
    return lists;
  };

  // The hub validates against its own published lists, verified like any relying party would.
  const store_ = new TrustStore({ anchors: [], intermediates: [], crls: [] });
  let storeUntil = 0;
  const trustStore = () => {
    const now = clock.nowMs();
    if (storeUntil > now) return store_;
    const l = publish();
    const lotl = verifyLotl(l.lotl, { pinnedSignerCerts: [material.hub.signing.certPem], clock });
    const anchors = [];
    for (const p of lotl.pointers) {
      const tl = verifyTrustedList(l.tls[p.territory] as string, { signerCerts: p.signerCerts, clock });
      anchors.push(...tl.anchors);
    }
    store_.reset({ anchors, intermediates: cas.filter((c) => c.issuerName !== null).map((c) => c.certPem), crls: cas.map((c) => crlFor(c).parsed) });
    storeUntil = l.until;
    return store_;
  };

  return {
    countries: () => countries,
    lotlXml: () => publish().lotl,
    trustedListXml: (cc) => publish().tls[cc],
    crlDer: (name) => {
      const ca = cas.find((c) => c.name === name);
      return ca ? crlFor(ca).der : undefined;
    },
    crlNames: () => cas.map((c) => c.name),
    lotlSignerPem: () => material.hub.signing.certPem,
    certificates: () => {
      const revoked = new Set(store.all<{ serial_hex: string }>('SELECT serial_hex FROM trust_revocations').map((r) => r.serial_hex));
      return all.map((k) => ({
        name: k.name,
        subject: k.certificate.subject.replace(/\n/g, ', '),
        serialHex: k.serialHex,
        notBefore: new Date(k.certificate.validFrom).toISOString(),
        notAfter: new Date(k.certificate.validTo).toISOString(),
        revoked: revoked.has(k.serialHex),
      }));
    },
    validateCertificate: (pem, chain, opts): CertificateVerdict => toVerdict(trustStore().validate(pem, { intermediates: chain, at: opts.at, requiredKeyUsage: opts.usage as never }), pem),
    revoke: (req: RevocationRequest) => {
      const target = all.find((k) => (req.name && k.name === req.name) || (req.serialHex && k.serialHex === req.serialHex.toLowerCase().replace(/^0+/, '')));
      if (!target || !target.issuerName) {
        throw new KakehashiError('not-found', `No revocable certificate ${req.name ?? req.serialHex}; GET /trust lists them by name and serial.`);
      }
      store.run(
        'INSERT OR REPLACE INTO trust_revocations (serial_hex, ca_name, revoked_at, reason) VALUES (?,?,?,?)',
        target.serialHex, target.issuerName, (req.at ?? clock.now()).toISOString(), req.reason ?? 'unspecified',
      );
      const n = Number(store.get<{ value: string }>("SELECT value FROM trust_state WHERE key = 'crlNumber'")?.value ?? '1') + 1;
      store.run("INSERT OR REPLACE INTO trust_state (key, value) VALUES ('crlNumber', ?)", String(n));
      crlCache.delete(target.issuerName);
      storeUntil = 0;
      return { serialHex: target.serialHex, crl: `${deps.hubUrl}/trust/crl/${target.issuerName}.crl` };
    },
  };
}

function toVerdict(r: ReturnType<typeof validateCertificatePath>, pem: string): CertificateVerdict & NodeCertificateVerdict {
  let facts: ReturnType<typeof inspectCertificate> | undefined;
  try {
    facts = inspectCertificate(pem);
  } catch {
    facts = undefined;
  }
  return {
    valid: r.valid,
    country: facts?.country,
    serialHex: facts?.serialHex,
    anchor: r.chain.at(-1)?.subject,
    failure: r.failure,
    checks: r.checks,
  };
}

/**
 * A node's trust view: LOTL from the hub checked against the pinned signer, each national list checked
 * against the certificates the LOTL gives for it, CRLs fetched from the hub and checked by the path validator.
 */
export function createNodeTrust(opts: { hubUrl: string; lotlSignerPem: string; clock: Clock; logger: Logger }): NodeTrust {
  let status: NodeTrustStatus = { loaded: false, loadedAt: null, lotlSequence: null, nextUpdate: null, countries: [], anchors: 0, crls: 0 };
  let store: TrustStore | undefined;
  return {
    status: () => status,
    refresh: async (fetchImpl) => {
      const get = async (url: string) => {
        const res = await fetchImpl(url, { headers: { 'x-kakehashi-caller': 'node' } });
        if (!res.ok) throw new KakehashiError('upstream-unavailable', `GET ${url} answered ${res.status}.`);
        return res;
      };
      try {
        const lotl = verifyLotl(await (await get(`${opts.hubUrl}/trust/lotl.xml`)).text(), { pinnedSignerCerts: [opts.lotlSignerPem], clock: opts.clock });
        const anchors = [];
        const countries: string[] = [];
        for (const p of lotl.pointers) {
          const tl = verifyTrustedList(await (await get(p.location)).text(), { signerCerts: p.signerCerts, clock: opts.clock });
          anchors.push(...tl.anchors);
          countries.push(p.territory);
        }
        const index = (await (await get(`${opts.hubUrl}/trust`)).json()) as { crls: string[] };
        const crls = await Promise.all(index.crls.map(async (u) => parseCrl(new Uint8Array(await (await get(u)).arrayBuffer()))));
        const intermediates = anchors.length ? [] : [];
        store = new TrustStore({ anchors, intermediates, crls });
        status = {
          loaded: true,
          loadedAt: opts.clock.now().toISOString(),
          lotlSequence: lotl.sequenceNumber,
          nextUpdate: lotl.nextUpdate.toISOString(),
          countries: countries.sort(),
          anchors: anchors.length,
          crls: crls.length,
        };
        opts.logger.debug('trust fabric loaded', { countries: status.countries.length, anchors: anchors.length, crls: crls.length });
      } catch (e) {
        status = { ...status, error: e instanceof Error ? e.message : String(e) };
        throw e;
      }
      return status;
    },
    validateCertificate: (pem, chain, o) => {
      if (!store) throw new KakehashiError('upstream-unavailable', 'The trust fabric has not been loaded yet.');
      return toVerdict(store.validate(pem, { intermediates: chain, at: o.at, requiredKeyUsage: o.usage as never }), pem);
    },
  };
}
