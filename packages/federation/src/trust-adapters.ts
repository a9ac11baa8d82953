import type { Clock, Logger, Store } from '@kakehashi/core';
import { KakehashiError } from '@kakehashi/core';
import { createOcspResponder, type OcspResponder } from '@kakehashi/esig';
import type { CertificateVerdict, HubTrust, RevocationRequest } from '@kakehashi/hub';
import {
  getProfile,
  type NodeCertificateVerdict,
  type NodeCredential,
  type NodeCredentials,
  type NodeTrust,
  type NodeTrustStatus,
} from '@kakehashi/node';
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
  ocspSignerFor,
  type ParsedCrl,
  type RevocationRecord,
  revoke,
  type TrustMaterial,
  TrustStore,
  VerificationMemo,
  type validateCertificatePath,
} from '@kakehashi/trust';

/** Trust material plus the lookups the composition root needs. */
export interface LoadedMaterial {
  material: TrustMaterial;
  nodeCredentials(cc: string): NodeCredentials;
  lotlSignerPem(): string;
}

/** Generates (or loads from the cache) the trust material for the federation's countries. */
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
    {
      ms: Math.round(material.provenance.ms),
      keys: material.provenance.keys,
    },
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
        ...(c.jpki ? { jpkiCa: cred(c.jpki.ca) } : {}),
        tsa: cred(c.tsa),
      };
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
export function createHubTrust(
  loaded: LoadedMaterial,
  deps: { clock: Clock; store: Store; hubUrl: string; validityDays: () => number; memo?: VerificationMemo },
): HubTrust {
  const memo = deps.memo ?? new VerificationMemo();
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
      .all<{ serial_hex: string; revoked_at: string; reason: string }>(
        'SELECT * FROM trust_revocations WHERE ca_name = ? ORDER BY serial_hex',
        ca.name,
      )
      .map((r) => ({ serialHex: r.serial_hex, revokedAt: new Date(r.revoked_at), reason: r.reason as never }));
    const number = Number(
      store.get<{ value: string }>("SELECT value FROM trust_state WHERE key = 'crlNumber'")?.value ?? '1',
    );
    const thisUpdate = new Date(now - 60_000);
    const nextUpdate = new Date(now + deps.validityDays() * 86_400_000);
    const der = createCrl(ca, revoked, thisUpdate, nextUpdate, number);
    const entry = { der, parsed: memo.parseCrl(der), until: nextUpdate.getTime() - 86_400_000 };
    crlCache.set(ca.name, entry);
    return entry;
  };

  // One OCSP responder per CA (delegated signer where the material has one), answering from the same
  // persisted revocation records as the CRLs, dated by the virtual clock.
  const responders = new Map<string, OcspResponder>();
  const ocspResponder = (caName: string) => {
    const ca = cas.find((c) => c.name === caName);
    if (!ca) return undefined;
    let r = responders.get(caName);
    if (!r) {
      const signer = ocspSignerFor(material, caName);
      r = createOcspResponder({
        ca,
        ...(signer ? { signer } : {}),
        clock,
        status: (serialHex) => {
          const row = store.get<{ revoked_at: string; reason: string }>(
            'SELECT revoked_at, reason FROM trust_revocations WHERE ca_name = ? AND serial_hex = ?',
            caName,
            serialHex,
          );
          return row ? { serialHex, revokedAt: new Date(row.revoked_at), reason: row.reason as never } : undefined;
        },
      });
      responders.set(caName, r);
    }
    return r;
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
    for (const cc of countries)
      tls[cc] = buildTrustedList(material, cc, { hubUrl: deps.hubUrl, sequenceNumber, issueDate, nextUpdate });
    const lotl = buildLotl(material, { hubUrl: deps.hubUrl, sequenceNumber, issueDate, nextUpdate });
    lists = { lotl, tls, until: nextUpdate.getTime() - 86_400_000 };
    return lists;
  };

  // The hub validates against its own published lists, verified like any relying party would.
  let current: { store: TrustStore; until: number } | undefined;
  const trustStore = () => {
    const now = clock.nowMs();
    if (current && current.until > now) return current.store;
    const l = publish();
    const lotl = memo.verifyLotl(l.lotl, { pinnedSignerCerts: [material.hub.signing.certPem], clock });
    const verified = lotl.pointers.map((p) =>
      memo.verifyTrustedList(l.tls[p.territory] as string, {
        signerCerts: p.signerCertsPem,
        clock,
        expectedTerritory: p.territory,
      }),
    );
    const store = TrustStore.fromTrustedLists(verified);
    for (const c of cas) store.addCrl(crlFor(c).parsed);
    current = { store, until: Math.min(l.until, ...cas.map((c) => crlFor(c).until)) };
    return store;
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
    ocspResponder,
    lotlSignerPem: () => material.hub.signing.certPem,
    certificates: () => {
      const revoked = new Set(
        store.all<{ serial_hex: string }>('SELECT serial_hex FROM trust_revocations').map((r) => r.serial_hex),
      );
      return all.map((k) => ({
        name: k.name,
        subject: k.certificate.subject.replace(/\n/g, ', '),
        serialHex: k.serialHex,
        notBefore: new Date(k.certificate.validFrom).toISOString(),
        notAfter: new Date(k.certificate.validTo).toISOString(),
        revoked: revoked.has(k.serialHex),
      }));
    },
    validateCertificate: (pem, chain, opts): CertificateVerdict =>
      toVerdict(
        trustStore().validate(pem, { intermediates: chain, at: opts.at, requiredKeyUsage: opts.usage as never }),
        pem,
      ),
    revoke: (req: RevocationRequest) => {
      // The trust package decides what may be revoked (never a root) and by which CA; the hub persists it.
      const records = revoke(material, [], {
        certName: req.name,
        serialHex: req.serialHex,
        issuerName: req.issuer,
        reason: req.reason,
        at: req.at ?? clock.now(),
      });
      const rec = records[0] as RevocationRecord;
      store.transaction(() => {
        store.run(
          'INSERT OR REPLACE INTO trust_revocations (serial_hex, ca_name, revoked_at, reason) VALUES (?,?,?,?)',
          rec.serialHex,
          rec.issuerName,
          rec.revokedAt.toISOString(),
          rec.reason ?? 'unspecified',
        );
        const n =
          Number(store.get<{ value: string }>("SELECT value FROM trust_state WHERE key = 'crlNumber'")?.value ?? '1') +
          1;
        store.run("INSERT OR REPLACE INTO trust_state (key, value) VALUES ('crlNumber', ?)", String(n));
      });
      crlCache.delete(rec.issuerName);
      current = undefined;
      return { serialHex: rec.serialHex, crl: `${deps.hubUrl}/trust/crl/${rec.issuerName}.crl` };
    },
  };
}

