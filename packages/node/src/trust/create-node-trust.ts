import {
  type CertificateVerdict,
  type Clock,
  type HubClient,
  isKakehashiError,
  KakehashiError,
  type Logger,
} from '@kakehashi/core';
import {
  certificateVerdictOf,
  type EntityListKind,
  entityListing,
  entityListKindOf,
  type TrustLenientFault,
  TrustStore,
  VerificationMemo,
  type VerifiedTrustedList,
} from '@kakehashi/trust';
import type { NodeTrust, NodeTrustStatus } from './node-trust.ts';

type Lenience = ((name: TrustLenientFault) => boolean) | undefined;

/**
 * Verifies a list strictly; in the weak-node mode, a list refused as expired or rolled back is verified again
 * without that one check when the matching lenient fault is on (asked only once the defect is found, so it fires
 * only when it changes the outcome).
 */
function leniently<T>(
  lenient: Lenience,
  strict: { minSequence?: number | undefined },
  verify: (o: { minSequence?: number | undefined; acceptExpired?: boolean }) => T,
): T {
  const relaxed = { ...strict };
  for (;;) {
    try {
      return verify(relaxed);
    } catch (e) {
      const code = isKakehashiError(e) ? e.code : undefined;
      if (code === 'tl-rollback' && relaxed.minSequence !== undefined && lenient?.('lenient.trust.tl-rollback'))
        relaxed.minSequence = undefined;
      else if (code === 'tl-expired' && !('acceptExpired' in relaxed) && lenient?.('lenient.trust.tl-expired'))
        Object.assign(relaxed, { acceptExpired: true });
      else throw e;
    }
  }
}

/**
 * A verdict judged against trusted lists past their NextUpdate at the validation time: the anchors may no longer
 * be what the scheme operator publishes, so the path is not taken silently — a failed check `tl-expired` (a
 * signature is then INDETERMINATE/TRY_LATER), or, on a weak node (`lenient.trust.tl-expired`), a skipped check
 * naming the fault.
 * @see https://www.etsi.org/deliver/etsi_ts/119600_119699/119612/02.03.01_60/ts_119612v020301p.pdf §5.3.14 (NextUpdate)
 */
function listFreshness(verdict: CertificateVerdict, late: string[], lenient: Lenience): CertificateVerdict {
  if (late.length === 0) return verdict;
  const rule = 'ETSI TS 119 612 §5.3.14 (NextUpdate)';
  const reason = `The trust anchors come from lists past their NextUpdate: ${late.join('; ')}. Reload the trust fabric (POST /admin/trust/refresh) and validate again.`;
  if (lenient?.('lenient.trust.tl-expired'))
    return {
      ...verdict,
      checks: [
        ...verdict.checks,
        { rule, outcome: 'skipped', reason: `Ignored on purpose: ${reason}`, fault: 'lenient.trust.tl-expired' },
      ],
    };
  return {
    ...verdict,
    valid: false,
    failure: verdict.failure ?? { code: 'tl-expired', reason, rule },
    checks: [...verdict.checks, { rule, outcome: 'failed', reason, code: 'tl-expired' }],
  };
}

/** What a node's trust view needs: the hub it loads from, the pinned LOTL signer, the clock. */
export interface NodeTrustDeps {
  /** The hub publishing the LOTL, the national lists and the CRLs. */
  hub: HubClient;
  /** The LOTL signer's certificate, as a relying party gets it out of band (the "OJ" publication). */
  lotlSignerPem: string;
  clock: Clock;
  logger: Logger;
  /** Shared with the hub and the other nodes of the same process, so the same signed bytes are verified once. */
  memo?: VerificationMemo;
}

/**
 * A node's trust view: the LOTL from the hub checked against the pinned signer, each national list checked
 * against the certificates the LOTL gives for it, the CRLs the hub's trust index names, all fetched through the
 * hub client; certificates are then validated against what was loaded, never against anything a peer sends.
 * A list with a lower sequence number than one already seen is a rollback and is refused (`tl-rollback`); a
 * failed refresh keeps the previous view and records the error in the status.
 * @see https://www.etsi.org/deliver/etsi_ts/119600_119699/119612/02.03.01_60/ts_119612v020301p.pdf §5.3.7, §6.1
 */
