import type { Clock, Store } from '@kakehashi/core';
import { createOcspResponder, type OcspResponder } from '@kakehashi/esig';
import {
  buildEntityList,
  buildLotl,
  buildTrustedList,
  certificateVerdictOf,
  createCrl,
  type EntityListEntry,
  type EntityListKind,
  entityListKindOf,
  type KeyCert,
  listCertificateAuthorities,
  listKeyCerts,
  ocspSignerFor,
  type ParsedCrl,
  type RevocationRecord,
  revoke,
  standingRevocations,
  type TrustMaterial,
  TrustStore,
  unauthorisedOcspSignerFor,
  VerificationMemo,
} from '@kakehashi/trust';
import { describeFabric, type TrustFabric } from './describe-fabric.ts';
import { forgedPublication } from './forged-publication.ts';
import type { HubTrust, RevocationEntry, RevocationRequest } from './hub-trust.ts';
import { createPublicationStore, fingerprintOf } from './publication-store.ts';
import { createRevocationLedger } from './revocation-ledger.ts';

const DAY_MS = 86_400_000;

/** The LOTL's pointers to national trusted lists (the lists of trusted entities give no CA anchors). */
const nationalPointers = <P extends { tslType: string }>(pointers: P[]) =>
  pointers.filter((p) => entityListKindOf(p.tslType) === undefined);

/** What the hub's trust needs besides the material: its store (revocations), the clock and its origin. */
export interface HubTrustDeps {
  clock: Clock;
  store: Store;
  /** The hub's origin: the lists and CRLs it publishes point at it. */
  hubUrl: string;
  /** How long a published list or CRL is valid (option trustListValidityDays). */
  validityDays: () => number;
  /** Shared with the nodes of the same process, so the same signed bytes are verified once. */
  memo?: VerificationMemo;
  /**
   * The providers the hub lists in the EUDI lists of trusted entities (ETSI TS 119 602), by list: each list is
   * published and pointed at from the LOTL. Asked once, at the first publication. None when absent.
   */
  entityLists?: () => Partial<Record<EntityListKind, readonly EntityListEntry[]>>;
}

/**
 * The hub's trust: publishes the LOTL and national lists (re-signed when they near NextUpdate on the virtual
 * clock), one CRL per CA built from the revocations persisted in the hub store, one OCSP responder per CA, and
 * validates certificates against anchors taken from its own lists, verified as any relying party would.
 * @see https://www.etsi.org/deliver/etsi_ts/119600_119699/119612/02.03.01_60/ts_119612v020301p.pdf
 */