function toVerdict(
  r: ReturnType<typeof validateCertificatePath>,
  pem: string,
): CertificateVerdict & NodeCertificateVerdict {
  let facts: ReturnType<typeof inspectCertificate> | undefined;
  try {
    facts = inspectCertificate(pem);
  } catch {
    facts = undefined;
  }
  return {
    valid: r.valid,
    country: facts ? /(?:^|, )C=([A-Z]{2})(?:,|$)/.exec(facts.subject)?.[1] : undefined,
    serialHex: facts?.serialHex,
    anchor: r.chain.at(-1)?.subject,
    failure: r.failure ? { code: r.failure.code, reason: r.failure.reason } : undefined,
    checks: r.checks.map((c) => ({
      rule: c.rule,
      outcome: c.outcome,
      reason: c.reason,
      ...(c.code ? { code: c.code } : {}),
    })),
  };
}

/**
 * A node's trust view: LOTL from the hub checked against the pinned signer, each national list checked
 * against the certificates the LOTL gives for it, CRLs fetched from the hub and checked by the path validator.
 */
export function createNodeTrust(opts: {
  hubUrl: string;
  lotlSignerPem: string;
  clock: Clock;
  logger: Logger;
  memo?: VerificationMemo;
}): NodeTrust {
  const memo = opts.memo ?? new VerificationMemo();
  let status: NodeTrustStatus = {
    loaded: false,
    loadedAt: null,
    lotlSequence: null,
    nextUpdate: null,
    countries: [],
    anchors: 0,
    crls: 0,
  };
  let store: TrustStore | undefined;
  // Highest sequence numbers seen: an older list offered later is a rollback and is refused.
  const seen: { lotl?: number; tl: Record<string, number> } = { tl: {} };
  return {
    status: () => status,
    refresh: async (fetchImpl) => {
      const get = async (url: string) => {
        const res = await fetchImpl(url, { headers: { 'x-kakehashi-caller': 'node' } });
        if (!res.ok) throw new KakehashiError('upstream-unavailable', `GET ${url} answered ${res.status}.`);
        return res;
      };
      try {
        const lotl = memo.verifyLotl(await (await get(`${opts.hubUrl}/trust/lotl.xml`)).text(), {
          pinnedSignerCerts: [opts.lotlSignerPem],
          clock: opts.clock,
          minSequence: seen.lotl,
        });
        const lists = await Promise.all(
          lotl.pointers.map(async (p) =>
            memo.verifyTrustedList(await (await get(p.location)).text(), {
              signerCerts: p.signerCertsPem,
              clock: opts.clock,
              minSequence: seen.tl[p.territory],
              expectedTerritory: p.territory,
            }),
          ),
        );
        seen.lotl = lotl.sequenceNumber;
        for (const l of lists) seen.tl[l.territory] = l.sequenceNumber;
        const countries = lists.map((l) => l.territory);
        const index = (await (await get(`${opts.hubUrl}/trust`)).json()) as { crls: string[] };
        const crls = await Promise.all(
          index.crls.map(async (u) => memo.parseCrl(new Uint8Array(await (await get(u)).arrayBuffer()))),
        );
        const next = TrustStore.fromTrustedLists(lists);
        for (const c of crls) next.addCrl(c);
        store = next;
        const anchors = next.anchors;
        status = {
          loaded: true,
          loadedAt: opts.clock.now().toISOString(),
          lotlSequence: lotl.sequenceNumber,
          nextUpdate: lotl.nextUpdate.toISOString(),
          countries: countries.sort(),
          anchors: anchors.length,
          crls: crls.length,
        };
        opts.logger.debug('trust fabric loaded', {
          countries: status.countries.length,
          anchors: anchors.length,
          crls: crls.length,
        });
      } catch (e) {
        status = { ...status, error: e instanceof Error ? e.message : String(e) };
        throw e;
      }
      return status;
    },
    validateCertificate: (pem, chain, o) => {
      if (!store) throw new KakehashiError('upstream-unavailable', 'The trust fabric has not been loaded yet.');
      return toVerdict(
        store.validate(pem, { intermediates: chain, at: o.at, requiredKeyUsage: o.usage as never }),
        pem,
      );
    },
  };
}