export function createNodeTrust(deps: NodeTrustDeps): NodeTrust {
  const memo = deps.memo ?? new VerificationMemo();
  let status: Omit<NodeTrustStatus, 'stale' | 'warnings'> = {
    loaded: false,
    loadedAt: null,
    lotlSequence: null,
    nextUpdate: null,
    countries: [],
    anchors: 0,
    crls: 0,
  };
  let store: TrustStore | undefined;
  // The lists of trusted entities the LOTL points at (ETSI TS 119 602: PID providers, wallet providers).
  let entityLists: Partial<Record<EntityListKind, VerifiedTrustedList>> = {};
  // What the view holds, with each NextUpdate: what makes it stale as the virtual clock moves on.
  let dates: { what: string; nextUpdate: Date; kind: 'list' | 'crl' }[] = [];
  /** The lists and CRLs of the view past their NextUpdate at `at`, one line each. */
  const pastNextUpdate = (at: Date, kind?: 'list' | 'crl') =>
    dates
      .filter((d) => d.nextUpdate.getTime() < at.getTime() && (!kind || d.kind === kind))
      .map(
        (d) =>
          `${d.what} was due to be replaced at ${d.nextUpdate.toISOString()} (NextUpdate); it is ${at.toISOString()} on the virtual clock`,
      );
  const withFreshness = (s: typeof status): NodeTrustStatus => {
    const late = pastNextUpdate(deps.clock.now());
    return {
      ...s,
      stale: late.length > 0,
      warnings: late.map((l) => `${l}. This node's view is stale: POST /admin/trust/refresh reloads it from the hub.`),
    };
  };
  // Highest sequence numbers seen: an older list offered later is a rollback and is refused.
  const seen: { lotl?: number; tl: Record<string, number> } = { tl: {} };

  const load = async (fetcher: typeof fetch, lenient: Lenience): Promise<typeof status> => {
    const lotlXml = await deps.hub.lotlXml(fetcher);
    const lotl = leniently(lenient, { minSequence: seen.lotl }, (o) =>
      memo.verifyLotl(lotlXml, { pinnedSignerCerts: [deps.lotlSignerPem], clock: deps.clock, ...o }),
    );
    const all = await Promise.all(
      lotl.pointers.map(async (p) => {
        const xml = await deps.hub.text(p.location, fetcher);
        const kind = entityListKindOf(p.tslType);
        return leniently(lenient, { minSequence: seen.tl[kind ?? p.territory] }, (o) =>
          memo.verifyTrustedList(xml, {
            signerCerts: p.signerCertsPem,
            clock: deps.clock,
            expectedTerritory: p.territory,
            ...o,
          }),
        );
      }),
    );
    const kindOf = (l: VerifiedTrustedList) => entityListKindOf(l.tslType);
    const lists = all.filter((l) => kindOf(l) === undefined);
    const entities = all.filter((l) => kindOf(l) !== undefined);
    // The highest numbers seen stay (a weak node that took a rollback still knows what it saw).
    seen.lotl = Math.max(seen.lotl ?? 0, lotl.sequenceNumber);
    for (const l of all) {
      const key = kindOf(l) ?? l.territory;
      seen.tl[key] = Math.max(seen.tl[key] ?? 0, l.sequenceNumber);
    }
    const index = await deps.hub.trustIndex(fetcher);
    const crls = await Promise.all(
      index.crls.map(async (url) => {
        const der = await deps.hub.crl(url, fetcher);
        if (!der) throw new KakehashiError('upstream-unavailable', `The hub's trust index names ${url}, not served.`);
        const crl = memo.parseCrl(der);
        // A CRL past its nextUpdate says nothing about today (RFC 5280 §5.1.2.5): refuse it, keep the view we have.
        const now = deps.clock.now();
        if (crl.nextUpdate && crl.nextUpdate.getTime() < now.getTime() && !lenient?.('lenient.trust.crl-stale'))
          throw new KakehashiError(
            'crl-stale',
            `The CRL ${url} was due to be replaced at ${crl.nextUpdate.toISOString()}; it is now ${now.toISOString()}. The previous trust view is kept.`,
            { rule: 'RFC 5280 §5.1.2.5', extra: { nextUpdate: crl.nextUpdate.toISOString() } },
          );
        return crl;
      }),
    );
    const next = TrustStore.fromTrustedLists(lists);
    for (const c of crls) next.addCrl(c);
    store = next;
    entityLists = Object.fromEntries(entities.map((l) => [kindOf(l), l]));
    dates = [
      { what: 'The list of trusted lists (LOTL)', nextUpdate: lotl.nextUpdate, kind: 'list' as const },
      ...all.map((l) => ({
        what: kindOf(l) ? `The list of ${kindOf(l)}` : `The trusted list of ${l.territory}`,
        nextUpdate: l.nextUpdate,
        kind: 'list' as const,
      })),
      ...crls.flatMap((c, i) =>
        c.nextUpdate ? [{ what: `The CRL ${index.crls[i]}`, nextUpdate: c.nextUpdate, kind: 'crl' as const }] : [],
      ),
    ];
    return {
      loaded: true,
      loadedAt: deps.clock.now().toISOString(),
      lotlSequence: lotl.sequenceNumber,
      nextUpdate: lotl.nextUpdate.toISOString(),
      countries: lists.map((l) => l.territory).sort(),
      anchors: next.anchors.length,
      crls: crls.length,
    };
  };

  return {
    status: () => withFreshness(status),
    loaded: () => status.loaded,
    refresh: async (fetcher, options = {}) => {
      try {
        status = await load(fetcher, options.lenient);
      } catch (e) {
        status = { ...status, error: e instanceof Error ? e.message : String(e) };
        // The node keeps its verified view (or none, before the first load) and says why it refused the new one.
        deps.logger.warn('trust fabric refresh refused; the previous view is kept', {
          code: (e as { code?: string }).code,
          error: status.error,
          lotlSequence: status.lotlSequence,
        });
        throw e;
      }
      deps.logger.debug('trust fabric loaded', {
        countries: status.countries.length,
        anchors: status.anchors,
        crls: status.crls,
      });
      return withFreshness(status);
    },
    entityListing: (kind, pem, at) => entityListing(entityLists[kind], kind, pem, at),
    validateCertificate: (pem, chain, o) => {
      if (!store) throw new KakehashiError('upstream-unavailable', 'The trust fabric has not been loaded yet.');
      const verdict = certificateVerdictOf(
        store.validate(pem, {
          intermediates: chain,
          at: o.at,
          requiredKeyUsage: o.usage as never,
          acceptStaleCrl: () => o.lenient?.('lenient.trust.crl-stale') === true,
        }),
        pem,
      );
      return listFreshness(verdict, pastNextUpdate(o.at, 'list'), o.lenient);
    },
  };
}