export function createHubTrust(material: TrustMaterial, deps: HubTrustDeps): HubTrust {
  const memo = deps.memo ?? new VerificationMemo();
  const { clock } = deps;
  const ledger = createRevocationLedger(deps.store);
  const cas = listCertificateAuthorities(material);
  const all = listKeyCerts(material);
  const countries = Object.keys(material.countries).sort();
  // Each CA's standing revoked certificate (the one the esig.revoked-certificate fault signs with), beside the ledger's.
  const standing = standingRevocations(material);
  const revokedBy = (caName: string) => [
    ...ledger.revokedBy(caName),
    ...standing.filter((r) => r.issuerName === caName),
  ];
  const statusOf = (caName: string, serialHex: string) =>
    ledger.statusOf(caName, serialHex) ??
    standing.find((r) => r.issuerName === caName && r.serialHex === serialHex.toLowerCase());

  // What the hub publishes is cached while the virtual clock stays inside [issued, until): a clock moved back (a
  // reset, a scenario undone) before the issue time gets a new CRL or list, never one dated in its future.
  const fresh = (c: { issued: number; until: number } | undefined, now: number) =>
    c !== undefined && c.issued <= now && now < c.until;
  // And across restarts on the same data directory: what was published last, while still current, is served
  // again instead of signed again (see publication-store.ts). Everything it was made from is in its fingerprint.
  const published = createPublicationStore(deps.store);
  let materialPrint: string | undefined;
  const madeFrom = (...parts: string[]) => {
    materialPrint ??= fingerprintOf(deps.hubUrl, ...all.map((k) => `${k.name}\n${k.certPem}`));
    return fingerprintOf(materialPrint, String(deps.validityDays()), ...parts);
  };
  const crlCache = new Map<string, { der: Buffer; parsed: ParsedCrl; issued: number; until: number }>();
  const crlFor = (ca: KeyCert) => {
    const now = clock.nowMs();
    const hit = crlCache.get(ca.name);
    if (hit && fresh(hit, now)) return hit;
    const revoked = revokedBy(ca.name);
    const crlNumber = ledger.crlNumber();
    const print = madeFrom('crl', ca.name, String(crlNumber), JSON.stringify(revoked));
    const kept = published.get(`crl:${ca.name}`, print, now);
    const nextUpdate = new Date(now + deps.validityDays() * DAY_MS);
    const der = kept
      ? Buffer.from(kept.body, 'base64')
      : createCrl(ca, revoked, new Date(now - 60_000), nextUpdate, crlNumber);
    const entry = kept
      ? { der, parsed: memo.parseCrl(der), issued: kept.issued, until: kept.until }
      : { der, parsed: memo.parseCrl(der), issued: now - 60_000, until: nextUpdate.getTime() - DAY_MS };
    if (!kept) published.put(`crl:${ca.name}`, print, { ...entry, body: der.toString('base64') });
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
        unauthorisedSigner: unauthorisedOcspSignerFor(material, caName),
        clock,
        status: (serialHex) => statusOf(caName, serialHex),
      });
      responders.set(caName, r);
    }
    return r;
  };

  const forged = forgedPublication(material, clock);
  let entities: Partial<Record<EntityListKind, readonly EntityListEntry[]>> | undefined;
  const entityLists = () => {
    entities ??= deps.entityLists?.() ?? {};
    return entities;
  };
  type Lists = {
    lotl: string;
    tls: Record<string, string>;
    lotes: Partial<Record<EntityListKind, string>>;
    issued: number;
    until: number;
    sequenceNumber: number;
  };
  let lists: Lists | undefined;
  const publish = (): Lists => {
    const now = clock.nowMs();
    if (lists && fresh(lists, now)) return lists;
    const kinds = Object.keys(entityLists()).sort() as EntityListKind[];
    const entityPrint = kinds.map((k) => `${k}:${(entityLists()[k] ?? []).map((e) => e.certPem).join(',')}`);
    const print = madeFrom('lists', countries.join(','), ...entityPrint);
    const kept = published.get('lists', print, now);
    if (kept) {
      const body = JSON.parse(kept.body) as Omit<Lists, 'issued' | 'until'>;
      lists = { ...body, lotes: body.lotes ?? {}, issued: kept.issued, until: kept.until };
      return lists;
    }
    // Every (re)publication carries a higher sequence number, persisted: relying parties refuse a rollback.
    const sequenceNumber = ledger.nextListSequence();
    const issueDate = new Date(now);
    const nextUpdate = new Date(now + deps.validityDays() * DAY_MS);
    const tls: Record<string, string> = {};
    for (const cc of countries)
      tls[cc] = buildTrustedList(material, cc, { hubUrl: deps.hubUrl, sequenceNumber, issueDate, nextUpdate });
    const lotes: Partial<Record<EntityListKind, string>> = {};
    for (const kind of kinds)
      lotes[kind] = buildEntityList(material, kind, entityLists()[kind] ?? [], {
        hubUrl: deps.hubUrl,
        sequenceNumber,
        issueDate,
        nextUpdate,
      });
    const lotl = buildLotl(material, {
      hubUrl: deps.hubUrl,
      sequenceNumber,
      issueDate,
      nextUpdate,
      entityLists: kinds,
    });
    lists = { lotl, tls, lotes, issued: now, until: nextUpdate.getTime() - DAY_MS, sequenceNumber };
    published.put('lists', print, { body: JSON.stringify({ lotl, tls, lotes, sequenceNumber }), ...lists });
    return lists;
  };

  // The hub validates against its own published lists, verified like any relying party would.
  let current: { store: TrustStore; issued: number; until: number } | undefined;
  const trustStore = () => {
    const now = clock.nowMs();
    if (current && fresh(current, now)) return current.store;
    const l = publish();
    const lotl = memo.verifyLotl(l.lotl, { pinnedSignerCerts: [material.hub.signing.certPem], clock });
    const verified = nationalPointers(lotl.pointers).map((p) =>
      memo.verifyTrustedList(l.tls[p.territory] as string, {
        signerCerts: p.signerCertsPem,
        clock,
        expectedTerritory: p.territory,
      }),
    );
    const next = TrustStore.fromTrustedLists(verified);
    for (const c of cas) next.addCrl(crlFor(c).parsed);
    current = {
      store: next,
      issued: Math.max(l.issued, ...cas.map((c) => crlFor(c).issued)),
      until: Math.min(l.until, ...cas.map((c) => crlFor(c).until)),
    };
    return next;
  };

  const revokeOne = (req: RevocationRequest) => {
    // The trust package decides what may be revoked (never a root) and by which CA; the hub persists it.
    const records = revoke(material, [], {
      certName: req.name,
      serialHex: req.serialHex,
      issuerName: req.issuer,
      reason: req.reason,
      at: req.at ?? clock.now(),
    });
    const rec = records[0] as RevocationRecord;
    ledger.record(rec);
    crlCache.delete(rec.issuerName);
    current = undefined;
    return { serialHex: rec.serialHex, crl: `${deps.hubUrl}/trust/crl/${rec.issuerName}.crl` };
  };

  const nameOf = new Map(all.map((k) => [k.serialHex.toLowerCase(), k.name]));
  const entry = (r: ReturnType<typeof ledger.list>[number]): RevocationEntry => {
    const name = nameOf.get(r.serialHex.toLowerCase());
    return {
      serialHex: r.serialHex,
      caName: r.caName,
      ...(name ? { name } : {}),
      revokedAt: r.revokedAt.toISOString(),
      reason: r.reason ?? 'unspecified',
    };
  };
  const unrevoke = (serialsHex?: string[]) => {
    const gone = ledger.remove(serialsHex);
    for (const r of gone) crlCache.delete(r.caName);
    if (gone.length > 0) current = undefined;
    return gone.map(entry);
  };

  // The fabric as a relying party walks it: the hub's own published lists, verified, and its CRLs.
  const fabric = (): TrustFabric => {
    try {
      return walkFabric();
    } catch (e) {
      // A relying party could not walk it either (e.g. the LOTL signer certificate expired): say so, do not fail.
      const why = e instanceof Error ? e.message : String(e);
      return { at: clock.now().toISOString(), lotl: null, lists: [], problem: `The LOTL cannot be verified: ${why}` };
    }
  };
  const walkFabric = () => {
    const l = publish();
    const lotl = memo.verifyLotl(l.lotl, { pinnedSignerCerts: [material.hub.signing.certPem], clock });
    const lists = nationalPointers(lotl.pointers).map((p) => ({
      ...memo.verifyTrustedList(l.tls[p.territory] as string, {
        signerCerts: p.signerCertsPem,
        clock,
        expectedTerritory: p.territory,
      }),
      url: p.location,
    }));
    return describeFabric({
      now: clock.now(),
      lotl: { ...lotl, url: `${deps.hubUrl}/trust/lotl.xml` },
      lists,
      all,
      crlOf: (caName) => {
        const ca = cas.find((c) => c.name === caName);
        return ca ? { url: `${deps.hubUrl}/trust/crl/${ca.name}.crl`, crl: crlFor(ca).parsed } : undefined;
      },
    });
  };

  return {
    countries: () => countries,
    fabric,
    revocations: () => ledger.list().map(entry),
    unrevoke,
    lotlXml: () => {
      forged.clear();
      return publish().lotl;
    },
    trustedListXml: (cc) => publish().tls[cc],
    entityListXml: (kind) => publish().lotes[kind],
    crlDer: (name) => {
      const ca = cas.find((c) => c.name === name);
      return ca ? crlFor(ca).der : undefined;
    },
    crlNames: () => cas.map((c) => c.name),
    ocspResponder,
    forgedLists: (faults) =>
      forged.lists(faults, publish().sequenceNumber, {
        hubUrl: deps.hubUrl,
        validityDays: deps.validityDays(),
        entityLists: Object.keys(publish().lotes) as EntityListKind[],
      }),
    staleCrlDer: (name) => {
      const ca = cas.find((c) => c.name === name);
      if (!ca) return undefined;
      const now = clock.nowMs();
      const days = deps.validityDays();
      // Issued a validity period and a day ago: its nextUpdate passed yesterday.
      return createCrl(
        ca,
        revokedBy(ca.name),
        new Date(now - (days + 1) * DAY_MS),
        new Date(now - DAY_MS),
        ledger.crlNumber(),
      );
    },
    lotlSignerPem: () => material.hub.signing.certPem,
    certificates: () => {
      const revoked = ledger.revokedSerials();
      return all.map((k) => ({
        name: k.name,
        subject: k.certificate.subject.replace(/\n/g, ', '),
        serialHex: k.serialHex,
        notBefore: new Date(k.certificate.validFrom).toISOString(),
        notAfter: new Date(k.certificate.validTo).toISOString(),
        revoked: revoked.has(k.serialHex),
      }));
    },
    validateCertificate: (pem, chain, opts) =>
      certificateVerdictOf(
        trustStore().validate(pem, { intermediates: chain, at: opts.at, requiredKeyUsage: opts.usage as never }),
        pem,
      ),
    revoke: revokeOne,
  };
}
